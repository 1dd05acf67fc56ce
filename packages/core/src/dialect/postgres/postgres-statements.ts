/** PostgreSQL's statements: `json_agg` for embedded relations, `UPDATE ... FROM (VALUES ...)`, `FOR UPDATE OF` / `FOR SHARE`, `DEFAULT VALUES`, `ON CONFLICT DO UPDATE`. */
import { sql, type AliasedExpression, type RawBuilder } from 'kysely'
import { RelataError } from '../../errors.js'
import type { ColumnModel } from '../../schema/model.js'
import { rowList } from '../../sql/sql-helpers.js'
import type { EmbeddedColumn, EmbeddedRelation, StatementRules } from '../statement-rules.js'

/** PostgreSQL's type of each column type, for the casts that type a VALUES list. */
const castTypes: Record<string, string> = {
  serial: 'integer', integer: 'integer', bigint: 'bigint', text: 'text', varchar: 'text', enum: 'text', uuid: 'uuid',
  boolean: 'boolean', numeric: 'numeric', real: 'real', double: 'double precision', date: 'date', json: 'json', jsonb: 'jsonb',
}

/** SQL around a parameter that gives it its column's type: PostgreSQL types the columns of a VALUES list from its first row. */
function cast(column: ColumnModel): readonly [string, string] {
  const type = column.config.dataType === 'timestamp' ? (column.config.withTimezone ? 'timestamptz' : 'timestamp') : castTypes[column.config.dataType]!
  return ['cast(', ` as ${type})`]
}

function columnValue(column: EmbeddedColumn, alias: string): RawBuilder<unknown> {
  const ref = sql.ref(`${alias}.${column.name}`)
  return column.asText ? sql`cast(${ref} as text)` : sql`${ref}`
}

/** A subquery of the related rows (`to_json` of one, or `json_agg` in the requested order), as one JSON value. */
function embeddedRelation(relation: EmbeddedRelation): RawBuilder<unknown> {
  const { alias } = relation
  const row = relation.nextAlias()
  const hidden: AliasedExpression<unknown, string>[] = []
  const order = relation.order.map((item, i) => {
    // A column sent as text would sort as text: sort on a hidden typed copy instead.
    let key = item.name
    if (item.asText) {
      key = `__o${i}`
      hidden.push(sql.ref(`${alias}.${item.name}`).as(key))
    }
    return sql`${sql.ref(`${row}.${key}`)} ${sql.raw(item.direction)}`
  })
  const inner = relation.source
    .select(relation.columns.map((column) => columnValue(column, alias).as(column.name)))
    .select(hidden)
    .select(relation.children().map((child) => child.value.as(child.key)))
  if (relation.toOne) {
    return sql`(select to_json(${sql.ref(row)}) from (${inner.limit(1)}) as ${sql.ref(row)})`
  }
  return sql`(select coalesce(json_agg(${sql.ref(row)} order by ${sql.join(order)}), '[]'::json) from (${inner}) as ${sql.ref(row)})`
}

function hasValues(row: Record<string, unknown>): boolean {
  for (const _ in row) return true
  return false
}

/**
 * PostgreSQL's (and PGlite's) statements.
 *
 * @example
 * ```ts
 * postgresStatements.lockForShare(db.selectFrom('book_author').selectAll())   // ... for share
 * ```
 */
export const postgresStatements: StatementRules = Object.freeze<StatementRules>({
  jsonCollections: () => true,
  embeddedRelation,
  page(query, limit, offset) {
    let paged = query
    if (limit !== undefined) paged = paged.limit(limit) as typeof query
    if (offset !== undefined) paged = paged.offset(offset) as typeof query
    return paged
  },
  lockForShare: (query) => query.forShare() as typeof query,
  lockNamesTable: true,
  lockRows(query, lock, alias) {
    // `OF alias`: only the root's rows, not those of a joined many-to-one (nor its nullable side, which PostgreSQL refuses to lock).
    const locked = lock.mode === 'update' ? query.forUpdate(alias) : query.forShare(alias)
    return (lock.wait === 'noWait' ? locked.noWait() : lock.wait === 'skipLocked' ? locked.skipLocked() : locked) as typeof query
  },
  /** PostgreSQL has no `() VALUES ()` for rows left wholly to defaults: `DEFAULT VALUES` for one, `(first column) VALUES (DEFAULT), ...` for several. */
  insertValues(query, rows, firstColumn) {
    if (rows.some(hasValues)) return query.values(rows as Record<string, unknown>[])
    if (rows.length === 1) return query.defaultValues()
    return query.values(rows.map(() => ({ [firstColumn]: sql`default` })))
  },
  updateFromRows({ table, alias, names, columns, rows, assignments, match }) {
    // The first row's casts type the columns; the other rows' parameters take those types.
    const values = rowList(rows, (r, i) => (r === 0 ? cast(columns[i]!) : undefined))
    return sql`update ${sql.table(table)} set ${sql.join(assignments)} from (values ${values}) as ${sql.raw(alias)}(${sql.join(names.map((name) => sql.ref(name)))}) where ${match}`
  },
  generatedKeys() {
    throw new RelataError('PostgreSQL returns generated keys with RETURNING')
  },
  /** `ON CONFLICT (conflict) DO UPDATE SET c = excluded.c`; with nothing to update, a conflict column set to itself, so that RETURNING still gives the row. */
  upsert: (query, { table, conflict, update, increment }) =>
    query.onConflict((oc) =>
      oc.columns(conflict as string[]).doUpdateSet(() => {
        const set: Record<string, unknown> = {}
        for (const name of update.length > 0 ? update : conflict.slice(0, 1)) set[name] = sql.ref(`excluded.${name}`)
        if (increment !== undefined) set[increment] = sql`${sql.ref(`${table}.${increment}`)} + 1`
        return set
      }),
    ),
  upsertOnAnyUniqueKey: false,
  updateReturning: true,
})
