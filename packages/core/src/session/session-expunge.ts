/**
 * `session.expunge(obj)` (SQLAlchemy's `expunge`): one object, and what it reaches through
 * relations that cascade deletes, leaves the session with its unflushed changes; a change that ties
 * it to an object that stays is refused rather than dropped.
 */
import { RelataError } from '../errors.js'
import type { ForeignKeyModel, RelationModel, TableModel } from '../schema/model.js'
import { describeEntity } from '../tracking/describe-entity.js'
import { requireState, stateOf, type EntityState, type EntityTracker } from '../tracking/entity-state.js'
import type { RelationArray } from '../tracking/relation-array.js'
import type { LinkRecord } from '../unit-of-work/link-records.js'
import type { SessionChanges } from './session-changes.js'

/** An object that can leave: one of this session, new or loaded. */
const isMember = (state: EntityState | undefined, tracker: EntityTracker): boolean =>
  state !== undefined && state.session === tracker && (state.status === 'pending' || state.status === 'persistent' || state.status === 'deleted')

/** The objects `entity` takes with it: those its loaded relations (and unloaded ones' pending additions) reach through delete cascades, recursively. */
function reach(entity: object, tracker: EntityTracker): Set<object> {
  const leaving = new Set<object>([entity])
  const queue = [entity]
  for (let next = 0; next < queue.length; next++) {
    const state = stateOf(queue[next]!)!
    for (const relation of state.table.relations.values()) {
      if (!relation.cascade.delete) continue
      const slot = state.relations?.[relation.name]
      if (slot === undefined) continue
      const members: Iterable<object> = !slot.loaded ? (slot.added ?? []) : relation.toOne ? (slot.value ? [slot.value as object] : []) : (slot.value as RelationArray)
      for (const member of members) {
        if (leaving.has(member) || !isMember(stateOf(member), tracker)) continue
        leaving.add(member)
        queue.push(member)
      }
    }
  }
  return leaving
}

/** The relation a foreign key's change shows as: the to-one holding it, else its inverse on the referenced table. */
function relationOfKey(key: ForeignKeyModel): string {
  for (const relation of key.table.relations.values()) if (relation.owning && relation.foreignKey === key) return `${key.table.key}.${relation.name}`
  for (const relation of key.references.relations.values()) if (!relation.owning && relation.foreignKey === key) return `${key.references.key}.${relation.name}`
  return `${key.table.key}.${key.columns.map((c) => c.property).join(', ')}`
}

function refuse(entity: object, change: string, other: object): never {
  throw new RelataError(
    `session.expunge(): ${describeEntity(entity)} has an unflushed change of ${change} involving ${describeEntity(other)}, which stays in the session; ` +
      'flush (or undo) that change first, or expunge both',
  )
}

/** The object a row's key pointed at when last read or written, if it is in the session. */
function formerTarget(entity: object, state: EntityState, key: ForeignKeyModel, tracker: EntityTracker): object | undefined {
  const snapshot = state.snapshot
  if (snapshot === undefined) return undefined
  const values = key.columns.map((c) => snapshot[state.table.columns.indexOf(c)])
  if (values.some((v) => v === null || v === undefined)) return undefined
  const former = tracker.find(key, values)
  return former === entity ? undefined : former
}

/** Refuses when a relation change not yet flushed ties a leaving object to one that stays: dropping it or writing it would both be silent. */
function refuseSplitChanges(changes: SessionChanges, tracker: EntityTracker, leaving: ReadonlySet<object>): void {
  for (const link of changes.links.values()) {
    if (leaving.has(link.source) === leaving.has(link.target)) continue
    const [gone, stays] = leaving.has(link.source) ? [link.source, link.target] : [link.target, link.source]
    const relation = [...stateOf(gone)!.table.relations.values()].find((r) => r.association?.table === link.association.table)
    refuse(gone, relation ? `${relation.source.key}.${relation.name}` : link.association.table.key, stays)
  }
  for (const entity of leaving) {
    const state = stateOf(entity)!
    for (const [key, target] of state.refs ?? []) {
      if (target !== null && !leaving.has(target) && stateOf(target)?.session === tracker) refuse(entity, relationOfKey(key), target)
      const former = formerTarget(entity, state, key, tracker)
      if (former !== undefined && former !== target && !leaving.has(former)) refuse(entity, relationOfKey(key), former)
    }
  }
  for (const entity of new Set([...changes.pending, ...changes.touched])) {
    if (leaving.has(entity)) continue
    for (const [key, target] of stateOf(entity)!.refs ?? []) if (target !== null && leaving.has(target)) refuse(target, relationOfKey(key), entity)
  }
}

/**
 * Relations of objects that stay and hold a leaving object unload, so that they read the row anew
 * (as a new object) rather than hand out a detached one; the changes made to such a collection
 * since it loaded are kept as changes of an unloaded collection.
 */
function unloadHolders(changes: SessionChanges, leaving: ReadonlySet<object>, schemaTables: Iterable<TableModel>): void {
  const tables = new Set<TableModel>()
  for (const entity of leaving) tables.add(stateOf(entity)!.table)
  // Only tables with a relation to a leaving object's table can hold one.
  const holding = new Map<TableModel, RelationModel[]>()
  for (const table of schemaTables) {
    const relations = [...table.relations.values()].filter((r) => tables.has(r.target))
    if (relations.length > 0) holding.set(table, relations)
  }
  const relationsTo = (table: TableModel): readonly RelationModel[] => holding.get(table) ?? []
  const holders = [...changes.pending].filter((entity) => holding.has(stateOf(entity)!.table))
  for (const table of holding.keys()) for (const entity of changes.identityMap.tableEntries(table).values()) holders.push(entity)
  for (const entity of holders) {
    if (leaving.has(entity)) continue
    const state = stateOf(entity)!
    for (const relation of relationsTo(state.table)) {
      const slot = state.relations?.[relation.name]
      if (slot === undefined || !slot.loaded) continue
      if (relation.toOne) {
        if (slot.value && leaving.has(slot.value as object)) {
          slot.loaded = false
          slot.value = undefined
        }
        continue
      }
      const members = slot.value as RelationArray
      if (!members.some((member) => leaving.has(member))) continue
      const added = new Set<object>()
      const removed = new Set<object>()
      if (relation.association === undefined) {
        for (const member of members) {
          const memberState = stateOf(member)!
          if (!leaving.has(member) && (memberState.status === 'pending' || memberState.refs?.get(relation.foreignKey) === entity)) added.add(member)
        }
      } else {
        for (const link of changes.links.values()) {
          const ends = endsOf(link, relation)
          if (ends === undefined || ends[0] !== entity) continue
          if (link.change === 'add') added.add(ends[1])
          else if (link.change === 'remove') removed.add(ends[1])
        }
      }
      // Changes noted while the collection was partial stay too.
      for (const item of slot.added ?? []) if (!leaving.has(item)) added.add(item)
      for (const item of slot.removed ?? []) if (!leaving.has(item)) removed.add(item)
      slot.loaded = false
      slot.partial = false
      slot.value = undefined
      slot.added = added.size > 0 ? added : undefined
      slot.removed = removed.size > 0 ? removed : undefined
    }
  }
}

/** A link record seen from `relation`: [its owner, its member], or undefined when the record is of another association. */
function endsOf(link: LinkRecord, relation: RelationModel): [object, object] | undefined {
  const association = relation.association!
  if (link.association.table !== association.table) return undefined
  if (link.association.sourceKey === association.sourceKey) return [link.source, link.target]
  if (link.association.sourceKey === association.targetKey) return [link.target, link.source]
  return undefined
}

/**
 * Detaches `entity` and what it reaches through delete cascades. A new object becomes transient
 * again (it can be added anew); a loaded one is detached: out of the identity map, its loaded
 * values still readable, its relations no longer loaded or changed through it. Their unflushed
 * changes leave with them.
 *
 * @example
 * ```ts
 * expunge(changes, session, schema.tables.values(), book)   // session.get('books', book.id) reads the row anew
 * ```
 */
export function expunge(changes: SessionChanges, tracker: EntityTracker, tables: Iterable<TableModel>, entity: object): void {
  const state = requireState(entity, 'session.expunge()')
  if (changes.flushing) throw new RelataError('session.expunge(): a flush of this session is running; await it (or the commit) first')
  if (!isMember(state, tracker)) {
    const why = state.session !== undefined && state.session !== tracker ? 'belongs to another session' : `is ${state.status}`
    throw new RelataError(`session.expunge(): ${describeEntity(entity)} is not in this session (it ${why})`)
  }
  const leaving = reach(entity, tracker)
  refuseSplitChanges(changes, tracker, leaving)
  unloadHolders(changes, leaving, tables)
  changes.forget(leaving)
  for (const member of leaving) {
    const memberState = stateOf(member)!
    if (memberState.status === 'pending') {
      memberState.status = 'transient'
      memberState.session = undefined
      continue
    }
    if (changes.identityMap.get(memberState.table, memberState.identityKey) === member) changes.identityMap.delete(memberState.table, memberState.identityKey)
    memberState.status = 'detached'
    memberState.refs = undefined
  }
}
