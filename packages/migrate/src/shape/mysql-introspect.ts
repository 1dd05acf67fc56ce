/** The tables of the connection's database, read from MySQL's and MariaDB's information_schema as a shape. */
import { sql, type Kysely } from 'kysely'
import { normalizeAction, normalizeCondition, normalizeDefault, normalizeType } from './normalize.js'
import type { CheckShape, ColumnShape, IndexShape, SchemaShape, TableShape } from './schema-shape.js'

interface ColumnRow {
  table: string
  name: string
  type: string
  nullable: string
  default: string | null
  extra: string
  comment: string
}

interface KeyRow {
  table: string
  name: string
  kind: string
  column: string
  referencedTable: string | null
  referencedColumn: string | null
  onDelete: string | null
  onUpdate: string | null
}

interface IndexRow {
  table: string
  name: string
  nonUnique: number | string
  column: string | null
}

interface CheckRow {
  table: string
  name: string
  clause: string
}

/** Groups rows by a key, keeping their order. */
function groups<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const result = new Map<string, T[]>()
  for (const row of rows) result.set(key(row), [...(result.get(key(row)) ?? []), row])
  return result
}

/**
 * Check constraints with their tables. MariaDB's `CHECK_CONSTRAINTS` names the table; MySQL 8's
 * does not, so there it is joined with `TABLE_CONSTRAINTS`.
 */
async function checkRows(db: Kysely<any>): Promise<CheckRow[]> {
  try {
    const { rows } = await sql<CheckRow>`
      select table_name as \`table\`, constraint_name as name, check_clause as clause
      from information_schema.check_constraints where constraint_schema = database()`.execute(db)
    return rows
  } catch {
    const { rows } = await sql<CheckRow>`
      select t.table_name as \`table\`, c.constraint_name as name, c.check_clause as clause
      from information_schema.check_constraints c join information_schema.table_constraints t
        on t.constraint_schema = c.constraint_schema and t.constraint_name = c.constraint_name and t.constraint_type = 'CHECK'
      where c.constraint_schema = database()`.execute(db)
    return rows
  }
}

/**
 * Reads tables, columns, keys, indexes, checks and comments of `database()`.
 *
 * @example
 * ```ts
 * const shape = await introspectMysql(orm.db)
 * ```
 */
export async function introspectMysql(db: Kysely<any>): Promise<SchemaShape> {
  const tableRows = await sql<{ name: string; comment: string }>`
    select table_name as name, table_comment as comment from information_schema.tables
    where table_schema = database() and table_type = 'BASE TABLE' order by table_name`.execute(db)
  const columnRows = await sql<ColumnRow>`
    select table_name as \`table\`, column_name as name, column_type as type, is_nullable as nullable, column_default as \`default\`,
      extra, column_comment as comment
    from information_schema.columns where table_schema = database() order by table_name, ordinal_position`.execute(db)
  const keyRows = await sql<KeyRow>`
    select t.table_name as \`table\`, t.constraint_name as name, t.constraint_type as kind, k.column_name as \`column\`,
      k.referenced_table_name as referencedTable, k.referenced_column_name as referencedColumn,
      r.delete_rule as onDelete, r.update_rule as onUpdate
    from information_schema.table_constraints t
    join information_schema.key_column_usage k
      on k.constraint_schema = t.constraint_schema and k.table_name = t.table_name and k.constraint_name = t.constraint_name
    left join information_schema.referential_constraints r
      on r.constraint_schema = t.constraint_schema and r.table_name = t.table_name and r.constraint_name = t.constraint_name
    where t.table_schema = database() and t.constraint_type in ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
    order by t.table_name, t.constraint_name, k.ordinal_position`.execute(db)
  const indexRows = await sql<IndexRow>`
    select table_name as \`table\`, index_name as name, non_unique as nonUnique, column_name as \`column\`
    from information_schema.statistics where table_schema = database()
    order by table_name, index_name, seq_in_index`.execute(db)
  const checks = await checkRows(db)

  const tables: Record<string, TableShape> = {}
  for (const table of tableRows.rows) {
    const keys = groups(keyRows.rows.filter((k) => k.table === table.name), (k) => `${k.kind}\u0000${k.name}`)
    const ofKind = (kind: string) => [...keys.values()].filter((rows) => rows[0]!.kind === kind)
    const primary = ofKind('PRIMARY KEY')[0]
    const foreignKeys = ofKind('FOREIGN KEY').map((rows) => ({
      name: rows[0]!.name,
      columns: rows.map((r) => r.column),
      referencedTable: rows[0]!.referencedTable!,
      referencedColumns: rows.map((r) => r.referencedColumn!),
      onDelete: normalizeAction('mysql', rows[0]!.onDelete ?? undefined),
      onUpdate: normalizeAction('mysql', rows[0]!.onUpdate ?? undefined),
    }))
    const uniques = ofKind('UNIQUE').map((rows) => ({ name: rows[0]!.name, columns: rows.map((r) => r.column) }))
    const constraintNames = new Set([...uniques.map((u) => u.name), 'PRIMARY'])
    const indexes: IndexShape[] = []
    for (const [name, rows] of groups(indexRows.rows.filter((i) => i.table === table.name), (i) => i.name)) {
      if (constraintNames.has(name)) continue
      if (rows.some((r) => r.column === null)) throw new Error(`Index '${name}' of '${table.name}' indexes an expression, which shapes do not describe`)
      const columns = rows.map((r) => r.column!)
      // InnoDB adds an index named after a foreign key whose columns no index starts with.
      if (foreignKeys.some((key) => key.name === name && key.columns.join() === columns.join())) continue
      indexes.push({ name, columns, unique: Number(rows[0]!.nonUnique) === 0, where: null })
    }
    const { columns, checks: tableChecks } = columnsAndChecks(
      columnRows.rows.filter((c) => c.table === table.name),
      checks.filter((c) => c.table === table.name),
    )
    tables[table.name] = {
      name: table.name,
      columns,
      primaryKey: primary === undefined ? null : { name: null, columns: primary.map((r) => r.column) },
      foreignKeys,
      indexes,
      uniques,
      checks: tableChecks,
      comment: table.comment === '' ? null : table.comment,
    }
  }
  return { family: 'mysql', tables }
}

/**
 * MariaDB's `json` is a `longtext` with a `json_valid(column)` check named after the column: read
 * back as `json`, without that check.
 */
function columnsAndChecks(rows: readonly ColumnRow[], checkRows: readonly CheckRow[]): { columns: ColumnShape[]; checks: CheckShape[] } {
  const checks = checkRows.map((c) => ({ name: c.name, expression: normalizeCondition(c.clause) }))
  const jsonColumns = new Set<string>()
  for (const row of rows) {
    const check = checks.find((c) => c.name === row.name && c.expression === `json_valid(${row.name})`)
    if (check !== undefined && normalizeType('mysql', row.type) === 'longtext') jsonColumns.add(row.name)
  }
  const columns = rows.map((row): ColumnShape => {
    const type = jsonColumns.has(row.name) ? 'json' : normalizeType('mysql', row.type)
    const autoIncrement = /\bauto_increment\b/i.test(row.extra)
    return {
      name: row.name,
      type,
      nullable: row.nullable === 'YES',
      default: autoIncrement ? null : normalizeDefault('mysql', row.default, type),
      autoIncrement,
      comment: row.comment === '' ? null : row.comment,
    }
  })
  return { columns, checks: checks.filter((c) => !(jsonColumns.has(c.name) && c.expression === `json_valid(${c.name})`)) }
}
