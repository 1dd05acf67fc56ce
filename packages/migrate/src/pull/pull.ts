/** `pull(shape)`: `table()` and `defineSchema()` TypeScript source declaring what a shape describes. */
import type { ColumnShape, SchemaShape, TableShape } from '../shape/schema-shape.js'
import { normalizeCondition } from '../shape/normalize.js'
import { defaultSource, factoryFor } from './column-source.js'
import { relationsOf, type PulledRelation, type PulledTableNames } from './relations-of.js'
import { camelCase, keyColumnBase, propertyKey, sqlTemplate, tsString, variableName } from './source-text.js'

/**
 * Options of `pull()`.
 *
 * @example
 * ```ts
 * pull(shape, { importFrom: '@relata/core', header: 'Pulled from the production replica' })
 * ```
 */
export interface PullOptions {
  /** The module `t`, `table`, `defineSchema`, `sql` are imported from (default `'@relata/core'`). */
  readonly importFrom?: string
  /** A line for the file's header comment. */
  readonly header?: string
}

/** `snake_case` casing writes `albumId` as `album_id`: a column whose name it does not produce gets `.name()`. */
const snakeCase = (property: string): string => property.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)

/** PostgreSQL's enum: text limited by the `<table>_<column>_check` Relata writes, `column in ('a', 'b')`. */
function enumCheck(table: TableShape, column: ColumnShape): { name: string; values: string[] } | undefined {
  if (column.type !== 'text') return undefined
  const name = `${table.name}_${column.name}_check`
  const check = table.checks.find((c) => c.name === name)
  const match = check === undefined ? null : new RegExp(`^${column.name} in \\(((?:'(?:[^']|'')*',?)+)\\)$`).exec(check.expression)
  if (match === null) return undefined
  return { name, values: [...match[1]!.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'")) }
}

/** Tables parents first, so that a reference to a later table (a cycle) or to itself is the only one annotated `(): AnyColumn`. */
function declarationOrder(tables: readonly TableShape[]): TableShape[] {
  const order: TableShape[] = []
  const done = new Set<string>()
  const visiting = new Set<string>()
  const byName = new Map(tables.map((t) => [t.name, t]))
  const visit = (table: TableShape): void => {
    if (done.has(table.name) || visiting.has(table.name)) return
    visiting.add(table.name)
    for (const key of table.foreignKeys) {
      const parent = byName.get(key.referencedTable)
      if (parent !== undefined && parent !== table) visit(parent)
    }
    visiting.delete(table.name)
    done.add(table.name)
    order.push(table)
  }
  for (const table of tables) visit(table)
  return order
}

/**
 * TypeScript that declares the shape's tables with `table()` and their relations with
 * `defineSchema()`: camelCase properties under `casing: 'snake_case'` (`.name()` where that does not
 * give the SQL name), keys, foreign keys with their actions, indexes, uniques, checks, comments,
 * and relations inferred from the foreign keys. A table without a primary key is left out, with a
 * comment saying so; a type no `t.*` factory declares is written as the closest one, commented.
 *
 * @example
 * ```ts
 * writeFileSync('src/schema.ts', pull(await shapeOfDatabase(db, 'postgres')))
 * ```
 */
export function pull(shape: SchemaShape, options: PullOptions = {}): string {
  const all = Object.values(shape.tables)
  const skipped = all.filter((t) => t.primaryKey === null || t.primaryKey.columns.length === 0)
  const tables = declarationOrder(all.filter((t) => !skipped.includes(t)))
  const names = new Map<string, PulledTableNames & { variable: string }>()
  for (const table of tables) {
    const variable = variableName(table.name)
    // A key column not named `<x>_id` (or `<X>Id`) leaves its name to the relation (`reports_to` → `reportsTo`) and takes `reportsToId`.
    const keyColumns = new Set(table.foreignKeys.filter((k) => k.columns.length === 1 && keyColumnBase(k.columns[0]!) === undefined).map((k) => k.columns[0]!))
    const property = (column: string): string => (keyColumns.has(column) ? `${camelCase(column)}Id` : camelCase(column))
    names.set(table.name, { key: variable, variable, properties: new Map(table.columns.map((c) => [c.name, property(c.name)])) })
  }
  const relations = relationsOf(shape, names)
  const declared = new Set<string>()
  const blocks: string[] = []
  let needsSql = false
  let needsAnyColumn = false

  for (const table of tables) {
    const own = names.get(table.name)!
    const prop = (column: string): string => own.properties.get(column)!
    const primary = table.primaryKey!.columns
    const singleUniques = new Set(
      table.uniques.filter((u) => u.columns.length === 1 && u.name === `${table.name}_${u.columns[0]}_key`).map((u) => u.columns[0]!),
    )
    const enums = new Map(table.columns.map((c) => [c.name, shape.family === 'postgres' ? enumCheck(table, c) : undefined]))
    const lines: string[] = []
    for (const column of table.columns) {
      const enumInfo = enums.get(column.name)
      const factory = factoryFor(shape.family, column, enumInfo?.values)
      let call = factory.call
      const property = prop(column.name)
      if (snakeCase(property) !== column.name) call += `.name(${tsString(column.name)})`
      if (primary.includes(column.name)) call += '.primaryKey()'
      else if (column.nullable) call += '.nullable()'
      if (column.default !== null) {
        const source = defaultSource(factory, column.default)
        needsSql ||= source.includes('sql`')
        call += source
      }
      if (singleUniques.has(column.name)) call += '.unique()'
      if (column.comment !== null) call += `.comment(${tsString(column.comment)})`
      const key = table.foreignKeys.find((k) => k.columns.includes(column.name) && names.has(k.referencedTable))
      if (key !== undefined) {
        const target = names.get(key.referencedTable)!
        const referenced = target.properties.get(key.referencedColumns[key.columns.indexOf(column.name)]!)!
        const later = !declared.has(key.referencedTable)
        needsAnyColumn ||= later
        const actions = [
          key.onDelete !== 'no action' ? `onDelete: ${tsString(key.onDelete)}` : '',
          key.onUpdate !== 'no action' ? `onUpdate: ${tsString(key.onUpdate)}` : '',
          // A name Relata would not give (`FK_AlbumArtistId`) is kept: a later migration drops the key by it.
          key.name !== `${table.name}_${key.columns.join('_')}_fkey` ? `name: ${tsString(key.name)}` : '',
        ].filter((a) => a !== '')
        call += `.references(${later ? '(): AnyColumn' : '()'} => ${target.variable}.${referenced}${actions.length > 0 ? `, { ${actions.join(', ')} }` : ''})`
      }
      const note = factory.note === undefined ? '' : ` // ${factory.note}`
      lines.push(`  ${propertyKey(property)}: ${call},${note}`)
    }
    const optionLines = tableOptions(table, prop, new Set([...enums.values()].flatMap((e) => (e === undefined ? [] : [e.name]))))
    needsSql ||= optionLines.some((l) => l.includes('sql`'))
    const options = optionLines.length === 0 ? '' : `, {\n${optionLines.join('\n')}\n}`
    blocks.push(`export const ${own.variable} = table(${tsString(table.name)}, {\n${lines.join('\n')}\n}${options})`)
    declared.add(table.name)
  }

  const schemaRelations = tables
    .map((table) => names.get(table.name)!)
    .filter((n) => relations.get(n.key)!.length > 0)
    .map((n) => `    ${n.key}: {\n${relations.get(n.key)!.map((r) => `      ${propertyKey(r.name)}: ${relationCall(r)},`).join('\n')}\n    },`)
  const kinds = [...new Set([...relations.values()].flat().map((r) => r.kind))].sort()
  const keys = tables.map((t) => names.get(t.name)!.variable)
  const schema =
    schemaRelations.length === 0
      ? `export const schema = defineSchema({ ${keys.join(', ')} }, () => ({}), { casing: 'snake_case' })`
      : `export const schema = defineSchema(\n  { ${keys.join(', ')} },\n  ({ ${kinds.join(', ')} }) => ({\n${schemaRelations.join('\n')}\n  }),\n  { casing: 'snake_case' },\n)`
  const imports = ['defineSchema', ...(needsSql ? ['sql'] : []), 't', 'table', ...(needsAnyColumn ? ['type AnyColumn'] : [])]
  const header = [
    `/** Declarations pulled from a ${shape.family === 'postgres' ? 'PostgreSQL' : 'MySQL / MariaDB'} database by @relata/migrate.${options.header === undefined ? '' : ` ${options.header}`} */`,
    `import { ${imports.join(', ')} } from ${tsString(options.importFrom ?? '@relata/core')}`,
    ...skipped.map((t) => `// Table '${t.name}' has no primary key: Relata needs one to give its rows an identity, so it is left out.`),
  ]
  return `${[header.join('\n'), ...blocks, schema].join('\n\n')}\n`
}

/** The third argument of `table()`: what the columns' own modifiers do not declare. */
function tableOptions(table: TableShape, prop: (column: string) => string, enumChecks: ReadonlySet<string>): string[] {
  const cols = (columns: readonly string[]): string => `[${columns.map((c) => tsString(prop(c))).join(', ')}]`
  const lines: string[] = []
  const indexes = table.indexes.map((index) => {
    const parts = [`columns: ${cols(index.columns)}`]
    if (index.name !== `${table.name}_${index.columns.join('_')}_idx`) parts.push(`name: ${tsString(index.name)}`)
    if (index.unique) parts.push('unique: true')
    if (index.where !== null) parts.push(`where: ${sqlTemplate(index.where)}`)
    return `{ ${parts.join(', ')} }`
  })
  if (indexes.length > 0) lines.push(`  indexes: [${indexes.join(', ')}],`)
  const uniques = table.uniques
    .filter((u) => !(u.columns.length === 1 && u.name === `${table.name}_${u.columns[0]}_key`))
    .map((u) => (u.name === `${table.name}_${u.columns.join('_')}_key` ? cols(u.columns) : `{ name: ${tsString(u.name)}, columns: ${cols(u.columns)} }`))
  if (uniques.length > 0) lines.push(`  uniques: [${uniques.join(', ')}],`)
  const checks = table.checks.filter((c) => !enumChecks.has(c.name)).map((c) => `${propertyKey(c.name)}: ${sqlTemplate(normalizeCondition(c.expression))}`)
  if (checks.length > 0) lines.push(`  checks: { ${checks.join(', ')} },`)
  if (table.comment !== null) lines.push(`  comment: ${tsString(table.comment)},`)
  return lines
}

function relationCall(relation: PulledRelation): string {
  const keyList = (columns: readonly string[]): string => (columns.length === 1 ? tsString(columns[0]!) : `[${columns.map(tsString).join(', ')}]`)
  const options = [
    ...(relation.via === undefined ? [] : [`via: ${tsString(relation.via)}`]),
    `backPopulates: ${tsString(relation.backPopulates)}`,
    ...(relation.foreignKey === undefined ? [] : [`foreignKey: ${keyList(relation.foreignKey)}`]),
    ...(relation.sourceKey === undefined ? [] : [`sourceKey: ${keyList(relation.sourceKey)}`]),
    ...(relation.targetKey === undefined ? [] : [`targetKey: ${keyList(relation.targetKey)}`]),
  ]
  return `${relation.kind}(${tsString(relation.target)}, { ${options.join(', ')} })`
}
