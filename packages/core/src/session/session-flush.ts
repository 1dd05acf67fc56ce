/** A session's flush, step by step: prepare (load and adopt), plan (the change set and its statements, touching nothing), persist (run them), apply (the objects catch up). */
import type { Platform } from '../dialect/platform.js'
import type { AnySchema } from '../schema/define-schema.js'
import type { ColumnModel } from '../schema/model.js'
import { computeChangeSet, type ChangeSet, type FlushSource } from '../unit-of-work/change-set.js'
import { describePlan, type PlannedStatement } from '../unit-of-work/describe-plan.js'
import { planFlush } from '../unit-of-work/flush-plan.js'
import type { LinkRecords } from '../unit-of-work/link-records.js'
import { Persister } from '../unit-of-work/persister.js'
import { prepareFlush } from '../unit-of-work/prepare-flush.js'
import type { SessionChanges } from './session-changes.js'
import type { SessionReads } from './session-reads.js'
import { refuseHeldRows } from './session-upsert.js'
import type { SessionConnection, SessionTransactions } from './session-transactions.js'

/** What a flush works with. */
export interface FlushSetup {
  readonly schema: AnySchema
  readonly connection: SessionConnection
  /** What differs between database families: value rules, statement shapes. */
  readonly platform: Platform
  readonly changes: SessionChanges
  readonly transactions: SessionTransactions
  readonly reads: SessionReads
}

/** Before anything is written, an object's key is the value it holds. */
const heldValue = (entity: object, column: ColumnModel): unknown => (entity as Record<string, unknown>)[column.property]

/**
 * Flushes and plans of one session. Neither is queued here: the session runs them in its
 * transactions' queue.
 *
 * @example
 * ```ts
 * const flusher = new SessionFlush({ schema, connection, platform, changes, transactions, reads })
 * await transactions.queue(() => flusher.flush())
 * ```
 */
export class SessionFlush {
  readonly #setup: FlushSetup

  constructor(setup: FlushSetup) {
    this.#setup = setup
  }

  /** The statements the next flush would run. Prepares as a flush does: objects reached through save cascades join the session. */
  async plan(): Promise<PlannedStatement[]> {
    const changeSet = await this.#changeSet(this.#setup.changes.links)
    return describePlan(planFlush(this.#setup.schema.tables.values(), changeSet))
  }

  /** Writes every change: in a savepoint of the open transaction, or in a transaction of its own. */
  async flush(): Promise<void> {
    const { transactions, changes } = this.#setup
    transactions.refuseIfDoomed()
    const capabilities = await this.#setup.connection.capabilities()
    const taken = changes.take()
    let changeSet: ChangeSet
    let persister: Persister
    try {
      changeSet = await this.#changeSet(taken.links)
      const steps = planFlush(this.#setup.schema.tables.values(), changeSet)
      // A row switch that writes nothing still hands the row to the new object.
      if (steps.length === 0 && changeSet.switches.length === 0) {
        changes.giveBack(taken)
        return
      }
      persister = await transactions.write(async (db) => {
        const writer = new Persister(db, capabilities, this.#setup.platform)
        await writer.run(steps)
        refuseHeldRows(changeSet, writer.written, changes.identityMap)
        return writer
      })
    } catch (error) {
      changes.giveBack(taken)
      throw error
    }
    changes.apply(changeSet, persister.written, persister.sent, taken)
  }

  /** Prepares the flush (which may load, and adopts new objects, their links into `links`), then computes its change set. */
  async #changeSet(links: LinkRecords): Promise<ChangeSet> {
    const source = this.#source(links)
    const prepared = await prepareFlush(source)
    return computeChangeSet(source, prepared, heldValue)
  }

  #source(links: LinkRecords): FlushSource {
    const { schema, platform, changes, reads } = this.#setup
    return {
      tables: schema.tables.values(),
      valueRules: platform.values,
      pending: changes.pending,
      deleted: changes.deleted,
      persistent: () => changes.identityMap.entities(),
      get links() {
        return links.values()
      },
      adopt: (entity) => changes.adopt(entity, links),
      async load(entity, relation) {
        await reads.loadRelation(entity, relation)
      },
      fetch: (key, values) => reads.fetch(key, values),
    }
  }
}
