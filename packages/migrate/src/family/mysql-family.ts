/** MySQL's and MariaDB's migration rules: AUTO_INCREMENT and COMMENT in the column definition, MODIFY COLUMN, DROP FOREIGN KEY / INDEX / PRIMARY KEY. */
import type { Kysely } from 'kysely'
import { columnArguments, columnCallback, quote, typeCode } from '../ts/ts-code.js'
import type { ColumnShape } from '../shape/schema-shape.js'
import { parseType, widensCommon, type MigrateFamily } from './migrate-family.js'

function modifiers(column: ColumnShape): string[] {
  const result: string[] = []
  if (column.autoIncrement) result.push('autoIncrement()')
  if (column.comment !== null) result.push(`modifyEnd(sql\`comment \${sql.lit(${quote(column.comment)})}\`)`)
  return result
}

/**
 * MySQL and MariaDB: a changed column is re-declared whole with `MODIFY COLUMN` (type, NULL,
 * default, AUTO_INCREMENT and comment); foreign keys, unique constraints and the primary key are
 * dropped with their own clauses; tables use utf8mb4 with binary collation, as `createTables()`.
 *
 * @example
 * ```ts
 * mysqlFamily.dropForeignKey('books', key)   // 'sql`alter table ${sql.table(\'books\')} drop foreign key ...`.execute(db)'
 * ```
 */
export const mysqlFamily: MigrateFamily = Object.freeze({
  name: 'mysql',
  widens: (from: string, to: string) => {
    const [a, b] = [parseType(from), parseType(to)]
    if (a.base === 'float' && b.base === 'double') return true
    if (a.base === 'datetime' && b.base === 'datetime') return (b.args[0] ?? 0) >= (a.args[0] ?? 0)
    return widensCommon(from, to, ['tinytext', 'text', 'mediumtext', 'longtext'], ['varchar', 'char'])
  },
  columnType: (column: ColumnShape) => typeCode(column.type),
  columnModifiers: modifiers,
  afterColumn: () => [],
  foreignKeysHoldIndexes: true,
  tableOptions: 'sql`default character set utf8mb4 collate utf8mb4_bin`',
  alterColumn: (table: string, _from: ColumnShape, to: ColumnShape) => [
    `db.schema.alterTable(${quote(table)}).modifyColumn(${columnArguments(to.name, typeCode(to.type), columnCallback(to, modifiers(to)))}).execute()`,
  ],
  dropForeignKey: (table, key) => `sql\`alter table \${sql.table(${quote(table)})} drop foreign key \${sql.id(${quote(key.name)})}\`.execute(db)`,
  dropPrimaryKey: (table) => `sql\`alter table \${sql.table(${quote(table)})} drop primary key\`.execute(db)`,
  dropIndex: (table, index) => `db.schema.dropIndex(${quote(index.name)}).on(${quote(table)}).execute()`,
  dropUnique: (table, unique) => `db.schema.dropIndex(${quote(unique.name)}).on(${quote(table)}).execute()`,
  tableComment: (table, comment) => `sql\`alter table \${sql.table(${quote(table)})} comment = \${sql.lit(${quote(comment ?? '')})}\`.execute(db)`,
  migrationTableSchema: async (_db: Kysely<any>) => undefined,
} satisfies MigrateFamily)

