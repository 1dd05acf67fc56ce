/**
 * What differs between database families, behind one object per family: Relata's core asks the
 * dialect's platform instead of asking which database it talks to (Kysely's `DialectAdapter`,
 * MikroORM's `Platform`). PGlite shares PostgreSQL's.
 */
import type { ValueRules } from '../values/value-rules.js'
import type { DdlRules } from './ddl-rules.js'
import type { StatementRules } from './statement-rules.js'

/**
 * A family's behaviour, grouped by who asks: the values written and read, the DDL of
 * `createTables()` / `dropTables()`, and the statements of loading and flushing.
 *
 * @example
 * ```ts
 * orm.dialect.platform.values.rowDecoder(column)   // how this family's rows carry the column's values
 * ```
 */
export interface Platform {
  readonly values: ValueRules
  readonly ddl: DdlRules
  readonly statements: StatementRules
}
