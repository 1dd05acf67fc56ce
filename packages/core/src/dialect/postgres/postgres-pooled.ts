/**
 * PostgreSQL behind a transaction-pooling proxy (PgBouncer's `pool_mode = transaction`): the
 * statement timeout is set with `SET LOCAL` in every transaction, and a statement outside one runs
 * in a transaction of its own that sets it, so that the setting holds on whichever server
 * connection the pooler picked and ends with the transaction (no other client inherits it).
 */
import { CompiledQuery, type DatabaseConnection, type Dialect, type Driver, type QueryResult, type TransactionSettings } from 'kysely'

/** A connection that knows whether it is inside a transaction, and wraps a lone statement in one. */
class TimedConnection implements DatabaseConnection {
  inTransaction = false

  constructor(
    readonly inner: DatabaseConnection,
    private readonly setLocal: string,
  ) {}

  async executeQuery<R>(query: CompiledQuery, options?: Parameters<DatabaseConnection['executeQuery']>[1]): Promise<QueryResult<R>> {
    if (this.inTransaction) return this.inner.executeQuery<R>(query, options)
    // One round trip for both (no parameters: `pg` sends it as a simple query, which may hold two statements).
    await this.inner.executeQuery(CompiledQuery.raw(`begin; ${this.setLocal}`))
    let result: QueryResult<R>
    try {
      result = await this.inner.executeQuery<R>(query, options)
    } catch (error) {
      await this.inner.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined)
      throw error
    }
    await this.inner.executeQuery(CompiledQuery.raw('commit'))
    return result
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize: number, options?: Parameters<DatabaseConnection['streamQuery']>[2]): AsyncIterableIterator<QueryResult<R>> {
    if (this.inTransaction) return yield* this.inner.streamQuery<R>(query, chunkSize, options)
    await this.inner.executeQuery(CompiledQuery.raw(`begin; ${this.setLocal}`))
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize, options)
    } catch (error) {
      await this.inner.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined)
      throw error
    }
    await this.inner.executeQuery(CompiledQuery.raw('commit'))
  }
}

class TimedDriver implements Driver {
  readonly #wrapped = new WeakMap<DatabaseConnection, TimedConnection>()

  constructor(
    private readonly inner: Driver,
    private readonly setLocal: string,
  ) {}

  init(): Promise<void> {
    return this.inner.init()
  }

  async acquireConnection(options?: Parameters<Driver['acquireConnection']>[0]): Promise<DatabaseConnection> {
    const connection = await this.inner.acquireConnection(options)
    let wrapped = this.#wrapped.get(connection)
    if (wrapped === undefined) this.#wrapped.set(connection, (wrapped = new TimedConnection(connection, this.setLocal)))
    return wrapped
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const timed = connection as TimedConnection
    await this.inner.beginTransaction(timed.inner, settings)
    timed.inTransaction = true
    await timed.inner.executeQuery(CompiledQuery.raw(this.setLocal))
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const timed = connection as TimedConnection
    try {
      await this.inner.commitTransaction(timed.inner)
    } finally {
      timed.inTransaction = false
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const timed = connection as TimedConnection
    try {
      await this.inner.rollbackTransaction(timed.inner)
    } finally {
      timed.inTransaction = false
    }
  }

  savepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return this.inner.savepoint!((connection as TimedConnection).inner, name, compile)
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return this.inner.rollbackToSavepoint!((connection as TimedConnection).inner, name, compile)
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return this.inner.releaseSavepoint!((connection as TimedConnection).inner, name, compile)
  }

  releaseConnection(connection: DatabaseConnection, options?: Parameters<Driver['releaseConnection']>[1]): Promise<void> {
    const timed = connection as TimedConnection
    timed.inTransaction = false
    return this.inner.releaseConnection(timed.inner, options)
  }

  destroy(): Promise<void> {
    return this.inner.destroy()
  }
}

/**
 * `inner` with `statement_timeout` set per transaction (`SET LOCAL`), never per connection: what
 * holds behind a transaction-pooling proxy.
 *
 * @example
 * ```ts
 * const dialect = transactionScopedTimeout(new PostgresDialect({ pool }), 5_000)
 * ```
 */
export function transactionScopedTimeout(inner: Dialect, statementTimeout: number): Dialect {
  const setLocal = `set local statement_timeout = ${statementTimeout}`
  return {
    createDriver: () => new TimedDriver(inner.createDriver(), setLocal),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
  }
}
