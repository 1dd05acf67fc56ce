/** `mysql()`: Relata on MySQL 8 or MariaDB 10.11+ through a `mysql2` pool (the `@relata/core/mysql` entry point).
 *
 * @module @relata/core/mysql
 */
import { CompiledQuery, type DatabaseConnection, type Dialect as KyselyDialect, type Kysely, type MysqlPool } from 'kysely'
import { createPool, type Pool, type PoolOptions, type Timezone } from 'mysql2'
import type { Pool as PromisePool } from 'mysql2/promise'
import { RelataError } from '../../errors.js'
import type { DialectCapabilities, RelataDialect } from '../dialect.js'
import { ReturningMysqlDialect } from './mysql-adapter.js'
import { matchedRowsPool, withFoundRows } from './mysql-found-rows.js'
import { mysqlStringLiteral } from './mysql-literals.js'
import { mysqlPlatform } from './mysql-platform.js'
import { mysqlCapabilities, parseMysqlVersion, relataSqlMode, supportsReturning, type MysqlServer } from './mysql-server.js'
import { createdPoolOptions, relataPoolOptions } from './mysql-pool-options.js'
import { checkConnectionUrl } from '../connection-url.js'
import { withConnectionErrors, type ConnectTarget } from '../connect-errors.js'
import { hasReplicas, replicaSettings, type ReplicaOptions, type Replication } from '../replicas.js'
import { mysqlPositions } from './mysql-positions.js'

/**
 * How to reach the server: a URI, mysql2 pool options, or a mysql2 pool of your own (from `mysql2` or `mysql2/promise`).
 *
 * @example
 * ```ts
 * mysql('mysql://root@127.0.0.1:3306/app')
 * mysql({ host: '127.0.0.1', user: 'root', database: 'app', connectionLimit: 5 })
 * mysql(createPool({ uri: 'mysql://root@127.0.0.1:3306/app' }))
 * ```
 */
export type MysqlConnection = string | PoolOptions | Pool | PromisePool

/**
 * A MariaDB primary and its read replicas (GTID replication): reads outside transactions go to
 * the replicas, everything else to the primary (see `ReplicaOptions` and README, Scaling out).
 *
 * @example
 * ```ts
 * mysql({ primary: 'mysql://app@db-primary/app', replicas: ['mysql://app@db-replica-1/app'] })
 * ```
 */
export interface MysqlReplicas extends ReplicaOptions {
  readonly primary: MysqlConnection
  readonly replicas: readonly MysqlConnection[]
}

/**
 * Options of the `mysql()` dialect.
 *
 * @example
 * ```ts
 * mysql(uri, { server: 'mariadb', returning: false })
 * mysql(uri, { statementTimeout: 5_000 })
 * ```
 */
export interface MysqlDialectOptions {
  /** The server, when known; otherwise the first connection asks it with `SELECT VERSION()`. */
  server?: 'mariadb' | 'mysql'
  /**
   * `false` makes Relata never use `RETURNING`, even on MariaDB: the code path MySQL 8 takes.
   * Statements written with `.returning()` through `orm.db` still return rows on MariaDB.
   */
  returning?: boolean
  /**
   * Milliseconds a statement may run before the server stops it, set on each new connection (also
   * on a pool given to `mysql()`): MariaDB's `max_statement_time` (every statement), MySQL's
   * `max_execution_time` (SELECT only). A flush statement stopped so fails with a
   * `QueryTimeoutError`; other statements with the driver's error (errno `1969` on MariaDB,
   * `3024` on MySQL). Default: the server's setting (usually none).
   */
  statementTimeout?: number
}

function isPool(connection: MysqlConnection): connection is Pool | PromisePool {
  return typeof connection === 'object' && typeof (connection as Pool).getConnection === 'function'
}

/** Kysely drives the callback API: a `mysql2/promise` pool lends the callback pool it wraps. */
function callbackPool(pool: Pool | PromisePool): Pool {
  return 'pool' in pool && typeof pool.pool?.getConnection === 'function' ? pool.pool : (pool as Pool)
}

/** The `timezone` mysql2 reads and writes dates in: Relata's pools use UTC, a pool passed in its own (mysql2's default is `local`). */
function poolTimezone(pool: Pool): Timezone {
  return (pool as { config?: { connectionConfig?: { timezone?: Timezone } } }).config?.connectionConfig?.timezone ?? 'local'
}

function createRelataPool(connection: string | PoolOptions, connectTimeout?: number): Pool {
  const options = typeof connection === 'string' ? { uri: connection } : connection
  return createPool({ ...(connectTimeout === undefined ? {} : { connectTimeout }), ...options, ...createdPoolOptions, flags: withFoundRows(options.flags) })
}

interface SessionSettings {
  readonly version: string
  readonly packet: unknown
  readonly sqlMode: string
  readonly client: string | null
  readonly connection: string | null
  readonly results: string | null
}

class MysqlRelataDialect implements RelataDialect {
  readonly name = 'mysql'
  readonly #connection: MysqlConnection
  readonly #options: MysqlDialectOptions
  #server: MysqlServer | undefined
  /** The server's `max_allowed_packet`, once a connection told it. */
  #packet: number | undefined
  #capabilities: DialectCapabilities
  #pool: Pool | undefined

  readonly replication: Replication | undefined

  constructor(given: MysqlConnection | MysqlReplicas, options: MysqlDialectOptions) {
    const { statementTimeout } = options
    if (statementTimeout !== undefined && (!Number.isInteger(statementTimeout) || statementTimeout < 0)) {
      throw new RelataError(`mysql(): statementTimeout must be a whole number of milliseconds, got ${String(statementTimeout)}`)
    }
    const replicated = hasReplicas<MysqlConnection>(given) ? given : undefined
    const connection = replicated === undefined ? (given as MysqlConnection) : replicated.primary
    const settings = replicated === undefined ? undefined : replicaSettings('mysql()', replicated)
    for (const each of [connection, ...(replicated?.replicas ?? [])]) {
      const url = typeof each === 'string' ? each : isPool(each) ? undefined : each.uri
      if (url !== undefined) checkConnectionUrl('mysql()', url, ['mysql:', 'mariadb:'])
    }
    this.replication =
      replicated === undefined
        ? undefined
        : {
            positions: mysqlPositions,
            settings: settings!,
            // A replica that does not answer soon is left out: reads go to the primary meanwhile.
            createReplicaDialects: () =>
              replicated.replicas.map((replica) => this.#kyselyDialect(replica, () => undefined, replicated.replicaConnectTimeout ?? 2_000)),
          }
    this.#connection = connection
    this.#options = options
    this.#server = options.server === undefined ? undefined : { kind: options.server }
    this.#capabilities = mysqlCapabilities(this.#server, options)
  }

  readonly platform = mysqlPlatform

  get capabilities(): DialectCapabilities {
    return this.#capabilities
  }

  createKyselyDialect(): KyselyDialect {
    return this.#kyselyDialect(this.#connection, (created) => (this.#pool = created))
  }

  /** A Kysely dialect on `connection`'s pool (created at the first query); `created` hears of it. */
  #kyselyDialect(connection: MysqlConnection, created: (pool: Pool) => void, connectTimeout?: number): KyselyDialect {
    const timezone = isPool(connection) ? poolTimezone(callbackPool(connection)) : relataPoolOptions.timezone
    let own: Pool | undefined
    const pool = async (): Promise<MysqlPool> => {
      own = isPool(connection) ? callbackPool(connection) : createRelataPool(connection, connectTimeout)
      created(own)
      // A pool passed in may lack FOUND_ROWS: its UPDATE counts are read as rows matched, not changed.
      return (isPool(connection) ? matchedRowsPool(own) : own) as unknown as MysqlPool
    }
    const dialect = new ReturningMysqlDialect(
      { pool, onCreateConnection: (opened) => this.#prepare(opened) },
      () => this.#server !== undefined && supportsReturning(this.#server),
      () => timezone,
      !isPool(connection),
    )
    return withConnectionErrors(dialect, () => this.#connectTarget(own))
  }

  /** Where the pool connects (mysql2's resolved settings), for messages. */
  #connectTarget(pool: Pool | undefined): ConnectTarget {
    const config = (pool as { config?: { connectionConfig?: { host?: string; port?: number; socketPath?: string; user?: string } } } | undefined)?.config
      ?.connectionConfig
    const server = this.#server?.kind === 'mariadb' ? 'MariaDB' : this.#server?.kind === 'mysql' ? 'MySQL' : 'MySQL/MariaDB'
    const address = config?.socketPath ?? `${config?.host ?? 'localhost'}:${config?.port ?? 3306}`
    return { server, address, user: config?.user }
  }

  maxConnections(): number | undefined {
    return (this.#pool as { config?: { connectionLimit?: number } } | undefined)?.config?.connectionLimit
  }

  async resolveCapabilities(db: Kysely<any>): Promise<DialectCapabilities> {
    if (this.#server === undefined || this.#packet === undefined) await db.connection().execute(async () => undefined)
    return this.#capabilities
  }

  /**
   * Each new connection: learn the server and its `max_allowed_packet`; refuse a connection charset other than utf8mb4 (text
   * would be converted, unrepresentable characters stored as '?'); make the session strict
   * (`relataSqlMode`) so that no value is changed on the way in; lift MariaDB's cap on
   * `JSON_ARRAYAGG` (built on GROUP_CONCAT, cut at 1 MiB by default; 1 GiB is the most it takes,
   * and a larger value is an error in strict mode); set the statement timeout.
   */
  async #prepare(connection: DatabaseConnection): Promise<void> {
    const { rows } = await connection.executeQuery<SessionSettings>(
      CompiledQuery.raw(
        'select version() as version, @@max_allowed_packet as packet, @@session.sql_mode as sqlMode, @@character_set_client as client, @@character_set_connection as connection, @@character_set_results as results',
      ),
    )
    const session = rows[0]!
    if (this.replication !== undefined && parseMysqlVersion(session.version).kind !== 'mariadb') {
      // MySQL's GTID sets and WAIT_FOR_EXECUTED_GTID_SET are another protocol, not yet followed.
      throw new RelataError(`mysql(): read replicas are supported on MariaDB; ${session.version} is MySQL: give mysql() the primary alone`)
    }
    if (this.#server === undefined || this.#packet === undefined) {
      this.#server ??= parseMysqlVersion(session.version)
      this.#packet = Number(session.packet)
      this.#capabilities = mysqlCapabilities(this.#server, this.#options, this.#packet)
    }
    const charsets = [session.client, session.connection, session.results]
    if (charsets.some((charset) => charset !== 'utf8mb4')) {
      throw new RelataError(
        `mysql(): the connection's character sets are ${charsets.map(String).join(' / ')} (client / connection / results); Relata needs utf8mb4, mysql2's default: remove the pool's charset option`,
      )
    }
    const settings = ['group_concat_max_len = 1073741824', `sql_mode = ${mysqlStringLiteral(relataSqlMode(session.sqlMode))}`]
    const timeout = this.#options.statementTimeout
    if (timeout !== undefined) settings.push(this.#server.kind === 'mysql' ? `max_execution_time = ${timeout}` : `max_statement_time = ${timeout / 1000}`)
    await connection.executeQuery(CompiledQuery.raw(`set session ${settings.join(', ')}`))
  }
}

/**
 * MySQL 8 or MariaDB 10.11+ through `mysql2`. Given a URI or `PoolOptions`, Relata creates the
 * pool when the first query runs, set so that `orm.db` returns what the schema declares: exact
 * decimals as strings, `BIGINT` as `bigint`, `TINYINT(1)` as `boolean`, `DATETIME` and `DATE` as
 * UTC, JSON parsed (these settings override the same options given). Given a pool, Relata uses it
 * as it is, with its own settings; `orm.destroy()` ends it. Call `orm.destroy()` when done: a
 * `mysql2` pool keeps the process alive until it is ended (unlike the pools `postgres()` creates).
 *
 * `capabilities.returning` is true on MariaDB 10.5+ and false on MySQL. Unless `server` is given,
 * the first connection tells which; until then `capabilities` is provisional (no `RETURNING`):
 * read `resolveCapabilities(db)` to be sure.
 *
 * A URL of another scheme or no URL at all is refused at the call; a server that cannot be reached
 * or refuses the user fails the first query with a `ConnectionError`, also one that does not
 * answer within 10 s (mysql2's `connectTimeout`: `mysql({ uri, connectTimeout })` changes it).
 * Given `{ primary, replicas }` (MariaDB), reads outside transactions go to the replicas (pools of
 * their own, 2 s connect timeout unless `replicaConnectTimeout` or their options say otherwise).
 *
 * @example
 * ```ts
 * import { createOrm } from '@relata/core'
 * import { mysql } from '@relata/core/mysql'
 *
 * const orm = createOrm({ schema, dialect: mysql('mysql://root@127.0.0.1:3306/app') })
 * const mysql8Path = mysql({ host: '127.0.0.1', user: 'root', database: 'app' }, { returning: false })
 * const scaled = mysql({ primary: 'mysql://app@db-primary/app', replicas: ['mysql://app@db-replica/app'] })
 * ```
 */
export function mysql(connection: MysqlConnection | MysqlReplicas, options: MysqlDialectOptions = {}): RelataDialect {
  return new MysqlRelataDialect(connection, options)
}
