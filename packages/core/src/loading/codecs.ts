/**
 * Column codecs: turn what a driver or a JSON aggregate returns into the declared TypeScript
 * value. `undefined` means the value needs no decoding (the hot path pays nothing).
 */
import type { SqlFamily } from '../dialect/dialect.js'
import type { ColumnModel } from '../schema/model.js'

export type Decoder = (value: unknown) => unknown

const toBigInt: Decoder = (v) => (v === null || typeof v === 'bigint' ? v : BigInt(v as string | number))
const toNumericString: Decoder = (v) => (v === null || typeof v === 'string' ? v : String(v))
const toBoolean: Decoder = (v) => (v === null || typeof v === 'boolean' ? v : v === 1 || v === '1' || v === 't' || v === 'true')
const toNumber: Decoder = (v) => (v === null || typeof v === 'number' ? v : Number(v))
const parseJsonText: Decoder = (v) => (typeof v === 'string' ? JSON.parse(v) : v)

/** A zone-less timestamp is UTC: `2009-01-01 10:00:00` and `2009-01-01T10:00:00.5` alike. */
export function parseTimestamp(text: string): Date {
  const iso = text.includes('T') ? text : text.replace(' ', 'T')
  const zoned = /(?:Z|[+-]\d\d(?::?\d\d)?)$/.test(iso)
  return new Date(zoned ? iso : `${iso}Z`)
}

const toDate: Decoder = (v) => (v === null || v instanceof Date ? v : parseTimestamp(String(v)))
const toDateOnly: Decoder = (v) => (v === null || v instanceof Date ? v : new Date(`${String(v).slice(0, 10)}T00:00:00Z`))

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
      return family === 'mysql' ? parseJsonText : undefined
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
