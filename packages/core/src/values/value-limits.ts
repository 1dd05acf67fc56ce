/**
 * What each database stores exactly, per column type: every function returns why a value of the
 * right JavaScript type would be refused, truncated, rounded or replaced by the database, or
 * `undefined`. Without a family only the limits common to all databases are checked.
 */
import type { SqlFamily } from '../dialect/dialect.js'

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const MYSQL_TEXT_BYTES = 65_535
/** MariaDB refuses a JSON document with more nested arrays and objects than this. */
const MYSQL_JSON_NESTING = 31

/** Bytes of a string in UTF-8, counted without a Buffer (the library also runs in browsers). */
function utf8Length(value: string): number {
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

/** Problems of a string any text-like column would have: UTF-8 has no lone surrogate, PostgreSQL text no NUL. */
function textProblem(value: string, family: SqlFamily | undefined): string | undefined {
  if (loneSurrogate.test(value)) return 'it contains a lone UTF-16 surrogate, which UTF-8 cannot encode (the database would store U+FFFD or refuse it)'
  if (family === 'postgres' && value.includes('\u0000')) return 'PostgreSQL text cannot contain the NUL character (\\u0000)'
  return undefined
}

export function stringProblem(value: string, kind: 'text' | 'short', family: SqlFamily | undefined): string | undefined {
  const text = textProblem(value, family)
  if (text !== undefined) return text
  // A MySQL TEXT holds 65,535 bytes; a longer value is refused in strict mode and cut otherwise.
  if (kind === 'text' && family === 'mysql' && value.length * 3 > MYSQL_TEXT_BYTES) {
    const bytes = utf8Length(value)
    if (bytes > MYSQL_TEXT_BYTES) return `a MySQL/MariaDB TEXT column holds at most ${MYSQL_TEXT_BYTES} bytes of UTF-8, this string has ${bytes}`
  }
  return undefined
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

/** Without a declared precision: PostgreSQL's own `numeric` limits, and `DECIMAL(65, 30)` on MySQL. */
function decimalLimits(precision: number | undefined, scale: number | undefined, family: SqlFamily | undefined) {
  if (precision !== undefined) return { integer: precision - (scale ?? 0), fraction: scale ?? 0 }
  if (family === 'postgres') return { integer: 131_072, fraction: 16_383 }
  if (family === 'mysql') return { integer: 35, fraction: 30 }
  return undefined
}

export function decimalProblem(value: string, precision: number | undefined, scale: number | undefined, family: SqlFamily | undefined): string | undefined {
  const digits = decimalDigits(value)
  if (digits === undefined) return "it is not a decimal number (digits, an optional point and exponent: '-12.50', '1e-3')"
  const limits = decimalLimits(precision, scale, family)
  if (limits === undefined) return undefined
  const declared = precision === undefined ? (family === 'postgres' ? 'numeric' : 'decimal(65, 30)') : `numeric(${precision}, ${scale ?? 0})`
  if (digits.integer > limits.integer) return `${declared} holds at most ${limits.integer} digits before the point, this value has ${digits.integer}`
  if (digits.fraction > limits.fraction) return `${declared} keeps ${limits.fraction} digits after the point, this value has ${digits.fraction} (the database would round it)`
  return undefined
}

/** A single-precision value as the database prints it: shortest exact on PostgreSQL, six digits on MySQL. */
function realAsRead(value: number, family: SqlFamily): number {
  const single = Math.fround(value)
  if (!Number.isFinite(single) || single === 0) return single
  if (family === 'mysql') return Number(single.toPrecision(6))
  for (let digits = 1; digits < 9; digits++) {
    const text = single.toPrecision(digits)
    if (Math.fround(Number(text)) === single) return Number(text)
  }
  return Number(single.toPrecision(9))
}

export function floatProblem(value: number, type: 'real' | 'double', family: SqlFamily | undefined): string | undefined {
  if (family === 'mysql' && !Number.isFinite(value)) return 'MySQL and MariaDB store no NaN or Infinity'
  if (family === 'mysql' && Object.is(value, -0)) return 'MySQL and MariaDB store no negative zero'
  if (type === 'double' || family === undefined || !Number.isFinite(value)) return undefined
  const read = realAsRead(value, family)
  if (Object.is(read, value) || (read === 0 && value === 0)) return undefined
  return `a real keeps single precision (${family === 'mysql' ? 'read back with 6 significant digits' : 'about 7 significant digits'}): it would read back as ${read}; use t.double() or round the value`
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')
const day = (date: Date) => `${date.getUTCFullYear() < 0 ? '-' : ''}${pad(Math.abs(date.getUTCFullYear()), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`

/** PostgreSQL's earliest `timestamp` and `date`: 4714-11-24 BC (JavaScript's year -4713); its latest lie beyond JavaScript's. */
const POSTGRES_MIN = Date.UTC(-4713, 10, 24)
/** MySQL's documented `DATETIME` and `DATE` range. */
const MYSQL_MIN = Date.UTC(1000, 0, 1)
const MYSQL_MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

export function dateProblem(value: Date, type: 'timestamp' | 'date', precision: number | undefined, family: SqlFamily | undefined): string | undefined {
  const time = value.getTime()
  if (type === 'date' && ((time % 86_400_000) + 86_400_000) % 86_400_000 !== 0) {
    return `a date column holds a day: give midnight UTC (Date.UTC(y, m, d)), not ${value.toISOString()}`
  }
  if (type === 'timestamp' && precision !== undefined && precision < 3) {
    const unit = 10 ** (3 - precision)
    if (((time % unit) + unit) % unit !== 0) return `timestamp(${precision}) keeps ${precision} digits of a second (the database would round it)`
  }
  if (family === 'postgres' && time < POSTGRES_MIN) return `PostgreSQL ${type}s start on 4714-11-24 BC, this is ${day(value)}`
  if (family === 'mysql' && (time < MYSQL_MIN || time > MYSQL_MAX)) {
    return `MySQL/MariaDB ${type === 'date' ? 'DATE' : 'DATETIME'} values lie between 1000-01-01 and 9999-12-31, this is ${day(value)}`
  }
  return undefined
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
function jsonValueProblem(value: unknown, trail: (string | number)[], family: SqlFamily | undefined, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case 'boolean':
      return undefined
    case 'string': {
      const problem = textProblem(value, family)
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
      if (family === 'mysql' && trail.length >= MYSQL_JSON_NESTING) return `MariaDB refuses JSON with more than ${MYSQL_JSON_NESTING} nested arrays and objects`
      if (trail.length >= JSON_NESTING) return `JSON nested deeper than ${JSON_NESTING} arrays and objects is not written (it could not be read back)`
      seen.add(value)
      try {
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            trail.push(i)
            const problem = value[i] === undefined ? `at ${at(trail)}: undefined in an array would be written as null` : jsonValueProblem(value[i], trail, family, seen)
            trail.pop()
            if (problem !== undefined) return problem
          }
          return undefined
        }
        for (const key of Object.keys(value)) {
          const keyProblem = textProblem(key, family)
          if (keyProblem !== undefined) return `at ${at(trail)}, key ${JSON.stringify(key)}: ${keyProblem}`
          const member = (value as Record<string, unknown>)[key]
          if (member === undefined) continue
          trail.push(key)
          const problem = jsonValueProblem(member, trail, family, seen)
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

export function jsonProblem(value: unknown, _type: 'json' | 'jsonb', family: SqlFamily | undefined): string | undefined {
  return jsonValueProblem(value, [], family, new Set())
}
