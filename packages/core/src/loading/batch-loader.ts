/**
 * Lazy loads started in the same tick are coalesced: `Promise.all(authors.map((a) => a.books.load()))`
 * runs one `selectIn` statement per relation, not one per author.
 */
import type { RelationModel } from '../schema/model.js'
import { emptyQueryState } from '../query/query-state.js'
import { isPartial, stateOf, type RelationSlot } from '../tracking/entity-state.js'
import type { LoadContext } from './load-context.js'
import { declaredOrder, type LoadNode } from './load-plan.js'
import { selectIn } from './select-in.js'

interface Waiter {
  readonly entity: object
  resolve(value: unknown): void
  reject(error: unknown): void
}

/** Loaded, and not partially: a lazy load has nothing to read. */
const whole = (slot: RelationSlot): boolean => slot.loaded && !isPartial(slot)

export class BatchLoader {
  #queue = new Map<RelationModel, Waiter[]>()
  #scheduled = false

  constructor(private readonly context: () => LoadContext) {}

  load(entity: object, relation: RelationModel): Promise<unknown> {
    const slot = stateOf(entity)!.slot(relation.name)
    if (whole(slot)) return Promise.resolve(slot.value)
    return new Promise((resolve, reject) => {
      const waiters = this.#queue.get(relation)
      if (waiters === undefined) this.#queue.set(relation, [{ entity, resolve, reject }])
      else waiters.push({ entity, resolve, reject })
      if (!this.#scheduled) {
        this.#scheduled = true
        // After the current job and the promise jobs it queued, as DataLoader does.
        void Promise.resolve().then(() => process.nextTick(() => void this.#dispatch()))
      }
    })
  }

  async #dispatch(): Promise<void> {
    const batches = this.#queue
    this.#queue = new Map()
    this.#scheduled = false
    for (const [relation, waiters] of batches) {
      const node: LoadNode = { relation, strategy: 'selectIn', query: declaredOrder(emptyQueryState(relation.target), relation), children: [] }
      const parents = [...new Set(waiters.map((w) => w.entity))].filter((e) => !whole(stateOf(e)!.slot(relation.name)))
      try {
        if (parents.length > 0) await selectIn(this.context(), node, parents)
        for (const waiter of waiters) waiter.resolve(stateOf(waiter.entity)!.slot(relation.name).value)
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error)
      }
    }
  }
}
