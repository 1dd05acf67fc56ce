/**
 * What a flush must write, computed from the session as `prepareFlush` left it, without touching
 * anything: new rows, changed columns, row switches, deletions, link rows. Everything that can be
 * checked before SQL is checked here.
 */
import { RelataError } from '../errors.js'
import type { ColumnModel, ForeignKeyModel, TableModel } from '../schema/model.js'
import { isPartial, stateOf, type EntityState } from '../tracking/entity-state.js'
import { snapshotKind } from '../values/snapshots.js'
import { identityKeyOf, type IdentityKey } from '../tracking/identity-map.js'
import type { Deletions } from './cascade/cascade-deletes.js'
import type { CascadeSource } from './cascade/cascade-run.js'
import type { LinkRecord } from './link-records.js'
import { findRowSwitches, switchedValue, type RowSwitch } from './row-switch.js'
import { checkValue, sameValue } from '../values/write-values.js'
import type { ValueRules } from '../values/value-rules.js'

/** The session's side of a flush: `prepareFlush` may load, fetch and adopt through it. */
export interface FlushSource extends CascadeSource {
  readonly tables: Iterable<TableModel>
  /** The database family's value rules: values are checked against its limits too. */
  readonly valueRules?: ValueRules
  readonly pending: ReadonlySet<object>
  readonly deleted: ReadonlySet<object>
  /** Persistent objects, to compare with their snapshots. */
  persistent(): Iterable<object>
  /** Adds a transient object reached through a relation that cascades saves. */
  adopt(entity: object): void
}

/** What a change set is read from: the session's objects, read and never changed. */
export type ChangeSource = Pick<FlushSource, 'valueRules' | 'pending' | 'persistent' | 'links'>

/** What `prepareFlush` settled: the deletions with their cascades, and the new objects by key (when something is deleted). */
export interface PreparedFlush {
  readonly deleted: Deletions
  /** New objects by table and key, to find those replacing a deleted row (only when something is deleted: inserts alone stay cheap). */
  readonly pendingByKey: Map<TableModel, Map<IdentityKey, object>> | undefined
}

export interface UpdateWrite {
  readonly entity: object
  readonly state: EntityState
  readonly columns: readonly ColumnModel[]
  /** The identity key the row had and will have, when the update changes its primary key. */
  readonly rekey?: { readonly from: IdentityKey; readonly to: IdentityKey }
}

/** Children of deleted rows whose foreign key is set to NULL in one statement, when they are not loaded. */
export interface KeyNulling {
  readonly key: ForeignKeyModel
  readonly parents: readonly object[]
}

export interface ChangeSet {
  readonly inserts: Map<TableModel, object[]>
  readonly updates: UpdateWrite[]
  /** New objects taking over the rows of deleted objects with the same key: UPDATEs instead of a DELETE and an INSERT. */
  readonly switches: RowSwitch[]
  readonly deletes: Map<TableModel, object[]>
  readonly nullings: KeyNulling[]
  /** Link rows of deleted objects, removed in one statement per association key. */
  readonly linkPurges: KeyNulling[]
  readonly linkInserts: LinkRecord[]
  /** Link inserts between rows of the database made while neither collection was loaded: the row may exist already. */
  readonly unverifiedLinks: Set<LinkRecord>
  readonly linkDeletes: LinkRecord[]
  readonly linkUpdates: LinkRecord[]
}

/** The object a foreign key of `state`'s row points at, when a relation change set it. */
export function refTarget(state: EntityState, column: ColumnModel): { key: ForeignKeyModel; target: object | null } | undefined {
  const refs = state.refs
  if (refs === undefined) return undefined
  // Keys, not entries: no pair is made for the keys that do not hold the column (this runs per column of every new row).
  for (const key of refs.keys()) {
    if (key.columns.includes(column)) return { key, target: refs.get(key)! }
  }
  return undefined
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

/** The change set of a prepared flush: computed, checked, and nothing touched (no load, no adoption, no SQL). */
export function computeChangeSet(source: ChangeSource, prepared: PreparedFlush, keyOf: (entity: object, column: ColumnModel) => unknown): ChangeSet {
  const { deleted, pendingByKey: byKey } = prepared
  const switches = byKey === undefined ? [] : findRowSwitches(byKey, deleted.entities, (entity, snapshot) => switchColumns(entity, snapshot, keyOf))
  const changes: ChangeSet = {
    inserts: new Map(),
    updates: [],
    switches,
    deletes: new Map(),
    nullings: deleted.nullings,
    linkPurges: deleted.linkPurges,
    linkInserts: [],
    unverifiedLinks: new Set(),
    linkDeletes: [],
    linkUpdates: [],
  }

  const switched = new Set<object>()
  for (const { entity, replaced } of switches) switched.add(entity).add(replaced)
  for (const entity of source.pending) {
    if (deleted.entities.has(entity)) continue
    const state = stateOf(entity)!
    checkInsert(entity, state, source.valueRules)
    if (!switched.has(entity)) addTo(changes.inserts, state.table, entity)
  }
  for (const entity of source.persistent()) {
    if (deleted.entities.has(entity)) continue
    const state = stateOf(entity)!
    const columns = changedColumns(entity, state, keyOf, source.valueRules)
    if (columns.length === 0) continue
    const rekey = changesKey(columns) ? { from: state.identityKey, to: newKeyOf(entity, state, keyOf) } : undefined
    changes.updates.push(rekey === undefined ? { entity, state, columns } : { entity, state, columns, rekey })
  }
  for (const entity of deleted.entities) {
    const state = stateOf(entity)!
    if (switched.has(entity)) continue
    if (state.status === 'persistent' || state.status === 'deleted') addTo(changes.deletes, state.table, entity)
  }
  for (const link of source.links) {
    if (deleted.entities.has(link.source) || deleted.entities.has(link.target)) continue
    const list = link.change === 'add' ? changes.linkInserts : link.change === 'remove' ? changes.linkDeletes : changes.linkUpdates
    list.push(link)
    if (link.change === 'add' && !linkKnown(link)) changes.unverifiedLinks.add(link)
  }
  return changes
}

/**
 * Whether a link to insert is known to be new: an end is new, or a collection holding it was
 * loaded (a loaded collection that did not hold it is taken at its word, as SQLAlchemy does).
 */
function linkKnown(link: LinkRecord): boolean {
  const source = stateOf(link.source)!
  const target = stateOf(link.target)!
  if (source.status !== 'persistent' || target.status !== 'persistent') return true
  const table = link.association.table
  for (const [state, key] of [[source, link.association.sourceKey], [target, link.association.targetKey]] as const) {
    for (const relation of state.table.relations.values()) {
      const slot = state.relations?.[relation.name]
      // A partial collection that did not hold the object says nothing about the link.
      if (relation.association?.table === table && relation.association.sourceKey === key && slot?.loaded && !isPartial(slot)) return true
    }
  }
  return false
}

/** Checks every column of a new row before SQL: types, and NOT NULL columns the database will not fill. */
function checkInsert(entity: object, state: EntityState, rules: ValueRules | undefined): void {
  const table = state.table
  for (const column of table.columns) {
    const ref = refTarget(state, column)
    if (ref !== undefined && ref.target !== null) continue
    const value = ref !== undefined ? null : (entity as Record<string, unknown>)[column.property]
    if (value === undefined) {
      if (column.config.generated || column.config.default !== undefined || column.config.nullable) continue
      throw new RelataError(`${table.key}.${column.property} (${table.sqlName}.${column.sqlName}) is required: a new ${table.key} object has no value for it`)
    }
    checkValue(table, column, value, rules)
  }
}

/** Columns whose value differs from the snapshot, foreign keys following their relation's object. */
function changedColumns(entity: object, state: EntityState, keyOf: (entity: object, column: ColumnModel) => unknown, rules: ValueRules | undefined): ColumnModel[] {
  const changed: ColumnModel[] = []
  const columns = state.table.columns
  const snapshot = state.snapshot!
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!
    const ref = refTarget(state, column)
    if (ref !== undefined) {
      const target = ref.target
      if (target !== null && stateOf(target)!.status !== 'persistent') {
        changed.push(column)
        continue
      }
      const referenced = ref.key.referencedColumns[ref.key.columns.indexOf(column)]!
      const value = target === null ? null : keyOf(target, referenced)
      if (!sameValue(snapshotKind(column), value, snapshot[i])) changed.push(column)
      continue
    }
    // An expired attribute not written since is not a change; one written since is, whatever the snapshot holds.
    if (state.expired?.has(i)) continue
    const value = (entity as Record<string, unknown>)[column.property]
    if (state.written?.has(i) || !sameValue(snapshotKind(column), value, snapshot[i])) {
      checkValue(state.table, column, value, rules)
      changed.push(column)
    }
  }
  return changed
}

/** A row switch's columns: those (not the key, not the version) whose new value differs from the deleted row's snapshot. */
function switchColumns(entity: object, snapshot: readonly unknown[], keyOf: (entity: object, column: ColumnModel) => unknown): ColumnModel[] {
  const state = stateOf(entity)!
  const columns = state.table.columns
  const changed: ColumnModel[] = []
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!
    if (column.config.primaryKey || column.config.version) continue
    const ref = refTarget(state, column)
    let value: unknown
    if (ref === undefined) value = (entity as Record<string, unknown>)[column.property]
    else if (ref.target === null) value = null
    else if (stateOf(ref.target)!.status !== 'persistent') {
      // Its key is known only once its row is written.
      changed.push(column)
      continue
    } else value = keyOf(ref.target, ref.key.referencedColumns[ref.key.columns.indexOf(column)]!)
    const written = switchedValue(column, value)
    if (written !== undefined && !sameValue(snapshotKind(column), written, snapshot[i])) changed.push(column)
  }
  return changed
}

function changesKey(columns: readonly ColumnModel[]): boolean {
  for (let i = 0; i < columns.length; i++) if (columns[i]!.config.primaryKey) return true
  return false
}

/** The identity key an object's row has once its update is written: foreign-key columns follow their relation's object. */
function newKeyOf(entity: object, state: EntityState, keyOf: (entity: object, column: ColumnModel) => unknown): IdentityKey {
  return identityKeyOf(state.table, (property) => {
    const column = state.table.columnsByProperty.get(property)!
    const ref = refTarget(state, column)
    if (ref === undefined) return (entity as Record<string, unknown>)[property]
    return ref.target === null ? null : keyOf(ref.target, ref.key.referencedColumns[ref.key.columns.indexOf(column)]!)
  })
}
