/** A session's autoflush: which reads wait for a flush of the pending changes first, one flush shared by the reads of a tick, and the query runner that applies it. */
import type { AggregatePlan } from '../query/aggregate-query.js'
import type { QueryRunner } from '../query/entity-query.js'
import type { QueryState } from '../query/query-state.js'
import type { AnySchema } from '../schema/define-schema.js'
import type { RelationModel, TableModel } from '../schema/model.js'
import type { IdentityMap } from '../tracking/identity-map.js'
import { autoflushError, autoflushSuspended, pendingWrites, queryTables, relationTables, type ReadTables } from './autoflush.js'
import type { SessionChanges } from './session-changes.js'
import type { SessionReads } from './session-reads.js'
import type { SessionTransactions } from './session-transactions.js'

/** What the autoflush of one session works with. */
export interface AutoflushSetup {
  /** `SessionOptions.autoflush`: false turns it off for the session. */
  readonly enabled: boolean
  /** The session, as `noAutoflush()` blocks name it. */
  readonly session: object
  readonly schema: AnySchema
  readonly changes: SessionChanges
  readonly identityMap: IdentityMap
  readonly transactions: SessionTransactions
  /** Writes the pending changes (run in the transactions' queue). */
  readonly flush: () => Promise<void>
}

/**
 * The autoflush of one session: before a read, `waitFor` returns the flush it must wait for, or
 * undefined when it can run at once (autoflush off or suspended, nothing pending, or nothing
 * pending writes a table the read reads).
 *
 * @example
 * ```ts
 * const autoflush = new SessionAutoflush({ enabled: true, session, schema, changes, identityMap, transactions, flush })
 * const books = await session.query('books').all()   // runs through autoflush.runner(reads)
 * ```
 */
export class SessionAutoflush {
  readonly #setup: AutoflushSetup
  /** The autoflush queued and not started yet: reads of the same tick wait for one flush. */
  #next: Promise<void> | undefined

  constructor(setup: AutoflushSetup) {
    this.#setup = setup
  }

  /**
   * The flush a read of `tables()` must wait for; `read()` names the read in the error of a failed
   * one. `columns: false` for reads by primary key: changed columns are not looked for.
   */
  waitFor(tables: () => ReadTables, read: () => string, columns = true): Promise<void> | undefined {
    const { enabled, session, schema, changes, identityMap, transactions } = this.#setup
    if (!enabled) return undefined
    if (!changes.flushing && changes.pending.size === 0 && changes.deleted.size === 0 && changes.touched.size === 0 && changes.links.size === 0 && identityMap.size === 0) return undefined
    if (autoflushSuspended(session) || !pendingWrites(schema, changes, identityMap, tables(), columns)) return undefined
    return (this.#next ??= transactions
      .queue(() => {
        this.#next = undefined
        return this.#setup.flush()
      })
      .catch((error: unknown) => {
        throw autoflushError(error, read())
      }))
  }

  /**
   * Before `session.get()` reads `table` from the database. A read by primary key: pending
   * inserts, deletions, relation changes and links count; changed columns are not scanned for
   * (that scan, over every held object of the table, made each `get` cost O(objects held)). A
   * primary key changed in memory and not flushed is therefore not seen by a `get` of the new key.
   */
  beforeGet(table: TableModel): Promise<void> | undefined {
    return this.waitFor(() => new Set([table]), () => `session.get('${table.key}', ...)`, false)
  }

  /** Before loads of `relations` (only those that read the database), named by `read`; many-to-one loads are reads by key, as `get`. */
  beforeLoad(relations: readonly RelationModel[], read: () => string): Promise<void> | undefined {
    if (relations.length === 0) return undefined
    return this.waitFor(() => relationTables(relations), read, relations.some((relation) => relation.kind !== 'manyToOne'))
  }

  /**
   * Runs queries and counts through `reads` after their autoflush. `populateExisting()` asks for
   * the database's values over the session's: flushing the session's first would defeat it
   * (SQLAlchemy's populate_existing does not autoflush either).
   */
  runner(reads: SessionReads): QueryRunner {
    const after = <T>(waiting: Promise<void> | undefined, run: () => Promise<T>): Promise<T> => (waiting === undefined ? run() : waiting.then(run))
    return {
      valueRules: reads.valueRules,
      all: (state: QueryState) =>
        state.populateExisting ? reads.all(state) : after(this.waitFor(() => queryTables(state), () => `the query of ${state.table.key}`), () => reads.all(state)),
      count: (state: QueryState) => after(this.waitFor(() => queryTables(state), () => `the count of ${state.table.key}`), () => reads.count(state)),
      aggregate: (state: QueryState, plan: AggregatePlan) =>
        after(this.waitFor(() => queryTables(state), () => `the aggregate of ${state.table.key}`), () => reads.aggregate(state, plan)),
    }
  }
}
