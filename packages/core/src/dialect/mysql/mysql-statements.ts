/** MySQL's and MariaDB's statements: `JSON_ARRAYAGG` for embedded relations, `UPDATE ... JOIN (SELECT ... UNION ALL ...)`, `LOCK IN SHARE MODE`, keys from `LAST_INSERT_ID`, `ON DUPLICATE KEY UPDATE`. */
import { sql, type Kysely, type RawBuilder } from 'kysely'
import { parameterList } from '../../sql/sql-helpers.js'
import type { EmbeddedColumn, EmbeddedRelation, GeneratedKeys, StatementRules } from '../statement-rules.js'

/**
 * `select ? as \`a\`, ? as \`b\` union all select ?, ? ...`: rows as a derived table where there is
 * no `VALUES` list, as one fragment like `rowList`.
 */
function unionAllRows(rows: readonly (readonly unknown[])[], names: readonly string[]): RawBuilder<unknown> {
  const alias = (name: string) => ` as \`${name.replaceAll('`', '``')}\``
  return parameterList(rows, { open: 'select ', between: ' union all select ', close: '' }, (r, i) => (r === 0 ? ['', alias(names[i]!)] : undefined))
}

function columnValue(column: EmbeddedColumn, alias: string): RawBuilder<unknown> {
  const ref = sql.ref(`${alias}.${column.name}`)
  return column.asText ? sql`cast(${ref} as char)` : sql`${ref}`
}

/** A subquery of the related rows as `json_object`s (one, or `json_arrayagg` in the requested order), as one JSON value. */
function embeddedRelation(relation: EmbeddedRelation): RawBuilder<unknown> {
  const { alias } = relation
  const pairs: RawBuilder<unknown>[] = relation.columns.map((column) => sql`${sql.lit(column.name)}, ${columnValue(column, alias)}`)
  for (const child of relation.children()) pairs.push(sql`${sql.lit(child.key)}, ${child.value}`)
  const object = sql`json_object(${sql.join(pairs)})`
  if (relation.toOne) {
    return sql`(${relation.source.select(object.as('j')).limit(1)})`
  }
  const order = relation.order.map((item) => sql`${sql.ref(`${alias}.${item.name}`)} ${sql.raw(item.direction)}`)
  return sql`(${relation.source.select(sql`coalesce(json_arrayagg(${object} order by ${sql.join(order)}), json_array())`.as('j'))})`
}

/**
 * Keys from `LAST_INSERT_ID`: one multi-row INSERT when the server assigns its keys consecutively
 * (`innodb_autoinc_lock_mode` 0 or 1, asked once), else one INSERT per row.
 */
function generatedKeys(db: Kysely<any>): GeneratedKeys {
  let autoIncrement: Promise<{ consecutive: boolean; increment: number }> | undefined
  return {
    async insert(table, rows) {
      autoIncrement ??= sql<{ mode: unknown; increment: unknown }>`select @@innodb_autoinc_lock_mode as mode, @@auto_increment_increment as increment`
        .execute(db)
        .then(({ rows }) => ({ consecutive: Number(rows[0]!.mode) <= 1, increment: Number(rows[0]!.increment) }))
      const { consecutive, increment } = await autoIncrement
      if (consecutive) {
        const result = await db.insertInto(table).values(rows as Record<string, unknown>[]).executeTakeFirst()
        const first = Number(result.insertId)
        return rows.map((_, i) => first + i * increment)
      }
      const keys: number[] = []
      for (const row of rows) {
        const result = await db.insertInto(table).values(row).executeTakeFirst()
        keys.push(Number(result.insertId))
      }
      return keys
    },
  }
}

/** MySQL has no OFFSET without a LIMIT: the largest one it reads exactly. */
const NO_LIMIT = sql.lit(Number.MAX_SAFE_INTEGER)

/**
 * MySQL's and MariaDB's statements.
 *
 * @example
 * ```ts
 * mysqlStatements.lockForShare(db.selectFrom('book_author').selectAll())   // ... lock in share mode
 * ```
 */
export const mysqlStatements: StatementRules = Object.freeze<StatementRules>({
  jsonCollections: (capabilities) => capabilities.jsonAggregation !== 'mysql',
  embeddedRelation,
  page(query, limit, offset) {
    let paged = query
    if (limit !== undefined) paged = paged.limit(limit) as typeof query
    if (offset !== undefined) {
      if (limit === undefined) paged = paged.limit(NO_LIMIT as never) as typeof query
      paged = paged.offset(offset) as typeof query
    }
    return paged
  },
  lockForShare: (query) => query.modifyEnd(sql`lock in share mode`) as typeof query,
  lockNamesTable: false,
  // MariaDB has no `FOR SHARE`, MySQL 8 takes NOWAIT / SKIP LOCKED only after `FOR SHARE`; neither
  // has `OF`: their locked statements join nothing.
  lockRows: (query, lock, _alias, capabilities) =>
    query.modifyEnd(sql.raw(`${lock.mode === 'update' ? 'for update' : (capabilities.shareLockClause ?? 'lock in share mode')}${lock.wait === 'noWait' ? ' nowait' : lock.wait === 'skipLocked' ? ' skip locked' : ''}`)) as typeof query,
  insertValues: (query, rows) => query.values(rows as Record<string, unknown>[]),
  updateFromRows: ({ table, alias, names, rows, assignments, match }) =>
    sql`update ${sql.table(table)} join (${unionAllRows(rows, names)}) as ${sql.raw(alias)} on ${match} set ${sql.join(assignments)}`,
  generatedKeys,
  /**
   * `ON DUPLICATE KEY UPDATE c = values(c)` (MySQL 8.0.20+ warns that `values()` is deprecated, and
   * still runs it; MariaDB has no row alias); with nothing to update, a conflict column set to itself.
   */
  upsert(query, { conflict, update, increment }) {
    const set: Record<string, unknown> = {}
    if (update.length === 0) set[conflict[0]!] = sql.ref(conflict[0]!)
    for (const name of update) set[name] = sql`values(${sql.ref(name)})`
    if (increment !== undefined) set[increment] = sql`${sql.ref(increment)} + 1`
    return query.onDuplicateKeyUpdate(set)
  },
  upsertOnAnyUniqueKey: true,
  updateReturning: false,
})
