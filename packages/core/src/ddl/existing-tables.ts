/** The names of the tables that exist in the connection's current schema (PostgreSQL) or database (MySQL). */
import { sql, type Kysely } from 'kysely'
import type { SqlFamily } from '../dialect/dialect.js'

/**
 * Lists the base tables of the current schema or database, for `ifNotExists` / `ifExists`.
 *
 * @example
 * ```ts
 * const existing = await existingTables(db, 'postgres')
 * existing.has('books')
 * ```
 */
export async function existingTables(db: Kysely<any>, family: SqlFamily): Promise<Set<string>> {
  const schema = family === 'postgres' ? sql`current_schema()` : sql`database()`
  const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = ${schema}`.execute(db)
  return new Set(rows.map((row) => row.name))
}
