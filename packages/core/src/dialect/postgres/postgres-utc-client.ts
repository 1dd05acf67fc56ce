/** A `pg` client that sends `Date` parameters in UTC, so `timestamp` and `date` columns store what was written. */
import pg from 'pg'
import { formatUtcTimestamp } from '../../values/timestamps.js'

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
