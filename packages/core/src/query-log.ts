/** Statement logging (SQLAlchemy's `echo`): the `log` option of `createOrm`, built on Kysely's `log`. */
import type { LogEvent } from 'kysely'

/**
 * One statement sent to the database, as the `log` callback receives it.
 *
 * @example
 * ```ts
 * createOrm({ schema, dialect, log: (event: QueryEvent) => console.log(event.sql, event.parameters, event.durationMs) })
 * ```
 */
export interface QueryEvent {
  readonly sql: string
  readonly parameters: readonly unknown[]
  /** Wall-clock time from sending the statement to its result (or error), in milliseconds. */
  readonly durationMs: number
  /** Present when the statement failed; the error is thrown to the caller as well. */
  readonly error?: unknown
}

/**
 * Receives every statement sent to the database.
 *
 * @example
 * ```ts
 * const slow: QueryLogger = (event) => event.durationMs > 100 && console.warn(event.sql)
 * ```
 */
export type QueryLogger = (event: QueryEvent) => unknown

/**
 * Turns Kysely's log event into a `QueryEvent`.
 *
 * @example
 * ```ts
 * new Kysely({ dialect, log: (event) => console.log(toQueryEvent(event).sql) })
 * ```
 */
export function toQueryEvent(event: LogEvent): QueryEvent {
  const { sql, parameters } = event.query
  const base = { sql, parameters, durationMs: event.queryDurationMillis }
  return event.level === 'error' ? { ...base, error: event.error } : base
}

/**
 * The logger behind `log: 'console'`: one line per statement with its duration and parameters,
 * on `console.error` when it failed.
 *
 * @example
 * ```ts
 * consoleLogger({ sql: 'select 1', parameters: [], durationMs: 0.4 })
 * // [relata] 0.4 ms  select 1
 * ```
 */
export const consoleLogger: QueryLogger = (event) => {
  const parameters = event.parameters.length === 0 ? '' : `  -- ${JSON.stringify(event.parameters, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}`
  const line = `[relata] ${event.durationMs.toFixed(1)} ms  ${event.sql}${parameters}`
  if (event.error === undefined) console.log(line)
  else console.error(`${line}\n[relata] failed: ${event.error instanceof Error ? event.error.message : String(event.error)}`)
}
