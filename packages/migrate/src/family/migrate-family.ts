/** What differs between PostgreSQL and MySQL/MariaDB in migrations: type widening, DDL spelling, the migration table's schema. */
import type { Kysely } from 'kysely'
import type { ColumnShape, ForeignKeyShape, IndexShape, ShapeFamily, TableShape, UniqueShape } from '../shape/schema-shape.js'

/**
 * One SQL family's migration rules. Each statement method returns a TypeScript expression that
 * runs one statement (ends in `.execute()` or `.execute(db)`), for the generated file.
 *
 * @example
 * ```ts
 * const family = migrateFamily(shape.family)
 * family.widens('varchar(100)', 'varchar(255)')   // true
 * ```
 */
export interface MigrateFamily {
  readonly name: ShapeFamily
  /** Whether changing a column from type `from` to `to` keeps every value. */
  widens(from: string, to: string): boolean
  /** The type argument of `addColumn` for `column` (PostgreSQL writes auto-increment as `serial`). */
  columnType(column: ColumnShape): string
  /** Modifiers after `notNull()` / `defaultTo()` in a column callback. */
  columnModifiers(column: ColumnShape): string[]
  /** Statements after a column is created (PostgreSQL's `comment on column`). */
  afterColumn(table: string, column: ColumnShape): string[]
  /** What ends `createTable` (MySQL's character set), as a `.modifyEnd(...)` argument, or null. */
  readonly tableOptions: string | null
  alterColumn(table: string, from: ColumnShape, to: ColumnShape): string[]
  dropForeignKey(table: string, key: ForeignKeyShape): string
  dropPrimaryKey(table: string, key: NonNullable<TableShape['primaryKey']>): string
  dropIndex(table: string, index: IndexShape): string
  dropUnique(table: string, unique: UniqueShape): string
  tableComment(table: string, comment: string | null): string
  /**
   * MySQL: a foreign key needs an index that starts with its columns, and takes over any such
   * index created later, which then cannot be dropped while the key exists.
   */
  readonly foreignKeysHoldIndexes: boolean
  /** The schema Kysely's migration tables go in (PostgreSQL: the connection's current schema), undefined for the default. */
  migrationTableSchema(db: Kysely<any>): Promise<string | undefined>
}

/** Integer types from narrowest to widest, shared by both families' widening rules. */
export const integerWidths: Readonly<Record<string, number>> = {
  tinyint: 1,
  smallint: 2,
  int2: 2,
  mediumint: 3,
  int: 4,
  integer: 4,
  int4: 4,
  bigint: 8,
  int8: 8,
}

/**
 * The base name and numeric arguments of a normalised type: `numeric(10,2)` → `['numeric', [10, 2]]`.
 *
 * @example
 * ```ts
 * parseType('varchar(255)')   // { base: 'varchar', args: [255] }
 * ```
 */
export function parseType(type: string): { base: string; args: number[] } {
  const match = /^([a-z0-9 _]+?)\s*(?:\(([\d,\s]+)\))?(\s+unsigned)?$/.exec(type.trim())
  if (match === null) return { base: type, args: [] }
  return { base: match[1]! + (match[3] ?? ''), args: match[2] === undefined ? [] : match[2].split(',').map((n) => Number(n.trim())) }
}

/**
 * Widening rules both families share: wider integers, longer strings, numerics with room for as
 * many digits on each side of the point, any string to the family's unbounded text types.
 *
 * @example
 * ```ts
 * widensCommon('integer', 'bigint', ['text'])   // true
 * ```
 */
export function widensCommon(from: string, to: string, unboundedText: readonly string[], strings: readonly string[]): boolean {
  if (from === to) return true
  const a = parseType(from)
  const b = parseType(to)
  const wa = integerWidths[a.base]
  const wb = integerWidths[b.base]
  if (wa !== undefined && wb !== undefined) return wb >= wa
  const isString = (base: string) => strings.includes(base) || unboundedText.includes(base)
  if (isString(a.base) && unboundedText.includes(b.base)) return unboundedText.indexOf(b.base) >= unboundedText.indexOf(a.base) || !unboundedText.includes(a.base)
  if (strings.includes(a.base) && strings.includes(b.base)) return (b.args[0] ?? Infinity) >= (a.args[0] ?? Infinity) && (a.base === b.base || b.base.includes('var'))
  if ((a.base === 'numeric' || a.base === 'decimal') && a.base === b.base) {
    const [pa = Infinity, sa = 0] = a.args
    const [pb = Infinity, sb = 0] = b.args
    return sb >= sa && pb - sb >= pa - sa
  }
  return false
}
