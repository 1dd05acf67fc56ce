/**
 * A loaded relation read again from the database (`populateExisting`, `refresh(obj, { relations })`,
 * `expire(obj, 'relation')`): its value is replaced (or unloaded) and its unflushed changes on that
 * object are forgotten. The back-populating side stays consistent: a to-one that the database now
 * confirms is set, and any loaded side that would contradict the new value unloads, to be read
 * again on next use.
 */
import type { RelationModel } from '../schema/model.js'
import { stateOf, type EntityState } from './entity-state.js'
import { RelationArray } from './relation-array.js'

function mirrorOf(relation: RelationModel): RelationModel | undefined {
  return relation.backPopulates === undefined ? undefined : relation.target.relations.get(relation.backPopulates)
}

function membersOf(relation: RelationModel, value: unknown): object[] {
  if (value === null || value === undefined) return []
  return relation.toOne ? [value as object] : [...(value as RelationArray)]
}

/** One relation of one object, not loaded: its next use reads it. */
function unloadSlot(entity: object, name: string): void {
  const slot = stateOf(entity)?.relations?.[name]
  if (slot === undefined) return
  slot.loaded = false
  slot.value = undefined
  slot.added = undefined
  slot.removed = undefined
}

function forgetRef(state: EntityState, relation: RelationModel): object | null | undefined {
  const ref = state.refs?.get(relation.foreignKey)
  if (ref === undefined) return undefined
  state.refs!.delete(relation.foreignKey)
  if (state.refs!.size === 0) state.refs = undefined
  return ref
}

/**
 * Forgets `entity.relation`'s unflushed changes: its own foreign key (many-to-one), its links
 * (many-to-many), or its members' keys pointing at it or away from it (one-to-many).
 */
function forgetChanges(entity: object, state: EntityState, relation: RelationModel, before: readonly object[], after: readonly object[]): void {
  if (relation.association !== undefined) {
    state.session?.forgetLinks?.(relation, entity)
    return
  }
  if (relation.owning) {
    forgetRef(state, relation)
    return
  }
  const now = new Set(after)
  for (const member of after) {
    const memberState = stateOf(member)!
    const ref = memberState.refs?.get(relation.foreignKey)
    if (ref === undefined || ref === entity) continue
    forgetRef(memberState, relation)
    // The object it was moving to showed it: that collection no longer agrees.
    if (ref !== null) unloadSlot(ref, relation.name)
  }
  for (const member of before) {
    if (now.has(member)) continue
    const memberState = stateOf(member)!
    if (memberState.refs?.get(relation.foreignKey) === entity) forgetRef(memberState, relation)
  }
}

/**
 * Replaces a loaded (or not yet loaded) relation with what the database holds.
 *
 * @example
 * ```ts
 * reloadRelation(author, booksRelation, booksRead)   // author.books is now exactly booksRead
 * ```
 */
export function reloadRelation(entity: object, relation: RelationModel, targets: readonly object[]): void {
  const state = stateOf(entity)!
  const slot = state.slot(relation.name)
  // Not loaded: the objects added to it meanwhile are its pending members, whose change is dropped too.
  const before = slot.loaded ? membersOf(relation, slot.value) : [...(slot.added ?? [])]
  forgetChanges(entity, state, relation, before, targets)
  slot.loaded = true
  slot.value = relation.toOne ? (targets[0] ?? null) : RelationArray.of_(entity, relation, targets)
  slot.added = undefined
  slot.removed = undefined
  const mirror = mirrorOf(relation)
  if (mirror === undefined) return
  const now = new Set(targets)
  for (const other of before) {
    if (now.has(other)) continue
    const otherSlot = stateOf(other)?.relations?.[mirror.name]
    if (otherSlot?.loaded && membersOf(mirror, otherSlot.value).includes(entity)) unloadSlot(other, mirror.name)
  }
  for (const other of targets) {
    const otherState = stateOf(other)!
    const otherSlot = otherState.relations?.[mirror.name]
    if (mirror.toOne) {
      // The database says `other` points at `entity`: a to-one on its side agrees, whatever it held.
      if (otherSlot?.loaded && otherSlot.value !== entity) {
        const previous = otherSlot.value as object | null
        otherSlot.value = entity
        if (previous !== null && mirror.owning) forgetRef(otherState, mirror)
        // The object it pointed at before no longer holds it.
        const previousSlot = previous === null ? undefined : stateOf(previous)?.relations?.[relation.name]
        if (previousSlot?.loaded && membersOf(relation, previousSlot.value).includes(other)) unloadSlot(previous!, relation.name)
      }
    } else if (otherSlot?.loaded && !(otherSlot.value as RelationArray).includes(entity)) unloadSlot(other, mirror.name)
  }
}

/**
 * `session.expire(obj, 'relation')`: the relation is not loaded any more and its unflushed
 * changes on that object are forgotten; the other side keeps what it loaded.
 *
 * @example
 * ```ts
 * unloadRelation(author, booksRelation)   // the next author.books.load() reads it
 * ```
 */
export function unloadRelation(entity: object, relation: RelationModel): void {
  const state = stateOf(entity)!
  const slot = state.slot(relation.name)
  forgetChanges(entity, state, relation, slot.loaded ? membersOf(relation, slot.value) : [...(slot.added ?? [])], [])
  unloadSlot(entity, relation.name)
}
