/**
 * Primary keys changed in a flush: the order their UPDATEs can run in when one row takes the key
 * another gives up (a cycle, such as two rows swapping keys, moves one row to a temporary key
 * first: PostgreSQL and MariaDB check a primary key row by row, even within one statement), and
 * the session following them afterwards: the identity map, and loaded rows whose foreign keys the
 * database's `ON UPDATE` changed.
 */
import { RelataError } from '../errors.js'
import type { ColumnModel, ForeignKeyModel, TableModel } from '../schema/model.js'
import { stateOf } from '../tracking/entity-state.js'
import { restoredValue, snapshotKind, snapshotValue } from '../values/snapshots.js'
import { identityKeyOf, type IdentityKey, type IdentityMap } from '../tracking/identity-map.js'
import type { UpdateWrite } from './change-set.js'
import { sameValue } from '../values/write-values.js'

/** One step of key changes that must run row by row: an update, or moving a row to a temporary key first. */
export type KeyChangeStep = { readonly park: false; readonly write: UpdateWrite } | { readonly park: true; readonly write: UpdateWrite }

/**
 * The order of a table's key-changing updates when some row takes a key another row gives up:
 * each after the row holding its new key has moved, a cycle broken by parking one row on a
 * temporary key. `undefined` when no key is taken: the updates batch as usual.
 */
export function orderKeyChanges(table: TableModel, writes: readonly UpdateWrite[]): KeyChangeStep[] | undefined {
  const byFrom = new Map<IdentityKey, UpdateWrite>()
  for (const write of writes) byFrom.set(write.rekey!.from, write)
  const blocker = (write: UpdateWrite): UpdateWrite | undefined => {
    const holder = byFrom.get(write.rekey!.to)
    return holder === write ? undefined : holder
  }
  if (!writes.some((w) => blocker(w) !== undefined)) return undefined
  const steps: KeyChangeStep[] = []
  const done = new Set<UpdateWrite>()
  for (const first of writes) {
    // Follow the rows holding each next key: a chain ends at a free key, or comes back round (a cycle).
    const path: UpdateWrite[] = []
    const onPath = new Set<UpdateWrite>()
    let current: UpdateWrite | undefined = first
    while (current !== undefined && !done.has(current) && !onPath.has(current)) {
      path.push(current)
      onPath.add(current)
      current = blocker(current)
    }
    if (current !== undefined && onPath.has(current)) {
      if (parkableColumn(table) === undefined) {
        throw new RelataError(
          `${table.key}: rows swap primary keys in one flush (${table.sqlName}.${table.primaryKey.map((c) => c.sqlName).join(', ')}), which needs a temporary key, ` +
            'and Relata can choose one only for an integer, text or uuid key column: flush the change in two steps through a free key',
        )
      }
      steps.push({ park: true, write: current })
    }
    for (let i = path.length - 1; i >= 0; i--) {
      steps.push({ park: false, write: path[i]! })
      done.add(path[i]!)
    }
  }
  return steps
}

/**
 * Updates that move a row away from a parent whose key changes in the same flush, through a
 * foreign key without `ON UPDATE CASCADE`: they must run before the parent's key changes, or the
 * database refuses it while the row still points at the old key. By the parent's table; only
 * updates whose keys point at rows that exist and keep their keys can go that early.
 */
export function leavingUpdates(updates: readonly UpdateWrite[]): Map<TableModel, UpdateWrite[]> {
  const renamed = new Map<TableModel, Set<IdentityKey>>()
  const moving = new Set<object>()
  for (const { entity, state, rekey } of updates) {
    if (rekey === undefined) continue
    moving.add(entity)
    let keys = renamed.get(state.table)
    if (keys === undefined) renamed.set(state.table, (keys = new Set()))
    keys.add(rekey.from)
  }
  const leaving = new Map<TableModel, UpdateWrite[]>()
  if (renamed.size === 0) return leaving
  for (const write of updates) {
    if (write.rekey !== undefined) continue
    const { state } = write
    const parent = state.table.foreignKeys.find((key) => {
      const from = renamed.get(key.references)
      if (from === undefined || key.onUpdate === 'cascade' || key.onUpdate === 'set null' || !key.columns.some((c) => write.columns.includes(c))) return false
      const old = identityKeyOf(key.references, (property) => {
        const i = key.referencedColumns.findIndex((c) => c.property === property)
        return i < 0 ? undefined : state.snapshot![state.table.columns.indexOf(key.columns[i]!)]
      })
      return from.has(old)
    })
    if (parent === undefined) continue
    const ready = [...(state.refs?.values() ?? [])].every((target) => target === null || (stateOf(target)!.status === 'persistent' && !moving.has(target)))
    if (!ready) continue
    const list = leaving.get(parent.references)
    if (list === undefined) leaving.set(parent.references, [write])
    else list.push(write)
  }
  return leaving
}

/** The key column a row can be moved to a temporary value of: an integer, a long enough text, or a uuid. */
export function parkableColumn(table: TableModel): ColumnModel | undefined {
  return table.primaryKey.find((c) => {
    const { dataType, length } = c.config
    return ['integer', 'serial', 'bigint', 'uuid', 'text'].includes(dataType) || (dataType === 'varchar' && (length === undefined || length >= 8))
  })
}

/** An object whose key a flush changed: the key it had, and its snapshot before the flush. */
export interface KeyChange {
  readonly entity: object
  readonly from: IdentityKey
  readonly snapshot: readonly unknown[]
}

/**
 * After a flush that changed keys: the identity map finds each object by its new key (all old keys
 * go first, so swapped keys meet no stale entry), and loaded rows pointing at an old key through a
 * foreign key with `ON UPDATE CASCADE` (or `SET NULL`) take what the database gave them. Returns
 * those rows with their snapshots from before, so that a rollback can restore them.
 */
export function followKeyChanges(identityMap: IdentityMap, changes: readonly KeyChange[], written: ReadonlyMap<object, Record<string, unknown>>): [object, unknown[]][] {
  for (const { entity, from } of changes) {
    const table = stateOf(entity)!.table
    if (identityMap.get(table, from) === entity) identityMap.delete(table, from)
  }
  const changedTables = new Map<TableModel, KeyChange[]>()
  for (const change of changes) {
    const state = stateOf(change.entity)!
    state.identityKey = identityKeyOf(state.table, (property) => (change.entity as Record<string, unknown>)[property])
    identityMap.set(state.table, state.identityKey, change.entity)
    const list = changedTables.get(state.table)
    if (list === undefined) changedTables.set(state.table, [change])
    else list.push(change)
  }
  const followed: [object, unknown[]][] = []
  for (const child of identityMap.entities()) {
    const state = stateOf(child)!
    const before = state.snapshot
    if (before === undefined) continue
    for (const key of state.table.foreignKeys) {
      const parents = changedTables.get(key.references)
      if (parents === undefined || (key.onUpdate !== 'cascade' && key.onUpdate !== 'set null')) continue
      // A key this flush wrote is the one the row has.
      const own = written.get(child)
      if (own !== undefined && key.columns.some((c) => c.property in own)) continue
      const parent = parents.find((p) => pointsAt(key, before, p))
      if (parent === undefined) continue
      if (state.snapshot === before) {
        followed.push([child, before])
        state.snapshot = [...before]
      }
      const snapshot = state.snapshot!
      key.columns.forEach((column, i) => {
        const index = state.table.columns.indexOf(column)
        const kind = snapshotKind(column)
        const value = key.onUpdate === 'set null' ? null : snapshotValue(kind, (parent.entity as Record<string, unknown>)[key.referencedColumns[i]!.property])
        // A value changed in memory since the flush is the user's: only the snapshot follows (and an expired one is read again).
        if (!state.expired?.has(index) && sameValue(kind, (child as Record<string, unknown>)[column.property], snapshot[index])) (child as Record<string, unknown>)[column.property] = restoredValue(kind, value)
        snapshot[index] = value
      })
    }
  }
  return followed
}

/** Whether a row's foreign key (by its snapshot) held a parent's referenced values from before the flush. */
function pointsAt(key: ForeignKeyModel, snapshot: readonly unknown[], parent: KeyChange): boolean {
  const table = key.table
  const parentTable = key.references
  return key.columns.every((column, i) => {
    const value = snapshot[table.columns.indexOf(column)]
    const old = parent.snapshot[parentTable.columns.indexOf(key.referencedColumns[i]!)]
    const now = (parent.entity as Record<string, unknown>)[key.referencedColumns[i]!.property]
    return value !== null && value !== undefined && value === old && !sameValue(snapshotKind(column), now, old)
  })
}
