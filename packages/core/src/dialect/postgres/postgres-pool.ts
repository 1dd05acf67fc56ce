/** The `pg` side of `postgres()`: the pools Relata creates, and where a pool connects. Loaded at the first connection, with `pg`. */
import pg from 'pg'
import type { ConnectTarget } from '../connect-errors.js'
import { postgresTypeParsers } from './postgres-type-parsers.js'
import { UtcDateClient } from './postgres-utc-client.js'

const relataTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    format !== 'binary' && postgresTypeParsers[oid] !== undefined
      ? postgresTypeParsers[oid]
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
}

/**
 * Milliseconds the pools Relata creates wait for a new connection to be ready (`pg`'s
 * `connectionTimeoutMillis`, which `pg` leaves unbounded: a host that drops packets, or a server
 * that accepts and never answers, would hang the first query). The same as mysql2's `connectTimeout`.
 */
const connectionTimeoutMillis = 10_000

/**
 * The pool Relata creates from a connection string or configuration, set so that results match
 * the declared column types: `int8` as `bigint`, `numeric` as a string, `timestamp` and `date`
 * read and written as UTC. These settings are per pool and override the same options in `config`.
 * A connection not ready within 10 s fails (`connectionTimeoutMillis`, which `config` can set).
 *
 * @example
 * ```ts
 * const pool = createPostgresPool('postgres://postgres@127.0.0.1:5432/app')
 * ```
 */
export function createPostgresPool(connection: string | pg.PoolConfig): pg.Pool {
  const config = typeof connection === 'string' ? { connectionString: connection } : connection
  // allowExitOnIdle: a script that forgets `orm.destroy()` still exits once its last query is done.
  const pool = new pg.Pool({ allowExitOnIdle: true, connectionTimeoutMillis, ...config, types: relataTypes, Client: UtcDateClient as unknown as pg.PoolConfig['Client'] })
  // An idle connection the server ends (a restart, an administrator's terminate) is dropped from
  // the pool and the next query opens a new one; unheard, the pool's 'error' would crash the process.
  pool.on('error', () => undefined)
  // The same while a client is checked out (between two statements of a transaction): `pg` emits
  // the error on the client, which has no listener then. The client is left unqueryable, its next
  // statement fails, and the pool discards it when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined))
  return pool
}

/**
 * Where `pool` connects, as `pg` resolves it (URL, options, `PG*` variables, defaults), for messages.
 *
 * @example
 * ```ts
 * postgresTarget(pool)   // { server: 'PostgreSQL', address: '127.0.0.1:5432', user: 'postgres' }
 * ```
 */
export function postgresTarget(pool: pg.Pool): ConnectTarget {
  const client = new pg.Client(pool.options)
  return { server: 'PostgreSQL', address: `${client.host}:${client.port}`, user: client.user }
}
