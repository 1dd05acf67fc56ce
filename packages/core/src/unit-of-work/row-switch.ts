/**
 * SQLAlchemy's row switch: a new object with the primary key of an object deleted in the same
 * flush (the replace pattern) takes over that row with one UPDATE, instead of an INSERT that would
 * meet the old row's key and a DELETE after it.
 */
import type { ColumnModel, TableModel } from '../schema/model.js'
import { stateOf } from '../tracking/entity-state.js'
import { restoredValue, snapshotKind } from '../values/snapshots.js'
import { identityKeyOf, type IdentityKey } from '../tracking/identity-map.js'

export interface RowSwitch {
  /** The new object, written as an UPDATE of the row. */
  readonly entity: object
  /** The deleted object whose row it takes: its snapshot locates the row (and its version checks it). */
  readonly replaced: object
  /** Columns whose new value differs from the row's. */
  readonly columns: readonly ColumnModel[]
}

/** New objects whose whole primary key is known, by table and identity key. */
export function pendingByKey(pending: Iterable<object>): Map<TableModel, Map<IdentityKey, object>> {
  const byKey = new Map<TableModel, Map<IdentityKey, object>>()
  for (const entity of pending) {
    const table = stateOf(entity)!.table
    const key = identityKeyOf(table, (property) => (entity as Record<string, unknown>)[property])
    if (key === undefined || key === null) continue
    let keys = byKey.get(table)
    if (keys === undefined) byKey.set(table, (keys = new Map()))
    keys.set(key, entity)
  }
  return byKey
}

/** Pairs each deleted persistent object with the new object that has its key, if any. */
export function findRowSwitches(
  byKey: Map<TableModel, Map<IdentityKey, object>>,
  deleted: ReadonlySet<object>,
  columnsOf: (entity: object, snapshot: readonly unknown[]) => ColumnModel[],
): RowSwitch[] {
  const switches: RowSwitch[] = []
  for (const replaced of deleted) {
    const state = stateOf(replaced)!
    if (state.status !== 'persistent') continue
    const entity = byKey.get(state.table)?.get(state.identityKey)
    if (entity === undefined || deleted.has(entity)) continue
    switches.push({ entity, replaced, columns: columnsOf(entity, state.snapshot!) })
  }
  return switches
}

/**
 * The value a new object writes to a column, as its INSERT would: its own, else the column's
 * default value, else NULL for a nullable column. `undefined`: the row keeps its value (a SQL
 * default such as `now()`, which only an INSERT evaluates).
 */
export function switchedValue(column: ColumnModel, value: unknown): unknown {
  if (value !== undefined) return value
  const fallback = column.config.default
  if (fallback?.kind === 'value') return fallback.value
  return fallback === undefined && column.config.nullable ? null : undefined
}

/**
 * Every column of the row after the switch, by property: the new object's values (`valueOf`, as
 * written), what the row kept where the new object has none, and the next version.
 */
export function switchedRow(replaced: object, valueOf: (column: ColumnModel) => unknown): Record<string, unknown> {
  const { table, snapshot } = stateOf(replaced)!
  const row: Record<string, unknown> = {}
  table.columns.forEach((column, i) => {
    const kept = snapshot![i]
    if (column.config.version) row[column.property] = Number(kept) + 1
    else {
      const value = column.config.primaryKey ? valueOf(column) : switchedValue(column, valueOf(column))
      row[column.property] = value !== undefined ? value : restoredValue(snapshotKind(column), kept)
    }
  })
  return row
}
