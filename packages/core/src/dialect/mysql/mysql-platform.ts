/** MySQL's and MariaDB's platform, for the `mysql()` dialect. */
import type { Platform } from '../platform.js'
import { mysqlDdl } from './mysql-ddl.js'
import { mysqlStatements } from './mysql-statements.js'
import { mysqlValues } from './mysql-values.js'

/**
 * MySQL's and MariaDB's behaviour: their types, literals, JSON aggregation and batched statements.
 *
 * @example
 * ```ts
 * mysqlPlatform.ddl   // what createTables() writes on MySQL and MariaDB
 * ```
 */
export const mysqlPlatform: Platform = Object.freeze({
  values: mysqlValues,
  ddl: mysqlDdl,
  statements: mysqlStatements,
})
