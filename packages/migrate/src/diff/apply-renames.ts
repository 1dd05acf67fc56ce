/** Renames given by the user (`'authors': 'writers'`, `'books.title': 'name'`), checked against both shapes and applied to the old one. */
import type { ColumnShape, SchemaShape, TableShape } from '../shape/schema-shape.js'
import { MigrateError } from '../migrate-error.js'

/** A table rename and the column renames, resolved to names. */
export interface ResolvedRenames {
  /** Old table name → new. */
  readonly tables: ReadonlyMap<string, string>
  /** New table name → (old column name → new). */
  readonly columns: ReadonlyMap<string, ReadonlyMap<string, string>>
}

/**
 * Reads `renames` (keys `old_table` or `table.old_column`; a column's table may be named old or
 * new): each old name must exist only in `from`, each new one only in `to`, or the error names it.
 *
 * @example
 * ```ts
 * resolveRenames(from, to, { 'books.title': 'name' }).columns.get('books')   // Map { 'title' => 'name' }
 * ```
 */
export function resolveRenames(from: SchemaShape, to: SchemaShape, renames: Readonly<Record<string, string>>): ResolvedRenames {
  const tables = new Map<string, string>()
  const columns = new Map<string, Map<string, string>>()
  for (const [key, target] of Object.entries(renames)) {
    if (key.includes('.')) continue
    if (from.tables[key] === undefined) throw new MigrateError(`--rename ${key}=${target}: the previous schema has no table ${key}`)
    if (to.tables[target] === undefined) throw new MigrateError(`--rename ${key}=${target}: the schema has no table ${target}`)
    if (from.tables[target] !== undefined) throw new MigrateError(`--rename ${key}=${target}: table ${target} exists already in the previous schema`)
    const twice = [...tables].find(([, to]) => to === target)
    if (twice !== undefined) throw new MigrateError(`--rename ${key}=${target}: table ${twice[0]} is renamed to ${target} already`)
    tables.set(key, target)
  }
  for (const [key, target] of Object.entries(renames)) {
    const dot = key.indexOf('.')
    if (dot === -1) continue
    const named = key.slice(0, dot)
    const column = key.slice(dot + 1)
    const newTable = tables.get(named) ?? named
    const oldTable = [...tables].find(([, to]) => to === named)?.[0] ?? named
    const before = from.tables[oldTable]
    const after = to.tables[newTable]
    if (before === undefined || after === undefined) throw new MigrateError(`--rename ${key}=${target}: table ${named} is not in both the previous schema and the schema`)
    if (!before.columns.some((c) => c.name === column)) throw new MigrateError(`--rename ${key}=${target}: the previous ${oldTable} has no column ${column}`)
    if (!after.columns.some((c) => c.name === target)) throw new MigrateError(`--rename ${key}=${target}: ${newTable} has no column ${target}`)
    if (before.columns.some((c) => c.name === target)) throw new MigrateError(`--rename ${key}=${target}: the previous ${oldTable} has a column ${target} already`)
    const map = columns.get(newTable) ?? new Map<string, string>()
    const twice = [...map].find(([, to]) => to === target)
    if (twice !== undefined) throw new MigrateError(`--rename ${key}=${target}: ${newTable}.${twice[0]} is renamed to ${target} already`)
    map.set(column, target)
    columns.set(newTable, map)
  }
  return { tables, columns }
}

/**
 * `shape` as it is once the renames ran: tables and columns renamed everywhere they are named
 * (keys, foreign keys of other tables, indexes).
 *
 * @example
 * ```ts
 * const renamed = applyRenames(previous, resolveRenames(previous, next, { authors: 'writers' }))
 * ```
 */
export function applyRenames(shape: SchemaShape, renames: ResolvedRenames): SchemaShape {
  const tableName = (name: string) => renames.tables.get(name) ?? name
  const columnName = (table: string, name: string) => renames.columns.get(table)?.get(name) ?? name
  const tables: Record<string, TableShape> = {}
  for (const table of Object.values(shape.tables)) {
    const name = tableName(table.name)
    const own = (column: string) => columnName(name, column)
    tables[name] = {
      ...table,
      name,
      columns: table.columns.map((c): ColumnShape => ({ ...c, name: own(c.name) })),
      primaryKey: table.primaryKey === null ? null : { ...table.primaryKey, columns: table.primaryKey.columns.map(own) },
      foreignKeys: table.foreignKeys.map((key) => {
        const referenced = tableName(key.referencedTable)
        return { ...key, columns: key.columns.map(own), referencedTable: referenced, referencedColumns: key.referencedColumns.map((c) => columnName(referenced, c)) }
      }),
      indexes: table.indexes.map((index) => ({ ...index, columns: index.columns.map(own) })),
      uniques: table.uniques.map((unique) => ({ ...unique, columns: unique.columns.map(own) })),
    }
  }
  return { family: shape.family, tables }
}
