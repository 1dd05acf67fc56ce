/** Hand-written SchemaShape values for the unit tests: a column, a table, a shape, with the defaults of a plain declaration. */
import type { ColumnShape, ForeignKeyShape, SchemaShape, ShapeFamily, TableShape } from '../../src/shape/schema-shape.js'

export function col(name: string, type: string, extra: Partial<ColumnShape> = {}): ColumnShape {
  return { name, type, nullable: false, default: null, autoIncrement: false, comment: null, ...extra }
}

export function fk(name: string, columns: string[], referencedTable: string, referencedColumns: string[] = ['id'], extra: Partial<ForeignKeyShape> = {}): ForeignKeyShape {
  return { name, columns, referencedTable, referencedColumns, onDelete: 'no action', onUpdate: 'no action', ...extra }
}

export function tbl(name: string, columns: ColumnShape[], extra: Partial<TableShape> = {}): TableShape {
  return { name, columns, primaryKey: { name: `${name}_pkey`, columns: ['id'] }, foreignKeys: [], indexes: [], uniques: [], checks: [], comment: null, ...extra }
}

export function shape(family: ShapeFamily, ...tables: TableShape[]): SchemaShape {
  return { family, tables: Object.fromEntries(tables.map((t) => [t.name, t])) }
}

export const id = (family: ShapeFamily = 'postgres') => col('id', 'integer', { autoIncrement: true })

/** Authors and books (books.author_id → authors.id), the shape most tests start from. */
export function library(family: ShapeFamily = 'postgres'): SchemaShape {
  return shape(
    family,
    tbl('authors', [id(family), col('name', 'varchar(100)')]),
    tbl('books', [id(family), col('title', 'text'), col('author_id', 'integer'), col('legacy', 'text', { nullable: true })], {
      foreignKeys: [fk('books_author_id_fkey', ['author_id'], 'authors', ['id'], { onDelete: 'cascade' })],
      indexes: [{ name: 'books_title_idx', columns: ['title'], unique: false, where: null }],
    }),
  )
}
