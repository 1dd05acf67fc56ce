/** The new objects of `session.upsert()` in one flush: grouped into statements (same conflict target, same columns given), checked for duplicates, and matched with the rows that come back. */
import type { RowsUpsert } from '../dialect/statement-rules.js'
import { RelataError } from '../errors.js'
import type { ColumnModel, TableModel } from '../schema/model.js'
import { stateOf, type UpsertPlan } from '../tracking/entity-state.js'
import { keyOfValues } from '../tracking/identity-map.js'

type Row = Record<string, unknown>

/** A new object on its way into an upsert: its row (SQL names, encoded) and the values it was given, by column index. */
export interface UpsertItem {
  readonly entity: object
  readonly row: Row
  readonly given: readonly unknown[]
}

/** Objects written by one statement shape: the conflict target, the columns given, what an existing row takes. */
export interface UpsertGroup<T extends UpsertItem> {
  readonly conflict: readonly ColumnModel[]
  readonly statement: RowsUpsert
  readonly items: readonly T[]
}

/**
 * Groups the upserted objects of one table by conflict target, columns given and columns updated:
 * a multi-row `VALUES` list fills a column a row leaves out with its default, which an update on
 * conflict would then write over the existing row's value. Two objects with the same conflict
 * values in one flush are refused: one statement cannot write a row twice (PostgreSQL refuses it,
 * MySQL would keep the last), and two objects for one row break the identity map.
 *
 * @example
 * ```ts
 * for (const group of upsertGroups(table, items)) platform.statements.upsert(insert(group.items), group.statement)
 * ```
 */
export function upsertGroups<T extends UpsertItem>(table: TableModel, items: readonly T[]): UpsertGroup<T>[] {
  const groups = new Map<string, { conflict: readonly ColumnModel[]; statement: RowsUpsert; items: T[] }>()
  const seen = new Map<string, object>()
  for (const item of items) {
    const plan = stateOf(item.entity)!.upsert!
    const conflictValues = plan.conflict.map((c) => item.given[table.columns.indexOf(c)])
    const seenKey = `${plan.conflict.map((c) => c.property).join(',')}:${keyOfValues(conflictValues)}`
    if (seen.has(seenKey)) {
      throw new RelataError(
        `session.upsert('${table.key}', ...): two new objects of this flush have ${describeValues(plan.conflict, conflictValues)}; ` +
          'one row cannot be written twice by one flush: change the object the first upsert returned instead. Nothing of this flush was written',
      )
    }
    seen.set(seenKey, item.entity)
    const update = updatedColumns(table, plan, item.row)
    const increment = update.length > 0 && table.versionColumn !== undefined ? table.versionColumn.sqlName : undefined
    const names = Object.keys(item.row).sort()
    const signature = `${plan.conflict.map((c) => c.sqlName).join(',')}|${update.map((c) => c.sqlName).join(',')}|${names.join(',')}`
    let group = groups.get(signature)
    if (group === undefined) {
      const statement: RowsUpsert = { table: table.sqlName, conflict: plan.conflict.map((c) => c.sqlName), update: update.map((c) => c.sqlName), ...(increment ? { increment } : {}) }
      groups.set(signature, (group = { conflict: plan.conflict, statement, items: [] }))
    }
    group.items.push(item)
  }
  return [...groups.values()]
}

/** The columns an existing row takes: those named by `update`, or every column given other than the conflict target, the primary key and the version. */
function updatedColumns(table: TableModel, plan: UpsertPlan, row: Row): readonly ColumnModel[] {
  if (plan.update !== undefined) return plan.update.filter((c) => c.sqlName in row)
  return table.columns.filter((c) => c.sqlName in row && !plan.conflict.includes(c) && !c.config.primaryKey && !c.config.version)
}

/**
 * Pairs each object with its row among `rows` (decoded, by property), by the conflict values it was
 * given: neither `RETURNING` nor a read back promises an order.
 *
 * @example
 * ```ts
 * for (const [entity, row] of matchUpserted(table, group.conflict, chunk, decoded)) written.set(entity, row)
 * ```
 */
export function matchUpserted(table: TableModel, conflict: readonly ColumnModel[], items: readonly UpsertItem[], rows: readonly Row[]): [object, Row][] {
  const byValues = new Map(rows.map((row) => [keyOfValues(conflict.map((c) => row[c.property])), row]))
  return items.map((item) => {
    const values = conflict.map((c) => item.given[table.columns.indexOf(c)])
    const row = byValues.get(keyOfValues(values))
    if (row === undefined) {
      throw new RelataError(
        `session.upsert('${table.key}', ...): the row written for ${describeValues(conflict, values)} did not come back with those values ` +
          '(a collation that compares them case- or accent-insensitively matched a row spelt otherwise?); give the values as the row holds them. Nothing of this flush was written',
      )
    }
    return [item.entity, row] as [object, Row]
  })
}

function describeValues(columns: readonly ColumnModel[], values: readonly unknown[]): string {
  return columns.map((c, i) => `${c.property} = ${typeof values[i] === 'string' ? JSON.stringify(values[i]) : String(values[i])}`).join(', ')
}
