/**
 * Routes each statement between the primary and read replicas: reads outside a transaction to a
 * replica (one that has replayed what the reader must see, under `'causal'`), everything else
 * (writes, transactions, locks) to the primary; remembers each commit's position; leaves out a
 * replica that fails and reads on the primary instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, OperationNode, QueryResult, TransactionSettings } from 'kysely'
import { RelataError } from '../errors.js'
import { commitMayHaveLanded } from './database-error.js'
import type { CommitPositions, ReadConsistency, Replication } from './replicas.js'

/**
 * What one reader (a session, or `orm.db`) must see: its consistency, and the position its reads
 * wait for (its own commits and the `after` token it was given).
 */
export interface ReadState {
  readonly consistency: ReadConsistency
  after: string | undefined
}

/**
 * How many reads outside transactions each server served since the orm was created.
 *
 * @example
 * ```ts
 * const { replica, primary, fallbacks } = orm.readStats()
 * ```
 */
export interface ReadStats {
  /** Reads a replica served. */
  readonly replica: number
  /** Reads the primary served (by consistency, no replica caught up in time, or after a replica failed). */
  readonly primary: number
  /** Of those, reads that went to the primary because a replica failed or none was available (each down, or lagging past `maxLag`). */
  readonly fallbacks: number
  /** Of those, reads that went to the primary because no replica had replayed what they must see within `causalWait`. */
  readonly lagging: number
}

/** A position no replica can be known to have: the commit's position could not be read, so reads go to the primary. */
const UNKNOWN = '*'

const states = new AsyncLocalStorage<ReadState>()

/** Whether a statement only reads: a `SELECT` with no locking clause and no data-modifying `WITH`. Raw SQL counts as a write. */
function onlyReads(node: OperationNode): boolean {
  const select = node as { kind: string; endModifiers?: readonly unknown[]; with?: { expressions: readonly { expression: OperationNode }[] } }
  if (select.kind !== 'SelectQueryNode' || (select.endModifiers?.length ?? 0) > 0) return false
  return (select.with?.expressions ?? []).every((cte) => onlyReads(cte.expression))
}

/** A connection lent by the router: bound to a primary connection at its first write or transaction; reads before that go to a replica. */
class RoutedConnection implements DatabaseConnection {
  primary: DatabaseConnection | undefined
  inTransaction = false
  /** A statement other than a read ran in the open transaction: its commit has a position worth remembering. */
  wrote = false

  constructor(
    private readonly router: ReplicaRouter,
    readonly state: ReadState | undefined,
  ) {}

  async bind(): Promise<DatabaseConnection> {
    return (this.primary ??= await this.router.primary.acquireConnection())
  }

  async executeQuery<R>(query: CompiledQuery, options?: Parameters<DatabaseConnection['executeQuery']>[1]): Promise<QueryResult<R>> {
    const read = onlyReads(query.query)
    if (this.primary === undefined && read) {
      const result = await this.router.read<R>(query, this.state, options)
      if (result !== undefined) return result
    }
    const connection = await this.bind()
    const result = await connection.executeQuery<R>(query, options)
    if (!read) {
      if (this.inTransaction) this.wrote = true
      else await this.router.noteCommit(connection, this.state)
    }
    return result
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize: number, options?: Parameters<DatabaseConnection['streamQuery']>[2]): AsyncIterableIterator<QueryResult<R>> {
    // Streamed on the primary: a replica failing half-way could not be read again from the start.
    yield* (await this.bind()).streamQuery<R>(query, chunkSize, options)
  }
}

/**
 * The driver of an orm with replicas, over the gated drivers of the primary and of each replica.
 *
 * @example
 * ```ts
 * const router = new ReplicaRouter(primaryGate, replicaGates, dialect.replication)
 * ```
 */
export class ReplicaRouter implements Driver {
  readonly #positions: CommitPositions
  readonly #settings: Replication['settings']
  /** Until when each replica is left out (ms since epoch), after a failure. */
  readonly #downUntil: number[]
  /** What each replica is known to have replayed. */
  readonly #replayed: (string | undefined)[]
  /** When each replica's lag was last measured (ms since epoch), and whether it was past `maxLag` then. */
  readonly #lagCheckedAt: number[]
  readonly #lagging: boolean[]
  #next = 0
  #started: Promise<void> | undefined
  #primed = false
  /** The latest commit position this orm saw: what `orm.db`'s `'causal'` reads wait for. */
  latest: string | undefined
  readonly stats = { replica: 0, primary: 0, fallbacks: 0, lagging: 0 }

  constructor(
    readonly primary: Driver,
    readonly replicas: readonly Driver[],
    replication: Replication,
  ) {
    this.#positions = replication.positions
    this.#settings = replication.settings
    this.#downUntil = replicas.map(() => 0)
    this.#replayed = replicas.map(() => undefined)
    this.#lagCheckedAt = replicas.map(() => Number.NEGATIVE_INFINITY)
    this.#lagging = replicas.map(() => false)
  }

  /** A reader's state, with the orm's default consistency unless given. */
  newState(consistency: ReadConsistency | undefined, after: string | undefined): ReadState {
    return { consistency: consistency ?? this.#settings.consistency, after }
  }

  /** Runs `fn` with connections lent for `state` (a session's reads). */
  static withState<T>(state: ReadState, fn: () => Promise<T>): Promise<T> {
    return states.run(state, fn)
  }

  init(): Promise<void> {
    // Every Kysely built on the router (orm.db, each session's) initialises it: once is enough.
    this.#started ??= Promise.all([this.primary.init(), ...this.replicas.map((r) => r.init())]).then(() => undefined)
    return this.#started
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    // The primary's first connection is opened with the first connection lent (and given back to its
    // pool): a dialect that learns the server from its first connection (an empty `connection()`
    // block, as `resolveCapabilities` opens) learns it there, and from the primary.
    if (!this.#primed) {
      this.#primed = true
      const primary = await this.primary.acquireConnection()
      await this.primary.releaseConnection(primary)
    }
    return new RoutedConnection(this, states.getStore())
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const routed = connection as RoutedConnection
    await this.primary.beginTransaction(await routed.bind(), settings)
    routed.inTransaction = true
    routed.wrote = false
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const routed = connection as RoutedConnection
    await this.primary.commitTransaction(routed.primary!)
    routed.inTransaction = false
    if (routed.wrote) await this.noteCommit(routed.primary!, routed.state)
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const routed = connection as RoutedConnection
    routed.inTransaction = false
    await this.primary.rollbackTransaction(routed.primary!)
  }

  savepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return this.primary.savepoint!((connection as RoutedConnection).primary!, name, compile)
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return this.primary.rollbackToSavepoint!((connection as RoutedConnection).primary!, name, compile)
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return this.primary.releaseSavepoint!((connection as RoutedConnection).primary!, name, compile)
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const routed = connection as RoutedConnection
    const primary = routed.primary
    routed.primary = undefined
    if (primary !== undefined) await this.primary.releaseConnection(primary)
  }

  async destroy(): Promise<void> {
    await Promise.all([this.primary.destroy(), ...this.replicas.map((r) => r.destroy())])
  }

  /** After a commit on the primary: its position, for the reader and the orm. */
  async noteCommit(connection: DatabaseConnection, state: ReadState | undefined): Promise<void> {
    let position: string | undefined
    try {
      position = await this.#positions.current(connection)
    } catch {
      // The commit stands; only its position is unknown: this reader's later reads go to the primary.
      if (state !== undefined) state.after = UNKNOWN
      return
    }
    if (position === undefined) return
    this.latest = this.latest === undefined ? position : this.#positions.merge(this.latest, position)
    if (state !== undefined) state.after = state.after === undefined || state.after === UNKNOWN ? position : this.#positions.merge(state.after, position)
  }

  /**
   * A read on a replica, when the reader's consistency allows one and a replica is up (and, under
   * `'causal'`, has replayed what the reader must see); `undefined` to read on the primary.
   */
  async read<R>(query: CompiledQuery, given: ReadState | undefined, options: Parameters<DatabaseConnection['executeQuery']>[1]): Promise<QueryResult<R> | undefined> {
    const state = given ?? { consistency: this.#settings.consistency, after: this.latest }
    if (state.consistency === 'primary' || state.after === UNKNOWN) return this.#onPrimary()
    // A replica found lagging past maxLag is left out, and the next one tried: at most one try each.
    for (let tries = 0; tries < this.replicas.length; tries++) {
      const index = this.#choose()
      if (index === undefined) break
      const replica = this.replicas[index]!
      let connection: DatabaseConnection
      try {
        connection = await replica.acquireConnection()
      } catch {
        this.#down(index)
        continue
      }
      try {
        if (this.#settings.maxLag !== Number.POSITIVE_INFINITY && (await this.#tooFarBehind(index, connection))) continue
        const after = state.consistency === 'causal' ? state.after : undefined
        if (after !== undefined) {
          const known = this.#replayed[index]
          if (known === undefined || !this.#positions.covers(known, after)) {
            if (!(await this.#positions.replayed(connection, after, this.#settings.causalWait))) return this.#onPrimary('lagging')
            this.#replayed[index] = known === undefined ? after : this.#positions.merge(known, after)
          }
        }
        const result = await connection.executeQuery<R>(query, options)
        this.stats.replica++
        return result
      } catch (error) {
        // A lost connection leaves the replica out for a while; any other error (a statement a
        // standby refuses, a conflict with its recovery) is read again on the primary.
        if (commitMayHaveLanded(error)) this.#down(index)
        return this.#onPrimary('fallbacks')
      } finally {
        await replica.releaseConnection(connection).catch(() => undefined)
      }
    }
    return this.#onPrimary('fallbacks')
  }

  /**
   * Whether replica `index` lags past `maxLag`, measured on `connection` when the last measurement
   * is older than `lagCheckInterval` (the reads in between trust it). A measurement that fails
   * throws (the read goes to the primary, as after any failure on the replica) and leaves the
   * replica counted as lagging until the next one.
   */
  async #tooFarBehind(index: number, connection: DatabaseConnection): Promise<boolean> {
    const { maxLag, lagCheckInterval } = this.#settings
    const now = Date.now()
    if (now - this.#lagCheckedAt[index]! >= lagCheckInterval) {
      // Taken before the query: reads meanwhile use the previous measurement instead of measuring too.
      this.#lagCheckedAt[index] = now
      // Until a measurement succeeds, the lag is unknown: not trusted within the bound.
      this.#lagging[index] = true
      const lag = await this.#positions.lag(connection)
      this.#lagging[index] = lag !== undefined && lag > maxLag
    }
    return this.#lagging[index]!
  }

  #onPrimary(reason?: 'fallbacks' | 'lagging'): undefined {
    this.stats.primary++
    if (reason !== undefined) this.stats[reason]++
    return undefined
  }

  #down(index: number): void {
    this.#downUntil[index] = Date.now() + this.#settings.retryAfter
    this.#replayed[index] = undefined
  }

  /**
   * The replica for the next read: round robin (or the user's `choose`) among those not left out —
   * down, or found lagging past `maxLag` at a measurement that is not yet due again.
   */
  #choose(): number | undefined {
    const now = Date.now()
    const { lagCheckInterval } = this.#settings
    const healthy = this.replicas
      .map((_, i) => i)
      .filter((i) => this.#downUntil[i]! <= now && !(this.#lagging[i]! && now - this.#lagCheckedAt[i]! < lagCheckInterval))
    if (healthy.length === 0) return undefined
    const { choose } = this.#settings
    if (choose !== undefined) {
      const picked = choose(healthy)
      if (!healthy.includes(picked)) throw new RelataError(`choose() returned ${String(picked)}: it must return one of the replicas it was given (${healthy.join(', ')})`)
      return picked
    }
    this.#next = (this.#next + 1) % healthy.length
    return healthy[this.#next]
  }
}

/**
 * A Kysely dialect on `base`'s adapter and compiler whose driver is `driver`.
 *
 * @example
 * ```ts
 * new Kysely({ dialect: withDriver(primaryDialect, () => router) })
 * ```
 */
export function withDriver(base: Dialect, driver: () => Driver): Dialect {
  return {
    createDriver: driver,
    createAdapter: () => base.createAdapter(),
    createQueryCompiler: () => base.createQueryCompiler(),
    createIntrospector: (db) => base.createIntrospector(db),
  }
}

/**
 * The router as seen by one reader: every connection it lends reads as `state` says.
 *
 * @example
 * ```ts
 * const db = new Kysely({ dialect: withDriver(primaryDialect, () => readerDriver(router, state)) })
 * ```
 */
export function readerDriver(router: ReplicaRouter, state: ReadState): Driver {
  return new Proxy(router, {
    get: (target, property) => {
      if (property === 'acquireConnection') return () => ReplicaRouter.withState(state, () => target.acquireConnection())
      // orm.destroy() ends the router, not a session's Kysely.
      if (property === 'destroy') return async () => undefined
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
