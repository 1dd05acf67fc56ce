/** Text parsers for PostgreSQL result types whose driver defaults disagree with Relata's column types. */
import { parseTimestamp } from '../loading/codecs.js'

const INT8 = 20
const DATE = 1082
const TIMESTAMP = 1114
const TIMESTAMPTZ = 1184

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
 * Parses a `timestamptz` in PostgreSQL's text format, including years before 1 (`... BC`) and
 * past 9999, which the drivers' own parsers read as an invalid date.
 *
 * @example
 * ```ts
 * parseZonedTimestamp('2024-01-02 03:04:05.678+02')   // 2024-01-02T01:04:05.678Z
 * parseZonedTimestamp('4714-11-24 00:00:00+00 BC')   // -004713-11-24T00:00:00.000Z
 * ```
 */
export function parseZonedTimestamp(value: string): Date | number {
  if (value === 'infinity') return Number.POSITIVE_INFINITY
  if (value === '-infinity') return Number.NEGATIVE_INFINITY
  return parseTimestamp(value)
}

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
  [DATE]: parseUtcTimestamp,
  [TIMESTAMP]: parseUtcTimestamp,
  [TIMESTAMPTZ]: parseZonedTimestamp,
})

const pad = (value: number, width = 2): string => String(value).padStart(width, '0')

/**
 * A `Date` as a PostgreSQL timestamp literal in UTC, years before 1 written `BC` and years past
 * 9999 in full: what Relata sends for `timestamp`, `timestamptz` and `date` values, whatever the
 * driver (`pg` would send local time, PGlite an ISO string PostgreSQL cannot read past 9999).
 *
 * @example
 * ```ts
 * formatUtcTimestamp(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))   // '2024-01-02T03:04:05.006+00:00'
 * ```
 */
export function formatUtcTimestamp(date: Date): string {
  const year = date.getUTCFullYear()
  const era = year < 1 ? ' BC' : ''
  const day = `${pad(year < 1 ? 1 - year : year, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}`
  return `${day}T${time}+00:00${era}`
}
