/** What `createTables()` and `dropTables()` ask a database family. */

/**
 * A family's DDL.
 *
 * @example
 * ```ts
 * const rules: DdlRules = orm.dialect.platform.ddl
 * ```
 */
export interface DdlRules {}
