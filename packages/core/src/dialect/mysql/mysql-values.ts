/** MySQL's and MariaDB's value rules: booleans read as numbers, and what their types hold beyond the common limits. */
import { decodeBoolean, jsonDecoder, rowDecoder } from '../../values/codecs.js'
import { dayText, realProblem, utf8Length } from '../../values/value-limits.js'
import type { ValueRules } from '../../values/value-rules.js'
import { mysqlDecodedRows } from './mysql-row-reads.js'

/** A MySQL TEXT holds 65,535 bytes; a longer value is refused in strict mode and cut otherwise. */
const TEXT_BYTES = 65_535
/** MariaDB refuses a JSON document with more nested arrays and objects than this. */
const JSON_NESTING = 31
/** MySQL's documented `DATETIME` and `DATE` range. */
const DATE_MIN = Date.UTC(1000, 0, 1)
const DATE_MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/** A single-precision value as MySQL and MariaDB print it: six significant digits. */
const sixDigits = (single: number): number => Number(single.toPrecision(6))

/**
 * MySQL's and MariaDB's rules for values: booleans come back as 1/0 (`tinyint(1)`), a `TEXT` holds
 * 65,535 bytes, a `numeric` without precision is `DECIMAL(65, 30)`, floats have no NaN, Infinity or
 * negative zero and a `real` reads back with six digits, dates lie between years 1000 and 9999,
 * MariaDB's JSON nests 31 deep, and there is no `ilike`.
 *
 * @example
 * ```ts
 * mysqlValues.floatProblem?.(Number.NaN, 'double')   // 'MySQL and MariaDB store no NaN or Infinity'
 * ```
 */
export const mysqlValues: ValueRules = Object.freeze({
  rowDecoder: (column) => (column.config.dataType === 'boolean' ? decodeBoolean : rowDecoder(column)),
  jsonDecoder,
  decodedRows: mysqlDecodedRows,
  textColumnProblem(value) {
    // Three bytes per UTF-16 unit at most: only a string that long can be too long.
    if (value.length * 3 <= TEXT_BYTES) return undefined
    const bytes = utf8Length(value)
    return bytes > TEXT_BYTES ? `a MySQL/MariaDB TEXT column holds at most ${TEXT_BYTES} bytes of UTF-8, this string has ${bytes}` : undefined
  },
  unboundedNumeric: Object.freeze({ type: 'decimal(65, 30)', integer: 35, fraction: 30 }),
  floatProblem(value, type) {
    if (!Number.isFinite(value)) return 'MySQL and MariaDB store no NaN or Infinity'
    if (Object.is(value, -0)) return 'MySQL and MariaDB store no negative zero'
    return type === 'real' ? realProblem(value, sixDigits, 'read back with 6 significant digits') : undefined
  },
  dateRangeProblem(value, type) {
    const time = value.getTime()
    if (time >= DATE_MIN && time <= DATE_MAX) return undefined
    return `MySQL/MariaDB ${type === 'date' ? 'DATE' : 'DATETIME'} values lie between 1000-01-01 and 9999-12-31, this is ${dayText(value)}`
  },
  jsonNestingProblem: (depth) => (depth >= JSON_NESTING ? `MariaDB refuses JSON with more than ${JSON_NESTING} nested arrays and objects` : undefined),
  comparisonProblem: (_table, _column, operator) =>
    operator.endsWith('ilike') ? `MySQL and MariaDB have no ilike (their default collations already compare without case): use '${operator.replace('ilike', 'like')}'` : undefined,
} satisfies ValueRules)
