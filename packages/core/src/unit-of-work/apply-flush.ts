/**
 * After a flush's statements succeeded (committed in a transaction of their own, or released into
 * the open transaction), the session catches up with the database: new objects get their keys and
 * join the identity map, snapshots take the written values, deleted objects leave. Also
 * `rollback()`: unflushed changes are undone in memory, and so are the flushes of a transaction
 * (or savepoint) that rolled back.
 */
import type { ColumnModel, ForeignKeyModel, TableModel } from '../schema/model.js'
import { stateOf, type EntityState } from '../tracking/entity-state.js'
import { expireColumns, setColumn } from '../tracking/expired-columns.js'
import { restoredValue, snapshotKind, snapshotValue } from '../values/snapshots.js'
import { identityKeyOf, keyOfValues, type IdentityKey, type IdentityMap } from '../tracking/identity-map.js'
import type { RelationArray } from '../tracking/relation-array.js'
import { refTarget, type ChangeSet } from './change-set.js'
import { followKeyChanges, type KeyChange } from './key-changes.js'
import type { LinkRecords } from './link-records.js'
import { gather, removeGathered, type Removals } from '../tracking/relation-changes.js'
import type { Written } from './persister.js'
import { switchedRow } from './row-switch.js'
import { sameValue } from '../values/write-values.js'

/** What a flush's outcome is applied to: the session's identity map and its changes. */
export interface SessionBookkeeping {
  readonly identityMap: IdentityMap
  readonly pending: Set<object>
  readonly deleted: Set<object>
  readonly touched: Set<object>
  readonly links: LinkRecords
}

function settle(state: EntityState): void {
  state.refs = undefined
  settleSlots(state)
}

/** Forgets the changes to unloaded collections: the flush wrote them. */
function settleSlots(state: EntityState): void {
  const slots = state.relations
  if (slots === undefined) return
  for (const name in slots) {
    const slot = slots[name]!
    slot.added = undefined
    slot.removed = undefined
  }
}

/**
 * A key column written directly and then overridden by its relation in the same flush (`a.bId = 1;
 * a.b = null`) may need no UPDATE (the row already had the relation's value): the object still
 * takes the relation's value, as the database has it.
 */
function keysFollowRefs(entity: object, state: EntityState): void {
  for (const [key, target] of state.refs!) {
    if (target !== null && stateOf(target)?.status !== 'persistent') continue
    key.columns.forEach((column, i) => {
      const value = target === null ? null : (target as Record<string, unknown>)[key.referencedColumns[i]!.property]
      if (state.expired === undefined && state.written === undefined) (entity as Record<string, unknown>)[column.property] = value
      else setColumn(entity, state, state.table.columns.indexOf(column), value)
    })
  }
}

/**
 * Forgets the foreign keys the database now holds: a key whose row (as last written) points at its
 * object. One still to be written (its object not yet inserted, or reassigned while the flush ran)
 * stays for the next flush.
 */
function settleRefs(state: EntityState): void {
  const refs = state.refs!
  const snapshot = state.snapshot
  for (const [key, target] of refs) {
    const targetState = target === null ? undefined : stateOf(target)!
    if (targetState !== undefined && (targetState.status === 'pending' || targetState.status === 'transient')) continue
    if (snapshot !== undefined && targetState?.status !== 'detached' && !holdsKey(state, snapshot, key, target)) continue
    refs.delete(key)
  }
  if (refs.size === 0) state.refs = undefined
}

function holdsKey(state: EntityState, snapshot: readonly unknown[], key: ForeignKeyModel, target: object | null): boolean {
  const columns = state.table.columns
  for (let j = 0; j < key.columns.length; j++) {
    const expected = target === null ? null : (target as Record<string, unknown>)[key.referencedColumns[j]!.property]
    if (!sameValue(snapshotKind(key.columns[j]!), expected, snapshot[columns.indexOf(key.columns[j]!)])) return false
  }
  return true
}

/** What one flush changed in the session: enough to undo it if the transaction it ran in rolls back. */
export interface AppliedFlush {
  /** New objects and their column values before the flush. */
  readonly inserted: readonly (readonly [object, Record<string, unknown>])[]
  /** Updated objects and their snapshots before the flush. */
  readonly updated: readonly (readonly [object, unknown[] | undefined])[]
  readonly deleted: readonly object[]
  /** Objects whose primary key changed, and the identity key they had. */
  readonly rekeyed: readonly (readonly [object, IdentityKey])[]
}

/** An object's column values, dates and documents copied: changing them in place later does not change these. */
const columnValues = (entity: object, table: TableModel): Record<string, unknown> =>
  Object.fromEntries(
    table.columns.map((c) => {
      const kind = snapshotKind(c)
      return [c.property, restoredValue(kind, snapshotValue(kind, (entity as Record<string, unknown>)[c.property]))]
    }),
  )

/**
 * Applies a flush whose statements succeeded. Snapshots take what was written; objects take what the database
 * generated, except values changed while the flush ran, which stay as changes for the next flush
 * (as do relation changes made meanwhile: those recorded since in `session.touched` and `links`).
 * `flushed` holds the objects touched before the flush. With `journal`, also returns what it
 * changed, so a rollback of the enclosing transaction can undo it.
 */
export function applyFlush(session: SessionBookkeeping, changes: ChangeSet, written: Written, sent: ReadonlyMap<object, readonly unknown[]>, flushed: ReadonlySet<object>, journal: boolean): AppliedFlush {
  const applied = { inserted: [] as [object, Record<string, unknown>][], updated: [] as [object, unknown[] | undefined][], deleted: [] as object[], rekeyed: [] as [object, IdentityKey][] }
  for (const entities of changes.inserts.values()) {
    for (const entity of entities) {
      const state = stateOf(entity)!
      if (journal) applied.inserted.push([entity, columnValues(entity, state.table)])
      const values = written.get(entity)!
      const given = sent.get(entity)!
      const columns = state.table.columns
      const snapshot = new Array<unknown>(columns.length)
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i]!
        const property = column.property
        const current = (entity as Record<string, unknown>)[property]
        const value = property in values ? values[property] : current
        const kind = snapshotKind(column)
        snapshot[i] = snapshotValue(kind, value)
        // The object keeps a value set after its INSERT was built (and its own date or document when
        // equal to what was written); a foreign key follows its object.
        if (kind !== 'value' && sameValue(kind, current, snapshot[i])) continue
        if (sameValue(kind, current, snapshotValue(kind, given[i])) || (current === undefined && given[i] === undefined) || refTarget(state, column) !== undefined) {
          ;(entity as Record<string, unknown>)[property] = value
        }
      }
      state.status = 'persistent'
      state.snapshot = snapshot
      state.identityKey = identityKeyOf(state.table, (property) => (property in values ? values[property] : (entity as Record<string, unknown>)[property]))
      session.identityMap.set(state.table, state.identityKey, entity)
      session.pending.delete(entity)
    }
  }
  for (const { entity, replaced } of changes.switches) {
    const state = stateOf(entity)!
    if (journal) applied.inserted.push([entity, columnValues(entity, state.table)])
    // Without a statement (nothing differed) the row is what the new object would have written.
    const row = written.get(entity) ?? switchedRow(replaced, (column) => valueAfterFlush(entity, state, column))
    const given = sent.get(entity)
    const columns = state.table.columns
    const snapshot = new Array<unknown>(columns.length)
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!
      const kind = snapshotKind(column)
      const value = row[column.property]
      snapshot[i] = snapshotValue(kind, value)
      // The object keeps a value set after its UPDATE was built (and its own date or document when equal to what was written).
      const current = (entity as Record<string, unknown>)[column.property]
      if (kind !== 'value' && sameValue(kind, current, snapshot[i])) continue
      if (given === undefined || sameValue(kind, current, snapshotValue(kind, given[i]))) (entity as Record<string, unknown>)[column.property] = value
    }
    state.status = 'persistent'
    state.snapshot = snapshot
    state.identityKey = stateOf(replaced)!.identityKey
    session.identityMap.set(state.table, state.identityKey, entity)
    session.pending.delete(entity)
    settle(state)
    const old = stateOf(replaced)!
    applied.deleted.push(replaced)
    unlinkEverywhere([[replaced]])
    old.status = 'detached'
    session.deleted.delete(replaced)
  }
  const keyChanges: KeyChange[] = []
  for (const { entity, state, rekey } of changes.updates) {
    if (journal) applied.updated.push([entity, state.snapshot])
    if (rekey !== undefined) keyChanges.push({ entity, from: state.identityKey, snapshot: state.snapshot! })
    const values = written.get(entity)!
    const columns = state.table.columns
    const snapshot = state.snapshot!.slice()
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!
      if (!(column.property in values)) continue
      const value = values[column.property]
      snapshot[i] = snapshotValue(snapshotKind(column), value)
      // The object already holds the values it was read for (or newer ones); a version or a foreign key comes from the flush.
      if (column === state.table.versionColumn || refTarget(state, column) !== undefined) setColumn(entity, state, i, value)
      else state.written?.delete(i)
    }
    state.snapshot = snapshot
  }
  if (keyChanges.length > 0) {
    const followed = followKeyChanges(session.identityMap, keyChanges, written)
    if (journal) {
      applied.updated.push(...followed)
      for (const { entity, from } of keyChanges) applied.rekeyed.push([entity, from])
    }
  }
  unlinkEverywhere(changes.deletes.values())
  for (const entities of changes.deletes.values()) {
    for (const entity of entities) {
      const state = stateOf(entity)!
      applied.deleted.push(entity)
      session.identityMap.delete(state.table, state.identityKey)
      state.status = 'detached'
      session.deleted.delete(entity)
    }
  }
  for (const { key, parents } of changes.nullings) nullLoadedChildren(session.identityMap, key, parents)
  // Pending objects dropped as orphans never reached the database.
  for (const entity of session.pending) if (stateOf(entity)!.status !== 'pending') session.pending.delete(entity)
  // Collections changed again while the flush ran keep their record until the next one.
  for (const entity of flushed) if (!session.touched.has(entity)) settleSlots(stateOf(entity)!)
  for (const entity of session.identityMap.entities()) {
    const state = stateOf(entity)!
    if (state.refs === undefined) continue
    keysFollowRefs(entity, state)
    settleRefs(state)
  }
  return applied
}

/**
 * Undoes flushes whose transaction rolled back, latest first: new objects are pending again (with
 * their values from before), snapshots go back, deleted objects return to the identity map. Every
 * relation then loads again, since loaded ones may hold what the database no longer has; finish
 * with `revertChanges`.
 */
export function undoFlushes(session: SessionBookkeeping, flushes: readonly AppliedFlush[]): void {
  if (flushes.length === 0) return
  for (const flush of [...flushes].reverse()) {
    // New objects leave first: a new object that took over a deleted object's row hands its key back.
    for (const [entity, values] of flush.inserted) {
      const state = stateOf(entity)!
      if (session.identityMap.get(state.table, state.identityKey) === entity) session.identityMap.delete(state.table, state.identityKey)
      Object.assign(entity, values)
      state.status = 'pending'
      state.snapshot = undefined
      state.identityKey = undefined
      session.pending.add(entity)
    }
    undoKeyChanges(session.identityMap, flush.rekeyed)
    for (const [entity, snapshot] of [...flush.updated].reverse()) stateOf(entity)!.snapshot = snapshot
    for (const entity of flush.deleted) {
      const state = stateOf(entity)!
      state.status = 'persistent'
      session.identityMap.set(state.table, state.identityKey, entity)
    }
  }
  for (const entity of session.identityMap.entities()) {
    for (const slot of Object.values(stateOf(entity)!.relations ?? {})) {
      slot.loaded = false
      slot.value = undefined
    }
  }
}

/** Objects whose key change rolled back are found by their old keys again (every new key leaves first: keys may have swapped). */
function undoKeyChanges(identityMap: IdentityMap, rekeyed: readonly (readonly [object, IdentityKey])[]): void {
  for (const [entity] of rekeyed) {
    const state = stateOf(entity)!
    if (identityMap.get(state.table, state.identityKey) === entity) identityMap.delete(state.table, state.identityKey)
  }
  for (const [entity, from] of rekeyed) {
    const state = stateOf(entity)!
    state.identityKey = from
    identityMap.set(state.table, from, entity)
  }
}

/** A column's value once a flush is applied: a foreign key from its relation's object, which has its key by now. */
function valueAfterFlush(entity: object, state: EntityState, column: ColumnModel): unknown {
  const ref = refTarget(state, column)
  if (ref === undefined) return (entity as Record<string, unknown>)[column.property]
  return ref.target === null ? null : (ref.target as Record<string, unknown>)[ref.key.referencedColumns[ref.key.columns.indexOf(column)]!.property]
}

/** Children in the identity map whose key was set to NULL in the database because their parent was deleted. */
function nullLoadedChildren(identityMap: IdentityMap, key: ForeignKeyModel, parents: readonly object[]): void {
  const parentKeys = new Set(parents.map((parent) => keyOfValues(key.referencedColumns.map((c) => (parent as Record<string, unknown>)[c.property]))))
  const table = key.table
  for (const child of identityMap.tableEntries(table).values()) {
    const expired = stateOf(child)!.expired
    // An expired key is read again with the row: its snapshot follows the database below.
    const values = key.columns.map((c) => (expired?.has(table.columns.indexOf(c)) ? stateOf(child)!.snapshot?.[table.columns.indexOf(c)] : (child as Record<string, unknown>)[c.property]))
    if (values.some((v) => v === null || v === undefined) || !parentKeys.has(keyOfValues(values))) continue
    const state = stateOf(child)!
    for (const column of key.columns) {
      const index = table.columns.indexOf(column)
      if (!state.expired?.has(index)) (child as Record<string, unknown>)[column.property] = null
      if (state.snapshot !== undefined) state.snapshot[index] = null
    }
  }
}

/**
 * Removes deleted objects from the loaded relations that hold them (as far as their own side of
 * the relation is loaded): one pass per collection, however many of its members were deleted.
 */
function unlinkEverywhere(deleted: Iterable<readonly object[]>): void {
  const removals: Removals = new Map()
  for (const entities of deleted) {
    for (const entity of entities) {
      const state = stateOf(entity)!
      for (const relation of state.table.relations.values()) {
        const mirror = relation.backPopulates === undefined ? undefined : relation.target.relations.get(relation.backPopulates)
        const slot = state.relations?.[relation.name]
        if (mirror === undefined || !slot?.loaded || slot.value === null) continue
        const others = relation.toOne ? [slot.value as object] : [...(slot.value as RelationArray)]
        for (const other of others) {
          const otherSlot = stateOf(other)?.relations?.[mirror.name]
          if (!otherSlot?.loaded) continue
          if (!mirror.toOne) gather(removals, otherSlot.value as RelationArray, entity)
          else if (otherSlot.value === entity) otherSlot.value = null
        }
      }
    }
  }
  removeGathered(removals)
}

/**
 * Columns whose value differs from the snapshot take it back, dates and documents as new objects
 * (the old ones may be changed in place). An attribute written since it expired is expired again.
 */
function restoreSnapshot(entity: object, state: EntityState, snapshot: readonly unknown[]): void {
  const values = entity as Record<string, unknown>
  const columns = state.table.columns
  if (state.written !== undefined) {
    const written = [...state.written].map((i) => columns[i]!)
    state.written = undefined
    expireColumns(entity, state, written)
  }
  for (let i = 0; i < columns.length; i++) {
    if (state.expired?.has(i)) continue
    const column = columns[i]!
    const kind = snapshotKind(column)
    if (!sameValue(kind, values[column.property], snapshot[i])) values[column.property] = restoredValue(kind, snapshot[i])
  }
}

/**
 * New objects leave their session, transient again (SQLAlchemy's expunge): they can be added anew.
 *
 * @example
 * ```ts
 * releaseNewObjects(session.pending)   // after a rollback: a retried transaction adds them again
 * ```
 */
export function releaseNewObjects(pending: Set<object>): void {
  for (const entity of pending) {
    const state = stateOf(entity)!
    state.status = 'transient'
    state.session = undefined
  }
  pending.clear()
}

/** Undoes unflushed changes in memory: new objects leave the session, values return to their snapshots, changed relations unload. */
export function revertChanges(session: SessionBookkeeping): void {
  // As SQLAlchemy's rollback expunges them: a retried transaction adds them again.
  releaseNewObjects(session.pending)
  session.deleted.clear()
  session.links.clear()
  for (const entity of session.identityMap.entities()) {
    const state = stateOf(entity)!
    const snapshot = state.snapshot
    if (snapshot !== undefined) restoreSnapshot(entity, state, snapshot)
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
