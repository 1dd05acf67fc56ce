/**
 * Values on their way to the database: checked against the column before any SQL, compared with
 * snapshots, encoded. A value is accepted only when the database will store it as it is, so that
 * it reads back equal; anything it would refuse, truncate, round or replace is refused here with
 * an error naming the table and column. Some limits depend on the database family (its
 * `ValueRules`): they are checked when the family is known (at flush and when a query runs), the
 * rest as soon as a value is given.
 */
import { RelataError } from '../errors.js'
import type { ColumnModel, TableModel } from '../schema/model.js'
import type { SnapshotKind } from './snapshots.js'
import { dateProblem, decimalProblem, jsonProblem, stringProblem } from './value-limits.js'
import { commonValueRules, type ValueRules } from './value-rules.js'

const INT32 = 2 ** 31
const INT64 = 2n ** 63n
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function expected(column: ColumnModel): string {
  const { dataType, enumValues, length } = column.config
  switch (dataType) {
    case 'serial':
    case 'integer':
      return 'an integer number from -2147483648 to 2147483647'
    case 'bigint':
      return 'a bigint from -(2n ** 63n) to 2n ** 63n - 1n'
    case 'text':
      return 'a string'
    case 'uuid':
      return "a UUID string in lowercase ('0f8fad5b-d9cb-469f-a165-70867728950e')"
    case 'varchar':
      return `a string of at most ${length ?? 255} characters`
    case 'boolean':
      return 'a boolean'
    case 'numeric':
      return "a decimal string such as '12.50'"
    case 'real':
    case 'double':
      return 'a number'
    case 'timestamp':
    case 'date':
      return 'a valid Date'
    case 'enum':
      return `one of ${enumValues!.map((v) => `'${v}'`).join(', ')}`
    case 'json':
    case 'jsonb':
      return 'a JSON value'
  }
}

/** Whether a string has at most `max` characters (code points), reading no further than needed. */
function codePointsAtMost(value: string, max: number): boolean {
  let count = 0
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdbff && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++
    if (++count > max) return false
  }
  return true
}

/** Whether the value has the column's JavaScript type and fits the type's own range (any database). */
function valid(column: ColumnModel, value: unknown, comparing: boolean): boolean {
  const { dataType, enumValues, length } = column.config
  switch (dataType) {
    case 'serial':
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= -INT32 && value < INT32
    case 'bigint':
      return typeof value === 'bigint' && value >= -INT64 && value < INT64
    case 'text':
      return typeof value === 'string'
    case 'uuid':
      return typeof value === 'string' && uuidPattern.test(value)
    case 'varchar':
      // Compared with, a longer string simply matches nothing.
      return typeof value === 'string' && (comparing || value.length <= (length ?? 255) || codePointsAtMost(value, length ?? 255))
    case 'boolean':
      return typeof value === 'boolean'
    case 'numeric':
      return typeof value === 'string'
    case 'real':
    case 'double':
      return typeof value === 'number'
    case 'timestamp':
    case 'date':
      return value instanceof Date && !Number.isNaN(value.getTime())
    case 'enum':
      return typeof value === 'string' && (comparing || enumValues!.includes(value))
    case 'json':
    case 'jsonb':
      return true
  }
}

/** Why the database would not store this value of the right type as it is, or `undefined`. */
function problem(column: ColumnModel, value: unknown, rules: ValueRules): string | undefined {
  const { dataType } = column.config
  switch (dataType) {
    case 'text':
    case 'varchar':
    case 'enum':
      return stringProblem(value as string, dataType === 'text' ? 'text' : 'short', rules)
    case 'numeric':
      return decimalProblem(value as string, column.config.precision, column.config.scale, rules)
    case 'real':
    case 'double':
      return rules.floatProblem?.(value as number, dataType)
    case 'timestamp':
    case 'date':
      return dateProblem(value as Date, dataType, column.config.precision, rules)
    case 'json':
    case 'jsonb':
      return jsonProblem(value, dataType, rules)
    default:
      return undefined
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === 'bigint') return `${value}n`
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  return typeof value === 'object' && value !== null ? (Array.isArray(value) ? 'an array' : 'an object') : String(value)
}

const columnName = (table: TableModel, column: ColumnModel) => `${table.key}.${column.property} (${table.sqlName}.${column.sqlName})`

/**
 * Throws an error naming the table and column when a value cannot be written to it: the limits
 * common to every database, and those of the family whose `rules` are given (NUL in PostgreSQL
 * text, MariaDB's ranges, ...). `comparing`: a value compared with in a filter, which may be longer
 * than a `varchar` or be a `like` pattern.
 */
export function checkValue(table: TableModel, column: ColumnModel, value: unknown, rules: ValueRules = commonValueRules, comparing = false): void {
  if (value === null || value === undefined) {
    if (value === null && !column.config.nullable && !comparing) throw new RelataError(`${columnName(table, column)} cannot be null`)
    return
  }
  if (!valid(column, value, comparing)) {
    throw new RelataError(`${columnName(table, column)} expects ${expected(column)}, got ${show(value)}`)
  }
  const why = problem(column, value, rules)
  if (why !== undefined) throw new RelataError(`${columnName(table, column)} cannot hold ${show(value)}: ${why}`)
}

/**
 * Whether a current value equals what the snapshot holds (`snapshotValue`): a date by its time, a
 * document by its JSON text (a string whose text equals a document's is not that document), a
 * float's -0 apart from 0.
 */
export function sameValue(kind: SnapshotKind, current: unknown, snapshot: unknown): boolean {
  if (current === null || current === undefined || snapshot === null || snapshot === undefined) return current === snapshot
  if (kind === 'date') return current instanceof Date && Object.is(current.getTime(), snapshot)
  if (kind === 'json') return jsonText(current) === snapshot
  return typeof current === 'number' ? typeof snapshot === 'number' && Object.is(current, snapshot) : current === snapshot
}

/** A document's JSON text; `undefined` for what JSON cannot hold (a bigint, a cycle), which `checkValue` then refuses. */
function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value)
  } catch {
    return undefined
  }
}

export const isJsonColumn = (column: ColumnModel): boolean => column.config.dataType === 'json' || column.config.dataType === 'jsonb'

/**
 * A value as the driver takes it: JSON as text; a negative zero of a float column as the text
 * `-0` (drivers write the number as `0`); a date as the family's `encodeDate` makes it (on
 * PostgreSQL a UTC literal: drivers send local time or an ISO string it cannot read past year
 * 9999); everything else as it is.
 */
export function encodeValue(column: ColumnModel, value: unknown, rules: ValueRules = commonValueRules): unknown {
  if (value === null || value === undefined) return value
  if (isJsonColumn(column)) return JSON.stringify(value)
  if (typeof value === 'number' && Object.is(value, -0) && (column.config.dataType === 'real' || column.config.dataType === 'double')) return '-0'
  if (value instanceof Date && rules.encodeDate !== undefined) return rules.encodeDate(value)
  return value
}
