/**
 * UPDATE row counts that say how many rows matched, not how many changed: the flush checks every
 * UPDATE by key against them, and MySQL counts a row set to the values it had as unchanged.
 */
import type { Pool, PoolConnection, QueryValues } from 'mysql2'

/** mysql2's `CLIENT_FOUND_ROWS` capability flag. */
const FOUND_ROWS = 0x2

/**
 * mysql2 `flags` with `FOUND_ROWS` on (mysql2's default), whatever the user's flags turned off.
 *
 * @example
 * ```ts
 * withFoundRows('-FOUND_ROWS,COMPRESS')   // ['COMPRESS', 'FOUND_ROWS']
 * ```
 */
export function withFoundRows(flags: string | string[] | undefined): string[] {
  const list = Array.isArray(flags) ? flags : (flags ?? '').split(',')
  return [...list.map((flag) => flag.trim()).filter((flag) => flag !== '' && flag.toUpperCase() !== '-FOUND_ROWS'), 'FOUND_ROWS']
}

/**
 * A pool given by the user, whose connections may lack `FOUND_ROWS`: the connections that lack it
 * report matched rows for an UPDATE as well, read from the server's `Rows matched: N` (the OK
 * packet's `info`). Connections with the flag are lent as they are.
 *
 * @example
 * ```ts
 * new MysqlDialect({ pool: matchedRowsPool(userPool) })
 * ```
 */
export function matchedRowsPool(pool: Pool): Pool {
  const wrapped = new WeakMap<PoolConnection, PoolConnection>()
  const lend = (connection: PoolConnection): PoolConnection => {
    const flags = (connection as unknown as { config?: { clientFlags?: number } }).config?.clientFlags ?? FOUND_ROWS
    if ((flags & FOUND_ROWS) !== 0) return connection
    let lent = wrapped.get(connection)
    if (lent === undefined) wrapped.set(connection, (lent = matchedRowsConnection(connection)))
    return lent
  }
  return {
    getConnection: (callback: (error: NodeJS.ErrnoException | null, connection: PoolConnection) => void) =>
      pool.getConnection((error, connection) => callback(error, error ? connection : lend(connection))),
    end: (callback?: (error: NodeJS.ErrnoException | null) => void) => pool.end(callback),
  } as unknown as Pool
}

type QueryCallback = (error: unknown, result: unknown, fields: unknown) => void

/** What Kysely's MySQL driver uses of a connection, with UPDATE results counting matched rows. */
function matchedRowsConnection(connection: PoolConnection): PoolConnection {
  return {
    get threadId() {
      return connection.threadId
    },
    query(sql: string, parameters: QueryValues, callback?: QueryCallback) {
      if (callback === undefined) return connection.query(sql, parameters)
      return connection.query(sql, parameters, (error, result, fields) => {
        if (error == null && /^\s*update\b/i.test(sql)) countMatched(result as { affectedRows?: number; info?: string })
        callback(error, result, fields)
      })
    },
    release: () => connection.release(),
    destroy: () => connection.destroy(),
  } as unknown as PoolConnection
}

/** `Rows matched: 3  Changed: 1  Warnings: 0` (in the server's language: the first number). */
function countMatched(result: { affectedRows?: number; info?: string }): void {
  const matched = /^\D*(\d+)\D+\d+\D+\d+\D*$/.exec(result.info ?? '')
  if (matched !== null) result.affectedRows = Number(matched[1])
}
