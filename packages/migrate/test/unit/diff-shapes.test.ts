/** diffShapes on hand-written shapes: what changes, in which order, which renames it asks for, which steps it marks destructive. */
import { describe, expect, test } from 'vitest'
import { ambiguities, diffShapes, inverseStep, type MigrationStep } from '../../src/index.js'
import { col, fk, id, library, shape, tbl } from './shapes.js'

const tableOf = (step: MigrationStep): string => {
  if (!('table' in step) || step.table === null) return ''
  return typeof step.table === 'string' ? step.table : step.table.name
}
const kinds = (steps: readonly MigrationStep[]) => steps.map((s) => `${s.kind} ${tableOf(s)}`.trim())

describe('diffShapes', () => {
  test('nothing changed: no steps', () => {
    expect(diffShapes(library(), library())).toEqual([])
  })

  test('a first migration creates referenced tables first, then the indexes of each', () => {
    const steps = diffShapes(shape('postgres'), library())
    expect(kinds(steps)).toEqual(['createTable authors', 'createTable books', 'createIndex books'])
    const books = steps[1]!
    expect(books.kind === 'createTable' && books.table.foreignKeys.map((k) => k.name)).toEqual(['books_author_id_fkey'])
    expect(steps.some((s) => s.destructive !== undefined)).toBe(false)
  })

  test('tables that reference each other: the key that closes the cycle is added after both exist, and dropped first', () => {
    const cyclic = shape(
      'postgres',
      tbl('a', [id(), col('b_id', 'integer', { nullable: true })], { foreignKeys: [fk('a_b_id_fkey', ['b_id'], 'b')] }),
      tbl('b', [id(), col('a_id', 'integer', { nullable: true })], { foreignKeys: [fk('b_a_id_fkey', ['a_id'], 'a')] }),
    )
    const up = diffShapes(shape('postgres'), cyclic)
    expect(kinds(up)).toEqual(['createTable b', 'createTable a', 'addForeignKey b'])
    const down = diffShapes(cyclic, shape('postgres'), { drops: ['a', 'b'] })
    expect(kinds(down)).toEqual(['dropForeignKey b', 'dropTable a', 'dropTable b'])
    expect(down.filter((s) => s.destructive !== undefined)).toHaveLength(2)
  })

  test('a table that references itself is created with its key', () => {
    const tree = shape('postgres', tbl('nodes', [id(), col('parent_id', 'integer', { nullable: true })], { foreignKeys: [fk('nodes_parent_id_fkey', ['parent_id'], 'nodes')] }))
    const steps = diffShapes(shape('postgres'), tree)
    expect(kinds(steps)).toEqual(['createTable nodes'])
  })

  test('a dropped table goes after the keys that reference it, referencing tables before referenced ones', () => {
    const next = shape('postgres')
    const steps = diffShapes(library(), next)
    expect(kinds(steps)).toEqual(['dropTable books', 'dropTable authors'])
    expect(steps.map((s) => s.destructive)).toEqual(['drops table books and its rows', 'drops table authors and its rows'])
  })

  test('a column gone while another appears is a question, not a drop and an add', () => {
    const next = structuredClone(library()) as any
    next.tables.books.columns[1] = col('name', 'text')
    next.tables.books.indexes = []
    const steps = diffShapes(library(), next)
    expect(steps).toEqual([
      { kind: 'ambiguous', table: 'books', dropped: 'title', candidates: ['name'] },
    ])
    expect(ambiguities(steps)).toHaveLength(1)
  })

  test('the rename answer gives a renameColumn; the drop answer a drop and an add', () => {
    const next = structuredClone(library()) as any
    next.tables.books.columns[1] = col('name', 'text')
    next.tables.books.indexes = [{ name: 'books_name_idx', columns: ['name'], unique: false, where: null }]
    const renamed = diffShapes(library(), next, { renames: { 'books.title': 'name' } })
    expect(kinds(renamed)).toEqual(['renameColumn books', 'dropIndex books', 'createIndex books'])
    expect(renamed[0]).toEqual({ kind: 'renameColumn', table: 'books', from: 'title', to: 'name' })
    const dropped = diffShapes(library(), next, { drops: ['books.title'] })
    expect(kinds(dropped)).toEqual(['dropIndex books', 'addColumn books', 'dropColumn books', 'createIndex books'])
    expect(dropped.find((s) => s.kind === 'dropColumn')?.destructive).toBe('drops column books.title and its values')
    expect(dropped.find((s) => s.kind === 'addColumn')?.destructive).toMatch(/NOT NULL column books.name without a default/)
  })

  test('a renamed table: asked about, then renamed, its foreign keys following', () => {
    const next = structuredClone(library()) as any
    next.tables.writers = { ...next.tables.authors, name: 'writers' }
    delete next.tables.authors
    next.tables.books.foreignKeys[0].referencedTable = 'writers'
    expect(diffShapes(library(), next)).toEqual([{ kind: 'ambiguous', table: null, dropped: 'authors', candidates: ['writers'] }])
    expect(diffShapes(library(), next, { renames: { authors: 'writers' } })).toEqual([{ kind: 'renameTable', from: 'authors', to: 'writers' }])
  })

  test('renames that name nothing are refused, naming the table or column', () => {
    expect(() => diffShapes(library(), library(), { renames: { 'books.nope': 'name' } })).toThrow(/previous books has no column nope/)
    expect(() => diffShapes(library(), library(), { renames: { ghosts: 'spirits' } })).toThrow(/no table ghosts/)
    const next = structuredClone(library()) as any
    next.tables.books.columns = [next.tables.books.columns[0], col('name', 'text'), next.tables.books.columns[2]]
    expect(() => diffShapes(library(), next, { renames: { 'books.title': 'name', 'books.legacy': 'name' } })).toThrow('--rename books.legacy=name: books.title is renamed to name already')
  })

  test('a column whose type changes: keys through it are dropped before and added after', () => {
    const next = structuredClone(library()) as any
    next.tables.authors.columns[0] = col('id', 'bigint', { autoIncrement: true })
    next.tables.books.columns[2] = col('author_id', 'bigint')
    const steps = diffShapes(library(), next)
    expect(kinds(steps)).toEqual(['dropForeignKey books', 'alterColumn authors', 'alterColumn books', 'addForeignKey books'])
    expect(steps.some((s) => s.destructive !== undefined)).toBe(false)
  })

  test('narrowing types and NOT NULL without a default are destructive; widening is not', () => {
    const base = shape('postgres', tbl('t', [id(), col('a', 'varchar(100)'), col('b', 'numeric(10,2)'), col('c', 'text', { nullable: true }), col('d', 'integer', { nullable: true })]))
    const next = shape('postgres', tbl('t', [id(), col('a', 'varchar(50)'), col('b', 'numeric(12,2)'), col('c', 'text'), col('d', 'integer', { default: '0' })]))
    const reasons = Object.fromEntries(diffShapes(base, next).map((s) => [s.kind === 'alterColumn' ? s.to.name : s.kind, s.destructive]))
    expect(reasons).toEqual({
      a: 't.a narrows varchar(100) to varchar(50): values that do not fit are cut or refused',
      b: undefined,
      c: 't.c makes it NOT NULL without a default: fails while a row holds NULL',
      d: undefined,
    })
    const widened = diffShapes(shape('mysql', tbl('t', [id(), col('a', 'int'), col('s', 'varchar(10)')])), shape('mysql', tbl('t', [id(), col('a', 'bigint'), col('s', 'text')])))
    expect(widened.map((s) => s.destructive)).toEqual([undefined, undefined])
  })

  test('indexes, uniques, checks and the primary key: changed ones are dropped and created again', () => {
    const base = shape('postgres', tbl('t', [id(), col('a', 'integer'), col('b', 'integer')], {
      uniques: [{ name: 't_a_key', columns: ['a'] }],
      checks: [{ name: 't_a_check', expression: 'a > 0' }],
      indexes: [{ name: 't_b_idx', columns: ['b'], unique: false, where: null }],
    }))
    const next = shape('postgres', tbl('t', [id(), col('a', 'integer'), col('b', 'integer')], {
      primaryKey: { name: 't_pkey', columns: ['id', 'a'] },
      uniques: [{ name: 't_a_b_key', columns: ['a', 'b'] }],
      checks: [{ name: 't_a_check', expression: 'a >= 0' }],
      indexes: [{ name: 't_b_idx', columns: ['b'], unique: false, where: 'b > 0' }],
    }))
    expect(kinds(diffShapes(base, next))).toEqual([
      'dropIndex t', 'dropUnique t', 'dropCheck t', 'dropPrimaryKey t', 'addPrimaryKey t', 'createIndex t', 'addUnique t', 'addCheck t',
    ])
  })

  test('down is the inverse: the steps undone in reverse order lead back', () => {
    const next = structuredClone(library()) as any
    next.tables.books.columns.push(col('pages', 'integer', { nullable: true }))
    const up = diffShapes(library(), next)
    const down = up.map(inverseStep).reverse()
    expect(down).toEqual([{ kind: 'dropColumn', table: 'books', column: col('pages', 'integer', { nullable: true }) }])
  })

  test('MySQL: a foreign key steps aside while an index that starts with its columns is created (its down drops that index)', () => {
    const next = (family: 'postgres' | 'mysql') => {
      const s = structuredClone(library(family)) as any
      s.tables.books.indexes.push({ name: 'books_author_title_idx', columns: ['author_id', 'title'], unique: false, where: null })
      return s
    }
    expect(kinds(diffShapes(library('mysql'), next('mysql')))).toEqual(['dropForeignKey books', 'createIndex books', 'addForeignKey books'])
    expect(kinds(diffShapes(library('postgres'), next('postgres')))).toEqual(['createIndex books'])
  })

  test('shapes of two families are not compared', () => {
    expect(() => diffShapes(library('postgres'), library('mysql'))).toThrow(/postgres shape against a mysql one/)
  })
})
