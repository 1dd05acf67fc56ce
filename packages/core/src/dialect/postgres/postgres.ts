/** `postgres()`: Relata on PostgreSQL through a `pg` pool (the `@relata/core/postgres` entry point).
 *
 * @module @relata/core/postgres
 */
import { CompiledQuery, PostgresDialect, type DatabaseConnection, type Kysely } from 'kysely'
import { RelataError } from '../../errors.js'
import type pg from 'pg'
import type { DialectCapabilities, RelataDialect } from '../dialect.js'
import { postgresCapabilities } from './postgres-capabilities.js'
import { postgresPlatform } from './postgres-platform.js'
import { postgresCommitOutcome } from './postgres-commit-outcome.js'
import { checkConnectionUrl } from '../connection-url.js'
import { withConnectionErrors } from '../connect-errors.js'
import { importDriver } from '../driver-import.js'
import { transactionScopedTimeout } from './postgres-pooled.js'
import { postgresPositions } from './postgres-positions.js'
import { hasReplicas, replicaSettings, type ReplicaOptions, type Replication } from '../replicas.js'

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

/**
 * A primary and its read replicas (hot standbys): reads outside transactions go to the replicas,
 * everything else to the primary (see `ReplicaOptions` and README, Scaling out).
 *
 * @example
 * ```ts
 * postgres({ primary: 'postgres://app@db-primary/app', replicas: ['postgres://app@db-standby-1/app'] })
 * ```
 */
export interface PostgresReplicas extends ReplicaOptions {
  readonly primary: PostgresConnection
  readonly replicas: readonly PostgresConnection[]
}

function isPool(connection: PostgresConnection): connection is pg.Pool {
  return typeof connection === 'object' && typeof (connection as pg.Pool).connect === 'function'
}

/** `pg` and what Relata builds on it, loaded at the first connection: without `pg`, that says how to install it. */
const loadPool = () => importDriver('postgres()', 'pg', () => import('./postgres-pool.js'))

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
   * driver's error (code `57014`). Default: the server's setting (usually none). Behind a
   * transaction-pooling proxy (`pooler: 'transaction'`), set with `SET LOCAL` in each transaction
   * instead (a statement outside one runs in a transaction of its own), so that it holds on the
   * server connection the proxy picked and leaks to no other client.
   */
  statementTimeout?: number
  /**
   * The connections go through a proxy that pools server connections per transaction (PgBouncer's
   * `pool_mode = transaction`, pgpool-II, RDS Proxy, Supavisor): Relata then keeps no setting on a
   * connection across transactions (see README, Scaling out). Relata never sends the `options`
   * startup parameter, which PgBouncer refuses.
   */
  pooler?: 'transaction'
}

/** Runs once per new connection: the session settings the options ask for. */
function connectionSetup(options: PostgresDialectOptions): ((connection: DatabaseConnection) => Promise<void>) | undefined {
  const { statementTimeout, pooler } = options
  if (pooler !== undefined && pooler !== 'transaction') throw new RelataError(`postgres(): pooler must be 'transaction', got ${String(pooler)}`)
  if (statementTimeout === undefined) return undefined
  if (!Number.isInteger(statementTimeout) || statementTimeout < 0) {
    throw new RelataError(`postgres(): statementTimeout must be a whole number of milliseconds, got ${String(statementTimeout)}`)
  }
  // Behind a pooler a session setting would land on whichever server connection it picked: set per transaction instead.
  if (pooler !== undefined) return undefined
  return async (connection) => {
    await connection.executeQuery(CompiledQuery.raw(`set statement_timeout = ${statementTimeout}`))
  }
}

/** Refuses, at the call, a connection string that is not a PostgreSQL URL (a socket path, `/dir db`, is one too). */
function checkConnection(connection: PostgresConnection): void {
  const url = typeof connection === 'string' ? connection : isPool(connection) ? undefined : connection.connectionString
  if (url !== undefined && !url.startsWith('/')) checkConnectionUrl('postgres()', url, ['postgres:', 'postgresql:'], ['socket:'])
}

/**
 * PostgreSQL through `pg`. Given a connection string or a `pg.PoolConfig`, Relata creates the
 * pool when the first query runs, with per-pool type parsers so that `orm.db` returns what the
 * schema declares (`bigint` for `int8`, strings for `numeric`, UTC for `timestamp` and `date`).
 * Given a `pg.Pool`, Relata uses it as it is, with its own type parsing; `orm.destroy()` ends it.
 * The pools Relata creates let the process exit when they are idle (`allowExitOnIdle`).
 * A URL of another scheme or no URL at all is refused at the call; a server that cannot be reached
 * or refuses the user fails the first query with a `ConnectionError`, also one that does not
 * answer within 10 s (the pools Relata creates set `pg`'s `connectionTimeoutMillis`, unbounded by
 * default, to 10 000: `postgres({ connectionString, connectionTimeoutMillis })` changes it).
 * Given `{ primary, replicas }`, reads outside transactions go to the replicas (pools of their
 * own, 2 s connect timeout unless `replicaConnectTimeout` or their configuration says otherwise).
 *
 * @example
 * ```ts
 * import { createOrm } from '@relata/core'
 * import { postgres } from '@relata/core/postgres'
 *
 * const orm = createOrm({ schema, dialect: postgres('postgres://postgres@127.0.0.1:5432/app') })
 * const guarded = postgres('postgres://postgres@127.0.0.1:5432/app', { statementTimeout: 5_000 })
 * const pooled = postgres('postgres://app@pgbouncer:6432/app', { pooler: 'transaction', statementTimeout: 5_000 })
 * const scaled = postgres({ primary: 'postgres://app@db-primary/app', replicas: ['postgres://app@db-standby/app'] })
 * ```
 */
export function postgres(connection: PostgresConnection | PostgresReplicas, options: PostgresDialectOptions = {}): RelataDialect {
  const replicated = hasReplicas<PostgresConnection>(connection) ? connection : undefined
  const settings = replicated === undefined ? undefined : replicaSettings('postgres()', replicated)
  const primary = replicated === undefined ? (connection as PostgresConnection) : replicated.primary
  checkConnection(primary)
  for (const replica of replicated?.replicas ?? []) checkConnection(replica)
  const onCreateConnection = connectionSetup(options)
  // The pool the latest ORM on this dialect connected with (each ORM creates its own from settings).
  let pool: pg.Pool | undefined = isPool(primary) ? primary : undefined
  let loaded: Awaited<ReturnType<typeof loadPool>> | undefined
  /** A Kysely dialect on `target`'s pool (created at the first query); `created` hears of it. */
  const kyselyDialect = (target: PostgresConnection, created: (pool: pg.Pool) => void, connectTimeout?: number) => {
    let own: pg.Pool | undefined
    const createPool = async (): Promise<pg.Pool> => {
      loaded = await loadPool()
      own = isPool(target) ? target : loaded.createPostgresPool(connectTimeout === undefined ? target : withConnectTimeout(target, connectTimeout))
      created(own)
      return own
    }
    const dialect = withConnectionErrors(
      new PostgresDialect({ pool: createPool, onCreateConnection }),
      // Connections are opened once the pool exists, so `pg` is loaded by then.
      () => loaded!.postgresTarget(own!),
    )
    const { pooler, statementTimeout } = options
    return pooler !== undefined && statementTimeout !== undefined ? transactionScopedTimeout(dialect, statementTimeout) : dialect
  }
  const replication: Replication | undefined =
    replicated === undefined
      ? undefined
      : {
          positions: postgresPositions,
          settings: settings!,
          // A replica that does not answer soon is left out: reads go to the primary meanwhile.
          createReplicaDialects: () => replicated.replicas.map((replica) => kyselyDialect(replica, () => undefined, replicated.replicaConnectTimeout ?? 2_000)),
        }
  return Object.freeze({
    name: 'postgres',
    capabilities: postgresCapabilities,
    platform: postgresPlatform,
    createKyselyDialect: () => kyselyDialect(primary, (created) => (pool = created)),
    maxConnections: () => pool?.options.max,
    commitOutcome: postgresCommitOutcome(() => pool),
    resolveCapabilities: async (_db: Kysely<any>): Promise<DialectCapabilities> => postgresCapabilities,
    ...(replication === undefined ? {} : { replication }),
  })
}

/** `target` with `pg`'s `connectionTimeoutMillis` set to `ms` unless it sets its own. */
function withConnectTimeout(target: string | pg.PoolConfig, ms: number): pg.PoolConfig {
  const config = typeof target === 'string' ? { connectionString: target } : target
  return { connectionTimeoutMillis: ms, ...config }
}
