/** mysql2 pool settings that make values read and written through Kysely match Relata's column types. */
import type { PoolOptions, TypeCast } from 'mysql2'

/**
 * `TINYINT(1)` (MySQL's `BOOLEAN`) as `boolean`, `BIGINT` as `bigint`, `DOUBLE` parsed exactly, JSON (MySQL's, and
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
  // mysql2's own DOUBLE parser can miss by one unit in the last place (908463.1240234375 read as
  // ...376); JavaScript's is exact.
  if (field.type === 'DOUBLE') {
    const value = field.string()
    return value === null ? null : Number(value)
  }
  if (field.type === 'LONGLONG') {
    const value = field.string()
    return value === null ? null : BigInt(value)
  }
  return next()
}

/**
 * The pool options Relata sets on the pools it creates; they override the same options given by
 * the user. Decimals stay exact strings, big integers are read exactly, `DATETIME` and `DATE`
 * are UTC and `TINYINT(1)` is a boolean. (Values are written into statements by Relata's driver,
 * not by the pool: see `inlineParameters`.)
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
}) satisfies PoolOptions

/**
 * The options of the pools Relata creates: `relataPoolOptions` with mysql2's own parser as the
 * pool-wide `typeCast`. The driver gives `relataTypeCast` per statement instead (mysql2 takes a
 * per-query `typeCast` only when the pool has no function), except to the entity reads whose
 * rows the column codecs decode: a function called per value costs a third of a wide read.
 *
 * @example
 * ```ts
 * createPool({ ...userOptions, ...createdPoolOptions })
 * ```
 */
export const createdPoolOptions = Object.freeze({ ...relataPoolOptions, typeCast: true }) satisfies PoolOptions
