/** Text parsers for PostgreSQL result types whose driver defaults disagree with Relata's column types. */

const INT8 = 20
const DATE = 1082
const TIMESTAMP = 1114

const TIMESTAMP_PATTERN = /^(\d{4,})-(\d\d)-(\d\d)(?: (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?)?( BC)?$/

/**
 * Parses a `timestamp` (no time zone) or `date` in PostgreSQL's text format as UTC, so a value
 * reads back as the instant that was written, whatever the process's time zone. `infinity`
 * and `-infinity` become `Infinity` and `-Infinity`, as the drivers' own parsers do.
 *
 * @example
 * ```ts
 * parseUtcTimestamp('2024-01-02 03:04:05.678')   // 2024-01-02T03:04:05.678Z
 * parseUtcTimestamp('2024-01-02')                // 2024-01-02T00:00:00.000Z
 * ```
 */
export function parseUtcTimestamp(value: string): Date | number {
  if (value === 'infinity') return Number.POSITIVE_INFINITY
  if (value === '-infinity') return Number.NEGATIVE_INFINITY
  const match = TIMESTAMP_PATTERN.exec(value)
  if (match === null) return new Date(Number.NaN)
  const [, year, month, day, hours = '0', minutes = '0', seconds = '0', fraction = '', bc] = match
  const date = new Date(0)
  date.setUTCFullYear(bc === undefined ? Number(year) : 1 - Number(year), Number(month) - 1, Number(day))
  date.setUTCHours(Number(hours), Number(minutes), Number(seconds), Number(fraction.padEnd(3, '0').slice(0, 3)))
  return date
}

/**
 * The parsers Relata installs on the pools it creates, by type OID: `int8` as `bigint`,
 * `timestamp` and `date` as UTC. `numeric` is left to the drivers, which keep it a string.
 *
 * @example
 * ```ts
 * new PGlite({ parsers: postgresTypeParsers })
 * ```
 */
export const postgresTypeParsers: Readonly<Record<number, (value: string) => unknown>> = Object.freeze({
  [INT8]: (value: string) => BigInt(value),
  [DATE]: parseUtcTimestamp,
  [TIMESTAMP]: parseUtcTimestamp,
})
