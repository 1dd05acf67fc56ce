/** What the value layer needs to know of a database family: declared here, implemented by each dialect's platform. */
import type { Expression, KyselyPlugin, SqlBool } from 'kysely'
import type { ColumnModel, TableModel } from '../schema/model.js'
import { jsonDecoder, rowDecoder, type Decoder } from './codecs.js'
import type { DecimalLimits } from './value-limits.js'

/**
 * A family's rules for values: how they are decoded, encoded and checked. The checks are what the
 * family adds to the limits common to every database (`checkValue`); an absent member adds nothing.
 * Decoders are picked once per column, checks and encoders run per value: each is one property read.
 * Plain functions, not methods: callers may hold one apart from the object.
 *
 * @example
 * ```ts
 * const rules: ValueRules = orm.dialect.platform.values
 * rules.rowDecoder(column)   // how this family's rows carry the column's values
 * ```
 */
export interface ValueRules {
  /** The decoder of a column's values in a result row; `undefined` when the driver returns them as declared. */
  readonly rowDecoder: (column: ColumnModel) => Decoder | undefined
  /**
   * A plugin for a statement whose rows carry only these columns, each read through `rowDecoder`:
   * the driver may then skip conversions of its own that the decoders make anyway. Absent, or
   * `undefined` for these columns: the statement runs as every other.
   */
  readonly decodedRows?: (columns: readonly ColumnModel[]) => KyselyPlugin | undefined
  /** The decoder of a column's values inside a JSON aggregate of `join` loading. */
  readonly jsonDecoder: (column: ColumnModel) => Decoder | undefined
  /** A date as this family's driver must be sent it, written or compared; absent: as it is. */
  readonly encodeDate?: (date: Date) => unknown
  /** Why any text-like column or JSON document of this family cannot hold a string (a character it refuses). */
  readonly textProblem?: (value: string) => string | undefined
  /** Why a `text` column cannot hold a string (its size). */
  readonly textColumnProblem?: (value: string) => string | undefined
  /** What a `numeric` declared without precision holds. */
  readonly unboundedNumeric?: DecimalLimits
  /** Why a `real` or `double` column would not give a number back as written. */
  readonly floatProblem?: (value: number, type: 'real' | 'double') => string | undefined
  /** Why a date lies outside what the family's `timestamp` or `date` holds. */
  readonly dateRangeProblem?: (value: Date, type: 'timestamp' | 'date') => string | undefined
  /** Why a JSON document cannot hold arrays and objects nested `depth` deep, checked at each level. */
  readonly jsonNestingProblem?: (depth: number) => string | undefined
  /** Why a `where()` cannot compare the column with this operator on this family (the column and operator are otherwise valid). */
  readonly comparisonProblem?: (table: TableModel, column: ColumnModel, operator: string) => string | undefined
  /** How an `in` list longer than `from` values travels instead of a parameter per value; absent: always a parameter per value. */
  readonly longInList?: LongInList
}

/**
 * An `in` / `not in` comparison with many values as one parameter (PostgreSQL: `= any($1)`), for
 * lists longer than `from`: a statement carries at most so many parameters.
 *
 * @example
 * ```ts
 * const list = orm.dialect.platform.values.longInList
 * list?.compare('t0.id', 'in', column, ids)   // "t0"."id" = any(cast($1 as integer[]))
 * ```
 */
export interface LongInList {
  readonly from: number
  readonly compare: (ref: string, operator: 'in' | 'not in', column: ColumnModel, values: readonly unknown[]) => Expression<SqlBool>
}

/**
 * The rules where no family is known (an object built outside a session, a relation query made
 * inside `.with()` of a builder without a session): the limits common to every database, and
 * values sent as they are.
 *
 * @example
 * ```ts
 * checkValue(table, column, value, commonValueRules)   // what checkValue(table, column, value) checks
 * ```
 */
export const commonValueRules: ValueRules = Object.freeze({ rowDecoder, jsonDecoder })
