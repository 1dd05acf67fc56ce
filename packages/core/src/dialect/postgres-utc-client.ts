/** A `pg` client that sends `Date` parameters in UTC, so `timestamp` and `date` columns store what was written. */
import pg from 'pg'

const pad = (value: number, width = 2): string => String(value).padStart(width, '0')

/**
 * A `Date` as a PostgreSQL timestamp literal in UTC. `pg` itself sends local time with an
 * offset, which a `timestamp` (without time zone) or `date` column silently drops.
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

const toUtc = (value: unknown): unknown => (value instanceof Date && !Number.isNaN(value.getTime()) ? formatUtcTimestamp(value) : value)

/**
 * The `pg.Client` of pools Relata creates: identical, except that top-level `Date` parameters
 * are sent as UTC literals. Set per pool through its `Client` option; `pg`'s global defaults
 * are never touched.
 *
 * @example
 * ```ts
 * new pg.Pool({ connectionString, Client: UtcDateClient })
 * ```
 */
export class UtcDateClient extends pg.Client {
  override query(...args: any[]): any {
    const [first, values] = args
    if (Array.isArray(values)) args[1] = values.map(toUtc)
    else if (typeof first === 'object' && first !== null && Array.isArray(first.values) && typeof first.submit !== 'function') {
      args[0] = { ...first, values: first.values.map(toUtc) }
    }
    return (super.query as (...parameters: unknown[]) => unknown).apply(this, args)
  }
}
