/**
 * What a database stores exactly, per column type: every function returns why a value of the
 * right JavaScript type would be refused, truncated, rounded or replaced by the database, or
 * `undefined`. The limits common to all databases are here; a family's own come from its
 * `ValueRules` (`commonValueRules` where the family is not known).
 */
import type { ValueRules } from './value-rules.js'

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Bytes of a string in UTF-8, counted without a Buffer (the library also runs in browsers).
 *
 * @example
 * ```ts
 * utf8Length('é')   // 2
 * ```
 */
export function utf8Length(value: string): number {
  let bytes = 0
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

/** Problems of a string any text-like column would have: UTF-8 has no lone surrogate; then the family's own (a character its text cannot hold). */
function textProblem(value: string, rules: ValueRules): string | undefined {
  if (loneSurrogate.test(value)) return 'it contains a lone UTF-16 surrogate, which UTF-8 cannot encode (the database would store U+FFFD or refuse it)'
  return rules.textProblem?.(value)
}

export function stringProblem(value: string, kind: 'text' | 'short', rules: ValueRules): string | undefined {
  const text = textProblem(value, rules)
  if (text !== undefined) return text
  return kind === 'text' ? rules.textColumnProblem?.(value) : undefined
}

const decimalPattern = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

type DecimalDigits = { integer: number; fraction: number } | undefined

/**
 * Recently parsed decimals: a flush checks every value of every new row, and decimal values repeat
 * (prices, quantities). Bounded in entries and in size: only short strings are kept; emptied when full.
 */
const recentDecimals = new Map<string, DecimalDigits>()
const CACHED_DECIMAL_LENGTH = 64

/** Digits before and after the point of a decimal string, leading and trailing zeros left out. */
function decimalDigits(value: string): DecimalDigits {
  if (value.length > CACHED_DECIMAL_LENGTH) return parseDecimalDigits(value)
  let digits = recentDecimals.get(value)
  if (digits === undefined && !recentDecimals.has(value)) {
    if (recentDecimals.size >= 4096) recentDecimals.clear()
    digits = parseDecimalDigits(value)
    recentDecimals.set(value, digits)
  }
  return digits
}

function parseDecimalDigits(value: string): DecimalDigits {
  const match = decimalPattern.exec(value)
  if (match === null) return undefined
  const [, integer = '', fraction = '', exponent = '0'] = match
  if (integer === '' && fraction === '') return undefined
  const digits = integer + fraction
  const first = digits.search(/[1-9]/)
  if (first === -1) return { integer: 0, fraction: 0 }
  // A loop, not /0+$/: that regex retries from every zero of a long run (quadratic time).
  let end = digits.length
  while (digits.charCodeAt(end - 1) === 48) end--
  const point = integer.length + Number(exponent)
  return { integer: Math.max(0, point - first), fraction: Math.max(0, end - point) }
}

/**
 * The digits a decimal column holds before and after the point, and the type named in messages.
 *
 * @example
 * ```ts
 * const limits: DecimalLimits = { type: 'decimal(65, 30)', integer: 35, fraction: 30 }
 * ```
 */
export interface DecimalLimits {
  readonly type: string
  readonly integer: number
  readonly fraction: number
}

/** A declared precision and scale, or else the family's limits of a `numeric` without one. */
function decimalLimits(precision: number | undefined, scale: number | undefined, rules: ValueRules): DecimalLimits | undefined {
  if (precision !== undefined) return { type: `numeric(${precision}, ${scale ?? 0})`, integer: precision - (scale ?? 0), fraction: scale ?? 0 }
  return rules.unboundedNumeric
}

export function decimalProblem(value: string, precision: number | undefined, scale: number | undefined, rules: ValueRules): string | undefined {
  const digits = decimalDigits(value)
  if (digits === undefined) return "it is not a decimal number (digits, an optional point and exponent: '-12.50', '1e-3')"
  const limits = decimalLimits(precision, scale, rules)
  if (limits === undefined) return undefined
  if (digits.integer > limits.integer) return `${limits.type} holds at most ${limits.integer} digits before the point, this value has ${digits.integer}`
  if (digits.fraction > limits.fraction) return `${limits.type} keeps ${limits.fraction} digits after the point, this value has ${digits.fraction} (the database would round it)`
  return undefined
}

/**
 * Why a finite number would not read back from a `real` column as written: `readBack` is how the
 * family prints a (non-zero, finite) single-precision value, `how` says it in the message.
 *
 * @example
 * ```ts
 * realProblem(0.1, (single) => Number(single.toPrecision(6)), 'read back with 6 significant digits')   // undefined
 * ```
 */
export function realProblem(value: number, readBack: (single: number) => number, how: string): string | undefined {
  if (!Number.isFinite(value)) return undefined
  const single = Math.fround(value)
  const read = !Number.isFinite(single) || single === 0 ? single : readBack(single)
  if (Object.is(read, value) || (read === 0 && value === 0)) return undefined
  return `a real keeps single precision (${how}): it would read back as ${read}; use t.double() or round the value`
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/**
 * A date's UTC day as `YYYY-MM-DD` (years before 1 BC with a minus sign), for messages.
 *
 * @example
 * ```ts
 * dayText(new Date(Date.UTC(999, 11, 31)))   // '0999-12-31'
 * ```
 */
export const dayText = (date: Date): string =>
  `${date.getUTCFullYear() < 0 ? '-' : ''}${pad(Math.abs(date.getUTCFullYear()), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`

export function dateProblem(value: Date, type: 'timestamp' | 'date', precision: number | undefined, rules: ValueRules): string | undefined {
  const time = value.getTime()
  if (type === 'date' && ((time % 86_400_000) + 86_400_000) % 86_400_000 !== 0) {
    return `a date column holds a day: give midnight UTC (Date.UTC(y, m, d)), not ${value.toISOString()}`
  }
  if (type === 'timestamp' && precision !== undefined && precision < 3) {
    const unit = 10 ** (3 - precision)
    if (((time % unit) + unit) % unit !== 0) return `timestamp(${precision}) keeps ${precision} digits of a second (the database would round it)`
  }
  return rules.dateRangeProblem?.(value, type)
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/**
 * Deeper JSON is refused on every database: JavaScript's own `JSON.stringify` runs out of stack a
 * few thousand levels down, and PostgreSQL's parser soon after.
 */
const JSON_NESTING = 1000

/** Where a walk is in a JSON value, as `$.a[0]`: kept as steps and joined only for an error message. */
const at = (trail: readonly (string | number)[]) => `$${trail.map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`)).join('')}`

/** Walks a JSON value: only what `JSON.stringify` writes and `JSON.parse` reads back equal is accepted. */
function jsonValueProblem(value: unknown, trail: (string | number)[], rules: ValueRules, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case 'boolean':
      return undefined
    case 'string': {
      const problem = textProblem(value, rules)
      return problem && `at ${at(trail)}: ${problem}`
    }
    case 'number':
      if (!Number.isFinite(value)) return `at ${at(trail)}: JSON has no ${value} (it would be written as null)`
      if (Object.is(value, -0)) return `at ${at(trail)}: JSON numbers have no negative zero`
      return undefined
    case 'object': {
      if (value === null) return undefined
      if (seen.has(value)) return `at ${at(trail)}: the value is circular`
      if (!Array.isArray(value) && !isPlainObject(value)) return `at ${at(trail)}: only plain objects and arrays are JSON (a ${value.constructor?.name ?? 'class instance'} would not read back as one)`
      const nesting = rules.jsonNestingProblem?.(trail.length)
      if (nesting !== undefined) return nesting
      if (trail.length >= JSON_NESTING) return `JSON nested deeper than ${JSON_NESTING} arrays and objects is not written (it could not be read back)`
      seen.add(value)
      try {
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            trail.push(i)
            const problem = value[i] === undefined ? `at ${at(trail)}: undefined in an array would be written as null` : jsonValueProblem(value[i], trail, rules, seen)
            trail.pop()
            if (problem !== undefined) return problem
          }
          return undefined
        }
        for (const key of Object.keys(value)) {
          const keyProblem = textProblem(key, rules)
          if (keyProblem !== undefined) return `at ${at(trail)}, key ${JSON.stringify(key)}: ${keyProblem}`
          const member = (value as Record<string, unknown>)[key]
          if (member === undefined) continue
          trail.push(key)
          const problem = jsonValueProblem(member, trail, rules, seen)
          trail.pop()
          if (problem !== undefined) return problem
        }
        return undefined
      } finally {
        seen.delete(value)
      }
    }
    default:
      return `at ${at(trail)}: a ${typeof value} is not JSON`
  }
}

export function jsonProblem(value: unknown, _type: 'json' | 'jsonb', rules: ValueRules): string | undefined {
  return jsonValueProblem(value, [], rules, new Set())
}
