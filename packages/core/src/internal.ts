/**
 * @relata/core/internal: the building blocks of `createTables()` for Relata's own tools
 * (@relata/migrate computes what `createTables()` would create without a database). Not a stable
 * API: it follows the core package's version exactly and may change in any release.
 *
 * @module @relata/core/internal
 */
export { platforms } from './dialect/platforms.js'
export type { ColumnSite, DdlRules, DefaultLiteral } from './dialect/ddl-rules.js'
export type { Platform } from './dialect/platform.js'
export { columnType } from './ddl/column-type.js'
export { defaultExpression } from './ddl/column-default.js'
export { afterCreateTable, checkDeclarations, createTableQuery, indexedColumns } from './ddl/create-table.js'
export type { CreateTableContext, DdlStatement } from './ddl/create-table.js'
export { orderTables } from './schema/table-order.js'
export type { TableOrder } from './schema/table-order.js'
export { snakeCase, toSqlIdentifier } from './schema/naming.js'
