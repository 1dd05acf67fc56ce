/** `orm.dropTables()`: the keys deferred by cycles first, then every table, children first. */
import type { Kysely } from 'kysely'
import type { RelataDialect } from '../dialect/dialect.js'
import type { TableModel } from '../schema/model.js'
import { orderTables } from '../schema/table-order.js'
import { existingTables } from './existing-tables.js'

/**
 * Options of `orm.dropTables()`.
 *
 * @example
 * ```ts
 * await orm.dropTables({ ifExists: true })
 * ```
 */
export interface DropTablesOptions {
  /** Skip the tables that do not exist instead of failing. */
  readonly ifExists?: boolean
}

/**
 * Drops the tables in reverse foreign-key order, after dropping the foreign keys that tie tables
 * into a cycle. Runs in one transaction where DDL is transactional.
 *
 * @example
 * ```ts
 * await dropTables(db, schema.tables.values(), orm.dialect, { ifExists: true })
 * ```
 */
export async function dropTables(
  db: Kysely<any>,
  tables: Iterable<TableModel>,
  dialect: Pick<RelataDialect, 'capabilities' | 'platform'>,
  options: DropTablesOptions = {},
): Promise<void> {
  const { order, deferred } = orderTables(tables)
  const { ddl } = dialect.platform
  const run = async (executor: Kysely<any>): Promise<void> => {
    const existing = options.ifExists === true ? await existingTables(executor, ddl) : undefined
    const exists = (table: TableModel): boolean => existing === undefined || existing.has(table.sqlName)
    for (const key of deferred) {
      if (exists(key.table)) await ddl.dropForeignKey(executor, key)
    }
    for (const table of [...order].reverse()) {
      if (exists(table)) await executor.schema.dropTable(table.sqlName).execute()
    }
  }
  if (dialect.capabilities.transactionalDdl) await db.transaction().execute(run)
  else await run(db)
}
