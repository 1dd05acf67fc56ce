/** What the value layer needs to know of a database family: declared here, implemented by each dialect's platform. */

/**
 * A family's rules for values: how they are decoded, encoded and checked.
 *
 * @example
 * ```ts
 * const rules: ValueRules = orm.dialect.platform.values
 * ```
 */
export interface ValueRules {}
