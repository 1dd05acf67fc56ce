/** Text parsers for PostgreSQL result types whose driver defaults disagree with Relata's column types. */
import { parsePostgresTimestamp } from '../../values/timestamps.js'

const INT8 = 20
const DATE = 1082
const TIMESTAMP = 1114
const TIMESTAMPTZ = 1184

/**
 * The parsers Relata installs on the pools it creates, by type OID: `int8` as `bigint`,
 * `timestamp` and `date` as UTC, `timestamptz` with any year. `numeric` is left to the drivers, which keep it a string.
 *
 * @example
 * ```ts
 * new PGlite({ parsers: postgresTypeParsers })
 * ```
 */
export const postgresTypeParsers: Readonly<Record<number, (value: string) => unknown>> = Object.freeze({
  [INT8]: (value: string) => BigInt(value),
  [DATE]: parsePostgresTimestamp,
  [TIMESTAMP]: parsePostgresTimestamp,
  [TIMESTAMPTZ]: parsePostgresTimestamp,
})
