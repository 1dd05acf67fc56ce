/** mysql2 pool settings that make values read and written through Kysely match Relata's column types. */
import { format, type PoolOptions, type TypeCast } from 'mysql2'

/**
 * `TINYINT(1)` (MySQL's `BOOLEAN`) as `boolean` and `BIGINT` as `bigint`; everything else as
 * mysql2 reads it (JSON parsed, also MariaDB's, which mysql2 recognises from its metadata).
 *
 * @example
 * ```ts
 * createPool({ uri, typeCast: relataTypeCast })
 * ```
 */
export const relataTypeCast: TypeCast = (field, next) => {
  if (field.type === 'TINY' && field.length === 1) {
    const value = field.string()
    return value === null ? null : value !== '0'
  }
  if (field.type === 'LONGLONG') {
    const value = field.string()
    return value === null ? null : BigInt(value)
  }
  return next()
}

function isJsonValue(value: unknown): boolean {
  if (Array.isArray(value)) return true
  if (typeof value !== 'object' || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  const plain = prototype === Object.prototype || prototype === null
  return plain && typeof (value as { toSqlString?: unknown }).toSqlString !== 'function' && Object.getOwnPropertySymbols(value).length === 0
}

/**
 * Inlines parameters as mysql2 does, except that plain objects and arrays are sent as JSON text
 * (mysql2 would turn them into `key = value` lists, which Kysely never asks for), so a JSON
 * column can be written with an object, as on PostgreSQL.
 *
 * @example
 * ```ts
 * relataQueryFormat('insert into t (meta) values (?)', [{ a: 1 }])   // insert into t (meta) values ('{"a":1}')
 * ```
 */
export function relataQueryFormat(sql: string, values: unknown): string {
  const parameters = Array.isArray(values) ? values.map((value: unknown) => (isJsonValue(value) ? JSON.stringify(value) : value)) : values
  return format(sql, parameters as Parameters<typeof format>[1], false, 'Z')
}

/**
 * The pool options Relata sets on the pools it creates; they override the same options given by
 * the user. Decimals stay exact strings, big integers are read exactly, `DATETIME` and `DATE`
 * are UTC, `TINYINT(1)` is a boolean, and objects are written as JSON.
 *
 * @example
 * ```ts
 * createPool({ ...userOptions, ...relataPoolOptions })
 * ```
 */
export const relataPoolOptions = Object.freeze({
  supportBigNumbers: true,
  bigNumberStrings: true,
  decimalNumbers: false,
  timezone: 'Z',
  dateStrings: false,
  typeCast: relataTypeCast,
  queryFormat: relataQueryFormat,
}) satisfies PoolOptions
