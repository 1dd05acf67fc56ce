/**
 * Column codecs: turn what a driver or a JSON aggregate returns into the declared TypeScript
 * value. `undefined` means the value needs no decoding (the hot path pays nothing).
 */
import type { SqlFamily } from '../dialect/dialect.js'
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
 * The decoder of a column's values where they come from: a result row (`'row'`: drivers configured
 * by Relata already return the declared types; this covers pools the user configured) or a JSON
 * aggregate (`'json'`: numerics and big integers as text, dates as strings, MariaDB booleans as 1/0).
 */
function decoderFor(column: ColumnModel, family: SqlFamily, source: 'row' | 'json'): Decoder | undefined {
  switch (column.config.dataType) {
    case 'bigint':
      return toBigInt
    case 'numeric':
      return toNumericString
    case 'boolean':
      return source === 'json' || family === 'mysql' ? toBoolean : undefined
    case 'timestamp':
      return toDate
    case 'date':
      return toDateOnly
    case 'json':
    case 'jsonb':
      // mysql2 parses JSON columns, and aggregates embed them: parsing again would read a
      // document that is one string ("text") as JSON text and fail.
      return undefined
    case 'real':
    case 'double':
      return source === 'json' ? toNumber : undefined
    default:
      return undefined
  }
}

/** Decoder for a value as it comes in a result row. */
export const rowDecoder = (column: ColumnModel, family: SqlFamily): Decoder | undefined => decoderFor(column, family, 'row')

/** Decoder for a value inside a JSON aggregate. */
export const jsonDecoder = (column: ColumnModel, family: SqlFamily): Decoder | undefined => decoderFor(column, family, 'json')

/** Columns whose value must travel as text inside JSON so that no digit is lost. */
export function travelsAsText(column: ColumnModel): boolean {
  return column.config.dataType === 'numeric' || column.config.dataType === 'bigint'
}
