/** Timestamps as databases print them and as Relata sends them: read zone-less ones as UTC, write UTC. */

const TIMESTAMP_TEXT = /^(\d{4,})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?(Z|[+-]\d\d(?::?\d\d){0,2})?( BC)?$/

/**
 * A timestamp as databases print it, zone-less ones as UTC: `2009-01-01 10:00:00`,
 * `2009-01-01T10:00:00.5+02:00`, and also years past 9999 and PostgreSQL's `... BC`, which
 * `new Date()` does not read.
 *
 * @example
 * ```ts
 * parseTimestamp('2009-01-01 10:00:00')          // 2009-01-01T10:00:00.000Z
 * parseTimestamp('2009-01-01T10:00:00.5+02:00')  // 2009-01-01T08:00:00.500Z
 * ```
 */
export function parseTimestamp(text: string): Date {
  const match = TIMESTAMP_TEXT.exec(text)
  if (match === null) return new Date(Number.NaN)
  const [, year, month, day, hours = '0', minutes = '0', seconds = '0', fraction = '', zone = 'Z', bc] = match
  const date = new Date(0)
  date.setUTCFullYear(bc === undefined ? Number(year) : 1 - Number(year), Number(month) - 1, Number(day))
  date.setUTCHours(Number(hours), Number(minutes), Number(seconds), Number(fraction.padEnd(3, '0').slice(0, 3)))
  if (zone === 'Z') return date
  const [, sign, zoneHours, zoneMinutes = '0', zoneSeconds = '0'] = /^([+-])(\d\d):?(\d\d)?:?(\d\d)?$/.exec(zone)!
  const offset = ((Number(zoneHours) * 60 + Number(zoneMinutes)) * 60 + Number(zoneSeconds)) * 1000
  return new Date(date.getTime() - (sign === '-' ? -offset : offset))
}

/**
 * A PostgreSQL `timestamp`, `timestamptz` or `date` in its text format: zone-less ones as UTC, so
 * a value reads back as the instant that was written whatever the process's time zone; years
 * before 1 (`... BC`) and past 9999, which the drivers' own parsers read as an invalid date;
 * `infinity` and `-infinity` as `Infinity` and `-Infinity`, as the drivers' own parsers do.
 *
 * @example
 * ```ts
 * parsePostgresTimestamp('2024-01-02 03:04:05.678')      // 2024-01-02T03:04:05.678Z
 * parsePostgresTimestamp('2024-01-02')                   // 2024-01-02T00:00:00.000Z
 * parsePostgresTimestamp('2024-01-02 03:04:05.678+02')   // 2024-01-02T01:04:05.678Z
 * parsePostgresTimestamp('4714-11-24 00:00:00+00 BC')    // -004713-11-24T00:00:00.000Z
 * ```
 */
export function parsePostgresTimestamp(value: string): Date | number {
  if (value === 'infinity') return Number.POSITIVE_INFINITY
  if (value === '-infinity') return Number.NEGATIVE_INFINITY
  return parseTimestamp(value)
}

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
