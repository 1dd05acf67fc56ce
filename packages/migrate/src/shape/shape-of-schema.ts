/** `shapeOfSchema()`: what `createTables()` would create for a schema, computed from core's own DDL rules without a database. */
import {
  DummyDriver,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type Expression,
} from 'kysely'
import type { AnySchema, TableModel } from '@relata/core'
import { columnType, defaultExpression, indexedColumns, platforms, type ColumnSite } from '@relata/core/internal'
import { normalizeAction, normalizeCondition, normalizeDefault, normalizeShape, normalizeType } from './normalize.js'
import type { ColumnShape, SchemaShape, ShapeFamily, TableShape } from './schema-shape.js'

/** Kysely with the family's compiler and no connection: DDL pieces compiled to their SQL text. */
const compilers: Record<ShapeFamily, Kysely<any>> = {
  postgres: new Kysely<any>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  }),
  mysql: new Kysely<any>({
    dialect: {
      createAdapter: () => new MysqlAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new MysqlIntrospector(db),
      createQueryCompiler: () => new MysqlQueryCompiler(),
    },
  }),
}

/** An expression's SQL text; a parameter (`sql\`x > ${0}\``) cannot be stored in DDL, so it is refused. */
function sqlText(family: ShapeFamily, expression: Expression<unknown>, where: string): string {
  const compiled = sql`${expression}`.compile(compilers[family])
  if (compiled.parameters.length > 0) throw new Error(`${where}: the expression has bound parameters, which DDL cannot hold: write the values into the SQL (sql.lit)`)
  return compiled.sql
}

/**
 * The tables `createTables()` creates for `schema` on a database of `family`, as a shape: the
 * same types, defaults, keys, indexes and constraints the database reports after it.
 *
 * @example
 * ```ts
 * const shape = shapeOfSchema(schema, 'postgres')
 * shape.tables['track']!.columns.find((c) => c.name === 'unit_price')!.type   // 'numeric(10,2)'
 * ```
 */
export function shapeOfSchema(schema: AnySchema, family: ShapeFamily): SchemaShape {
  const tables = [...schema.tables.values()]
  const indexed = indexedColumns(tables)
  const shapes: Record<string, TableShape> = {}
  for (const table of tables) shapes[table.sqlName] = tableShape(table, family, indexed)
  return normalizeShape({ family, tables: shapes })
}

function tableShape(table: TableModel, family: ShapeFamily, indexed: ReturnType<typeof indexedColumns>): TableShape {
  const { ddl } = platforms[family]
  const columns = table.columns.map((column): ColumnShape => {
    const site: ColumnSite = { table, column, indexed: indexed.has(column) }
    const where = `Column '${table.sqlName}.${column.sqlName}'`
    const type = normalizeType(family, sqlText(family, columnType(site, ddl), where))
    const value = defaultExpression(site, ddl)
    return {
      name: column.sqlName,
      type,
      nullable: column.config.nullable,
      default: value === undefined ? null : normalizeDefault(family, sqlText(family, value, where), type),
      autoIncrement: column.config.dataType === 'serial',
      comment: column.config.comment ?? null,
    }
  })
  const enumChecks = table.columns.flatMap((column) => {
    const check = ddl.columnCheck(column)
    return check === undefined ? [] : [{ name: `${table.sqlName}_${column.sqlName}_check`, expression: check }]
  })
  return {
    name: table.sqlName,
    columns,
    primaryKey: { name: `${table.sqlName}_pkey`, columns: table.primaryKey.map((c) => c.sqlName) },
    foreignKeys: table.foreignKeys.map((key) => ({
      name: key.name,
      columns: key.columns.map((c) => c.sqlName),
      referencedTable: key.references.sqlName,
      referencedColumns: key.referencedColumns.map((c) => c.sqlName),
      onDelete: normalizeAction(family, key.onDelete),
      onUpdate: normalizeAction(family, key.onUpdate),
    })),
    indexes: table.indexes.map((index) => ({
      name: index.name,
      columns: index.columns.map((c) => c.sqlName),
      unique: index.unique,
      where: index.where === undefined ? null : normalizeCondition(sqlText(family, index.where, `Index '${index.name}'`)),
    })),
    uniques: table.uniques.map((unique) => ({ name: unique.name, columns: unique.columns.map((c) => c.sqlName) })),
    checks: [...enumChecks, ...table.checks].map((check) => ({
      name: check.name,
      expression: normalizeCondition(sqlText(family, check.expression, `Check '${check.name}' of '${table.sqlName}'`)),
    })),
    comment: table.comment ?? null,
  }
}
