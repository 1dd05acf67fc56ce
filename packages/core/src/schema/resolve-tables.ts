/** Turns declared tables into table models: SQL names, primary keys and grouped foreign keys. */
import { SchemaError } from '../errors.js'
import type { AnyColumn } from './column.js'
import type { CheckModel, ColumnModel, ForeignKeyModel, IndexModel, RelationModel, TableModel, UniqueModel } from './model.js'
import { toSqlIdentifier, type Casing } from './naming.js'
import type { TableDeclarations } from './table-options.js'
import { TableMeta, isTable, type AnyTable } from './table.js'

/** A table model whose foreign keys and relations are filled in after every table exists. */
export interface MutableTableModel extends TableModel {
  foreignKeys: ForeignKeyModel[]
  relations: Map<string, RelationModel>
}

export function resolveTables(tables: Record<string, AnyTable>, casing: Casing): Map<string, MutableTableModel> {
  const models = new Map<string, MutableTableModel>()
  const bySqlName = new Map<string, string>()
  for (const [key, declared] of Object.entries(tables)) {
    if (!isTable(declared)) throw new SchemaError(`defineSchema(): '${key}' is not a table (declare it with table())`)
    const { name: sqlName, columns, declarations } = declared[TableMeta]
    checkSqlName(sqlName, `Table '${key}'`)
    const clash = bySqlName.get(sqlName)
    if (clash !== undefined) throw new SchemaError(`defineSchema(): tables '${clash}' and '${key}' both use the SQL name '${sqlName}'`)
    bySqlName.set(sqlName, key)
    models.set(key, tableModel(key, sqlName, columns, casing, declarations))
  }
  const byColumn = new Map<AnyColumn, { table: MutableTableModel; column: ColumnModel }>()
  for (const [key, model] of models) {
    for (const column of model.columns) byColumn.set(tables[key]![column.property as never] as AnyColumn, { table: model, column })
  }
  for (const [key, model] of models) model.foreignKeys.push(...foreignKeysOf(model, tables[key]!, byColumn))
  return models
}

/**
 * Kysely reads a name given as a string: `a.b` as schema and table (or table and column), `x as y`
 * as an alias, and trims spaces. Such a name would reach SQL as something else, so it is refused.
 */
function checkSqlName(name: string, what: string): void {
  if (name === '' || name.includes('.') || name.includes(' as ') || name.trim() !== name) {
    throw new SchemaError(`${what}: the SQL name ${JSON.stringify(name)} cannot be used: it is empty, has a '.' or ' as ', or starts or ends with a space, which Kysely reads as a schema, an alias or nothing`)
  }
}

function tableModel(key: string, sqlName: string, columns: Record<string, AnyColumn>, casing: Casing, declarations: TableDeclarations): MutableTableModel {
  const list: ColumnModel[] = []
  const sqlNames = new Map<string, string>()
  for (const [property, column] of Object.entries(columns)) {
    const columnSqlName = column.config.sqlName ?? toSqlIdentifier(property, casing)
    checkSqlName(columnSqlName, `Column '${key}.${property}'`)
    const clash = sqlNames.get(columnSqlName)
    if (clash !== undefined) {
      throw new SchemaError(`Table '${sqlName}': columns '${clash}' and '${property}' both use the SQL name '${columnSqlName}'`)
    }
    sqlNames.set(columnSqlName, property)
    list.push(Object.freeze({ property, sqlName: columnSqlName, config: column.config }))
  }
  const primaryKey = list.filter((c) => c.config.primaryKey)
  if (primaryKey.length === 0) {
    throw new SchemaError(`Table '${sqlName}' has no primary key: mark one or more columns with .primaryKey() so rows have an identity`)
  }
  const versions = list.filter((c) => c.config.version)
  if (versions.length > 1) throw new SchemaError(`Table '${sqlName}' declares more than one version column`)
  return {
    key,
    sqlName,
    columns: list,
    columnsByProperty: new Map(list.map((c) => [c.property, c])),
    primaryKey,
    foreignKeys: [],
    relations: new Map(),
    versionColumn: versions[0],
    ...constraintsOf(sqlName, list, declarations),
  }
}

/** Indexes, uniques and checks with SQL columns, named by convention where the declaration gives no name. */
function constraintsOf(
  table: string,
  columns: readonly ColumnModel[],
  declarations: TableDeclarations,
): { indexes: IndexModel[]; uniques: UniqueModel[]; checks: CheckModel[]; comment?: string } {
  const byProperty = new Map(columns.map((c) => [c.property, c]))
  const resolve = (properties: readonly string[]): ColumnModel[] => properties.map((p) => byProperty.get(p)!)
  const conventional = (cols: readonly ColumnModel[], suffix: string): string => `${table}_${cols.map((c) => c.sqlName).join('_')}_${suffix}`
  const uniques: UniqueModel[] = columns
    .filter((c) => c.config.unique)
    .map((c) => Object.freeze({ name: conventional([c], 'key'), columns: [c] }))
  for (const unique of declarations.uniques) {
    const cols = resolve(unique.columns)
    uniques.push(Object.freeze({ name: unique.name ?? conventional(cols, 'key'), columns: cols }))
  }
  const indexes = declarations.indexes.map((index): IndexModel => {
    const cols = resolve(index.columns)
    return Object.freeze({ name: index.name ?? conventional(cols, 'idx'), columns: cols, unique: index.unique, where: index.where })
  })
  const checks = declarations.checks.map((check): CheckModel => Object.freeze({ ...check }))
  const names = new Set<string>()
  for (const { name } of [...uniques, ...indexes, ...checks]) {
    if (names.has(name)) throw new SchemaError(`Table '${table}' declares two indexes or constraints named '${name}'`)
    names.add(name)
  }
  return { indexes, uniques, checks, ...(declarations.comment === undefined ? {} : { comment: declarations.comment }) }
}

/**
 * Column-level `references()` become foreign keys. References to a table with a composite
 * primary key are grouped into one composite key, which must then cover that key exactly.
 */
function foreignKeysOf(
  model: MutableTableModel,
  declared: AnyTable,
  byColumn: Map<AnyColumn, { table: MutableTableModel; column: ColumnModel }>,
): ForeignKeyModel[] {
  const groups = new Map<MutableTableModel, { column: ColumnModel; referenced: ColumnModel }[]>()
  for (const column of model.columns) {
    const reference = column.config.references
    if (reference === undefined) continue
    const target = byColumn.get(reference.column())
    if (target === undefined) {
      throw new SchemaError(
        `Column '${model.sqlName}.${column.sqlName}' references a column of a table that is not in this schema: add that table to defineSchema()`,
      )
    }
    const pairs = groups.get(target.table) ?? []
    pairs.push({ column, referenced: target.column })
    groups.set(target.table, pairs)
  }
  const keys: ForeignKeyModel[] = []
  for (const [target, pairs] of groups) {
    const composite = target.primaryKey.length > 1 && pairs.some((p) => target.primaryKey.includes(p.referenced))
    const sets = composite ? [pairs] : pairs.map((p) => [p])
    for (const set of sets) {
      if (composite) checkCoversKey(model, target, set.map((p) => p.referenced))
      const columns = set.map((p) => p.column)
      const first = set[0]!.column.config.references!.options
      const names = new Set(set.flatMap((p) => (p.column.config.references!.options.name === undefined ? [] : [p.column.config.references!.options.name])))
      if (names.size > 1) {
        throw new SchemaError(`The foreign key of '${model.sqlName}' (${columns.map((c) => c.sqlName).join(', ')}) is given two names: ${[...names].join(', ')}`)
      }
      keys.push(
        Object.freeze({
          name: [...names][0] ?? `${model.sqlName}_${columns.map((c) => c.sqlName).join('_')}_fkey`,
          table: model,
          columns,
          references: target,
          referencedColumns: set.map((p) => p.referenced),
          onDelete: first.onDelete,
          onUpdate: first.onUpdate,
        }),
      )
    }
  }
  return keys
}

function checkCoversKey(model: TableModel, target: TableModel, referenced: ColumnModel[]): void {
  const covers = referenced.length === target.primaryKey.length && target.primaryKey.every((pk) => referenced.includes(pk))
  if (!covers) {
    throw new SchemaError(
      `Table '${model.sqlName}' references '${target.sqlName}', whose primary key is (${target.primaryKey.map((c) => c.sqlName).join(', ')}); ` +
        `a composite foreign key must reference each of those columns exactly once, found (${referenced.map((c) => c.sqlName).join(', ')})`,
    )
  }
}
