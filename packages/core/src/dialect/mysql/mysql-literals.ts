/** MySQL / MariaDB SQL text for values that reads the same under every `sql_mode` and connection charset. */
import type { CompiledQuery } from 'kysely'
import { createRequire } from 'node:module'
import type { Timezone } from 'mysql2'
import { RelataError } from '../../errors.js'

const BACKSLASH_OR_NUL = /[\\\0]/
const QUESTION_MARK = 63

/**
 * Whether a string holds a backslash or NUL: the only characters a quoted MySQL literal reads
 * differently with and without `NO_BACKSLASH_ESCAPES`.
 *
 * @example
 * ```ts
 * readsByMode('a\\b')   // true
 * ```
 */
export const readsByMode = (value: string): boolean => BACKSLASH_OR_NUL.test(value)

/**
 * A string's UTF-8 bytes as a hex literal, which every `sql_mode` reads the same.
 *
 * @example
 * ```ts
 * hexLiteral('a\\b')   // X'615c62'
 * ```
 */
export const hexLiteral = (value: string): string => `X'${Buffer.from(value, 'utf8').toString('hex')}'`

/**
 * A string as an SQL literal that means the same with or without `NO_BACKSLASH_ESCAPES` (and
 * `ANSI_QUOTES`): quotes are doubled, never backslash-escaped, and a string holding a backslash or
 * NUL (the only characters whose reading depends on the mode) is sent as UTF-8 hex. No byte
 * `0x5c` is ever sent inside a quoted literal, so no multi-byte connection charset can swallow a quote.
 *
 * @example
 * ```ts
 * mysqlStringLiteral("O'Brien")   // 'O''Brien'
 * mysqlStringLiteral('a\\b')      // _utf8mb4 X'615c62'
 * ```
 */
export function mysqlStringLiteral(value: string): string {
  if (BACKSLASH_OR_NUL.test(value)) return `_utf8mb4 ${hexLiteral(value)}`
  return value.includes("'") ? `'${value.replaceAll("'", "''")}'` : `'${value}'`
}

function isJsonValue(value: object): boolean {
  if (Array.isArray(value)) return true
  const prototype = Object.getPrototypeOf(value)
  return (prototype === Object.prototype || prototype === null) && Object.getOwnPropertySymbols(value).length === 0
}

let mysql2Escape: (typeof import('mysql2'))['escape'] | undefined

/** mysql2 writes a date as quoted digits (no backslash), in the pool's `timezone`; an invalid one would be `NULL`. */
function dateLiteral(value: Date, timezone: Timezone): string {
  if (Number.isNaN(value.getTime())) throw new RelataError('MySQL cannot be sent an invalid Date as a value')
  // Loaded at first use: this module is also loaded where mysql2 is not installed (the platforms of
  // @relata/core/internal, which a PostgreSQL project's `relata` command reads).
  mysql2Escape ??= (createRequire(import.meta.url)('mysql2') as typeof import('mysql2')).escape
  return mysql2Escape(value, false, timezone)
}

/**
 * One value as SQL text: strings by `mysqlStringLiteral`, dates as mysql2 writes them in the pool's `timezone`, bytes as
 * hex, plain objects and arrays as JSON text (as on PostgreSQL). mysql2's `toSqlString()` objects
 * stay SQL, as mysql2 documents; any other value that would become SQL text is refused.
 *
 * @example
 * ```ts
 * mysqlValueLiteral({ a: 1 })   // '{"a":1}'
 * mysqlValueLiteral(10n)        // 10
 * ```
 */
export function mysqlValueLiteral(value: unknown, timezone: Timezone = 'Z'): string {
  switch (typeof value) {
    case 'string':
      return mysqlStringLiteral(value)
    case 'bigint':
      return String(value)
    case 'number':
      if (Number.isFinite(value)) return String(value)
      break
    case 'boolean':
      return value ? 'true' : 'false'
    case 'undefined':
      return 'null'
    case 'object':
      if (value === null) return 'null'
      if (value instanceof Date) return dateLiteral(value, timezone)
      if (value instanceof Uint8Array) return `X'${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}'`
      if (typeof (value as { toSqlString?: unknown }).toSqlString === 'function') return String((value as { toSqlString(): unknown }).toSqlString())
      if (isJsonValue(value)) return mysqlStringLiteral(JSON.stringify(value))
      break
  }
  const kind = typeof value === 'object' && value !== null ? `a ${value.constructor?.name ?? 'prototype-less object'}` : String(value)
  throw new RelataError(`MySQL cannot be sent ${kind} as a value`)
}

/** The end of the quoted name, string or comment starting at `start`, or `start` if none starts there. */
function skipQuotedOrComment(sql: string, start: number): number {
  const code = sql.charCodeAt(start)
  const next = sql.charCodeAt(start + 1)
  if (code === 39 || code === 34 || code === 96) {
    for (let index = start + 1; index < sql.length; index++) {
      const at = sql.charCodeAt(index)
      if (at === 92 && code !== 96) index++
      else if (at === code) {
        if (sql.charCodeAt(index + 1) !== code) return index
        index++
      }
    }
    return sql.length
  }
  if (code === 35 || (code === 45 && next === 45 && !(sql.charCodeAt(start + 2) > 32))) {
    const end = sql.indexOf('\n', start)
    return end === -1 ? sql.length : end
  }
  if (code === 47 && next === 42 && sql.charCodeAt(start + 2) !== 33 && sql.charCodeAt(start + 2) !== 43) {
    const end = sql.indexOf('*/', start + 2)
    return end === -1 ? sql.length : end + 1
  }
  return start
}

/**
 * The statement with its `?` parameters written in as literals (`mysqlValueLiteral`), so that what
 * reaches the server does not depend on the pool's `queryFormat` or on the session's `sql_mode`;
 * `timezone` is the pool's (mysql2's `timezone` option), so dates are written as the pool reads them.
 * A `?` inside quotes or a comment is not a parameter; a parameter without its `?` is an error.
 *
 * @example
 * ```ts
 * inlineParameters(CompiledQuery.raw('select ? as a', ["O'Brien"])).sql   // select 'O''Brien' as a
 * ```
 */
export function inlineParameters(query: CompiledQuery, timezone: Timezone = 'Z'): CompiledQuery {
  const { sql, parameters } = query
  if (parameters.length === 0) return query
  let text = ''
  let from = 0
  let used = 0
  for (let index = 0; index < sql.length && used < parameters.length; index++) {
    if (sql.charCodeAt(index) === QUESTION_MARK) {
      text += sql.slice(from, index) + mysqlValueLiteral(parameters[used++], timezone)
      from = index + 1
    } else {
      index = skipQuotedOrComment(sql, index)
    }
  }
  if (used < parameters.length) {
    throw new RelataError(`the statement has ${used} places for its ${parameters.length} parameters (a ? inside quotes or a comment is not one): ${sql}`)
  }
  return Object.freeze({ ...query, sql: text + sql.slice(from), parameters: [] })
}
