/** What Relata needs from a database: a Kysely dialect, what the server can do, and its SQL types. */
import type { DatabaseConnection, Kysely, Dialect as KyselyDialect } from 'kysely'
import type { Platform } from './platform.js'
import type { Replication } from './replicas.js'

/**
 * The SQL family a dialect speaks; loading and DDL switch on it where the two differ.
 *
 * @example
 * ```ts
 * orm.dialect.capabilities.family   // 'postgres' for pglite() and postgres(), 'mysql' for mysql()
 * ```
 */
export type SqlFamily = 'postgres' | 'mysql'

/**
 * How JSON aggregation of child rows is written for eager `join` loading.
 *
 * @example
 * ```ts
 * const { jsonAggregation } = await orm.dialect.resolveCapabilities(orm.db)   // 'mariadb' on MariaDB
 * ```
 */
export type JsonAggregation = 'postgres' | 'mariadb' | 'mysql'

/**
 * What the server can do. Read by loading, persistence and DDL; never sniffed elsewhere.
 * `returning` may be settled only once the first connection has told the server's version.
 *
 * @example
 * ```ts
 * const capabilities = await orm.dialect.resolveCapabilities(orm.db)
 * capabilities.returning          // false on MySQL 8
 * capabilities.transactionalDdl   // true on PostgreSQL and PGlite
 * ```
 */
export interface DialectCapabilities {
  readonly family: SqlFamily
  /** `INSERT ... RETURNING` (PostgreSQL, PGlite, MariaDB 10.5+; not MySQL 8). */
  readonly returning: boolean
  /** Most bind parameters one statement may carry. */
  readonly maxParameters: number
  /**
   * Most bytes one statement may take (MySQL and MariaDB: the server's `max_allowed_packet`, read
   * from the first connection); flushes split their batches to fit. Absent where no such limit bites.
   */
  readonly maxStatementBytes?: number
  /** DDL runs inside a transaction and rolls back with it (PostgreSQL, not MySQL). */
  readonly transactionalDdl: boolean
  readonly jsonAggregation: JsonAggregation
  /**
   * What a locking read may do instead of waiting for a row another transaction holds: fail at once
   * (`NOWAIT`: PostgreSQL, MySQL 8, MariaDB 10.3+) or leave it out (`SKIP LOCKED`: PostgreSQL,
   * MySQL 8, MariaDB 10.6+).
   */
  readonly lockWaits: { readonly noWait: boolean; readonly skipLocked: boolean }
  /**
   * How a shared locking read is written on the MySQL family: `FOR SHARE` on MySQL 8 (the only
   * spelling that takes `NOWAIT` / `SKIP LOCKED` there), `LOCK IN SHARE MODE` on MariaDB (which has
   * no `FOR SHARE`); absent, `LOCK IN SHARE MODE`. PostgreSQL always writes `FOR SHARE`.
   */
  readonly shareLockClause?: 'for share' | 'lock in share mode'
}

/**
 * A database Relata can run on. Build one with `pglite()`, `postgres()` or `mysql()`.
 *
 * @example
 * ```ts
 * const dialect: RelataDialect = process.env.DATABASE_URL ? postgres(process.env.DATABASE_URL) : pglite()
 * const orm = createOrm({ schema, dialect })
 * ```
 */
export interface RelataDialect {
  readonly name: 'pglite' | 'postgres' | 'mysql'
  readonly capabilities: DialectCapabilities
  /** What differs between database families (types, literals, value rules, statement shapes): Relata's core asks this, never `capabilities.family`. */
  readonly platform: Platform
  /** The Kysely dialect that connects; called once by `createOrm`. */
  createKyselyDialect(): KyselyDialect
  /**
   * The settled capabilities. Where they depend on the server (MySQL or MariaDB, and its version)
   * and no connection has told it yet, opens one through `db` first; otherwise resolves at once.
   * Read this, not `capabilities`, before building the first statement that depends on them.
   *
   * @example
   * ```ts
   * const { returning } = await orm.dialect.resolveCapabilities(orm.db)
   * ```
   */
  resolveCapabilities(db: Kysely<any>): Promise<DialectCapabilities>
  /**
   * How many connections the pool lends at most, once it exists (1 for PGlite); `undefined` when
   * not known. A wait for a connection that every holder's own code is waiting on fails at once
   * instead of after `acquireTimeout`.
   *
   * @example
   * ```ts
   * orm.dialect.maxConnections?.()   // 10: pg's and mysql2's default pool size
   * ```
   */
  maxConnections?(): number | undefined
  /** How to learn whether a COMMIT whose reply was lost took effect; absent where the server cannot tell (MySQL, MariaDB). */
  readonly commitOutcome?: CommitOutcome
  /** The read replicas, when the dialect was given `{ primary, replicas }`: reads outside transactions go to them. */
  readonly replication?: Replication
}

/**
 * Learning, after the connection was lost during COMMIT, whether the server committed: a marker
 * read on the transaction's connection just before COMMIT, then asked about on a new connection.
 * Part of COMMIT: these statements are not logged.
 *
 * @example
 * ```ts
 * const marker = await outcome.mark?.(connection)   // PostgreSQL: the transaction's id
 * // ... COMMIT fails with "Connection terminated unexpectedly" ...
 * await outcome.resolve(marker)                      // 'committed' | 'aborted' | 'unknown'
 * ```
 */
export interface CommitOutcome {
  mark?(connection: DatabaseConnection): Promise<unknown>
  resolve(marker: unknown): Promise<'committed' | 'aborted' | 'unknown'>
}
