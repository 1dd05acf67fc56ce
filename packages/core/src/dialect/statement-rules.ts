/** What loading and flushing ask a database family about the statements they build. */

/**
 * A family's statements.
 *
 * @example
 * ```ts
 * const rules: StatementRules = orm.dialect.platform.statements
 * ```
 */
export interface StatementRules {}
