/** A session's transactions: the one its statements run in, `transaction()` with savepoints, commit and rollback, and the queue its flushes and transaction boundaries wait in. */
import type { ControlledTransaction, Kysely } from 'kysely'
import type { DialectCapabilities } from '../dialect/dialect.js'
import { transientDatabaseError } from '../dialect/database-error.js'
import type { Route } from '../dialect/routed-kysely.js'
import type { ReadState } from '../dialect/replica-routing.js'
import { inTransactionScope } from '../dialect/transaction-scope.js'
import { TransactionConflictError } from '../errors.js'
import type { SessionChanges } from './session-changes.js'

/** How a session reaches its database: the pool, or a transaction it runs in. */
export interface SessionConnection {
  readonly db: Kysely<any>
  /** Settles capabilities that depend on the server (called before the first statement). */
  readonly capabilities: () => Promise<DialectCapabilities>
  readonly transaction?: ControlledTransaction<any>
  /** A Kysely on the ORM's dialect and plugins whose statements run where `route` says as each executes (`session.db`). */
  readonly routed?: (route: Route) => Kysely<any>
  /** With read replicas: what this session's reads must see; its commits' positions are noted in it. */
  readonly readState?: ReadState | undefined
}

/**
 * The isolation level of a transaction `orm.transaction()` opens (the server's default, usually
 * `read committed` on PostgreSQL and `repeatable read` on MySQL/MariaDB, when not given).
 *
 * @example
 * ```ts
 * const isolation: TransactionIsolation = 'serializable'
 * await orm.transaction(async (session) => { ... }, { isolation, retries: 3 })
 * ```
 */
export type TransactionIsolation = 'serializable' | 'repeatable read' | 'read committed'

/** What the rest of the session does at a transaction's boundaries. */
export interface TransactionHooks {
  /** Writes the session's changes (not queued: the boundary runs in the queue already). */
  flush(): Promise<void>
  /** The outermost transaction ended, committed or not: what was bound to it is let go. */
  ended(): void
}

/**
 * The transactions of one session. Statements run in the open transaction, else each flush in a
 * transaction of its own; flushes, rollbacks, plans and transaction boundaries run one at a time,
 * in call order (`queue`).
 *
 * @example
 * ```ts
 * const transactions = new SessionTransactions(connection, changes, { flush, ended })
 * await transactions.transaction(() => work(), undefined)
 * ```
 */
export class SessionTransactions {
  readonly #connection: SessionConnection
  readonly #changes: SessionChanges
  readonly #hooks: TransactionHooks
  #transaction: ControlledTransaction<any> | undefined
  /** The end of the queue that flushes, rollbacks, plans and transaction boundaries wait in, one at a time. */
  #tail: Promise<unknown> = Promise.resolve()
  /** Open transactions and savepoints of `transaction()`, outermost first. */
  readonly #frames: TransactionFrame[] = []
  #gate: Promise<void> | undefined
  #savepoints = 0
  /** A conflict aborted the open transaction: every later flush and the commit fail with it. */
  #doomed: TransactionConflictError | undefined

  constructor(connection: SessionConnection, changes: SessionChanges, hooks: TransactionHooks) {
    this.#connection = connection
    this.#changes = changes
    this.#hooks = hooks
    this.#transaction = connection.transaction
  }

  /** Where statements run: the open transaction, else the pool. */
  get db(): Kysely<any> {
    return this.#transaction ?? this.#connection.db
  }

  /** Where a statement runs now: once the transaction being opened or closed is settled, the open transaction, else the pool. */
  async current(): Promise<Kysely<any>> {
    while (this.#gate !== undefined) await this.#gate
    return this.db
  }

  /** The open transaction, if any. */
  get open(): ControlledTransaction<any> | undefined {
    return this.#transaction
  }

  /** Settles once the transaction being opened or closed is: reads wait for it, so that they run inside it or after it. */
  get gate(): Promise<void> | undefined {
    return this.#gate
  }

  /**
   * Runs `work` after every flush, rollback, plan and transaction boundary called before it has
   * finished, and before those called after it: one at a time, in call order.
   */
  queue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(work)
    this.#tail = run.catch(() => undefined)
    return run
  }

  /** Throws the conflict that aborted the open transaction, if one did: nothing more may be written in it. */
  refuseIfDoomed(): void {
    if (this.#doomed !== undefined) throw this.#doomed
  }

  /** Runs a flush's statements: in a savepoint of the open transaction, or in a transaction of their own. */
  async write<T>(work: (db: Kysely<any>) => Promise<T>): Promise<T> {
    if (this.#transaction === undefined) return this.#inOwnTransaction(work)
    // Inside a transaction: a savepoint, so that a failed flush leaves the transaction usable.
    const name = `relata_flush_${++this.#savepoints}`
    const savepoint = await this.#transaction.savepoint(name).execute()
    let result: T
    try {
      result = await work(savepoint)
    } catch (error) {
      // A conflict may have aborted the whole transaction (InnoDB rolls back all of it on a
      // deadlock): nothing more may run in it, or it would run outside any transaction.
      if (error instanceof TransactionConflictError) this.#doomed = error
      else await savepoint.rollbackToSavepoint(name).execute().catch(() => undefined)
      throw error
    }
    await savepoint.releaseSavepoint(name).execute()
    return result
  }

  /**
   * Runs `work` in a transaction of its own and commits it. When a statement fails, the rollback
   * is attempted but its own failure (a connection the server ended) does not hide the statement's
   * error; the pool drops such a connection.
   */
  async #inOwnTransaction<T>(work: (trx: ControlledTransaction<any>) => Promise<T>): Promise<T> {
    const trx = await this.#connection.db.startTransaction().execute()
    try {
      const result = await work(trx)
      await commit(trx)
      return result
    } catch (error) {
      await trx.rollback().execute().catch(() => undefined)
      throw error
    }
  }

  /**
   * A transaction, or a savepoint in the open one. A call made while the session's transaction (or
   * savepoint) is being opened or closed cannot come from its callback: it waits until that one
   * has ended. A call made while a callback runs opens a savepoint in it.
   */
  async transaction<T>(fn: () => Promise<T>, isolation: TransactionIsolation | undefined): Promise<T> {
    for (let top = this.#frames.at(-1); top !== undefined && top.phase !== 'running'; top = this.#frames.at(-1)) await top.ended
    const frame = new TransactionFrame(this.#frames.length === 0 ? undefined : `relata_tx_${++this.#savepoints}`)
    this.#frames.push(frame)
    // A transaction's callback runs in a scope of its own: a wait for a second connection from inside it can be told from an ordinary wait.
    return frame.savepoint === undefined ? inTransactionScope(() => this.#run(frame, fn, isolation)) : this.#run(frame, fn, isolation)
  }

  async #run<T>(frame: TransactionFrame, fn: () => Promise<T>, isolation: TransactionIsolation | undefined): Promise<T> {
    try {
      await this.queue(() => this.#open(frame, isolation))
    } catch (error) {
      this.#frames.pop()
      frame.end()
      throw error
    }
    frame.phase = 'running'
    let result: T
    try {
      result = await fn()
    } catch (error) {
      await this.#close(frame, false).catch(() => undefined)
      throw error
    }
    await this.#close(frame, true)
    return result
  }

  async #open(frame: TransactionFrame, isolation: TransactionIsolation | undefined): Promise<void> {
    if (frame.savepoint === undefined) {
      const begin = this.#connection.db.startTransaction()
      this.#transaction = await this.#gated((isolation === undefined ? begin : begin.setIsolationLevel(isolation)).execute())
    } else {
      // Changes made before the savepoint stay when it rolls back.
      await this.#hooks.flush()
      frame.trx = await this.#transaction!.savepoint(frame.savepoint).execute()
    }
    this.#changes.transactionOpened()
  }

  /** Commits (`keep`) or rolls back the innermost frame, once the savepoints its callback left running have ended. */
  async #close(frame: TransactionFrame, keep: boolean): Promise<void> {
    frame.phase = 'closing'
    try {
      for (let top = this.#frames.at(-1); top !== frame; top = this.#frames.at(-1)) await top!.ended
      await this.queue(() => (frame.savepoint === undefined ? this.#end(keep) : this.#endSavepoint(frame, keep)))
    } finally {
      this.#frames.pop()
      frame.end()
    }
  }

  async #end(keep: boolean): Promise<void> {
    const trx = this.#transaction!
    try {
      if (keep) {
        try {
          await this.#hooks.flush()
          await this.#gated(commit(trx))
          this.#changes.transactionCommitted()
          return
        } catch (error) {
          await this.#gated(trx.rollback().execute().catch(() => undefined))
          this.#changes.transactionRolledBack()
          throw error
        }
      }
      await this.#gated(trx.rollback().execute().catch(() => undefined))
      this.#changes.transactionRolledBack()
    } finally {
      this.#transaction = undefined
      this.#doomed = undefined
      this.#hooks.ended()
    }
  }

  async #endSavepoint(frame: TransactionFrame, keep: boolean): Promise<void> {
    const name = frame.savepoint!
    if (keep) {
      try {
        await this.#hooks.flush()
        await frame.trx!.releaseSavepoint(name).execute()
        this.#changes.savepointReleased()
        return
      } catch (error) {
        if (this.#doomed === undefined) await frame.trx!.rollbackToSavepoint(name).execute().catch(() => undefined)
        this.#changes.transactionRolledBack()
        throw error
      }
    }
    if (this.#doomed === undefined) await frame.trx!.rollbackToSavepoint(name).execute().catch(() => undefined)
    this.#changes.transactionRolledBack()
  }

  /** Reads wait while `statement` (BEGIN, COMMIT, ROLLBACK) runs, so that none runs half inside the transaction. */
  async #gated<T>(statement: Promise<T>): Promise<T> {
    const gate = statement.then(
      () => undefined,
      () => undefined,
    )
    this.#gate = gate
    try {
      return await statement
    } finally {
      if (this.#gate === gate) this.#gate = undefined
    }
  }
}

/** One `transaction()` call: a transaction, or a savepoint (named) in the open one. */
class TransactionFrame {
  phase: 'opening' | 'running' | 'closing' = 'opening'
  /** The savepoint's handle, once opened. */
  trx: ControlledTransaction<any, string[]> | undefined
  readonly ended: Promise<void>
  readonly end: () => void

  constructor(readonly savepoint: string | undefined) {
    let end!: () => void
    this.ended = new Promise((resolve) => (end = resolve))
    this.end = end
  }
}

/** Commits; a conflict the server reports at COMMIT (a serialization failure) becomes a `TransactionConflictError`. */
async function commit(trx: ControlledTransaction<any>): Promise<void> {
  try {
    await trx.commit().execute()
  } catch (error) {
    const transient = transientDatabaseError(error)
    if (transient?.kind !== 'conflict') throw error
    const message = error instanceof Error ? error.message : String(error)
    throw new TransactionConflictError(`The transaction could not commit: ${transient.conflict} with a concurrent transaction: ${message}. It was rolled back; running it again may succeed.`, transient.conflict, undefined, transient.code, { cause: error })
  }
}
