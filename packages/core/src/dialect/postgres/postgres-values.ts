/** PostgreSQL's value rules: what its types hold beyond the common limits, dates sent as UTC text, and its comparisons. */
import { sql, type Expression, type SqlBool } from 'kysely'
import type { ColumnModel } from '../../schema/model.js'
import { jsonDecoder, rowDecoder } from '../../values/codecs.js'
import { formatUtcTimestamp } from '../../values/timestamps.js'
import { dayText, realProblem } from '../../values/value-limits.js'
import type { ValueRules } from '../../values/value-rules.js'

/** PostgreSQL's earliest `timestamp` and `date`: 4714-11-24 BC (JavaScript's year -4713); its latest lie beyond JavaScript's. */
const POSTGRES_MIN = Date.UTC(-4713, 10, 24)

/** A single-precision value as PostgreSQL prints it: the shortest text that reads back exactly. */
function shortestExact(single: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const text = single.toPrecision(digits)
    if (Math.fround(Number(text)) === single) return Number(text)
  }
  return Number(single.toPrecision(9))
}

/** The PostgreSQL type of an array of the column's values, for `cast($1 as <type>[])`. */
function elementType(column: ColumnModel): string {
  const { dataType, withTimezone } = column.config
  switch (dataType) {
    case 'serial':
      return 'integer'
    case 'varchar':
    case 'enum':
      return 'text'
    case 'double':
      return 'double precision'
    case 'timestamp':
      return withTimezone === true ? 'timestamptz' : 'timestamp'
    default:
      return dataType
  }
}

/** `ref = any(cast($1 as integer[]))` / `ref <> all(...)`: an `in` list of any length as one parameter. */
function compareWithArray(ref: string, operator: 'in' | 'not in', column: ColumnModel, values: readonly unknown[]): Expression<SqlBool> {
  const array = sql`cast(${values} as ${sql.raw(elementType(column))}[])`
  return operator === 'in' ? sql<SqlBool>`${sql.ref(ref)} = any(${array})` : sql<SqlBool>`${sql.ref(ref)} <> all(${array})`
}

/**
 * PostgreSQL's (and PGlite's) rules for values: text holds no NUL, an unconstrained `numeric` holds
 * 131,072 digits before the point and 16,383 after, a `real` reads back as its shortest exact text,
 * dates start in 4714 BC and are sent as UTC text (drivers send local time, or an ISO string
 * PostgreSQL cannot read past year 9999); `json` values cannot be compared; an `in` list of more
 * than 1,000 values travels as one array parameter.
 *
 * @example
 * ```ts
 * postgresValues.encodeDate?.(new Date(Date.UTC(2024, 0, 2)))   // '2024-01-02T00:00:00.000+00:00'
 * ```
 */
export const postgresValues: ValueRules = Object.freeze({
  rowDecoder,
  jsonDecoder,
  encodeDate: formatUtcTimestamp,
  textProblem: (value) => (value.includes('\u0000') ? 'PostgreSQL text cannot contain the NUL character (\\u0000)' : undefined),
  unboundedNumeric: Object.freeze({ type: 'numeric', integer: 131_072, fraction: 16_383 }),
  floatProblem: (value, type) => (type === 'real' ? realProblem(value, shortestExact, 'about 7 significant digits') : undefined),
  dateRangeProblem: (value, type) =>
    value.getTime() < POSTGRES_MIN ? `PostgreSQL ${type}s start on 4714-11-24 BC, this is ${dayText(value)}` : undefined,
  comparisonProblem: (table, column) =>
    column.config.dataType === 'json' ? `PostgreSQL cannot compare json values; declare ${table.sqlName}.${column.sqlName} as t.jsonb() to filter on it` : undefined,
  longInList: Object.freeze({ from: 1000, compare: compareWithArray }),
} satisfies ValueRules)
