/** `orm.createTables()`: every table of a schema, in foreign-key order, then the keys deferred by cycles. */
import type { Kysely } from 'kysely'
import type { RelataDialect } from '../dialect/dialect.js'
import type { TableModel } from '../schema/model.js'
import { orderTables } from '../schema/table-order.js'
import { afterCreateTable, checkDeclarations, createTableQuery, indexedColumns } from './create-table.js'
import { existingTables } from './existing-tables.js'
import { addForeignKey } from './foreign-key.js'

/**
 * Options of `orm.createTables()`.
 *
 * @example
 * ```ts
 * await orm.createTables({ ifNotExists: true })
 * ```
 */
export interface CreateTablesOptions {
  /** Leave tables that already exist as they are (their columns are not compared). */
  readonly ifNotExists?: boolean
}

/**
 * Creates the tables parents first, each followed by its indexes and comments; foreign keys between tables that reference each other are
 * added with `ALTER TABLE` afterwards. Runs in one transaction where DDL is transactional.
 *
 * @example
 * ```ts
 * await createTables(db, schema.tables.values(), orm.dialect, { ifNotExists: true })
 * ```
 */
export async function createTables(
  db: Kysely<any>,
  tables: Iterable<TableModel>,
  dialect: Pick<RelataDialect, 'capabilities' | 'platform'>,
  options: CreateTablesOptions = {},
): Promise<void> {
  const { order, deferred } = orderTables(tables)
  const { ddl } = dialect.platform
  checkDeclarations(order, ddl)
  const run = async (executor: Kysely<any>): Promise<void> => {
    const existing = options.ifNotExists === true ? await existingTables(executor, ddl) : new Set<string>()
    const context = { ddl, indexed: indexedColumns(order), deferred: new Set(deferred), ifNotExists: options.ifNotExists }
    for (const table of order) {
      if (existing.has(table.sqlName)) continue
      await createTableQuery(executor, table, context).execute()
      for (const statement of afterCreateTable(executor, table, ddl)) await statement.execute()
    }
    for (const key of deferred) {
      if (!existing.has(key.table.sqlName)) await addForeignKey(executor, key)
    }
  }
  if (dialect.capabilities.transactionalDdl) await db.transaction().execute(run)
  else await run(db)
}
