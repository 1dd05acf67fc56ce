/**
 * Generated migrations run by Kysely's Migrator on PGlite, PostgreSQL and MariaDB: a first migration
 * from hand-written shapes, a second that changes them (column added, column renamed, table with a
 * foreign key, column dropped, index), then down; the database's tables are read back each time.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { defineSchema, sql } from '@relata/core'
import { describeEachDialect } from '@relata/test-kit/targets'
import { generateMigration, listMigrations, migrateDown, migrateTo, migrateToLatest, type SchemaShape } from '../src/index.js'
import { changedLibrary as changed, library } from './unit/shapes.js'

const here = path.dirname(fileURLToPath(import.meta.url))

describeEachDialect('generated migrations run by Kysely\'s Migrator', (target) => {
  const ctx = target.setup(defineSchema({}), { createTables: false })
  let folder: string
  beforeAll(async () => {
    // Inside the package, so that the migration files find kysely in node_modules.
    folder = await mkdtemp(path.join(here, '.migrations-'))
  })
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true })
  })

  const columnsOf = async (table: string) => {
    const tables = await ctx.orm.db.introspection.getTables()
    return tables.find((t) => t.name === table)?.columns.map((c) => `${c.name}${c.isNullable ? '?' : ''}`)
  }

  test('first migration, then the changes, then down', async () => {
    const family = target.family
    const first = await generateMigration({ folder, name: 'init', to: library(family), now: new Date(Date.UTC(2026, 0, 1)) })
    expect(first.name).toBe('20260101000000_init')
    expect(await readFile(first.file!, 'utf8')).toContain(".createTable('authors')")
    expect((await migrateToLatest(ctx.orm, { folder })).map((r) => r.migrationName)).toEqual(['20260101000000_init'])
    expect(await columnsOf('books')).toEqual(['id', 'title', 'author_id', 'legacy?'])
    await ctx.orm.db.insertInto('authors' as never).values({ name: 'Le Guin' } as never).execute()
    await ctx.orm.db.insertInto('books' as never).values({ title: 'Lathe', author_id: 1 } as never).execute()

    const second = await generateMigration({
      folder, name: 'rename title, add reviews', to: changed(family), renames: { 'books.title': 'name' }, drops: ['books.legacy'], now: new Date(Date.UTC(2026, 0, 2)),
    })
    expect(second.warnings).toEqual(['drops column books.legacy and its values'])
    const source = await readFile(second.file!, 'utf8')
    expect(source).toContain("renameColumn('title', 'name')")
    expect(source).toContain('// DESTRUCTIVE: drops column books.legacy and its values')
    await migrateToLatest(ctx.orm, { folder })
    expect(await columnsOf('books')).toEqual(['id', 'name', 'author_id', 'pages?'])
    expect(await columnsOf('reviews')).toEqual(['id', 'book_id', 'body'])
    // The renamed column kept its value; the new one took its default.
    const rows = await sql<{ name: string; pages: number }>`select name, pages from books`.execute(ctx.orm.db)
    expect(rows.rows).toEqual([{ name: 'Lathe', pages: 0 }])
    // The foreign key is there: a review of a missing book is refused.
    await expect(ctx.orm.db.insertInto('reviews' as never).values({ book_id: 99, body: 'x' } as never).execute()).rejects.toThrow()

    expect((await migrateDown(ctx.orm, { folder })).map((r) => `${r.direction} ${r.migrationName}`)).toEqual(['Down 20260102000000_rename_title_add_reviews'])
    expect(await columnsOf('books')).toEqual(['id', 'title', 'author_id', 'legacy?'])
    expect(await columnsOf('reviews')).toBeUndefined()
    expect((await sql<{ title: string }>`select title from books`.execute(ctx.orm.db)).rows).toEqual([{ title: 'Lathe' }])

    const listed = await listMigrations(ctx.orm, { folder })
    expect(listed.map((m) => [m.name, m.executedAt !== undefined])).toEqual([['20260101000000_init', true], ['20260102000000_rename_title_add_reviews', false]])
    await migrateTo(ctx.orm, null, { folder })
    expect(await columnsOf('authors')).toBeUndefined()
  })
})
