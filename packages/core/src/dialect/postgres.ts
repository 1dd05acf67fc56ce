/** `postgres()`: Relata on PostgreSQL through a `pg` pool (the `@relata/core/postgres` entry point). */
import { CompiledQuery, PostgresDialect, type DatabaseConnection, type Kysely } from 'kysely'
import { RelataError } from '../errors.js'
import pg from 'pg'
import type { DialectCapabilities, RelataDialect } from './dialect.js'
import { postgresCapabilities } from './postgres-capabilities.js'
import { postgresPlatform } from './postgres-platform.js'
import { postgresCommitOutcome } from './postgres-commit-outcome.js'
import { postgresTypeParsers } from './postgres-type-parsers.js'
import { UtcDateClient } from './postgres-utc-client.js'
import { checkConnectionUrl } from './connection-url.js'
import { withConnectionErrors, type ConnectTarget } from './connect-errors.js'

/**
 * How to reach PostgreSQL: a connection string, a `pg` pool configuration, or a pool of your own.
 *
 * @example
 * ```ts
 * postgres('postgres://postgres@127.0.0.1:5432/app')
 * postgres({ host: '127.0.0.1', user: 'postgres', database: 'app', max: 5 })
 * postgres(new pg.Pool({ connectionString }))
 * ```
 */
export type PostgresConnection = string | pg.PoolConfig | pg.Pool

const relataTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    format !== 'binary' && postgresTypeParsers[oid] !== undefined
      ? postgresTypeParsers[oid]
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
}

function isPool(connection: PostgresConnection): connection is pg.Pool {
  return typeof connection === 'object' && typeof (connection as pg.Pool).connect === 'function'
}

/**
 * The pool Relata creates from a connection string or configuration, set so that results match
 * the declared column types: `int8` as `bigint`, `numeric` as a string, `timestamp` and `date`
 * read and written as UTC. These settings are per pool and override the same options in `config`.
 */
function createPool(connection: string | pg.PoolConfig): pg.Pool {
  const config = typeof connection === 'string' ? { connectionString: connection } : connection
  // allowExitOnIdle: a script that forgets `orm.destroy()` still exits once its last query is done.
  const pool = new pg.Pool({ allowExitOnIdle: true, ...config, types: relataTypes, Client: UtcDateClient as unknown as pg.PoolConfig['Client'] })
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
 * Options of the `postgres()` dialect.
 *
 * @example
 * ```ts
 * postgres(url, { statementTimeout: 5_000 })
 * ```
 */
export interface PostgresDialectOptions {
  /**
   * Milliseconds a statement may run before the server cancels it (PostgreSQL's
   * `statement_timeout`, set on each new connection, also on a pool given to `postgres()`).
   * A flush statement cancelled so fails with a `QueryTimeoutError`; other statements with the
   * driver's error (code `57014`). Default: the server's setting (usually none).
   */
  statementTimeout?: number
}

/** Runs once per new connection: the session settings the options ask for. */
function connectionSetup(options: PostgresDialectOptions): ((connection: DatabaseConnection) => Promise<void>) | undefined {
  const { statementTimeout } = options
  if (statementTimeout === undefined) return undefined
  if (!Number.isInteger(statementTimeout) || statementTimeout < 0) {
    throw new RelataError(`postgres(): statementTimeout must be a whole number of milliseconds, got ${String(statementTimeout)}`)
  }
  return async (connection) => {
    await connection.executeQuery(CompiledQuery.raw(`set statement_timeout = ${statementTimeout}`))
  }
}

/** Refuses, at the call, a connection string that is not a PostgreSQL URL (a socket path, `/dir db`, is one too). */
function checkConnection(connection: PostgresConnection): void {
  const url = typeof connection === 'string' ? connection : isPool(connection) ? undefined : connection.connectionString
  if (url !== undefined && !url.startsWith('/')) checkConnectionUrl('postgres()', url, ['postgres:', 'postgresql:'], ['socket:'])
}

/** Where the pool connects, as `pg` resolves it (URL, options, `PG*` variables, defaults), for messages. */
function connectTarget(pool: pg.Pool | undefined): ConnectTarget {
  const client = new pg.Client(pool?.options)
  return { server: 'PostgreSQL', address: `${client.host}:${client.port}`, user: client.user }
}

/**
 * PostgreSQL through `pg`. Given a connection string or a `pg.PoolConfig`, Relata creates the
 * pool when the first query runs, with per-pool type parsers so that `orm.db` returns what the
 * schema declares (`bigint` for `int8`, strings for `numeric`, UTC for `timestamp` and `date`).
 * Given a `pg.Pool`, Relata uses it as it is, with its own type parsing; `orm.destroy()` ends it.
 * The pools Relata creates let the process exit when they are idle (`allowExitOnIdle`).
 * A URL of another scheme or no URL at all is refused at the call; a server that cannot be reached
 * or refuses the user fails the first query with a `ConnectionError`.
 *
 * @example
 * ```ts
 * import { createOrm } from '@relata/core'
 * import { postgres } from '@relata/core/postgres'
 *
 * const orm = createOrm({ schema, dialect: postgres('postgres://postgres@127.0.0.1:5432/app') })
 * const guarded = postgres('postgres://postgres@127.0.0.1:5432/app', { statementTimeout: 5_000 })
 * ```
 */
export function postgres(connection: PostgresConnection, options: PostgresDialectOptions = {}): RelataDialect {
  checkConnection(connection)
  const onCreateConnection = connectionSetup(options)
  // The pool the latest ORM on this dialect connected with (each ORM creates its own from settings).
  let pool: pg.Pool | undefined = isPool(connection) ? connection : undefined
  return Object.freeze({
    name: 'postgres',
    capabilities: postgresCapabilities,
    platform: postgresPlatform,
    createKyselyDialect: () =>
      withConnectionErrors(
        new PostgresDialect({ pool: async () => (pool = isPool(connection) ? connection : createPool(connection)), onCreateConnection }),
        () => connectTarget(pool),
      ),
    maxConnections: () => pool?.options.max,
    commitOutcome: postgresCommitOutcome(() => pool),
    resolveCapabilities: async (_db: Kysely<any>): Promise<DialectCapabilities> => postgresCapabilities,
  })
}
