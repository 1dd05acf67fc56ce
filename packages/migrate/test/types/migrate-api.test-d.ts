/** Types of @relata/migrate's API: the config, what migrations run on, diff options, results. */
import { Kysely } from 'kysely'
import type { MigrationResult } from 'kysely/migration'
import { describe, expectTypeOf, test } from 'vitest'
import { createOrm, defineSchema, t, table } from '@relata/core'
import { pglite } from '@relata/core/pglite'
import { defineConfig, diffShapes, generateMigration, migrateToLatest, migrateTo, type MigrationStep, type RelataConfig, type SchemaShape } from '../../src/index.js'

const schema = defineSchema({ books: table('books', { id: t.serial().primaryKey() }) })
const orm = createOrm({ schema, dialect: pglite() })
declare const shape: SchemaShape

describe('@relata/migrate types', () => {
  test('defineConfig takes the documented keys and nothing else', () => {
    expectTypeOf(defineConfig({ schema: './schema.ts', url: 'pglite:./data', migrations: './migrations' })).toEqualTypeOf<RelataConfig>()
    defineConfig({ schema: './schema.ts', dialect: () => pglite() })
    // @ts-expect-error a misspelt key
    defineConfig({ schema: './schema.ts', migration: './migrations' })
    // @ts-expect-error the schema module is required
    defineConfig({ url: 'pglite:' })
    // @ts-expect-error dialect is a factory, not a dialect
    defineConfig({ schema: './schema.ts', dialect: pglite() })
  })

  test('migrations run on an ORM or a Kysely instance, and return Kysely\'s results', () => {
    expectTypeOf(migrateToLatest(orm, { folder: 'migrations' })).resolves.toEqualTypeOf<readonly MigrationResult[]>()
    void migrateToLatest(orm.db, { folder: 'migrations' })
    void migrateToLatest(new Kysely<any>({ dialect: pglite().createKyselyDialect() }), { folder: 'migrations' })
    void migrateTo(orm, null, { folder: 'migrations' })
    // @ts-expect-error not a database
    void migrateToLatest({ folder: 'x' }, { folder: 'migrations' })
    // @ts-expect-error the folder is required
    void migrateToLatest(orm, {})
  })

  test('diff options: renames map names to names, drops list names', () => {
    expectTypeOf(diffShapes(shape, shape, { renames: { 'books.title': 'name' }, drops: ['books.legacy'] })).toEqualTypeOf<MigrationStep[]>()
    // @ts-expect-error a rename names its new name
    diffShapes(shape, shape, { renames: { 'books.title': true } })
    // @ts-expect-error drops are a list
    diffShapes(shape, shape, { drops: 'books.legacy' })
    void generateMigration({ folder: 'migrations', name: 'init', to: shape })
    // @ts-expect-error the target shape is required
    void generateMigration({ folder: 'migrations', name: 'init' })
  })

  test('a step is narrowed by its kind', () => {
    const step = {} as MigrationStep
    if (step.kind === 'renameColumn') expectTypeOf(step.from).toEqualTypeOf<string>()
    if (step.kind === 'ambiguous') expectTypeOf(step.candidates).toEqualTypeOf<readonly string[]>()
    // @ts-expect-error no such kind
    if (step.kind === 'renameIndex') void step
  })
})
