/**
 * The migration files generateMigrationSource writes, compared with committed files that the repo's
 * type check compiles (so a generated file type-checks) and that README quotes; the migrate-run
 * suite runs the same files' content on the three databases.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { diffShapes, generateMigrationSource, migrateFamily, type MigrationStep } from '../../src/index.js'
import { changedLibrary, col, library, shape, tbl } from './shapes.js'

const golden = (relative: string) => readFileSync(fileURLToPath(new URL(relative, import.meta.url)), 'utf8')
const second = (family: 'postgres' | 'mysql') =>
  generateMigrationSource(diffShapes(library(family), changedLibrary(family), { renames: { 'books.title': 'name' }, drops: ['books.legacy'] }), migrateFamily(family), {
    title: 'rename title, add reviews',
  })

describe('generateMigrationSource', () => {
  test('PostgreSQL: the second migration of the library, as committed in examples/support/src/migrations', () => {
    expect(second('postgres')).toBe(golden('../../../../examples/support/src/migrations/20260102000000_rename_title_add_reviews.ts'))
  })

  test('MySQL: the same change, with MODIFY COLUMN, inline comments and the foreign key stepping aside for its index', () => {
    expect(second('mysql')).toBe(golden('./golden/mysql-rename-title-add-reviews.ts'))
  })

  test('the first migration imports sql only when a statement uses it', () => {
    const source = generateMigrationSource(diffShapes(shape('postgres'), library('postgres')), migrateFamily('postgres'))
    expect(source).toContain("import { type Kysely } from 'kysely'")
    expect(source).toContain(".addForeignKeyConstraint('books_author_id_fkey', ['author_id'], 'authors', ['id'], (fk) => fk.onDelete('cascade'))")
  })

  test('text that would break the file is escaped: quotes in comments, backticks and ${ in SQL', () => {
    const next = shape('postgres', tbl('t', [col('id', 'integer'), col('note', 'text', { nullable: true, default: "'`${x}`'", comment: "it's" })], { checks: [{ name: 't_note_check', expression: "note <> '\\\\'" }] }))
    const source = generateMigrationSource(diffShapes(shape('postgres'), next), migrateFamily('postgres'))
    expect(source).toContain("defaultTo(sql`'\\`\\${x}\\`'`)")
    expect(source).toContain("sql.lit('it\\'s')")
    expect(source).toContain("sql`note <> '\\\\\\\\'`")
  })

  test('types Kysely does not name are passed as sql; PostgreSQL auto-increment is serial / bigserial', () => {
    const next = shape('postgres', tbl('t', [col('id', 'bigint', { autoIncrement: true }), col('flags', 'bit(8)'), col('amount', 'numeric(10,2)')]))
    const source = generateMigrationSource(diffShapes(shape('postgres'), next), migrateFamily('postgres'))
    expect(source).toContain(".addColumn('id', 'bigserial', (col) => col.notNull())")
    expect(source).toContain(".addColumn('flags', sql`bit(8)`, (col) => col.notNull())")
    expect(source).toContain(".addColumn('amount', 'numeric(10, 2)', (col) => col.notNull())")
  })

  test('an unanswered rename question is refused, naming the column and the candidates', () => {
    const steps: MigrationStep[] = [{ kind: 'ambiguous', table: 'books', dropped: 'title', candidates: ['name'] }]
    expect(() => generateMigrationSource(steps, migrateFamily('postgres'))).toThrow('column books.title may have been renamed (to name)')
  })

  test('PostgreSQL refuses to guess a switch of auto-increment, naming the column', () => {
    const from = shape('postgres', tbl('t', [col('id', 'integer')]))
    const to = shape('postgres', tbl('t', [col('id', 'integer', { autoIncrement: true })]))
    expect(() => generateMigrationSource(diffShapes(from, to), migrateFamily('postgres'))).toThrow(/t.id: turning auto-increment on/)
  })
})
