/** Many-to-many link changes waiting for the flush, one per association row; opposite changes cancel out. */
import type { AssociationModel, RelationModel } from '../schema/model.js'

export type LinkChange = 'add' | 'remove' | 'update'

export interface LinkRecord {
  readonly association: AssociationModel
  /** The object on the association's `sourceKey` side, and on its `targetKey` side. */
  readonly source: object
  readonly target: object
  change: LinkChange
  /** Values of the association row's own columns (`role`), by property name. */
  values?: Record<string, unknown>
}

const ids = new WeakMap<object, number>()
let nextId = 0
const idOf = (o: object): number => {
  let id = ids.get(o)
  if (id === undefined) ids.set(o, (id = ++nextId))
  return id
}

export class LinkRecords {
  readonly #records = new Map<string, LinkRecord>()

  /** Records a change seen from `relation`; both directions of one link land on the same record. */
  record(relation: RelationModel, source: object, target: object, change: LinkChange, values?: Record<string, unknown>): void {
    const association = relation.association!
    const table = association.table
    const forward = table.foreignKeys.indexOf(association.sourceKey) <= table.foreignKeys.indexOf(association.targetKey)
    const [first, second] = forward ? [source, target] : [target, source]
    const key = `${table.key}|${idOf(first)}|${idOf(second)}`
    const existing = this.#records.get(key)
    if (existing !== undefined) {
      if ((existing.change === 'add' && change === 'remove') || (existing.change === 'remove' && change === 'add' && values === undefined)) {
        this.#records.delete(key)
        return
      }
      if (change === 'remove') existing.change = 'remove'
      else if (existing.change === 'remove') existing.change = 'update'
      if (values !== undefined) existing.values = { ...existing.values, ...values }
      return
    }
    this.#records.set(key, { association, source, target, change, values })
  }

  get size(): number {
    return this.#records.size
  }

  values(): IterableIterator<LinkRecord> {
    return this.#records.values()
  }

  /** A copy, so that a failed flush can put the records back as they were. */
  snapshot(): Map<string, LinkRecord> {
    return new Map([...this.#records].map(([k, r]) => [k, { ...r }]))
  }

  clear(): void {
    this.#records.clear()
  }
}
