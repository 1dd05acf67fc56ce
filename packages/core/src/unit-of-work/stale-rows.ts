/**
 * Rows a flush statement targeted by key and did not match: which they were (found with a SELECT
 * in the flush's transaction, only once a row count fell short), and the `StaleObjectError` naming them.
 */
import type { Kysely } from 'kysely'
import { StaleObjectError } from '../errors.js'
import { inTuples } from '../sql/sql-helpers.js'
import type { ColumnModel, TableModel } from '../schema/model.js'
import { tupleKey } from '../tracking/identity-map.js'

type Row = Record<string, unknown>

/** Most keys a message lists; `StaleObjectError.keys` holds them all. */
const listed = 10

/**
 * The indexes of the tuples of `keys` (values of `columns`, as the session holds them) that
 * `table` has no row for, or, with `written`, whose row holds other values than the statement
 * wrote (a version checked and counted up: another version, or the same one with another's values).
 */
export async function missingRows(
  db: Kysely<any>,
  table: TableModel,
  columns: readonly ColumnModel[],
  keys: readonly (readonly unknown[])[],
  decode: (row: Row, columns: readonly ColumnModel[]) => Row,
  written?: { readonly columns: readonly ColumnModel[]; readonly values: readonly (readonly unknown[])[] },
): Promise<number[]> {
  const selected = written === undefined ? columns : [...columns, ...written.columns]
  const rows = (await db
    .selectFrom(table.sqlName)
    .select(selected.map((c) => c.sqlName))
    .where(inTuples(columns.map((c) => c.sqlName), keys))
    .execute()) as Row[]
  const found = new Map<string, Row>()
  for (const row of rows) {
    const decoded = decode(row, selected)
    found.set(tupleKey(columns.map((c) => decoded[c.property])), decoded)
  }
  const missing: number[] = []
  keys.forEach((key, i) => {
    const row = found.get(tupleKey(key))
    if (row === undefined || (written !== undefined && tupleKey(written.columns.map((c) => row[c.property])) !== tupleKey(written.values[i]!))) missing.push(i)
  })
  return missing
}

/**
 * The error of a statement that matched `matched` of `expected` rows. `stale` are the keys known
 * to be at fault; where the database cannot tell them all (no RETURNING), the rest are counted.
 */
export function staleRowsError(
  table: TableModel,
  action: string,
  expected: number,
  matched: number,
  columns: readonly ColumnModel[],
  stale: readonly (readonly unknown[])[],
  note = '',
): StaleObjectError {
  const keys = stale.map((values) => Object.fromEntries(columns.map((c, i) => [c.sqlName, values[i]])))
  const text = stale.slice(0, listed).map((values) => {
    const pairs = columns.map((c, i) => `${c.sqlName}=${show(values[i])}`).join(', ')
    return columns.length === 1 ? pairs : `(${pairs})`
  })
  if (stale.length > listed) text.push(`${stale.length - listed} more`)
  const unknown = expected - matched - stale.length
  if (unknown > 0) text.push(stale.length === 0 ? `the database cannot tell which` : `${unknown} the database cannot tell`)
  return new StaleObjectError(
    `${table.key}: ${expected - matched} of ${expected} ${action} were changed or deleted by someone else since they were loaded${note}: ` +
      `${table.sqlName} ${text.join(', ')}; nothing of this flush was written`,
    table.sqlName,
    keys,
  )
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value instanceof Date) return value.toISOString()
  return String(value)
}
