/**
 * Fills the tables `orm.createTables()` made from ./schema.ts with the Chinook dataset's rows: the
 * INSERT statements of the dataset's SQL file, run as they are, in one transaction.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql, type Orm } from '@relata/core'
import type { schema } from './schema.js'

/** The dataset's folder: `RELATA_CHINOOK_DIR`, else `shared/datasets/chinook` beside the repository. */
export function chinookDir(): string {
  return process.env.RELATA_CHINOOK_DIR ?? fileURLToPath(new URL('../../../../shared/datasets/chinook/', import.meta.url))
}

/** Loads every row (about 15,600, in 24 multi-row INSERTs) and returns how many were inserted. */
export async function loadChinook(orm: Orm<typeof schema>): Promise<number> {
  const mysql = orm.dialect.capabilities.family === 'mysql'
  const file = join(chinookDir(), mysql ? 'Chinook_MySql.sql' : 'Chinook_PostgreSql.sql')
  const script = await readFile(file, 'utf8').catch((error: Error) => {
    throw new Error(`Cannot read the Chinook dataset (set RELATA_CHINOOK_DIR to its folder): ${error.message}`)
  })
  // Each INSERT starts a line with `INSERT INTO` and its last row ends a line with `);`. The rest of
  // the file (CREATE DATABASE, CREATE TABLE, ...) is left out: the tables are the schema's.
  const inserts = script.match(/^INSERT INTO [\s\S]*?\);$/gm) ?? []
  let rows = 0
  await orm.db.transaction().execute(async (trx) => {
    for (const insert of inserts) {
      const result = await sql.raw(mysql ? forMysql(insert) : insert).execute(trx)
      rows += Number(result.numAffectedRows ?? 0)
    }
    if (!mysql) {
      // PostgreSQL: move each serial's sequence past the loaded ids, so that new rows get fresh keys.
      for (const table of orm.schema.tables.values()) {
        for (const column of table.columns.filter((c) => c.config.dataType === 'serial')) {
          await sql`select setval(pg_get_serial_sequence(${table.sqlName}, ${column.sqlName}), max(${sql.ref(column.sqlName)})) from ${sql.table(table.sqlName)}`.execute(trx)
        }
      }
    }
  })
  return rows
}

/**
 * The MySQL file names tables and columns in PascalCase (`INSERT INTO \`InvoiceLine\` (\`UnitPrice\`, ...)`):
 * rename them as the schema's `casing: 'snake_case'` does (`invoice_line`, `unit_price`). Its strings
 * hold bare backslashes (`N'Cavalleria Rusticana \ Act'`) that MySQL would read as escapes: double them.
 */
function forMysql(insert: string): string {
  const values = insert.indexOf(' VALUES')
  const names = insert.slice(0, values).replace(/`(\w+)`/g, (_, name: string) => `\`${name.replace(/(?<!^)[A-Z]/g, '_$&').toLowerCase()}\``)
  return names + insert.slice(values).replaceAll('\\', '\\\\')
}
