/**
 * How many bytes values take in a MySQL statement, where mysql2 inlines them as escaped text: a
 * bound from above, so that batches split to fit the server's `max_allowed_packet` always fit.
 */
import { RelataError } from '../errors.js'
import type { ColumnModel, TableModel } from '../schema/model.js'

/** Bytes of a statement besides its rows' values: its SQL text, column names, RETURNING list. */
export const statementOverhead = 16 * 1024

/** Short strings are bounded without reading them: 3 UTF-8 bytes per UTF-16 unit covers escapes too. */
const measureFrom = 4096

/**
 * The most bytes a value (encoded for the database) takes inlined, with its separator.
 *
 * @example
 * ```ts
 * valueBytes('abc')   // 13
 * ```
 */
export function valueBytes(value: unknown): number {
  if (typeof value === 'string') return (value.length < measureFrom ? value.length * 3 : stringBytes(value)) + 4
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return 32
  if (value instanceof Date) return 40
  if (value instanceof Uint8Array) return value.length * 2 + 8
  return valueBytes(String(value))
}

/** UTF-8 bytes, plus one for each character mysql2 escapes with a backslash. */
function stringBytes(value: string): number {
  let bytes = 0
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code >= 0x800) bytes += 3
    else if (code >= 0x80) bytes += 2
    else bytes += code === 0 || code === 8 || code === 9 || code === 10 || code === 13 || code === 26 || code === 34 || code === 39 || code === 92 ? 2 : 1
  }
  return bytes
}

/**
 * The error for a row that cannot fit one statement: its table, the limit, its largest columns.
 *
 * @example
 * ```ts
 * throw rowTooLarge(table, 'insert', [[body, 'x'.repeat(5e6)]], 1 << 20)
 * ```
 */
export function rowTooLarge(table: TableModel, action: string, values: readonly (readonly [ColumnModel, unknown])[], limit: number): RelataError {
  const sizes = values
    .map(([column, value]) => [column, valueBytes(value)] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([column, bytes]) => `${table.sqlName}.${column.sqlName} ${mebibytes(bytes)}`)
  const total = values.reduce((sum, [, value]) => sum + valueBytes(value), 0)
  return new RelataError(
    `Cannot ${action} a ${table.key} row of about ${mebibytes(total)} (largest: ${sizes.join(', ')}): ` +
      `the server takes statements of at most ${mebibytes(limit)} (max_allowed_packet); raise max_allowed_packet or store less in one row`,
  )
}

const mebibytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MiB`
