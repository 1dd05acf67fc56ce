/** PostgreSQL's (and PGlite's) migration rules: serial types, ALTER COLUMN actions, COMMENT ON, constraints dropped by name. */
import { sql, type Kysely } from 'kysely'
import { quote, sqlTemplate, typeCode } from '../ts/ts-code.js'
import type { ColumnShape } from '../shape/schema-shape.js'
import { parseType, widensCommon, type MigrateFamily } from './migrate-family.js'

const serialOf: Readonly<Record<string, string>> = { integer: 'serial', int4: 'serial', bigint: 'bigserial', int8: 'bigserial', smallint: 'smallserial', int2: 'smallserial' }

const dropConstraint = (table: string, name: string) => `db.schema.alterTable(${quote(table)}).dropConstraint(${quote(name)}).execute()`

function columnComment(table: string, column: string, comment: string | null): string {
  return `sql\`comment on column \${sql.ref(${quote(`${table}.${column}`)})} is \${${comment === null ? 'sql`null`' : `sql.lit(${quote(comment)})`}}\`.execute(db)`
}

/**
 * PostgreSQL: auto-increment columns are `serial`/`bigserial`; a column's changes are `ALTER COLUMN`
 * actions of one statement; a type change that is not a widening casts with `USING`.
 *
 * @example
 * ```ts
 * postgresFamily.columnType({ name: 'id', type: 'integer', autoIncrement: true, nullable: false, default: null, comment: null })   // "'serial'"
 * ```
 */
export const postgresFamily: MigrateFamily = Object.freeze({
  name: 'postgres',
  widens: (from: string, to: string) => {
    const [a, b] = [parseType(from).base, parseType(to).base]
    if ((a === 'real' || a === 'float4') && (b === 'double precision' || b === 'float8')) return true
    if ((a === 'timestamp' && b === 'timestamp') || (a === 'timestamptz' && b === 'timestamptz')) return (parseType(to).args[0] ?? 6) >= (parseType(from).args[0] ?? 6)
    if ((a === 'json' && b === 'jsonb') || (a === 'jsonb' && b === 'json')) return true
    return widensCommon(from, to, ['text'], ['varchar', 'character varying', 'char', 'character', 'bpchar'])
  },
  columnType: (column: ColumnShape) => {
    const serial = column.autoIncrement ? serialOf[column.type] : undefined
    return serial === undefined ? typeCode(column.type) : quote(serial)
  },
  columnModifiers: () => [],
  afterColumn: (table: string, column: ColumnShape) => (column.comment === null ? [] : [columnComment(table, column.name, column.comment)]),
  foreignKeysHoldIndexes: false,
  tableOptions: null,
  alterColumn(table: string, from: ColumnShape, to: ColumnShape): string[] {
    if (from.autoIncrement !== to.autoIncrement) {
      throw new Error(`${table}.${to.name}: turning auto-increment ${to.autoIncrement ? 'on' : 'off'} is not generated on PostgreSQL (a sequence to create or drop): write this step by hand`)
    }
    const statements: string[] = []
    const actions: string[] = []
    if (from.type !== to.type) {
      if (postgresFamily.widens(from.type, to.type)) actions.push(`.alterColumn(${quote(to.name)}, (col) => col.setDataType(${typeCode(to.type)}))`)
      else statements.push(`sql\`alter table \${sql.table(${quote(table)})} alter column \${sql.ref(${quote(to.name)})} type ${to.type} using \${sql.ref(${quote(to.name)})}::${to.type}\`.execute(db)`)
    }
    if (from.default !== to.default) {
      actions.push(to.default === null ? `.alterColumn(${quote(to.name)}, (col) => col.dropDefault())` : `.alterColumn(${quote(to.name)}, (col) => col.setDefault(${sqlTemplate(to.default)}))`)
    }
    if (from.nullable !== to.nullable) actions.push(`.alterColumn(${quote(to.name)}, (col) => col.${to.nullable ? 'dropNotNull' : 'setNotNull'}())`)
    if (actions.length > 0) statements.push(`db.schema\n  .alterTable(${quote(table)})\n  ${actions.join('\n  ')}\n  .execute()`)
    if (from.comment !== to.comment) statements.push(columnComment(table, to.name, to.comment))
    return statements
  },
  dropForeignKey: (table, key) => dropConstraint(table, key.name),
  dropPrimaryKey: (table, key) => dropConstraint(table, key.name ?? `${table}_pkey`),
  dropIndex: (_table, index) => `db.schema.dropIndex(${quote(index.name)}).execute()`,
  dropUnique: (table, unique) => dropConstraint(table, unique.name),
  tableComment: (table, comment) => `sql\`comment on table \${sql.table(${quote(table)})} is \${${comment === null ? 'sql`null`' : `sql.lit(${quote(comment)})`}}\`.execute(db)`,
  async migrationTableSchema(db: Kysely<any>): Promise<string | undefined> {
    // Kysely looks for its table in every schema unless told which: a second schema's
    // kysely_migration would otherwise pass for this one's.
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db)
    return rows[0]?.schema
  },
} satisfies MigrateFamily)

