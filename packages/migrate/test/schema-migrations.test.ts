/**
 * The round trip from declarations, on PGlite, PostgreSQL and MariaDB: a first migration generated
 * from a schema and applied leaves a database whose introspected shape is the schema's; a second
 * (column added, index added, column renamed with a rename answer, table with a foreign key added,
 * column dropped) too, after which `check` finds nothing missing; `down` restores the first shape.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { defineSchema, sql } from '@relata/core'
import { describeEachDialect } from '@relata/test-kit/targets'
import { AmbiguousRenameError, describeStep, diffShapes, generateMigration, listMigrations, migrateDown, migrateTo, migrateToLatest, pendingChanges, shapeOfDatabase, shapeOfSchema, withoutMigrationTables } from '../src/index.js'
import { libraryV1, libraryV2 } from './fixtures/library-schemas.js'

const here = path.dirname(fileURLToPath(import.meta.url))

describeEachDialect('migrations generated from schemas', (target) => {
  const ctx = target.setup(defineSchema({}), { createTables: false })
  let folder: string
  beforeAll(async () => {
    folder = await mkdtemp(path.join(here, '.migrations-'))
    // Connects (and starts PGlite) in the hook, whose time limit is the longer one.
    await sql`select 1`.execute(ctx.orm.db)
  })
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true })
  })

  /** What the database holds, against what `schema` declares: one line per difference. */
  const drift = async (schema: typeof libraryV1 | typeof libraryV2) =>
    diffShapes(withoutMigrationTables(await shapeOfDatabase(ctx.orm.db, target.family)), shapeOfSchema(schema, target.family)).map(describeStep)

  test('generate, migrate, check, change, generate with a rename, migrate, check, down', async () => {
    const family = target.family
    const v1 = shapeOfSchema(libraryV1, family)
    const v2 = shapeOfSchema(libraryV2, family)
    await generateMigration({ folder, name: 'init', to: v1, now: new Date(Date.UTC(2026, 0, 1)) })
    await migrateToLatest(ctx.orm, { folder })
    expect(await drift(libraryV1)).toEqual([])
    expect(await pendingChanges({ folder, to: v1 })).toEqual([])
    await sql`insert into authors (name) values ('Le Guin')`.execute(ctx.orm.db)
    await sql`insert into books (title, author_id) values ('Lathe', 1)`.execute(ctx.orm.db)

    // The schema changed: check fails, and generate asks about books.title and books.legacy.
    expect((await pendingChanges({ folder, to: v2 })).length).toBeGreaterThan(0)
    const asked = await generateMigration({ folder, name: 'second', to: v2 }).catch((error: unknown) => error)
    expect(asked).toBeInstanceOf(AmbiguousRenameError)
    expect((asked as AmbiguousRenameError).ambiguities.map((a) => `${a.table}.${a.dropped}`)).toEqual(['books.title', 'books.legacy'])

    const second = await generateMigration({ folder, name: 'second', to: v2, renames: { 'books.title': 'name' }, drops: ['books.legacy'], now: new Date(Date.UTC(2026, 0, 2)) })
    expect(second.warnings).toEqual(['drops column books.legacy and its values'])
    await migrateToLatest(ctx.orm, { folder })
    expect(await drift(libraryV2)).toEqual([])
    expect(await pendingChanges({ folder, to: v2 })).toEqual([])
    expect((await sql<{ name: string; pages: number }>`select name, pages from books`.execute(ctx.orm.db)).rows).toEqual([{ name: 'Lathe', pages: 0 }])
    // The new table's foreign key holds: a review of a missing book is refused.
    await expect(sql`insert into reviews (book_id, body) values (99, 'x')`.execute(ctx.orm.db)).rejects.toThrow()

    await migrateDown(ctx.orm, { folder })
    expect(await drift(libraryV1)).toEqual([])
    expect((await sql<{ title: string }>`select title from books`.execute(ctx.orm.db)).rows).toEqual([{ title: 'Lathe' }])
    const listed = await listMigrations(ctx.orm, { folder })
    expect(listed.map((m) => [m.name, m.executedAt !== undefined])).toEqual([['20260101000000_init', true], ['20260102000000_second', false]])

    // Down to nothing: only Kysely's own tables are left.
    await migrateTo(ctx.orm, null, { folder })
    expect(Object.keys(withoutMigrationTables(await shapeOfDatabase(ctx.orm, target.family)).tables)).toEqual([])
  })
})
