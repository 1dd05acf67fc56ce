/**
 * The round trip on an existing database, on PGlite, PostgreSQL and MariaDB: Chinook made by the
 * dataset's own SQL file (its names, keys and indexes, not Relata's) is pulled into declarations
 * that type-check; `createTables()` from them on a fresh database gives the same shape, and
 * `generate` against the original finds nothing to do. Then the declarations are edited as a user
 * would (add a column, add an index, rename a column, add a table with a foreign key, drop a
 * column): each edit's migration, applied, leaves nothing pending and no drift, and `down` restores
 * the previous shape and the values.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createOrm, defineSchema, sql, type AnySchema } from '@relata/core'
import { loadChinookScript } from '@relata/test-kit/chinook'
import { describeEachDialect } from '@relata/test-kit/targets'
import {
  AmbiguousRenameError,
  describeStep,
  diffShapes,
  generateMigration,
  migrateDown,
  migrateToLatest,
  pendingChanges,
  pullSchema,
  shapeOfDatabase,
  shapeOfSchema,
  withoutMigrationTables,
  type SchemaShape,
} from '../src/index.js'
import { typeErrors } from './fixtures/type-errors.js'

const here = path.dirname(fileURLToPath(import.meta.url))
/** Every version of the declarations written, on every database, for the type-check at the end. */
const files: string[] = []

/** A shape with each table's columns in name order: PostgreSQL adds a column back at the end of its table, where `down` of a drop puts it. */
const unordered = (shape: SchemaShape): SchemaShape => ({
  family: shape.family,
  tables: Object.fromEntries(Object.entries(shape.tables).map(([name, t]) => [name, { ...t, columns: [...t.columns].sort((a, b) => a.name.localeCompare(b.name)) }])),
})

/** `source` with the block of `export const <variable> = table(...)` passed through `edit`. */
function editTable(source: string, variable: string, edit: (block: string) => string): string {
  const start = source.indexOf(`export const ${variable} = table(`)
  const end = source.indexOf('\n})\n', start) + 3
  if (start < 0 || end < 3) throw new Error(`no table ${variable} in the pulled source`)
  const block = source.slice(start, end)
  const edited = edit(block)
  if (edited === block) throw new Error(`the edit of ${variable} changed nothing`)
  return source.slice(0, start) + edited + source.slice(end)
}

/** Replaces `pattern` in `text`, or throws: an edit that no longer applies must fail the test, not skip the change. */
function replace(text: string, pattern: RegExp | string, by: string): string {
  const replaced = text.replace(pattern, by)
  if (replaced === text) throw new Error(`${String(pattern)} not found`)
  return replaced
}

/** The scripted changes, each an edit of the previous declarations and what `generate` is told. */
const changes: readonly {
  readonly name: string
  readonly edit: (source: string) => string
  readonly renames?: (family: string) => Record<string, string>
  readonly drops?: (family: string) => string[]
}[] = [
  {
    name: 'add artist country',
    edit: (source) => editTable(source, 'artist', (block) => replace(block, /\n\}\)$/, '\n  country: t.varchar(40).nullable(),\n})')),
  },
  {
    name: 'index artist country',
    edit: (source) => editTable(source, 'artist', (block) => replace(block, /\n\}\)$/, "\n}, {\n  indexes: [{ columns: ['country'] }],\n})")),
  },
  {
    name: 'rename customer fax',
    // The pulled line, `.name('Fax')` on MariaDB, becomes faxNumber (fax_number).
    edit: (source) => editTable(source, 'customer', (block) => replace(block, /\n {2}fax: t\.varchar\(24\)(?:\.name\('Fax'\))?\.nullable\(\),/, '\n  faxNumber: t.varchar(24).nullable(),')),
    renames: (family): Record<string, string> => (family === 'mysql' ? { 'Customer.Fax': 'fax_number' } : { 'customer.fax': 'fax_number' }),
  },
  {
    name: 'add review',
    edit: (source) =>
      replace(
        replace(source, '\nexport const schema = defineSchema(', "\nexport const review = table('review', {\n  reviewId: t.serial().primaryKey(),\n  trackId: t.integer().references(() => track.trackId, { onDelete: 'cascade' }),\n  body: t.text(),\n})\n\nexport const schema = defineSchema("),
        /defineSchema\(\n {2}\{ /,
        'defineSchema(\n  { review, ',
      ),
  },
  {
    name: 'drop employee fax',
    edit: (source) => editTable(source, 'employee', (block) => replace(block, /\n {2}fax: t\.varchar\(24\)(?:\.name\('Fax'\))?\.nullable\(\),/, '')),
    drops: (family) => [family === 'mysql' ? 'Employee.Fax' : 'employee.fax'],
  },
]

const dirs: string[] = []
afterAll(() => {
  if (process.env.RELATA_KEEP_PULLED === undefined) for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describeEachDialect('round trip on Chinook as its own SQL file makes it', (target) => {
  const family = target.family
  const original = target.setup(defineSchema({}), { createTables: false })
  const fresh = target.setup(defineSchema({}), { createTables: false })
  const dir = path.join(here, `.round-trip-${target.name}`)
  const folder = path.join(dir, 'migrations')
  dirs.push(dir)
  let originalShape: SchemaShape
  let source: string

  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    await loadChinookScript(original.orm.db, family)
    originalShape = await shapeOfDatabase(original.orm, family)
  }, 120_000)

  /** Writes version `n` of the declarations and imports its schema. */
  const declare = async (n: number, text: string): Promise<AnySchema> => {
    const file = path.join(dir, `v${n}.ts`)
    writeFileSync(file, text)
    files.push(file)
    return ((await import(pathToFileURL(file).href)) as { schema: AnySchema }).schema
  }
  const current = async () => withoutMigrationTables(await shapeOfDatabase(original.orm, family))
  const drift = async (schema: AnySchema) => diffShapes(await current(), shapeOfSchema(schema, family)).map(describeStep)

  test('pull, createTables on a fresh database: the same shape; generate against the original: a baseline with no step', async () => {
    source = await pullSchema(original.orm, family)
    const pulled = await declare(0, source)
    expect(shapeOfSchema(pulled, family)).toEqual(originalShape)

    // Not destroyed: it shares the fresh context's dialect, which that context's hooks close.
    const made = createOrm({ schema: pulled, dialect: fresh.dialect })
    await made.createTables()
    const freshShape = await shapeOfDatabase(fresh.orm, family)
    expect(diffShapes(originalShape, freshShape).map(describeStep)).toEqual([])
    expect(freshShape).toEqual(originalShape)

    const baseline = await generateMigration({ folder, name: 'baseline', from: originalShape, to: shapeOfSchema(pulled, family), now: new Date(Date.UTC(2026, 0, 1)) })
    expect([baseline.steps, baseline.file === null]).toEqual([[], false])
    expect((await migrateToLatest(original.orm, { folder })).map((r) => r.status)).toEqual(['Success'])
    expect(await pendingChanges({ folder, to: shapeOfSchema(pulled, family) })).toEqual([])
    expect(await drift(pulled)).toEqual([])
  })

  test('each change: generate, migrate (nothing pending, no drift), down (the previous shape), up again', async () => {
    const faxes = async (table: string, column: string) =>
      (await sql<{ n: number | string }>`select count(${sql.ref(column)}) as n from ${sql.table(table)}`.execute(original.orm.db)).rows[0]!.n
    const [customer, fax] = family === 'mysql' ? ['Customer', 'Fax'] : ['customer', 'fax']
    const faxCount = await faxes(customer, fax)
    expect(Number(faxCount)).toBeGreaterThan(0)

    for (const [i, change] of changes.entries()) {
      source = change.edit(source)
      const schema = await declare(i + 1, source)
      const to = shapeOfSchema(schema, family)
      const before = await current()
      expect((await pendingChanges({ folder, to })).length, change.name).toBeGreaterThan(0)
      const options = { folder, name: change.name, to, now: new Date(Date.UTC(2026, 0, 2 + i)), renames: change.renames?.(family), drops: change.drops?.(family) }
      if (change.renames !== undefined) {
        // Not guessed: without the answer, generate asks.
        await expect(generateMigration({ ...options, renames: undefined })).rejects.toBeInstanceOf(AmbiguousRenameError)
      }
      const generated = await generateMigration(options)
      expect(generated.file, change.name).not.toBeNull()
      expect(generated.warnings).toEqual(change.drops === undefined ? [] : [`drops column ${change.drops(family)[0]!} and its values`])
      expect((await migrateToLatest(original.orm, { folder })).map((r) => [r.migrationName, r.status])).toEqual([[generated.name, 'Success']])
      expect(await pendingChanges({ folder, to }), change.name).toEqual([])
      expect(await drift(schema), change.name).toEqual([])
      if (change.renames !== undefined) expect(await faxes(customer, 'fax_number')).toEqual(faxCount)

      expect((await migrateDown(original.orm, { folder })).map((r) => r.direction)).toEqual(['Down'])
      expect(diffShapes(await current(), before).map(describeStep), `${change.name}, down`).toEqual([])
      expect(unordered(await current())).toEqual(unordered(before))
      if (change.renames !== undefined) expect(await faxes(customer, fax)).toEqual(faxCount)
      await migrateToLatest(original.orm, { folder })
    }
  }, 120_000)
})

// One program for the three databases' files: building it (core's sources) is most of the time.
describe('the pulled and edited declarations', () => {
  test('type-check against @relata/core', () => {
    expect(files.length).toBeGreaterThan(0)
    expect(typeErrors(files)).toEqual([])
  }, 180_000)
})
