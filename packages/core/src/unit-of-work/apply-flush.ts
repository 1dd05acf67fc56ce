/**
 * After a committed flush, the session catches up with the database: new objects get their keys
 * and join the identity map, snapshots take the written values, deleted objects leave. Also
 * `rollback()`: unflushed changes are undone in memory.
 */
import type { TableModel } from '../schema/model.js'
import { stateOf, type EntityState } from '../session/entity-state.js'
import { snapshotValue } from '../session/hydrator.js'
import { identityKeyOf, type IdentityMap } from '../session/identity-map.js'
import type { RelationArray } from '../session/relation-array.js'
import type { ChangeSet } from './change-set.js'
import type { LinkRecords } from './link-records.js'
import type { Written } from './persister.js'
import { isJsonColumn } from './write-values.js'

export interface SessionBookkeeping {
  readonly identityMap: IdentityMap
  readonly pending: Set<object>
  readonly deleted: Set<object>
  readonly touched: Set<object>
  readonly links: LinkRecords
}

const snapshotOf = (entity: object, table: TableModel): unknown[] =>
  table.columns.map((c) => snapshotValue(isJsonColumn(c), (entity as Record<string, unknown>)[c.property]))

function settle(state: EntityState): void {
  state.refs = undefined
  for (const slot of Object.values(state.relations ?? {})) {
    slot.added = undefined
    slot.removed = undefined
  }
}

export function applyFlush(session: SessionBookkeeping, changes: ChangeSet, written: Written): void {
  for (const entities of changes.inserts.values()) {
    for (const entity of entities) {
      const state = stateOf(entity)!
      Object.assign(entity, written.get(entity))
      state.status = 'persistent'
      state.snapshot = snapshotOf(entity, state.table)
      state.identityKey = identityKeyOf(state.table, (property) => (entity as Record<string, unknown>)[property])
      session.identityMap.set(state.table, state.identityKey, entity)
      session.pending.delete(entity)
      settle(state)
    }
  }
  for (const { entity, state } of changes.updates) {
    Object.assign(entity, written.get(entity))
    state.snapshot = snapshotOf(entity, state.table)
  }
  for (const entities of changes.deletes.values()) {
    for (const entity of entities) {
      const state = stateOf(entity)!
      unlinkEverywhere(entity, state)
      session.identityMap.delete(state.table, state.identityKey)
      state.status = 'detached'
      session.deleted.delete(entity)
    }
  }
  // Pending objects dropped as orphans never reached the database.
  for (const entity of session.pending) if (stateOf(entity)!.status !== 'pending') session.pending.delete(entity)
  for (const entity of session.touched) settle(stateOf(entity)!)
  for (const entity of session.identityMap.entities()) {
    const state = stateOf(entity)!
    if (state.refs !== undefined) settle(state)
  }
  session.touched.clear()
  session.deleted.clear()
  session.links.clear()
}

/** Removes a deleted object from the loaded relations that hold it. */
function unlinkEverywhere(entity: object, state: EntityState): void {
  for (const relation of state.table.relations.values()) {
    const mirror = relation.backPopulates === undefined ? undefined : relation.target.relations.get(relation.backPopulates)
    const slot = state.relations?.[relation.name]
    if (mirror === undefined || !slot?.loaded || slot.value === null) continue
    const others = relation.toOne ? [slot.value as object] : [...(slot.value as RelationArray)]
    for (const other of others) {
      const otherSlot = stateOf(other)?.relations?.[mirror.name]
      if (!otherSlot?.loaded) continue
      if (mirror.toOne) {
        if (otherSlot.value === entity) otherSlot.value = null
      } else {
        const array = otherSlot.value as RelationArray
        const index = array.indexOf(entity)
        if (index >= 0) Array.prototype.splice.call(array, index, 1)
      }
    }
  }
}

/** Undoes unflushed changes in memory: new objects leave the session, values return to their snapshots, changed relations unload. */
export function revertChanges(session: SessionBookkeeping): void {
  for (const entity of session.pending) {
    const state = stateOf(entity)!
    state.status = 'detached'
  }
  session.pending.clear()
  session.deleted.clear()
  session.links.clear()
  for (const entity of session.identityMap.entities()) {
    const state = stateOf(entity)!
    const snapshot = state.snapshot
    if (snapshot !== undefined) {
      state.table.columns.forEach((column, i) => {
        const value = snapshot[i]
        ;(entity as Record<string, unknown>)[column.property] = isJsonColumn(column) && typeof value === 'string' ? JSON.parse(value) : value
      })
    }
    if (state.refs !== undefined || session.touched.has(entity)) {
      // Collections edited in memory no longer match the database: they load again on next use.
      for (const slot of Object.values(state.relations ?? {})) {
        slot.loaded = false
        slot.value = undefined
      }
    }
    settle(state)
  }
  session.touched.clear()
}
