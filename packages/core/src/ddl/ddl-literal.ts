/** Literals in DDL: on MySQL, strings that every `sql_mode` reads the same and that MariaDB keeps intact in stored defaults. */
import { sql, type RawBuilder } from 'kysely'
import type { SqlFamily } from '../dialect/dialect.js'

const BACKSLASH_OR_NUL = /[\\\0]/

/**
 * `sql.lit(value)`, except that on MySQL a string holding a backslash or NUL is written as hex
 * (`X'5c'`): quoted, it would read differently under `NO_BACKSLASH_ESCAPES`, and MariaDB drops the
 * backslash of `_utf8mb4 X'...'` in a stored default. `ENUM` lists and defaults take plain hex.
 *
 * @example
 * ```ts
 * ddlLiteral('a\\b', 'mysql')   // X'615c62'
 * ddlLiteral("it's", 'mysql')   // 'it''s'
 * ```
 */
export function ddlLiteral(value: unknown, family: SqlFamily): RawBuilder<unknown> {
  if (family === 'mysql' && typeof value === 'string' && BACKSLASH_OR_NUL.test(value)) return sql.raw(`X'${Buffer.from(value, 'utf8').toString('hex')}'`)
  return sql.lit(value)
}
