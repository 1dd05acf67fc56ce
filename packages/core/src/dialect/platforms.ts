/** Each family's Platform by its name: for tools that work from a schema without a connection (DDL compiled offline, migrations). */
import type { SqlFamily } from './dialect.js'
import { mysqlPlatform } from './mysql/mysql-platform.js'
import type { Platform } from './platform.js'
import { postgresPlatform } from './postgres/postgres-platform.js'

/**
 * The platform of each SQL family, as the dialects of that family use it.
 *
 * @example
 * ```ts
 * platforms[orm.dialect.family].ddl.columnType(site)   // what createTables() writes for the column
 * ```
 */
export const platforms: Readonly<Record<SqlFamily, Platform>> = Object.freeze({ postgres: postgresPlatform, mysql: mysqlPlatform })
