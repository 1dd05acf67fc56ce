/** Many-to-many link changes waiting for the flush, one per association row; opposite changes cancel out. */
import type { AssociationModel, RelationModel, TableModel } from '../schema/model.js'

export type LinkChange = 'add' | 'remove' | 'update'
/** `exists`: the link turned out to be in the database already (a collection loaded after the add), so it is not inserted. */
export type LinkEvent = LinkChange | 'exists'

export interface LinkRecord {
  readonly association: AssociationModel
  /** The object on the association's `sourceKey` side, and on its `targetKey` side. */
  readonly source: object
  readonly target: object
  change: LinkChange
  /** Values of the association row's own columns (`role`), by property name. */
  values?: Record<string, unknown>
}

/** Whether an association's `sourceKey` comes first in its table: both directions of a link then share one order. */
const sourceFirst = new WeakMap<AssociationModel, boolean>()
function isSourceFirst(association: AssociationModel): boolean {
  let first = sourceFirst.get(association)
  if (first === undefined) {
    const keys = association.table.foreignKeys
    first = keys.indexOf(association.sourceKey) <= keys.indexOf(association.targetKey)
    sourceFirst.set(association, first)
  }
  return first
}

export class LinkRecords {
  /** Per association table: the record of each (first end, second end) pair, found without building keys. */
  readonly #index = new Map<TableModel, Map<object, Map<object, LinkRecord>>>()
  /** Every record, in the order it was first made. */
  readonly #records = new Set<LinkRecord>()

  /** Records a change seen from `relation`; both directions of one link land on the same record. */
  record(relation: RelationModel, source: object, target: object, change: LinkEvent, values?: Record<string, unknown>): void {
    this.#record(relation.association!, source, target, change, values)
  }

  /** Replays `later`'s records on top of these: a flush that failed gives back its links, then come the changes made while it ran. */
  absorb(later: LinkRecords): void {
    for (const { association, source, target, change, values } of later.values()) this.#record(association, source, target, change, values)
  }

  #record(association: AssociationModel, source: object, target: object, change: LinkEvent, values?: Record<string, unknown>): void {
    const forward = isSourceFirst(association)
    const first = forward ? source : target
    const second = forward ? target : source
    let byFirst = this.#index.get(association.table)
    if (byFirst === undefined) this.#index.set(association.table, (byFirst = new Map()))
    let bySecond = byFirst.get(first)
    if (bySecond === undefined) byFirst.set(first, (bySecond = new Map()))
    const existing = bySecond.get(second)
    if (change === 'exists') {
      // Only the link row's own values (if any) remain to be written.
      if (existing?.change !== 'add') return
      if (existing.values !== undefined) existing.change = 'update'
      else {
        bySecond.delete(second)
        this.#records.delete(existing)
      }
      return
    }
    if (existing !== undefined) {
      if ((existing.change === 'add' && change === 'remove') || (existing.change === 'remove' && change === 'add' && values === undefined)) {
        bySecond.delete(second)
        this.#records.delete(existing)
        return
      }
      if (change === 'remove') existing.change = 'remove'
      else if (existing.change === 'remove') existing.change = 'update'
      if (values !== undefined) existing.values = { ...existing.values, ...values }
      return
    }
    const record: LinkRecord = { association, source, target, change, values }
    bySecond.set(second, record)
    this.#records.add(record)
  }

  get size(): number {
    return this.#records.size
  }

  /** Forgets the link changes of `entity` through `relation`'s association table (the relation was read again from the database). */
  forgetRelation(relation: RelationModel, entity: object): void {
    const table = relation.association!.table
    const byFirst = this.#index.get(table)
    if (byFirst === undefined) return
    for (const record of [...this.#records]) {
      if (record.association.table !== table || (record.source !== entity && record.target !== entity)) continue
      this.#records.delete(record)
      const forward = isSourceFirst(record.association)
      const first = forward ? record.source : record.target
      byFirst.get(first)?.delete(forward ? record.target : record.source)
    }
  }

  values(): IterableIterator<LinkRecord> {
    return this.#records.values()
  }

  /** Forgets the records of links with an end in `entities` (objects that left the session). */
  forget(entities: ReadonlySet<object>): void {
    for (const record of [...this.#records]) {
      if (!entities.has(record.source) && !entities.has(record.target)) continue
      const forward = isSourceFirst(record.association)
      const bySecond = this.#index.get(record.association.table)?.get(forward ? record.source : record.target)
      bySecond?.delete(forward ? record.target : record.source)
      this.#records.delete(record)
    }
  }

  clear(): void {
    this.#index.clear()
    this.#records.clear()
  }
}
