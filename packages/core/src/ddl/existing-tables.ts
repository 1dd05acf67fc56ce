/** The names of the tables that exist in the connection's current schema (PostgreSQL) or database (MySQL). */
import { sql, type Kysely } from 'kysely'
import type { DdlRules } from '../dialect/ddl-rules.js'

/**
 * Lists the base tables of the current schema or database, for `ifNotExists` / `ifExists`.
 *
 * @example
 * ```ts
 * const existing = await existingTables(db, orm.dialect.platform.ddl)
 * existing.has('books')
 * ```
 */
export async function existingTables(db: Kysely<any>, ddl: DdlRules): Promise<Set<string>> {
  const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = ${ddl.currentSchema}`.execute(db)
  return new Set(rows.map((row) => row.name))
}
