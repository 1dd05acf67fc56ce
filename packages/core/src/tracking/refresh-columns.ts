/** A row read under a lock, over an object the session already holds: its unchanged columns take the row's values, its unflushed changes stay. */
import type { ColumnModel } from '../schema/model.js'
import type { Decoder } from '../values/codecs.js'
import { snapshotKind, snapshotValue } from '../values/snapshots.js'
import { sameValue } from '../values/write-values.js'
import { stateOf } from './entity-state.js'

/**
 * Brings a persistent object up to `row` (keyed by SQL column names, as read by a locked query):
 * a column the user has not changed takes the row's value; a changed one keeps the user's value,
 * and the snapshot becomes the row's, so that the next flush writes what differs from the row now
 * locked. A foreign-key column a relation change or a loaded to-one relation decides is left as it
 * is: relations are not re-read here.
 */
export function refreshUnchanged(entity: object, row: Record<string, unknown>, decoderOf: (column: ColumnModel) => Decoder | undefined): void {
  const state = stateOf(entity)
  if (state === undefined || state.status !== 'persistent' || state.snapshot === undefined) return
  const { table, snapshot } = state
  const values = entity as Record<string, unknown>
  for (let i = 0; i < table.columns.length; i++) {
    const column = table.columns[i]!
    if (column.config.primaryKey || decidedByRelation(state, column)) continue
    // A column the statement did not select (select(), omit(), deferred), or one still not loaded: nothing to refresh.
    if (!(column.sqlName in row) || state.expired?.has(i)) continue
    const raw = row[column.sqlName]
    const decoder = decoderOf(column)
    const value = raw === null || raw === undefined ? null : decoder === undefined ? raw : decoder(raw)
    const kind = snapshotKind(column)
    if (sameValue(kind, values[column.property], snapshot[i])) values[column.property] = value
    snapshot[i] = snapshotValue(kind, value)
  }
}

/** Whether a pending relation change, or a loaded to-one relation over its foreign key, decides the column's value. */
function decidedByRelation(state: NonNullable<ReturnType<typeof stateOf>>, column: ColumnModel): boolean {
  if (state.refs !== undefined) for (const key of state.refs.keys()) if (key.columns.includes(column)) return true
  for (const relation of state.table.relations.values()) {
    if (relation.owning && relation.sourceColumns.includes(column) && state.relations?.[relation.name]?.loaded === true) return true
  }
  return false
}
