/** A column of a shape as `t.*` source: the factory for its type, its default as a value or `sql`, and the enum read back from PostgreSQL's check. */
import type { ColumnShape, ShapeFamily } from '../shape/schema-shape.js'
import { sqlTemplate, tsString } from './source-text.js'

/** The factory call for a type, or an approximation with the reason in a comment. */
export interface FactorySource {
  readonly call: string
  /** The factory takes `.default()` values of this kind; otherwise defaults are `sql`. */
  readonly values: 'string' | 'number' | 'boolean' | 'json' | 'numeric' | 'none'
  /** Why the declaration differs from the database (written beside it), if it does. */
  readonly note?: string
}

const sized = (type: string, name: string): RegExpMatchArray | null => new RegExp(`^${name}(?:\\((\\d+)(?:,(\\d+))?\\))?$`).exec(type)

/**
 * The `t.*` call for a column's type on a family, `enumValues` when PostgreSQL's
 * `<table>_<column>_check` limits a text column to a list.
 *
 * @example
 * ```ts
 * factoryFor('postgres', { type: 'numeric(10,2)', autoIncrement: false, ... })   // { call: 't.numeric(10, 2)', values: 'numeric' }
 * ```
 */
export function factoryFor(family: ShapeFamily, column: ColumnShape, enumValues?: readonly string[]): FactorySource {
  const { type } = column
  if (enumValues !== undefined) return { call: `t.enum([${enumValues.map(tsString).join(', ')}])`, values: 'string' }
  if (column.autoIncrement) {
    if (type === 'integer' || type === 'int') return { call: 't.serial()', values: 'none' }
    return { call: family === 'postgres' && type === 'bigint' ? 't.bigint()' : 't.integer()', values: 'number', note: `filled by the database as a ${type}, which t.serial() (an integer) does not declare` }
  }
  const numeric = sized(type, family === 'postgres' ? 'numeric' : 'decimal')
  if (numeric !== null) {
    const [, precision, scale] = numeric
    const args = precision === undefined ? '' : scale === undefined ? precision : `${precision}, ${scale}`
    return { call: `t.numeric(${args})`, values: 'numeric' }
  }
  const varchar = sized(type, 'varchar')
  if (varchar !== null) return { call: `t.varchar(${varchar[1] ?? ''})`, values: 'string' }
  const enumType = /^enum\((.*)\)$/.exec(type)
  if (enumType !== null) {
    const values = [...enumType[1]!.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'"))
    return { call: `t.enum([${values.map(tsString).join(', ')}])`, values: 'string' }
  }
  const timestamp = /^(timestamptz|timestamp|datetime)(?:\((\d+)\))?$/.exec(type)
  if (timestamp !== null) {
    const [, kind, precision] = timestamp
    // MySQL's datetime without a precision is datetime(0); t.timestamp() alone would be datetime(3) there.
    const written = [kind === 'timestamptz' ? 'withTimezone: true' : '', precision !== undefined ? `precision: ${precision}` : family === 'mysql' ? 'precision: 0' : ''].filter(
      (o) => o !== '',
    )
    return { call: written.length === 0 ? 't.timestamp()' : `t.timestamp({ ${written.join(', ')} })`, values: 'none' }
  }
  const simple: Record<string, FactorySource> = {
    integer: { call: 't.integer()', values: 'number' },
    int: { call: 't.integer()', values: 'number' },
    bigint: { call: 't.bigint()', values: 'none' },
    text: { call: 't.text()', values: 'string' },
    boolean: { call: 't.boolean()', values: 'boolean' },
    'tinyint(1)': { call: 't.boolean()', values: 'boolean' },
    real: { call: 't.real()', values: 'number' },
    float: { call: 't.real()', values: 'number' },
    'double precision': { call: 't.double()', values: 'number' },
    double: { call: 't.double()', values: 'number' },
    date: { call: 't.date()', values: 'none' },
    json: { call: 't.json()', values: 'json' },
    jsonb: { call: 't.jsonb()', values: 'json' },
    uuid: { call: 't.uuid()', values: 'string' },
    'char(36)': { call: 't.uuid()', values: 'string' },
  }
  const known = simple[type]
  if (known !== undefined) return known
  if (['smallint', 'mediumint', 'tinyint'].includes(type)) return { call: 't.integer()', values: 'number', note: `${type} in the database` }
  if (['mediumtext', 'longtext', 'tinytext'].includes(type) || /^char(\(\d+\))?$/.test(type) || /^character(\(\d+\))?$/.test(type)) {
    return { call: 't.text()', values: 'string', note: `${type} in the database` }
  }
  return { call: 't.text()', values: 'string', note: `${type} in the database: no t.* factory declares it` }
}

const unquote = (literal: string): string => literal.slice(1, -1).replace(/''/g, "'")

/**
 * `.default(...)`: a string, number, boolean or JSON value where the factory takes one and the
 * default is that literal, otherwise the default's SQL as `sql\`...\``.
 *
 * @example
 * ```ts
 * defaultSource({ values: 'string', call: 't.text()' }, "'n/a'")   // ".default('n/a')"
 * defaultSource({ values: 'none', call: 't.timestamp()' }, 'now()')  // '.default(sql`now()`)'
 * ```
 */
export function defaultSource(factory: FactorySource, expression: string): string {
  const literal = /^'(?:[^']|'')*'$/.test(expression)
  const number = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(expression)
  switch (factory.values) {
    case 'string':
      if (literal) return `.default(${tsString(unquote(expression))})`
      break
    case 'number':
      if (number) return `.default(${expression})`
      break
    case 'numeric':
      if (number) return `.default(${tsString(expression)})`
      break
    case 'boolean':
      if (['true', '1'].includes(expression)) return '.default(true)'
      if (['false', '0'].includes(expression)) return '.default(false)'
      break
    case 'json':
      if (literal) {
        try {
          return `.default(${JSON.stringify(JSON.parse(unquote(expression)))})`
        } catch {
          // Not JSON: written as SQL below.
        }
      }
      break
    case 'none':
      break
  }
  return `.default(${sqlTemplate(expression)})`
}
