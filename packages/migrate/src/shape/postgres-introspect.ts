/** The tables of the connection's current schema, read from PostgreSQL's (and PGlite's) catalogue as a shape. */
import { sql, type Kysely } from 'kysely'
import { normalizeAction, normalizeCondition, normalizeDefault, normalizeType } from './normalize.js'
import type { ColumnShape, ForeignKeyShape, SchemaShape, TableShape } from './schema-shape.js'

interface ColumnRow {
  table: string
  name: string
  type: string
  notNull: boolean
  default: string | null
  identity: string
  comment: string | null
}

interface ConstraintRow {
  table: string
  name: string
  kind: 'p' | 'u' | 'f' | 'c' | string
  columns: string[]
  referencedTable: string | null
  referencedColumns: string[] | null
  onDelete: string
  onUpdate: string
  definition: string
}

interface IndexRow {
  table: string
  name: string
  unique: boolean
  columns: (string | null)[]
  where: string | null
}

/** `pg_constraint.confdeltype` / `confupdtype` letters. */
const actions: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' }

/** JSON arrays come back parsed from pg and PGlite alike; text from a driver that leaves json alone. */
const list = <T>(value: T[] | string | null): T[] => (value === null ? [] : typeof value === 'string' ? (JSON.parse(value) as T[]) : value)

/**
 * Reads tables, columns, keys, indexes, checks and comments of `current_schema()`.
 *
 * @example
 * ```ts
 * const shape = await introspectPostgres(orm.db)
 * ```
 */
export async function introspectPostgres(db: Kysely<any>): Promise<SchemaShape> {
  const tableRows = await sql<{ name: string; comment: string | null }>`
    select c.relname as name, obj_description(c.oid, 'pg_class') as comment
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'p')
    order by c.relname`.execute(db)
  const columnRows = await sql<ColumnRow>`
    select c.relname as "table", a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as "notNull",
      pg_get_expr(d.adbin, d.adrelid) as "default", a.attidentity as identity, col_description(a.attrelid, a.attnum) as comment
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where n.nspname = current_schema() and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
    order by c.relname, a.attnum`.execute(db)
  const constraintRows = await sql<ConstraintRow>`
    select c.relname as "table", k.conname as name, k.contype as kind,
      coalesce((select json_agg(a.attname order by u.ord) from unnest(k.conkey) with ordinality u(attnum, ord)
        join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum), '[]'::json) as columns,
      r.relname as "referencedTable",
      (select json_agg(a.attname order by u.ord) from unnest(k.confkey) with ordinality u(attnum, ord)
        join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.attnum) as "referencedColumns",
      k.confdeltype as "onDelete", k.confupdtype as "onUpdate", pg_get_constraintdef(k.oid) as definition
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
    left join pg_class r on r.oid = k.confrelid
    where n.nspname = current_schema() and k.contype in ('p', 'u', 'f', 'c')
    order by c.relname, k.conname`.execute(db)
  const indexRows = await sql<IndexRow>`
    select c.relname as "table", ic.relname as name, i.indisunique as "unique",
      (select json_agg(a.attname order by u.ord) from unnest(i.indkey::int2[]) with ordinality u(attnum, ord)
        left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = u.attnum) as columns,
      pg_get_expr(i.indpred, i.indrelid) as "where"
    from pg_index i
    join pg_class ic on ic.oid = i.indexrelid
    join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and not i.indisprimary
      and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.contype in ('p', 'u', 'x'))
    order by c.relname, ic.relname`.execute(db)

  const tables: Record<string, TableShape> = {}
  for (const table of tableRows.rows) {
    const columns = columnRows.rows.filter((c) => c.table === table.name).map(columnShape)
    const constraints = constraintRows.rows.filter((c) => c.table === table.name)
    const primary = constraints.find((c) => c.kind === 'p')
    tables[table.name] = {
      name: table.name,
      columns,
      primaryKey: primary === undefined ? null : { name: primary.name, columns: list(primary.columns) },
      foreignKeys: constraints.filter((c) => c.kind === 'f').map(foreignKeyShape),
      indexes: indexRows.rows
        .filter((i) => i.table === table.name)
        .map((i) => {
          const indexColumns = list(i.columns)
          if (indexColumns.some((c) => c === null)) throw new Error(`Index '${i.name}' of '${table.name}' indexes an expression, which shapes do not describe`)
          return { name: i.name, columns: indexColumns as string[], unique: i.unique, where: i.where === null ? null : normalizeCondition(i.where) }
        }),
      uniques: constraints.filter((c) => c.kind === 'u').map((c) => ({ name: c.name, columns: list(c.columns) })),
      checks: constraints.filter((c) => c.kind === 'c').map((c) => ({ name: c.name, expression: normalizeCondition(c.definition) })),
      comment: table.comment,
    }
  }
  return { family: 'postgres', tables }
}

function columnShape(row: ColumnRow): ColumnShape {
  const type = normalizeType('postgres', row.type)
  // serial is an integer whose default takes the next value of the column's own sequence.
  const serial = row.default !== null && /^nextval\('[^']*_seq'::regclass\)$/.test(row.default)
  const autoIncrement = serial || row.identity === 'a' || row.identity === 'd'
  return {
    name: row.name,
    type,
    nullable: !row.notNull,
    default: autoIncrement ? null : normalizeDefault('postgres', row.default, type),
    autoIncrement,
    comment: row.comment,
  }
}

function foreignKeyShape(row: ConstraintRow): ForeignKeyShape {
  return {
    name: row.name,
    columns: list(row.columns),
    referencedTable: row.referencedTable!,
    referencedColumns: list(row.referencedColumns),
    onDelete: normalizeAction('postgres', actions[row.onDelete]),
    onUpdate: normalizeAction('postgres', actions[row.onUpdate]),
  }
}
