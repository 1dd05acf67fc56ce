/** `createOrm()`: a schema bound to a database through a dialect, with the typed Kysely instance and DDL. */
import { Kysely, type KyselyPlugin, type LogEvent } from 'kysely'
import { createTables, type CreateTablesOptions } from './ddl/create-tables.js'
import { dropTables, type DropTablesOptions } from './ddl/drop-tables.js'
import type { RelataDialect } from './dialect/dialect.js'
import { gatedDialect, type ConnectionGate } from './dialect/connection-gate.js'
import { routedKysely, type Route } from './dialect/routed-kysely.js'
import { readerDriver, ReplicaRouter, withDriver, type ReadState, type ReadStats } from './dialect/replica-routing.js'
import type { CommitToken } from './dialect/replicas.js'
import { RelataError } from './errors.js'
import { consoleLogger, toQueryEvent, type QueryLogger } from './query-log.js'
import type { AnySchema } from './schema/define-schema.js'
import { QueryRecorder } from './testing/query-recorder.js'
import type { Database } from './types/database.js'
import { SessionImpl, type Session, type SessionOptions, type TransactionIsolation } from './session/session.js'
import { withRetries } from './session/transaction-retry.js'
import { newEntity } from './tracking/new-entity.js'
import type { CreateValues, NewEntity } from './types/create.js'
import type { TableKey } from './types/schema-types.js'

/**
 * What `createOrm` takes.
 *
 * @example
 * ```ts
 * const options: OrmOptions<typeof schema> = { schema, dialect: pglite(), plugins: [new QueryRecorder()], log: 'console' }
 * ```
 */
export interface OrmOptions<S extends AnySchema> {
  readonly schema: S
  /** `pglite()`, `postgres(...)` or `mysql(...)`, from their own entry points. */
  readonly dialect: RelataDialect
  /** Kysely plugins, applied to every query `orm.db` and the ORM build (a `QueryRecorder`, for one). */
  readonly plugins?: readonly KyselyPlugin[]
  /** Reports every statement with its parameters and duration (SQLAlchemy's `echo`); `'console'` prints them. */
  readonly log?: QueryLogger | 'console'
  /**
   * Milliseconds a statement may wait for a free connection before it fails with a
   * `ConnectionWaitError` that says what holds the connections (default 30 000; `Infinity` waits
   * without end). A wait that could never end (every connection held by a transaction whose own
   * code waits for another one, as a nested `orm.transaction()` on PGlite's single connection)
   * fails at once.
   */
  readonly acquireTimeout?: number
  /**
   * Milliseconds `orm.destroy()` waits for connections in use (default 5 000); then it ends them,
   * and the server rolls back their open transactions.
   */
  readonly destroyTimeout?: number
}

/**
 * How `orm.transaction()` runs its function.
 *
 * @example
 * ```ts
 * // Two transfers that may deadlock or fail to serialize: each is tried up to 4 times.
 * await orm.transaction(async (session) => {
 *   const from = await session.get('accounts', 1)
 *   const to = await session.get('accounts', 2)
 *   from!.balance -= 10
 *   to!.balance += 10
 * }, { isolation: 'serializable', retries: 3 })
 * ```
 */
export interface TransactionOptions {
  /**
   * How many times to run the transaction again when a concurrent transaction aborted it (a
   * deadlock, a serialization failure, a lock wait timeout: a `TransactionConflictError`, or the
   * driver's error for one, wherever it surfaced). Each attempt calls `fn` with a fresh session,
   * after a short random pause. Any other error is thrown at once; after the last attempt, the
   * conflict is thrown. Default 0: nothing is run again. `fn` must be safe to run again: keep
   * side effects outside the database (emails, HTTP calls) until it has returned.
   */
  readonly retries?: number
  /** The transaction's isolation level; the server's default when not given. */
  readonly isolation?: TransactionIsolation
  /** Whether the session's reads autoflush (see `SessionOptions.autoflush`; default `true`). */
  readonly autoflush?: boolean
}

/**
 * A schema connected to a database: the typed Kysely instance, DDL, and the pool's lifetime.
 *
 * @example
 * ```ts
 * const orm: Orm<typeof schema> = createOrm({ schema, dialect: pglite() })
 * await orm.createTables()
 * await orm.db.insertInto('authors').values({ name: 'Ann' }).execute()
 * await orm.destroy()
 * ```
 */
export interface Orm<S extends AnySchema> {
  readonly schema: S
  readonly dialect: RelataDialect
  /** Kysely, typed from the schema by SQL table and column names: for anything the mapper does not cover. */
  readonly db: Kysely<Database<S>>
  /** Creates every table of the schema, in foreign-key order (see `CreateTablesOptions`). */
  createTables(options?: CreateTablesOptions): Promise<void>
  /** Drops every table of the schema, children first (see `DropTablesOptions`). */
  dropTables(options?: DropTablesOptions): Promise<void>
  /** Closes the connection pool (or the PGlite instance), including one passed to the dialect. Statements after it fail with a `ConnectionWaitError` (`closed`). `orm.db.destroy()` is the same call. */
  destroy(): Promise<void>
  /**
   * A new session: an identity map and a unit of work. Cheap; use one per request or task. Its
   * reads autoflush unless `{ autoflush: false }` (see `SessionOptions`).
   */
  session(options?: SessionOptions): Session<S>
  /**
   * Runs `fn` with a session in one transaction: flushed and committed when it returns, rolled
   * back when it throws. Calls to `session.transaction()` inside it use savepoints. With
   * `retries`, a transaction a concurrent one aborted (a deadlock, a serialization failure, a lock
   * wait timeout) runs again, `fn` with a fresh session each time (see `TransactionOptions`).
   */
  transaction<T>(fn: (session: Session<S>) => Promise<T>, options?: TransactionOptions): Promise<T>
  /** A new object outside any session (SQLAlchemy's `Author(name=...)`); `session.add()` it to save it. */
  build<K extends TableKey<S>>(table: K, values: CreateValues<S, K>): NewEntity<S, K>
  /**
   * With read replicas: the position of the latest commit this orm made (any session, `orm.db`),
   * to carry to a later request: `orm.session({ after: token })` reads see it. `undefined`
   * without replicas, or before the first commit.
   *
   * @example
   * ```ts
   * response.cookie('relata-after', orm.commitToken() ?? '')
   * const session = orm.session({ after: request.cookies['relata-after'] || undefined })
   * ```
   */
  commitToken(): CommitToken | undefined
  /**
   * With read replicas: how many reads outside transactions the replicas and the primary served
   * since the orm was created (all zero without replicas).
   *
   * @example
   * ```ts
   * const { replica, primary } = orm.readStats()
   * console.log(`${Math.round((100 * replica) / (replica + primary))}% of reads on replicas`)
   * ```
   */
  readStats(): ReadStats
}

/** The Kysely methods that return another Kysely on the same driver. */
const derivingMethods = ['withPlugin', 'withoutPlugins', 'withSchema', 'withTables'] as const

/**
 * `db` whose `destroy()`, and that of every Kysely derived from it (`withPlugin()`, …), is
 * `orm.destroy()`: Kysely's own would mark its driver destroyed, and later statements would fail
 * with its bare "driver has already been destroyed" before the gate could say the orm was destroyed.
 */
function destroyingTheOrm<D extends Kysely<any>>(db: D, destroy: () => Promise<void>): D {
  const own: Record<string, unknown> = { destroy }
  for (const name of derivingMethods) {
    const derive = db[name] as (...args: unknown[]) => Kysely<any>
    own[name] = (...args: unknown[]) => destroyingTheOrm(derive.apply(db, args), destroy)
  }
  return Object.assign(db, own)
}

class RelataOrm<S extends AnySchema> implements Orm<S> {
  readonly schema: S
  readonly dialect: RelataDialect
  readonly db: Kysely<Database<S>>
  readonly #gate: Pick<ConnectionGate, 'destroy'>
  /** Builds `session.db`: the gated dialect and the ORM's plugins, statements routed by each session. */
  readonly #routed: (route: Route) => Kysely<any>
  /** With replicas: routes each statement to the primary or a replica. */
  readonly #router: ReplicaRouter | undefined
  /** With replicas: a Kysely for one session's reads (its consistency and commits). */
  readonly #readerDb: ((state: ReadState) => Kysely<any>) | undefined

  constructor(options: OrmOptions<S>) {
    this.schema = options.schema
    this.dialect = options.dialect
    const dialect = options.dialect
    const gateOptions = {
      acquireTimeout: milliseconds('acquireTimeout', options.acquireTimeout, 30_000),
      destroyTimeout: milliseconds('destroyTimeout', options.destroyTimeout, 5_000),
    }
    const gated = gatedDialect(dialect.createKyselyDialect(), { ...gateOptions, capacity: () => dialect.maxConnections?.(), commitOutcome: dialect.commitOutcome })
    const replicas = dialect.replication?.createReplicaDialects().map((replica) => gatedDialect(replica, { ...gateOptions, capacity: () => undefined, commitOutcome: undefined }).gate)
    this.#router = replicas === undefined ? undefined : new ReplicaRouter(gated.gate, replicas, dialect.replication!)
    const router = this.#router
    const top = router === undefined ? gated.dialect : withDriver(gated.dialect, () => router)
    this.#gate = router ?? gated.gate
    const plugins = [...(options.plugins ?? [])]
    const log = queryLog(options)
    const db = new Kysely<Database<S>>({ dialect: top, plugins, log })
    this.db = destroyingTheOrm(db, () => this.destroy())
    this.#readerDb = router === undefined ? undefined : (state) => new Kysely<any>({ dialect: withDriver(gated.dialect, () => readerDriver(router, state)), plugins, log })
    // Statements of session.db run (and are logged) on orm.db or one of its transactions.
    this.#routed = (route) => routedKysely(top, options.plugins ?? [], route)
  }

  commitToken(): CommitToken | undefined {
    return this.#router?.latest
  }

  readStats(): ReadStats {
    return { ...(this.#router?.stats ?? { replica: 0, primary: 0, fallbacks: 0, lagging: 0 }) }
  }

  async createTables(options?: CreateTablesOptions): Promise<void> {
    await createTables(this.#anyDb, this.schema.tables.values(), this.dialect, options)
  }

  async dropTables(options?: DropTablesOptions): Promise<void> {
    await dropTables(this.#anyDb, this.schema.tables.values(), this.dialect, options)
  }

  async destroy(): Promise<void> {
    // Through the gate, not Kysely: statements after it then fail saying the orm was destroyed.
    await this.#gate.destroy()
  }

  session(options: SessionOptions = {}): Session<S> {
    const state = this.#router?.newState(options.consistency, options.after)
    const db = state === undefined ? this.#anyDb : this.#readerDb!(state)
    const connection = { db, capabilities: () => this.dialect.resolveCapabilities(this.#anyDb), routed: this.#routed, readState: state }
    return new SessionImpl(this.schema, connection, this.dialect.platform, sessionOptions('orm.session()', options)) as unknown as Session<S>
  }

  transaction<T>(fn: (session: Session<S>) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const { retries = 0, isolation, autoflush } = options
    const settings = sessionOptions('orm.transaction()', { autoflush })
    return withRetries(retries, () => (this.session(settings) as unknown as SessionImpl).transaction(fn as unknown as (session: Session<AnySchema>) => Promise<T>, { isolation }))
  }

  build<K extends TableKey<S>>(table: K, values: CreateValues<S, K>): NewEntity<S, K> {
    return newEntity(this.schema.table(table), values as Record<string, unknown>, undefined) as NewEntity<S, K>
  }

  get #anyDb(): Kysely<any> {
    return this.db as Kysely<any>
  }
}

/** A session's options, checked: an option the session does not know, or a value it cannot take, is refused. */
function sessionOptions(call: string, options: SessionOptions): SessionOptions {
  if (typeof options !== 'object' || options === null) throw new RelataError(`${call}: expects an options object, got ${String(options)}`)
  const { autoflush, consistency, after } = options
  if (autoflush !== undefined && typeof autoflush !== 'boolean') throw new RelataError(`${call}: autoflush must be true or false, got ${String(autoflush)}`)
  if (consistency !== undefined && !['primary', 'causal', 'replica'].includes(consistency)) {
    throw new RelataError(`${call}: consistency must be 'primary', 'causal' or 'replica', got ${String(consistency)}`)
  }
  if (after !== undefined && typeof after !== 'string') throw new RelataError(`${call}: after must be a commit token (a string from orm.commitToken() or session.commitToken), got ${String(after)}`)
  if (call === 'orm.session()') {
    const known = ['autoflush', 'consistency', 'after']
    const unknown = Object.keys(options).filter((key) => !known.includes(key))
    if (unknown.length > 0) throw new RelataError(`orm.session(): unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (options: ${known.join(', ')})`)
  }
  return { ...(autoflush === undefined ? {} : { autoflush }), ...(consistency === undefined ? {} : { consistency }), ...(after === undefined ? {} : { after }) }
}

function milliseconds(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value > 0)) throw new RelataError(`createOrm(): ${option} must be a positive number of milliseconds (or Infinity), got ${String(value)}`)
  return value
}

/** Kysely's `log` option: the user's logger and every `QueryRecorder` among the plugins, or nothing. */
function queryLog(options: OrmOptions<AnySchema>): ((event: LogEvent) => void) | undefined {
  const recorders = (options.plugins ?? []).filter((plugin) => plugin instanceof QueryRecorder)
  const logger = options.log === 'console' ? consoleLogger : options.log
  if (recorders.length === 0 && logger === undefined) return undefined
  return (event) => {
    for (const recorder of recorders) recorder.record(event)
    logger?.(toQueryEvent(event))
  }
}

/**
 * Connects a schema to a database. Nothing connects until the first query.
 *
 * @example
 * ```ts
 * import { createOrm } from '@relata/core'
 * import { pglite } from '@relata/core/pglite'
 *
 * const orm = createOrm({ schema, dialect: pglite(), log: 'console' })
 * await orm.createTables()
 * const rows = await orm.db.selectFrom('books').selectAll().execute()
 * await orm.destroy()
 * ```
 */
export function createOrm<S extends AnySchema>(options: OrmOptions<S>): Orm<S> {
  return new RelataOrm(options)
}
