/** TypeScript source fragments for generated migrations: quoted strings, string arrays, `sql` templates, column callbacks. */
import type { ColumnShape } from '../shape/schema-shape.js'

/**
 * A single-quoted TypeScript string literal.
 *
 * @example
 * ```ts
 * quote("it's")   // "'it\\'s'"
 * ```
 */
export function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`
}

/**
 * A string array literal: `['a', 'b']`.
 *
 * @example
 * ```ts
 * quoteList(['author_id'])   // "['author_id']"
 * ```
 */
export function quoteList(items: readonly string[]): string {
  return `[${items.map(quote).join(', ')}]`
}

/**
 * Raw SQL text as a Kysely `sql` tagged template (backticks, backslashes and `${` escaped).
 *
 * @example
 * ```ts
 * sqlTemplate("now()")   // 'sql`now()`'
 * ```
 */
export function sqlTemplate(text: string): string {
  return `sql\`${text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\``
}

// Type names Kysely's schema builder takes as strings; any other is passed as `sql`.
const builderTypes = new Set([
  'bigint', 'bigserial', 'boolean', 'bytea', 'char', 'date', 'datetime', 'decimal', 'double precision', 'float4', 'float8', 'int2', 'int4', 'int8',
  'integer', 'json', 'jsonb', 'numeric', 'real', 'serial', 'smallint', 'text', 'time', 'timestamp', 'timestamptz', 'timetz', 'uuid', 'varchar', 'blob',
])
const builderTypePatterns = [/^(varchar|char|binary|varbinary|datetime|time|timetz|timestamp|timestamptz)\(\d+\)$/, /^(decimal|numeric)\(\d+, \d+\)$/]

/**
 * A column type as the schema builder's second argument: `'varchar(255)'` where Kysely knows the
 * name, `sql\`tinyint(1)\`` otherwise.
 *
 * @example
 * ```ts
 * typeCode('numeric(10,2)')   // "'numeric(10, 2)'"
 * ```
 */
export function typeCode(type: string): string {
  const spaced = type.replace(/,(?=\S)/g, ', ')
  if (builderTypes.has(spaced) || builderTypePatterns.some((pattern) => pattern.test(spaced))) return quote(spaced)
  return sqlTemplate(type)
}

/**
 * The column-definition callback (`(col) => col.notNull().defaultTo(...)`) or null when the
 * column needs none. `extra` adds family modifiers (`.autoIncrement()`, `.modifyEnd(...)`).
 *
 * @example
 * ```ts
 * columnCallback({ name: 'title', type: 'text', nullable: false, default: null, autoIncrement: false, comment: null }, [])   // '(col) => col.notNull()'
 * ```
 */
export function columnCallback(column: ColumnShape, extra: readonly string[]): string | null {
  const calls: string[] = []
  if (!column.nullable) calls.push('notNull()')
  if (column.default !== null) calls.push(`defaultTo(${sqlTemplate(column.default)})`)
  calls.push(...extra)
  return calls.length === 0 ? null : `(col) => col.${calls.join('.')}`
}

/**
 * `.addColumn(...)` / `.modifyColumn(...)` arguments: name, type and the callback when there is one.
 *
 * @example
 * ```ts
 * columnArguments('title', "'text'", '(col) => col.notNull()')   // "'title', 'text', (col) => col.notNull()"
 * ```
 */
export function columnArguments(name: string, type: string, callback: string | null): string {
  return [quote(name), type, ...(callback === null ? [] : [callback])].join(', ')
}
