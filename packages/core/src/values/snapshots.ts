/** What a snapshot keeps of a column's value, to tell later whether it changed, and the value it stands for. */
import type { ColumnModel } from '../schema/model.js'

/**
 * How a snapshot keeps a column's values. Dates and JSON documents can be changed in place
 * (`d.setUTCFullYear()`, `doc.tags.push()`), so a snapshot never holds them: a date is kept as
 * its time, a document as its JSON text. Every other value is immutable and kept as it is.
 */
export type SnapshotKind = 'value' | 'date' | 'json'

export function snapshotKind(column: ColumnModel): SnapshotKind {
  switch (column.config.dataType) {
    case 'timestamp':
    case 'date':
      return 'date'
    case 'json':
    case 'jsonb':
      return 'json'
    default:
      return 'value'
  }
}

/** What a snapshot keeps of a value: a date's time, a document's JSON text, anything else itself. */
export function snapshotValue(kind: SnapshotKind, value: unknown): unknown {
  if (value === null || value === undefined || kind === 'value') return value
  if (kind === 'date') return value instanceof Date ? value.getTime() : value
  return JSON.stringify(value)
}

/** The value a snapshot entry stands for, as a new object nobody else holds (a rollback restores it). */
export function restoredValue(kind: SnapshotKind, snapshot: unknown): unknown {
  if (snapshot === null || snapshot === undefined || kind === 'value') return snapshot
  if (kind === 'date') return typeof snapshot === 'number' ? new Date(snapshot) : snapshot
  return typeof snapshot === 'string' ? JSON.parse(snapshot) : snapshot
}
