/**
 * The first half of a flush: the session is brought to what the flush must write, which may load
 * relations and rows and adopt new objects. Replaced one-to-one objects are released, key columns
 * written directly are followed by the relations in memory, new objects reached through relations
 * that cascade saves join the session, and the deletions (with their cascades) are settled. The
 * second half, `computeChangeSet`, then touches nothing.
 */
import type { ForeignKeyModel, TableModel } from '../schema/model.js'
import { stateOf, type EntityState } from '../tracking/entity-state.js'
import type { RelationArray } from '../tracking/relation-array.js'
import { relationChanges } from '../tracking/relation-changes.js'
import { snapshotKind } from '../values/snapshots.js'
import { sameValue } from '../values/write-values.js'
import { cascadeDeletes } from './cascade/cascade-deletes.js'
import type { FlushSource, PreparedFlush } from './change-set.js'
import { pendingByKey } from './row-switch.js'

/**
 * Prepares a flush (or a plan) of `source`: loads what it must see and adopts new objects; the
 * deletions it returns, with the new objects by key, are what `computeChangeSet` reads.
 *
 * @example
 * ```ts
 * const changes = computeChangeSet(source, await prepareFlush(source), keyOf)
 * ```
 */
export async function prepareFlush(source: FlushSource): Promise<PreparedFlush> {
  await relationChanges.releaseReplaced(source.persistent(), (entity, relation) => source.load(entity, relation))
  followKeyColumns(source)
  cascadeSaves(source)
  // New objects by key, to find those replacing a deleted row (only when something is deleted: inserts alone stay cheap).
  const byKey = source.deleted.size > 0 ? pendingByKey(source.pending) : undefined
  const deleted = await cascadeDeletes(source, (entity) => byKey?.get(stateOf(entity)!.table)?.has(stateOf(entity)!.identityKey) === true)
  return { deleted, pendingByKey: byKey }
}

/** Per table: its foreign keys that relations are joined on, with their columns' indexes. */
const relatedKeys = new WeakMap<TableModel, readonly { key: ForeignKeyModel; indexes: readonly number[] }[]>()

function relatedKeysOf(table: TableModel): readonly { key: ForeignKeyModel; indexes: readonly number[] }[] {
  let keys = relatedKeys.get(table)
  if (keys === undefined) {
    keys = table.foreignKeys
      .filter((key) => [...table.relations.values(), ...key.references.relations.values()].some((r) => r.association === undefined && r.foreignKey === key))
      .map((key) => ({ key, indexes: key.columns.map((c) => table.columns.indexOf(c)) }))
    relatedKeys.set(table, keys)
  }
  return keys
}

/**
 * Foreign keys written as columns (`pet.ownerId = bob.id`) rather than through a relation: the
 * relations in memory follow them before cascades are computed, so that deleting the old parent
 * does not cascade to a child that left it. A relation changed in the same flush wins (its `refs`).
 */
function followKeyColumns(source: FlushSource): void {
  for (const entity of source.persistent()) {
    const state = stateOf(entity)!
    const snapshot = state.snapshot
    if (snapshot === undefined || source.deleted.has(entity)) continue
    for (const { key, indexes } of relatedKeysOf(state.table)) {
      if (state.refs?.has(key)) continue
      // An expired key column was not written: nothing to follow.
      if (state.expired !== undefined && indexes.some((index) => state.expired!.has(index))) continue
      let changed = false
      for (let i = 0; i < indexes.length; i++) {
        if (!sameValue(snapshotKind(key.columns[i]!), (entity as Record<string, unknown>)[key.columns[i]!.property], snapshot[indexes[i]!])) changed = true
      }
      if (!changed) continue
      const before = indexes.map((index) => snapshot[index])
      relationChanges.followKey(entity, state, key, pointedAt(state, key, before), pointedAt(state, key, key.columns.map((c) => (entity as Record<string, unknown>)[c.property])))
    }
  }
  // A new object given key columns: the loaded relations of its parent, when in the session, show it.
  for (const entity of source.pending) {
    const state = stateOf(entity)!
    for (const { key } of relatedKeysOf(state.table)) {
      if (state.refs?.has(key)) continue
      const first = (entity as Record<string, unknown>)[key.columns[0]!.property]
      if (first === null || first === undefined) continue
      const to = pointedAt(state, key, key.columns.length === 1 ? [first] : key.columns.map((c) => (entity as Record<string, unknown>)[c.property]))
      if (to) relationChanges.followKey(entity, state, key, null, to)
    }
  }
}

/** The object of the session a key's values point at: null when a value is null, undefined when it is not in the session. */
function pointedAt(state: EntityState, key: ForeignKeyModel, values: unknown[]): object | null | undefined {
  if (values.some((v) => v === null || v === undefined)) return null
  return state.session?.find(key, values)
}

/** New objects reachable from the session's objects through relations that cascade saves become pending. */
function cascadeSaves(source: FlushSource): void {
  const seen = new Set<object>()
  const visit = (entity: object): void => {
    if (seen.has(entity)) return
    seen.add(entity)
    const state = stateOf(entity)
    if (state === undefined) return
    if (state.status === 'transient') source.adopt(entity)
    for (const target of state.refs?.values() ?? []) if (target !== null && stateOf(target)?.status === 'transient') visit(target)
    const slots = state.relations
    if (slots === undefined) return
    // Only relation slots in use can hold new objects (a new object's are made on first use).
    for (const relation of state.table.relations.values()) {
      const slot = slots[relation.name]
      if (slot === undefined || !relation.cascade.save) continue
      const related: Iterable<object> = !slot.loaded ? (slot.added ?? []) : relation.toOne ? (slot.value ? [slot.value as object] : []) : (slot.value as RelationArray)
      for (const value of related) if (state.status === 'transient' || stateOf(value)?.status === 'transient') visit(value)
    }
  }
  for (const entity of [...source.pending]) visit(entity)
  for (const link of source.links) {
    for (const end of [link.source, link.target]) if (stateOf(end)?.status === 'transient') visit(end)
  }
}
