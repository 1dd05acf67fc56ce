/**
 * One spelling for what a schema compiles and what a database reports: type names, default
 * expressions, check and index predicates, referential actions, and the order of a table's
 * constraints. Both `shapeOfSchema` and `shapeOfDatabase` end here, so their shapes compare equal.
 */
import type { ReferentialActionShape, SchemaShape, ShapeFamily, TableShape } from './schema-shape.js'

/** Splits SQL text into quoted strings (kept as they are) and the text between them. */
function outsideQuotes(text: string, change: (plain: string) => string): string {
  let result = ''
  let plain = ''
  let i = 0
  while (i < text.length) {
    const char = text[i]!
    if (char === "'") {
      let end = i + 1
      while (end < text.length) {
        if (text[end] === "'" && text[end + 1] === "'") end += 2
        else if (text[end] === "'") break
        else end += 1
      }
      result += change(plain) + text.slice(i, end + 1)
      plain = ''
      i = end + 1
    } else {
      plain += char
      i += 1
    }
  }
  return result + change(plain)
}

/** Lower case outside string literals, single spaces, none inside parentheses or after commas. */
function tidy(text: string): string {
  return outsideQuotes(text.trim(), (plain) =>
    plain
      .toLowerCase()
      .replace(/\s+/g, ' ')
      .replace(/\s*,\s*/g, ',')
      .replace(/\(\s+/g, '(')
      .replace(/\s+\)/g, ')'),
  )
}

const postgresTypeNames: readonly [RegExp, string][] = [
  [/^character varying/, 'varchar'],
  [/^character\b/, 'char'],
  [/^timestamp(\(\d+\))? with time zone$/, 'timestamptz$1'],
  [/^timestamp(\(\d+\))? without time zone$/, 'timestamp$1'],
  [/^time(\(\d+\))? with time zone$/, 'timetz$1'],
  [/^time(\(\d+\))? without time zone$/, 'time$1'],
  [/^serial$/, 'integer'],
  [/^bigserial$/, 'bigint'],
  [/^smallserial$/, 'smallint'],
  [/^int4$/, 'integer'],
  [/^int8$/, 'bigint'],
  [/^bool$/, 'boolean'],
  [/^float8$/, 'double precision'],
  [/^float4$/, 'real'],
]

const mysqlTypeNames: readonly [RegExp, string][] = [
  [/^integer\b/, 'int'],
  [/^(bool|boolean)$/, 'tinyint(1)'],
  // Display widths (MariaDB's int(11)) say nothing about what a column holds; tinyint(1) is a boolean.
  [/^(int|bigint|smallint|mediumint)\(\d+\)/, '$1'],
  [/^numeric/, 'decimal'],
  [/^real$/, 'double'],
  [/^(datetime|timestamp|time)\(0\)$/, '$1'],
]

/**
 * A type name as shapes write it: `varchar(255)`, `numeric(10,2)`, `timestamptz(3)` on
 * PostgreSQL; `int`, `tinyint(1)`, `decimal(10,2)`, `enum('a','b')` on MySQL.
 *
 * @example
 * ```ts
 * normalizeType('postgres', 'timestamp(3) with time zone')   // 'timestamptz(3)'
 * normalizeType('mysql', 'int(11)')                           // 'int'
 * ```
 */
export function normalizeType(family: ShapeFamily, type: string): string {
  let result = tidy(type)
  for (const [pattern, replacement] of family === 'postgres' ? postgresTypeNames : mysqlTypeNames) result = result.replace(pattern, replacement)
  return result
}

const numericType = /^(smallint|integer|int|bigint|mediumint|tinyint|numeric|decimal|real|double|float)/
const jsonType = /^jsonb?$/

/** Sorts object keys, so that a JSON document reads the same however it was written (PostgreSQL's jsonb reorders them). */
function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalJson)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonicalJson((value as Record<string, unknown>)[key])]))
  }
  return value
}

const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`
const unquote = (literal: string): string => literal.slice(1, -1).replace(/''/g, "'")

/** `'2020-01-02 04:04:05.678+01'` as the same instant in UTC, `'2020-01-02 03:04:05.678+00'`. */
function utcTimestamp(text: string): string {
  const at = new Date(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'))
  if (Number.isNaN(at.getTime())) return text
  return at.toISOString().replace('T', ' ').replace('Z', '+00')
}

/**
 * A default as shapes write it, given the column's normalised type: casts dropped (`'n/a'::text`
 * is `'n/a'`), keywords in lower case, numbers unquoted, booleans as MySQL stores them (`1`),
 * JSON documents with sorted keys, `timestamptz` literals in UTC; `NULL` is no default.
 *
 * @example
 * ```ts
 * normalizeDefault('postgres', "'{\"b\": 1, \"a\": 2}'::jsonb", 'jsonb')   // '{"a":2,"b":1}' quoted
 * normalizeDefault('mysql', 'true', 'tinyint(1)')                          // '1'
 * ```
 */
export function normalizeDefault(family: ShapeFamily, expression: string | null | undefined, type: string): string | null {
  if (expression === null || expression === undefined) return null
  let result = tidy(expression)
  // MySQL 8 takes text and JSON defaults only as parenthesised expressions, and reports them bare.
  if (family === 'mysql') {
    while (/^\(.*\)$/.test(result) && balanced(result.slice(1, -1))) result = result.slice(1, -1)
    result = result.replace(/^_utf8mb4\s*/, '').replace(/^_utf8mb4\\'/, "'")
  }
  result = stripCasts(result)
  if (result === 'null') return null
  if (family === 'mysql' && type === 'tinyint(1)') {
    if (result === 'true') result = '1'
    if (result === 'false') result = '0'
  }
  const literal = /^'(?:[^']|'')*'$/.test(result)
  if (literal && numericType.test(type) && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(unquote(result))) result = unquote(result)
  if (literal && (jsonType.test(type) || (family === 'mysql' && type === 'json'))) {
    try {
      result = quote(JSON.stringify(canonicalJson(JSON.parse(unquote(result)))))
    } catch {
      // Not JSON: kept as written.
    }
  }
  if (literal && type.startsWith('timestamptz')) result = quote(utcTimestamp(unquote(result)))
  return result
}

function balanced(text: string): boolean {
  let depth = 0
  for (const char of outsideQuotes(text, (plain) => plain).replace(/'(?:[^']|'')*'/g, '')) {
    if (char === '(') depth += 1
    if (char === ')' && --depth < 0) return false
  }
  return depth === 0
}

const castPattern = /::(?:(?:timestamp|time) ?(?:\(\d+\))? with(?:out)? time zone|character varying(?:\(\d+\))?|double precision|[a-z_][a-z0-9_]*(?:\(\d+(?:,\d+)?\))?)(?:\[\])?/g

/** Drops PostgreSQL's casts (`::text`, `::timestamp without time zone`, `::character varying(20)`) outside string literals. */
function stripCasts(text: string): string {
  return outsideQuotes(text, (plain) => plain.replace(castPattern, ''))
}

/**
 * A condition (a check constraint, a partial index's `where`) as shapes write it: identifier
 * quotes and casts dropped, lower case, PostgreSQL's `x = any (array[...])` read back as
 * `x in (...)`, and the parentheses PostgreSQL adds around each comparison and each `and` / `or`
 * removed where they change nothing.
 *
 * @example
 * ```ts
 * normalizeCondition('CHECK (((pages IS NULL) OR (pages > 0)))')   // 'pages is null or pages > 0'
 * normalizeCondition('"status" in (\'draft\', \'published\')')      // "status in ('draft','published')"
 * ```
 */
export function normalizeCondition(condition: string): string {
  let text = tidy(condition)
  text = outsideQuotes(text, (plain) => plain.replace(/"([a-z_][a-z0-9_$]*)"|`([a-z_][a-z0-9_$]*)`/g, (_, a: string | undefined, b: string | undefined) => a ?? b!))
  text = text.replace(/^check\s*/, '')
  text = stripCasts(text)
  text = text.replace(/([a-z_][a-z0-9_]*) = any \(array\[((?:[^\]'(]|'(?:[^']|'')*')*)\]\)/g, '$1 in ($2)')
  text = text.replace(/([a-z_][a-z0-9_]*) <> all \(array\[((?:[^\]'(]|'(?:[^']|'')*')*)\]\)/g, '$1 not in ($2)')
  return render(parse(tokens(text)), true)
}

type Token = string
type Node = Token | Group
interface Group {
  readonly call: boolean
  readonly items: Node[]
}

function tokens(text: string): Token[] {
  return text.match(/'(?:[^']|'')*'|[a-z_][a-z0-9_$.]*|\d+(?:\.\d+)?|<>|!=|<=|>=|\|\||[()]|,|\S/g) ?? []
}

/** Nested parentheses; a group right after a name (a function call, `in`) keeps its parentheses. */
function parse(list: Token[]): Node[] {
  const root: Node[] = []
  const stack: Node[][] = [root]
  const calls: boolean[] = []
  for (const [i, token] of list.entries()) {
    const current = stack[stack.length - 1]!
    if (token === '(') {
      const before = list[i - 1]
      const call = before !== undefined && /^[a-z_]/.test(before) && !['and', 'or', 'not'].includes(before)
      const group: Group = { call, items: [] }
      current.push(group)
      stack.push(group.items)
      calls.push(call)
    } else if (token === ')' && stack.length > 1) {
      stack.pop()
      calls.pop()
    } else {
      current.push(token)
    }
  }
  return root
}

const isGroup = (node: Node | undefined): node is Group => typeof node === 'object'
const topLevel = (items: Node[]): Set<string> => new Set(items.filter((n): n is string => typeof n === 'string' && ['and', 'or'].includes(n)))
const arithmetic = (items: Node[]): boolean => items.some((n) => typeof n === 'string' && ['+', '-', '*', '/', '%', '||'].includes(n))

/** Whether a group's parentheses can go: the result reads the same under SQL's precedence. */
function droppable(group: Group, siblings: Node[], at: number): boolean {
  if (group.call) return false
  if (siblings.length === 1) return true
  const left = siblings[at - 1]
  const right = siblings[at + 1]
  const joins = topLevel(group.items)
  const edge = (n: Node | undefined, allowed: string[]): boolean => n === undefined || (typeof n === 'string' && allowed.includes(n))
  if (joins.size === 0 && !arithmetic(group.items)) return edge(left, ['and', 'or', 'not']) && edge(right, ['and', 'or'])
  if (joins.size === 1) {
    const [join] = [...joins]
    return edge(left, [join!]) && edge(right, [join!])
  }
  return false
}

function render(nodes: Node[], outer: boolean): string {
  const parts = nodes.map((node, i) => {
    if (!isGroup(node)) return node
    const inner = render(node.items, false)
    return droppable(node, nodes, i) ? inner : `(${inner})`
  })
  void outer
  return outsideQuotes(parts.join(' '), (plain) =>
    plain
      .replace(/ ,/g, ',')
      .replace(/, /g, ',')
      .replace(/\( /g, '(')
      .replace(/ \)/g, ')')
      .replace(/([a-z_][a-z0-9_]*) \(/g, (match, name: string) => (['and', 'or', 'not', 'in'].includes(name) ? match : `${name}(`)),
  )
}

/**
 * A referential action as both families agree: MySQL and MariaDB report `RESTRICT` for a key
 * declared without one, which on InnoDB is what `NO ACTION` does.
 *
 * @example
 * ```ts
 * normalizeAction('mysql', 'RESTRICT')   // 'no action'
 * ```
 */
export function normalizeAction(family: ShapeFamily, action: string | undefined): ReferentialActionShape {
  const spelled = (action ?? 'no action').toLowerCase() as ReferentialActionShape
  return family === 'mysql' && spelled === 'restrict' ? 'no action' : spelled
}

const byName = <T extends { readonly name: string }>(list: readonly T[]): T[] => [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))

/**
 * The shape both sides end with: constraints sorted by name; on MySQL, a unique index without a
 * predicate is a unique constraint (the catalogue cannot tell them apart) and a primary key has
 * no name of its own (it is always `PRIMARY`).
 *
 * @example
 * ```ts
 * expect(normalizeShape(shapeFromDatabase)).toEqual(normalizeShape(shapeFromSchema))
 * ```
 */
export function normalizeShape(shape: SchemaShape): SchemaShape {
  const tables: Record<string, TableShape> = {}
  for (const name of Object.keys(shape.tables).sort()) {
    const table = shape.tables[name]!
    const mysql = shape.family === 'mysql'
    const movedUniques = mysql ? table.indexes.filter((i) => i.unique && i.where === null).map(({ name, columns }) => ({ name, columns })) : []
    tables[name] = {
      ...table,
      primaryKey: table.primaryKey === null ? null : { name: mysql ? null : table.primaryKey.name, columns: table.primaryKey.columns },
      foreignKeys: byName(table.foreignKeys),
      indexes: byName(mysql ? table.indexes.filter((i) => !(i.unique && i.where === null)) : table.indexes),
      uniques: byName([...table.uniques, ...movedUniques]),
      checks: byName(table.checks),
    }
  }
  return { family: shape.family, tables }
}
