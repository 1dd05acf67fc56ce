/** `session.plan()`: the statements of the next flush as plain data a user can read and a test can assert. */
import type { FlushStep } from './flush-plan.js'
import { parkableColumn } from './key-changes.js'

/**
 * One statement the next flush would run, as `session.plan()` lists them: the operation, the SQL
 * table, and how many rows it writes.
 *
 * @example
 * ```ts
 * session.add(later)
 * expect(await session.plan()).toEqual([
 *   { operation: 'insert', table: 'books', rows: 1 },
 *   { operation: 'insertLinks', table: 'book_author', rows: 1 },
 * ])
 * ```
 */
export interface PlannedStatement {
  readonly operation: 'insert' | 'postUpdate' | 'update' | 'insertLinks' | 'updateLinks' | 'deleteLinks' | 'purgeLinks' | 'nullKeys' | 'unsetKeys' | 'delete'
  /** SQL table name. */
  readonly table: string
  /** How many rows the statement writes (or, for purges and nullings, how many parents it covers). */
  readonly rows: number
  /** Columns an update changes (`unsetKeys`: the key set to NULL before its rows are deleted). */
  readonly columns?: readonly string[]
}

export function describePlan(steps: readonly FlushStep[]): PlannedStatement[] {
  return steps.map((step) => {
    const table = step.table.sqlName
    switch (step.kind) {
      case 'insert':
      case 'delete':
        return { operation: step.kind, table, rows: step.entities.length }
      case 'postUpdate':
        return { operation: step.kind, table, rows: 1, columns: [...step.keys].flatMap((k) => k.columns.map((c) => c.sqlName)) }
      case 'parkKey':
        return { operation: 'update', table, rows: 1, columns: [parkableColumn(step.table)!.sqlName] }
      case 'switchRow':
        return { operation: 'update', table, rows: 1, columns: step.row.columns.map((c) => c.sqlName) }
      case 'update':
        return { operation: step.kind, table, rows: step.writes.length, columns: [...new Set(step.writes.flatMap((w) => w.columns.map((c) => c.sqlName)))] }
      case 'insertLinks':
      case 'updateLinks':
      case 'deleteLinks':
        return { operation: step.kind, table, rows: step.links.length }
      case 'purgeLinks':
        return { operation: step.kind, table, rows: step.purge.parents.length }
      case 'nullKeys':
        return { operation: step.kind, table, rows: step.nulling.parents.length }
      case 'unsetKeys':
        return { operation: step.kind, table, rows: step.entities.length, columns: step.key.columns.map((c) => c.sqlName) }
    }
  })
}
