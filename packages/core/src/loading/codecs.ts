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

/** Decoder for a value as it comes in a result row. Drivers configured by Relata already match; this covers user-supplied pools. */
export function rowDecoder(column: ColumnModel, family: SqlFamily): Decoder | undefined {
  switch (column.config.dataType) {
    case 'bigint':
      return toBigInt
    case 'numeric':
      return toNumericString
    case 'boolean':
      return family === 'mysql' ? toBoolean : undefined
    case 'timestamp':
      return toDate
    case 'date':
      return toDateOnly
    case 'json':
    case 'jsonb':
      return family === 'mysql' ? parseJsonText : undefined
    default:
      return undefined
  }
}

/** Decoder for a value inside a JSON aggregate, where numerics and big integers travel as text and dates as strings. */
export function jsonDecoder(column: ColumnModel, family: SqlFamily): Decoder | undefined {
  switch (column.config.dataType) {
    case 'bigint':
      return toBigInt
    case 'numeric':
      return toNumericString
    case 'boolean':
      return toBoolean
    case 'timestamp':
      return toDate
    case 'date':
      return toDateOnly
    case 'json':
    case 'jsonb':
      return family === 'mysql' ? parseJsonText : undefined
    case 'real':
    case 'double':
      return toNumber
    default:
      return undefined
  }
}

/** Columns whose value must travel as text inside JSON so that no digit is lost. */
export function travelsAsText(column: ColumnModel): boolean {
  return column.config.dataType === 'numeric' || column.config.dataType === 'bigint'
}
