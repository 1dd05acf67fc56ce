/**
 * Every connection Relata takes passes this gate, wrapped around the dialect's Kysely driver: a
 * wait for a connection ends (a timeout, or at once when it is a certain deadlock), `orm.destroy()`
 * ends even while a transaction is stuck and refuses every statement after it, and every
 * statement's error passes here (a missing table becomes a `MissingTableError`). PGlite's single
 * connection is lent here too.
 */
import type { CompiledQuery, ControlConnectionProvider, DatabaseConnection, Dialect, DialectAdapter, Driver, QueryResult, TransactionSettings } from 'kysely'
import { CommitUnknownError, ConnectionWaitError, RelataError } from '../errors.js'
import { commitMayHaveLanded, withMissingTable } from './database-error.js'
import type { CommitOutcome } from './dialect.js'
import { currentTransactionScope, type TransactionScope } from './transaction-scope.js'

export interface GateOptions {
  /** Milliseconds a statement may wait for a connection. */
  readonly acquireTimeout: number
  /** Milliseconds `destroy()` waits for connections in use before ending them. */
  readonly destroyTimeout: number
  /** How many connections the pool can lend at most, when known. */
  readonly capacity: () => number | undefined
  /** How to learn whether a COMMIT whose reply was lost took effect (none: it cannot be known). */
  readonly commitOutcome: CommitOutcome | undefined
}

interface DriverOptions extends GateOptions {
  /** The driver has one connection (PGlite) and this gate lends it in turn, instead of Kysely's unbounded lock. */
  readonly exclusive: boolean
}

interface Holder {
  readonly since: number
  /** The transaction scope whose code took the connection (`undefined`: outside every transaction). */
  readonly scope: TransactionScope | undefined
  transaction: boolean
}

interface Waiter {
  readonly scope: TransactionScope | undefined
  readonly reject: (error: Error) => void
  /** An exclusive driver's waiter: handed the connection by the release before it. */
  readonly grant?: () => void
}

/**
 * A Kysely dialect whose driver goes through a `ConnectionGate`, and that gate: the ORM destroys it
 * itself, so that Kysely's driver (which would answer "driver has already been destroyed") stays
 * open and later statements reach the gate, which says why it refuses them.
 */
export function gatedDialect(inner: Dialect, gate: GateOptions): { readonly dialect: Dialect; readonly gate: ConnectionGate } {
  const options = { ...gate, exclusive: inner.createAdapter().supportsMultipleConnections === false }
  const driver = new ConnectionGate(inner.createDriver(), options)
  const dialect: Dialect = {
    createDriver: () => driver,
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => {
      const adapter = inner.createAdapter()
      if (!options.exclusive) return adapter
      // The gate lends the one connection itself (with a bounded wait); Kysely's unbounded lock is off.
      return new Proxy(adapter, {
        get: (target, property) => (property === 'supportsMultipleConnections' ? true : Reflect.get(target, property, target)),
      }) as DialectAdapter
    },
    createIntrospector: (db) => inner.createIntrospector(db),
  }
  return { dialect, gate: driver }
}

const destroyed = () => new ConnectionWaitError('No connection: this orm was destroyed with orm.destroy(); create another one with createOrm() to run statements again', 'closed')

/**
 * A driver's connection whose statements' errors are read here: a missing table becomes a
 * `MissingTableError`, any other error passes as it is.
 */
class TranslatingConnection implements DatabaseConnection {
  readonly cancelQuery?: (provider: ControlConnectionProvider) => Promise<void>
  readonly killSession?: (provider: ControlConnectionProvider) => Promise<void>
  readonly collectSessionInfo?: () => Promise<void>

  constructor(readonly inner: DatabaseConnection) {
    // Kysely asks whether a connection has these, so this one has them only when the driver's has.
    if (inner.cancelQuery !== undefined) this.cancelQuery = (provider) => inner.cancelQuery!(provider)
    if (inner.killSession !== undefined) this.killSession = (provider) => inner.killSession!(provider)
    if (inner.collectSessionInfo !== undefined) this.collectSessionInfo = () => inner.collectSessionInfo!()
  }

  async executeQuery<R>(query: CompiledQuery, options?: Parameters<DatabaseConnection['executeQuery']>[1]): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(query, options)
    } catch (error) {
      throw withMissingTable(error)
    }
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize: number, options?: Parameters<DatabaseConnection['streamQuery']>[2]): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize, options)
    } catch (error) {
      throw withMissingTable(error)
    }
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export class ConnectionGate implements Driver {
  readonly #held = new Map<DatabaseConnection, Holder>()
  readonly #waiters = new Set<Waiter>()
  /** An exclusive driver's waiters, in arrival order. */
  readonly #queue: Waiter[] = []
  /** Connections `destroy()` took back: their late release is not passed on. */
  readonly #reclaimed = new WeakSet<DatabaseConnection>()
  /** An exclusive driver's connection is lent (set before the lending await, so two callers cannot both take it). */
  #busy = false
  #destroying = false
  #drained: (() => void) | undefined
  /** The driver's `init()`: whether it succeeded (a driver never started is not destroyed, as Kysely does). */
  #started: Promise<boolean> | undefined
  #destroyed: Promise<void> | undefined
  /** One wrapper per driver connection, so that Kysely sees the same connection each time it is lent. */
  readonly #wrapped = new WeakMap<DatabaseConnection, TranslatingConnection>()

  constructor(
    private readonly driver: Driver,
    private readonly options: DriverOptions,
  ) {}

  async init(options?: Parameters<Driver['init']>[0]): Promise<void> {
    if (this.#destroying) throw destroyed()
    const started = this.driver.init(options)
    this.#started = started.then(
      () => true,
      () => false,
    )
    await started
  }

  async acquireConnection(options?: Parameters<Driver['acquireConnection']>[0]): Promise<DatabaseConnection> {
    if (this.#destroying) throw destroyed()
    const scope = currentTransactionScope()
    const capacity = this.options.exclusive ? 1 : this.options.capacity()
    const full = this.options.exclusive ? this.#busy : capacity !== undefined && this.#held.size >= capacity
    if (!full && !this.options.exclusive) {
      return this.#hold(await this.driver.acquireConnection(options), scope)
    }
    if (full && this.#deadlocked(scope)) {
      throw new ConnectionWaitError(
        `This statement would wait forever for a connection: ${this.#describe()}, and the code of each of those transactions is waiting ` +
          `for another connection (this statement runs inside one of them). A transaction's callback that opens another transaction, or queries ` +
          `through another session or orm.db, needs a connection of its own${capacity === 1 ? ' (this database has one)' : ''}: ` +
          `use the transaction's session instead (and session.db, not orm.db, for Kysely statements inside the transaction), or a larger pool.`,
        'deadlock',
      )
    }
    return this.options.exclusive ? this.#waitTurn(scope, options) : this.#waitPool(scope, options)
  }

  /** Waits for the pool, bounded by `acquireTimeout`; a connection that arrives too late goes straight back. */
  #waitPool(scope: TransactionScope | undefined, options: Parameters<Driver['acquireConnection']>[0]): Promise<DatabaseConnection> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { scope, reject }
      const timer = this.#timer(waiter)
      this.#waiters.add(waiter)
      this.driver.acquireConnection(options).then(
        (connection) => {
          clearTimeout(timer)
          if (this.#waiters.delete(waiter)) resolve(this.#hold(connection, scope))
          else void this.driver.releaseConnection(connection).catch(() => undefined)
        },
        (error: unknown) => {
          clearTimeout(timer)
          if (this.#waiters.delete(waiter)) reject(error)
        },
      )
    })
  }

  /** Waits for the one connection of an exclusive driver, first come first served, bounded by `acquireTimeout`. */
  #waitTurn(scope: TransactionScope | undefined, options: Parameters<Driver['acquireConnection']>[0]): Promise<DatabaseConnection> {
    if (!this.#busy) {
      this.#busy = true
      return this.driver.acquireConnection(options).then(
        (c) => this.#hold(c, scope),
        (error: unknown) => {
          this.#passOn()
          throw error
        },
      )
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        scope,
        reject,
        grant: () => {
          clearTimeout(timer)
          this.driver.acquireConnection(options).then(
            (c) => resolve(this.#hold(c, scope)),
            (error: unknown) => {
              this.#passOn()
              reject(error)
            },
          )
        },
      }
      const timer = this.#timer(waiter)
      this.#waiters.add(waiter)
      this.#queue.push(waiter)
    })
  }

  #timer(waiter: Waiter): ReturnType<typeof setTimeout> {
    const { acquireTimeout } = this.options
    if (!Number.isFinite(acquireTimeout)) return undefined as unknown as ReturnType<typeof setTimeout>
    return setTimeout(() => {
      if (!this.#forget(waiter)) return
      waiter.reject(
        new ConnectionWaitError(
          `No connection became free within ${seconds(acquireTimeout)} (the ORM's acquireTimeout): ${this.#describe()}. ` +
            `Transactions that stay open (a slow callback, one waiting for something else) hold their connection until they end.`,
          'timeout',
        ),
      )
    }, acquireTimeout)
  }

  /** Removes a waiter that has not been served; false when it has been. */
  #forget(waiter: Waiter): boolean {
    if (!this.#waiters.delete(waiter)) return false
    const index = this.#queue.indexOf(waiter)
    if (index >= 0) this.#queue.splice(index, 1)
    return true
  }

  #hold(connection: DatabaseConnection, scope: TransactionScope | undefined): DatabaseConnection {
    this.#held.set(connection, { since: Date.now(), scope, transaction: false })
    let wrapped = this.#wrapped.get(connection)
    if (wrapped === undefined) this.#wrapped.set(connection, (wrapped = new TranslatingConnection(connection)))
    return wrapped
  }

  /** The driver's connection behind the one this gate lent. */
  #inner(connection: DatabaseConnection): DatabaseConnection {
    return connection instanceof TranslatingConnection ? connection.inner : connection
  }

  /**
   * Whether a wait by code in `scope` could never end: every connection is held by a transaction
   * whose code is itself waiting (the new wait included), so none will ever be released.
   */
  #deadlocked(scope: TransactionScope | undefined): boolean {
    if (this.#held.size === 0) return false
    const waiting = [...this.#waiters].map((w) => w.scope).concat(scope === undefined ? [] : [scope])
    for (const holder of this.#held.values()) {
      const owner = holder.scope
      if (owner === undefined || !waiting.some((w) => w !== undefined && w.within(owner))) return false
    }
    return true
  }

  /** Who holds the connections, for an error message. */
  #describe(): string {
    const now = Date.now()
    const holders = [...this.#held.values()]
    const inTransaction = holders.filter((h) => h.transaction)
    const oldest = holders.reduce((min, h) => Math.min(min, h.since), now)
    const capacity = this.options.exclusive ? 1 : this.options.capacity()
    const of = capacity === undefined ? '' : ` of ${capacity}`
    if (holders.length === 0) return 'the pool lent no connection through this ORM (another user of the same pool may hold them)'
    return `${holders.length}${of} connection(s) are held, ${inTransaction.length} by open transactions, the oldest for ${seconds(now - oldest)}`
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await this.driver.beginTransaction(this.#inner(connection), settings)
    const holder = this.#held.get(this.#inner(connection))
    if (holder !== undefined) holder.transaction = true
  }

  /**
   * COMMIT. When its reply is lost (the connection ended before the server answered), the server is
   * asked whether it committed: committed is success, rolled back is an error, and when it cannot
   * tell, a `CommitUnknownError` (never retried: running the transaction again could write twice).
   */
  async commitTransaction(lent: DatabaseConnection): Promise<void> {
    const connection = this.#inner(lent)
    const outcome = this.options.commitOutcome
    const marker = await outcome?.mark?.(connection)
    try {
      await this.driver.commitTransaction(connection)
    } catch (error) {
      if (!commitMayHaveLanded(error)) throw error
      const status = outcome === undefined ? 'unknown' : await outcome.resolve(marker)
      if (status === 'committed') return
      const reason = error instanceof Error ? error.message : String(error)
      if (status === 'aborted') {
        throw new RelataError(`COMMIT failed (${reason}), and the server says the transaction did not commit: nothing of it was written.`, { cause: error })
      }
      throw new CommitUnknownError(
        `The connection was lost during COMMIT (${reason}): whether the server committed cannot be known` +
          `${outcome === undefined ? ' on this database' : ''}. Nothing was applied to the session; check the database before writing the changes again.`,
        { cause: error },
      )
    }
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.driver.rollbackTransaction(this.#inner(connection))
  }

  savepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return this.driver.savepoint!(this.#inner(connection), name, compile)
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return this.driver.rollbackToSavepoint!(this.#inner(connection), name, compile)
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return this.driver.releaseSavepoint!(this.#inner(connection), name, compile)
  }

  async releaseConnection(lent: DatabaseConnection, options?: Parameters<Driver['releaseConnection']>[1]): Promise<void> {
    const connection = this.#inner(lent)
    if (this.#reclaimed.has(connection)) return
    this.#held.delete(connection)
    try {
      await this.driver.releaseConnection(connection, options)
    } finally {
      if (this.options.exclusive) this.#passOn()
      if (this.#held.size === 0) this.#drained?.()
    }
  }

  /** An exclusive driver's connection goes to the next waiter, or is free. */
  #passOn(): void {
    const next = this.#queue.shift()
    if (next === undefined) this.#busy = false
    else {
      this.#waiters.delete(next)
      next.grant!()
    }
  }

  /**
   * Refuses new waits, then waits up to `destroyTimeout` for the connections in use; those still
   * held are taken back (an open transaction is rolled back by the server when its connection
   * ends), and the pool is closed. From then on every statement is refused, saying the orm was
   * destroyed. Called again (by `orm.destroy()` or Kysely's `destroy()`), it waits for the first call.
   */
  destroy(options?: Parameters<Driver['destroy']>[0]): Promise<void> {
    this.#destroyed ??= this.#destroy(options).catch((error: unknown) => {
      // As Kysely's own driver does: a pool that failed to close can be asked again.
      this.#destroyed = undefined
      throw error
    })
    return this.#destroyed
  }

  async #destroy(options: Parameters<Driver['destroy']>[0]): Promise<void> {
    this.#destroying = true
    for (const waiter of [...this.#waiters]) {
      if (this.#forget(waiter)) waiter.reject(new ConnectionWaitError('No connection: orm.destroy() was called while this statement waited for one', 'closed'))
    }
    if (this.#held.size > 0) {
      const drained = new Promise<void>((resolve) => (this.#drained = resolve))
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.destroyTimeout)))])
      clearTimeout(timer)
      for (const [connection, holder] of this.#held) {
        this.#reclaimed.add(connection)
        // PGlite keeps its transaction open in-process until told to roll back; a pool's connection
        // ends when released during the pool's shutdown, and the server rolls its transaction back.
        if (holder.transaction && this.options.exclusive) await this.driver.rollbackTransaction(connection).catch(() => undefined)
        await this.driver.releaseConnection(connection).catch(() => undefined)
      }
      this.#held.clear()
    }
    // A driver that never started (no statement ran, or its start failed) has nothing to close.
    if (await this.#started) await this.driver.destroy(options)
  }
}
