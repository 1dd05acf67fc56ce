/**
 * Column codecs: turn what a driver or a JSON aggregate returns into the declared TypeScript
 * value. `undefined` means the value needs no decoding (the hot path pays nothing).
 */
import type { ColumnModel } from '../schema/model.js'
import { parseTimestamp } from './timestamps.js'

export type Decoder = (value: unknown) => unknown

const toBigInt: Decoder = (v) => (v === null || typeof v === 'bigint' ? v : BigInt(v as string | number))
const toNumericString: Decoder = (v) => (v === null || typeof v === 'string' ? v : String(v))
const toBoolean: Decoder = (v) => (v === null || typeof v === 'boolean' ? v : v === 1 || v === '1' || v === 't' || v === 'true')
const toNumber: Decoder = (v) => (v === null || typeof v === 'number' ? v : Number(v))

const toDate: Decoder = (v) => (v === null || v instanceof Date ? v : parseTimestamp(String(v)))
const toDateOnly: Decoder = (v) => {
  if (v === null || v instanceof Date) return v
  const date = parseTimestamp(String(v))
  date.setUTCHours(0, 0, 0, 0)
  return date
}

/**
 * Booleans as a driver may return them: MySQL's `tinyint(1)` as 1 or 0, PostgreSQL's text format as
 * 't' or 'f', and JSON aggregates as `true`, 1 or '1'.
 *
 * @example
 * ```ts
 * decodeBoolean(1)     // true
 * decodeBoolean('f')   // false
 * ```
 */
export const decodeBoolean: Decoder = toBoolean

/**
 * Decoder for a value as it comes in a result row: drivers configured by Relata already return the
 * declared types; this covers pools the user configured. Booleans are the driver's own (a family
 * whose driver returns numbers decodes them with `decodeBoolean`).
 *
 * @example
 * ```ts
 * rowDecoder(table.columnsByProperty.get('total')!)?.(12)   // 12n for a bigint column
 * ```
 */
export function rowDecoder(column: ColumnModel): Decoder | undefined {
  switch (column.config.dataType) {
    case 'bigint':
      return toBigInt
    case 'numeric':
      return toNumericString
    case 'timestamp':
      return toDate
    case 'date':
      return toDateOnly
    case 'json':
    case 'jsonb':
      // mysql2 parses JSON columns, and aggregates embed them: parsing again would read a
      // document that is one string ("text") as JSON text and fail.
      return undefined
    default:
      return undefined
  }
}

/**
 * Decoder for a value inside a JSON aggregate: numerics and big integers as text, dates as strings,
 * MariaDB booleans as 1/0, floats as JSON numbers or text.
 *
 * @example
 * ```ts
 * jsonDecoder(table.columnsByProperty.get('price')!)?.(12.5)   // '12.5' for a numeric column
 * ```
 */
export function jsonDecoder(column: ColumnModel): Decoder | undefined {
  switch (column.config.dataType) {
    case 'boolean':
      return toBoolean
    case 'real':
    case 'double':
      return toNumber
    default:
      return rowDecoder(column)
  }
}

/** Columns whose value must travel as text inside JSON so that no digit is lost. */
export function travelsAsText(column: ColumnModel): boolean {
  return column.config.dataType === 'numeric' || column.config.dataType === 'bigint'
}
