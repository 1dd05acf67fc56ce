/** The third argument of `table()`: indexes, multi-column unique constraints, check constraints and a comment, checked and frozen. */
import { sql, type Expression } from 'kysely'

/**
 * A SQL condition: a Kysely expression (`sql\`year > 0\``) or its SQL text (`'year > 0'`), written
 * into the DDL as it is. Column names in it are SQL names.
 *
 * @example
 * ```ts
 * const positive: SqlCondition = sql`year > 0`
 * const same: SqlCondition = 'year > 0'
 * ```
 */
export type SqlCondition = Expression<unknown> | string

/**
 * An index of `table()`'s `indexes` option: its columns by property name, in index order.
 *
 * @example
 * ```ts
 * { columns: ['title', 'year'] }                                  // books_title_year_idx
 * { columns: ['isbn'], unique: true, name: 'books_by_isbn' }
 * { columns: ['year'], where: sql`deleted_at is null` }           // partial: PostgreSQL only
 * ```
 */
export interface IndexDeclaration<K extends string = string> {
  readonly columns: readonly [K, ...K[]]
  /** The index's name; by default `<table>_<columns>_idx`, with SQL column names. */
  readonly name?: string
  readonly unique?: boolean
  /** A partial index's predicate. PostgreSQL only: `createTables()` refuses it on MySQL and MariaDB. */
  readonly where?: SqlCondition
}

/**
 * A unique constraint of `table()`'s `uniques` option: its columns, or its columns and a name
 * (by default `<table>_<columns>_key`).
 *
 * @example
 * ```ts
 * uniques: [['authorId', 'title'], { name: 'one_isbn', columns: ['isbn'] }]
 * ```
 */
export type UniqueDeclaration<K extends string = string> = readonly [K, ...K[]] | { readonly name?: string; readonly columns: readonly [K, ...K[]] }

/**
 * The third argument of `table()`. Columns are named by their property; `K` is the table's
 * property names, so a misspelt one is a compile error.
 *
 * @example
 * ```ts
 * table('books', { id: t.serial().primaryKey(), title: t.text(), year: t.integer() }, {
 *   indexes: [{ columns: ['title', 'year'] }],
 *   uniques: [['title', 'year']],
 *   checks: { books_year_check: sql`year > 0` },
 *   comment: 'One row per edition',
 * })
 * ```
 */
export interface TableOptions<K extends string = string> {
  readonly indexes?: readonly IndexDeclaration<K>[]
  readonly uniques?: readonly UniqueDeclaration<K>[]
  /** Check constraints by name (the name is the constraint's, as written). */
  readonly checks?: Readonly<Record<string, SqlCondition>>
  /** The table's comment (`COMMENT ON TABLE`; MySQL's `COMMENT=` table option). */
  readonly comment?: string
}

/**
 * What `table()` keeps of its options: plain frozen data with property names and SQL expressions,
 * resolved to SQL names by `defineSchema()`.
 *
 * @example
 * ```ts
 * books[TableMeta].declarations.indexes[0]!.columns   // ['title', 'year']
 * ```
 */
export interface TableDeclarations {
  readonly indexes: readonly { readonly columns: readonly string[]; readonly name?: string; readonly unique: boolean; readonly where?: Expression<unknown> }[]
  readonly uniques: readonly { readonly columns: readonly string[]; readonly name?: string }[]
  readonly checks: readonly { readonly name: string; readonly expression: Expression<unknown> }[]
  readonly comment?: string
}

const asExpression = (condition: SqlCondition): Expression<unknown> => (typeof condition === 'string' ? sql.raw(condition) : condition)

/** Checks the options against the table's properties (for callers without types) and freezes them. */
export function tableDeclarations(table: string, properties: readonly string[], options: TableOptions): TableDeclarations {
  const checkColumns = (what: string, columns: readonly string[] | undefined): readonly string[] => {
    if (!Array.isArray(columns) || columns.length === 0) throw new TypeError(`table('${table}'): ${what} needs at least one column`)
    const unknown = columns.filter((c) => !properties.includes(c))
    if (unknown.length > 0) throw new TypeError(`table('${table}'): ${what} names ${unknown.map((c) => `'${c}'`).join(', ')}, not a column of the table (columns: ${properties.join(', ')})`)
    return Object.freeze([...columns])
  }
  const checkName = (what: string, name: unknown): void => {
    if (name !== undefined && (typeof name !== 'string' || name.length === 0)) throw new TypeError(`table('${table}'): ${what} has a name that is not a non-empty string`)
  }
  const indexes = (options.indexes ?? []).map((index, i) => {
    checkName(`index ${i + 1}`, index.name)
    return Object.freeze({
      columns: checkColumns(`index ${index.name ?? i + 1}`, index.columns),
      name: index.name,
      unique: index.unique === true,
      where: index.where === undefined ? undefined : asExpression(index.where),
    })
  })
  const uniques = (options.uniques ?? []).map((unique, i) => {
    const { columns, name } = Array.isArray(unique) ? { columns: unique as readonly string[], name: undefined } : (unique as { columns: readonly string[]; name?: string })
    checkName(`unique constraint ${i + 1}`, name)
    return Object.freeze({ columns: checkColumns(`unique constraint ${name ?? i + 1}`, columns), name })
  })
  const checks = Object.entries(options.checks ?? {}).map(([name, expression]) => {
    if (typeof expression !== 'string' && (typeof expression !== 'object' || expression === null || !('toOperationNode' in expression))) {
      throw new TypeError(`table('${table}'): check '${name}' is neither SQL text nor a Kysely expression (sql\`...\`)`)
    }
    return Object.freeze({ name, expression: asExpression(expression) })
  })
  if (options.comment !== undefined && typeof options.comment !== 'string') throw new TypeError(`table('${table}'): the comment must be a string`)
  return Object.freeze({ indexes: Object.freeze(indexes), uniques: Object.freeze(uniques), checks: Object.freeze(checks), comment: options.comment })
}
