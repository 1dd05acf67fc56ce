/** Values on their way to the database: checked against the column before any SQL, compared with snapshots, encoded. */
import type { SqlFamily } from '../dialect/dialect.js'
import { RelataError } from '../errors.js'
import type { ColumnModel, TableModel } from '../schema/model.js'

const numericPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/

function expected(column: ColumnModel): string | undefined {
  const { dataType, enumValues, length } = column.config
  switch (dataType) {
    case 'serial':
    case 'integer':
      return 'an integer number'
    case 'bigint':
      return 'a bigint'
    case 'text':
    case 'uuid':
      return 'a string'
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
    default:
      return undefined
  }
}

function valid(column: ColumnModel, value: unknown): boolean {
  const { dataType, enumValues, length } = column.config
  switch (dataType) {
    case 'serial':
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value)
    case 'bigint':
      return typeof value === 'bigint'
    case 'text':
    case 'uuid':
      return typeof value === 'string'
    case 'varchar':
      return typeof value === 'string' && (value.length <= (length ?? 255) || [...value].length <= (length ?? 255))
    case 'boolean':
      return typeof value === 'boolean'
    case 'numeric':
      return typeof value === 'string' && numericPattern.test(value)
    case 'real':
    case 'double':
      return typeof value === 'number'
    case 'timestamp':
    case 'date':
      return value instanceof Date && !Number.isNaN(value.getTime())
    case 'enum':
      return typeof value === 'string' && enumValues!.includes(value)
    case 'json':
    case 'jsonb':
      try {
        return JSON.stringify(value) !== undefined
      } catch {
        return false
      }
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === 'bigint') return `${value}n`
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`
  return typeof value === 'object' ? (Array.isArray(value) ? 'an array' : 'an object') : String(value)
}

/** Throws an error naming the table and column when a value cannot be written to it. */
export function checkValue(table: TableModel, column: ColumnModel, value: unknown): void {
  if (value === null || value === undefined) {
    if (value === null && !column.config.nullable) {
      throw new RelataError(`${table.key}.${column.property} (${table.sqlName}.${column.sqlName}) cannot be null`)
    }
    return
  }
  if (!valid(column, value)) {
    throw new RelataError(`${table.key}.${column.property} (${table.sqlName}.${column.sqlName}) expects ${expected(column) ?? 'a JSON value'}, got ${show(value)}`)
  }
}

/** Whether a current value equals what the snapshot holds (JSON compared by its text, dates by their time). */
export function sameValue(isJson: boolean, current: unknown, snapshot: unknown): boolean {
  if (current === snapshot) return true
  if (current === null || snapshot === null || current === undefined || snapshot === undefined) return false
  if (isJson) return typeof current === 'object' ? JSON.stringify(current) === snapshot : false
  if (current instanceof Date && snapshot instanceof Date) return current.getTime() === snapshot.getTime()
  return false
}

export const isJsonColumn = (column: ColumnModel): boolean => column.config.dataType === 'json' || column.config.dataType === 'jsonb'

/** A value as the driver takes it: JSON as text, everything else as is. */
export function encodeValue(column: ColumnModel, value: unknown, _family: SqlFamily): unknown {
  if (value === null || value === undefined) return value
  if (isJsonColumn(column)) return JSON.stringify(value)
  return value
}
