/** mysql2 pool settings that make values read and written through Kysely match Relata's column types. */
import { format, type PoolOptions, type TypeCast } from 'mysql2'

/**
 * `TINYINT(1)` (MySQL's `BOOLEAN`) as `boolean`, `BIGINT` as `bigint`, JSON (MySQL's, and
 * MariaDB's, known from its metadata) parsed the same on every Node; everything else as mysql2 reads it.
 *
 * @example
 * ```ts
 * createPool({ uri, typeCast: relataTypeCast })
 * ```
 */
export const relataTypeCast: TypeCast = (field, next) => {
  // JSON is parsed here: with supportBigNumbers on a Node whose JSON.parse gives the source text
  // (Node 22+), mysql2 would read integers beyond 2^53 inside documents as strings. Here they are
  // numbers on every Node, as on PostgreSQL. MariaDB's JSON shows only in the extended metadata.
  if (field.type === 'JSON' || (field as { extendedFormat?: string }).extendedFormat === 'json') {
    const text = field.string('utf8')
    if (text === null) return null
    // Text that is not JSON (an aggregate MariaDB cut at max_allowed_packet) stays text: a throw
    // here would leave the connection reading a half-read packet.
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
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
