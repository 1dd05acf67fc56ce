/** pull: declarations written from a database's shape type-check against @relata/core, and declare that same shape (Chinook, every column kind, every declaration); a synthetic shape's type-check too. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import type { AnySchema } from '@relata/core'
import { schema as chinook } from '@relata/test-kit/chinook'
import { describeEachDialect } from '@relata/test-kit/targets'
import { schema as declarations } from '../../core/test/fixtures/declarations.js'
import { schema as everyType } from '../../core/test/fixtures/every-type.js'
import { pullSchema } from '../src/pull/pull-schema.js'
import { pull } from '../src/pull/pull.js'
import { shapeOfDatabase } from '../src/shape/shape-of-database.js'
import { shapeOfSchema } from '../src/shape/shape-of-schema.js'
import { syntheticShape } from './fixtures/synthetic-shape.js'
import { typeErrors } from './fixtures/type-errors.js'

const here = dirname(fileURLToPath(import.meta.url))
/** Inside the repository, so that `@relata/core` resolves as it does for the tests; a dot folder, so tsconfig's globs skip it. */
const outDir = join(here, '.pulled')
const written: string[] = []
afterAll(() => {
  if (process.env.RELATA_KEEP_PULLED === undefined) rmSync(outDir, { recursive: true, force: true })
})

const schemas: Record<string, AnySchema> = { chinook, everyType, declarations }

for (const [name, schema] of Object.entries(schemas)) {
  describeEachDialect(`pull ${name}`, (target) => {
    const ctx = target.setup(schema)

    test('the pulled declarations describe the database', async () => {
      const shape = await shapeOfDatabase(ctx.orm, target.family)
      const source = await pullSchema(ctx.orm, target.family)
      expect(source).toBe(pull(shape))
      mkdirSync(outDir, { recursive: true })
      const file = join(outDir, `${name}-${target.name}.ts`)
      writeFileSync(file, source)
      written.push(file)
      const pulled = (await import(pathToFileURL(file).href)) as { schema: AnySchema }
      expect(shapeOfSchema(pulled.schema, target.family)).toEqual(shape)
      if (name === 'chinook') {
        const playlist = pulled.schema.table('playlist').relations.get('tracks')!
        expect([playlist.kind, playlist.target.sqlName, playlist.backPopulates, playlist.association!.table.sqlName]).toEqual(['manyToMany', 'track', 'playlists', 'playlist_track'])
        const album = pulled.schema.table('track').relations.get('album')!
        expect([album.kind, album.target.sqlName, album.backPopulates, album.nullable]).toEqual(['manyToOne', 'album', 'tracks', true])
        expect(pulled.schema.table('album').relations.get('tracks')!.kind).toBe('oneToMany')
        expect(source).toContain("export const invoiceLine = table('invoice_line', {")
        expect(source).toContain('  unitPrice: t.numeric(10, 2),')
        expect(source).toContain("playlists: manyToMany('playlist', { via: 'playlistTrack', backPopulates: 'tracks' }),")
        expect(source).toContain("reportsToId: t.integer().name('reports_to').nullable().references((): AnyColumn => employee.employeeId),")
        expect(source).toContain("reportsTo: manyToOne('employee', { backPopulates: 'employees', foreignKey: 'reportsToId' }),")
      }
    })
  })
}

describe('pulled files', () => {
  test('type-check against @relata/core (and a misspelt backPopulates in one of them does not)', () => {
    expect(written.length).toBeGreaterThan(0)
    const synthetic = join(outDir, 'synthetic-typed.ts')
    writeFileSync(synthetic, pull(syntheticShape))
    written.push(synthetic)
    const broken = join(outDir, 'broken.ts')
    writeFileSync(broken, readFileSync(written[0]!, 'utf8').replace("backPopulates: 'albums'", "backPopulates: 'albumz'"))
    const errors = typeErrors([...written, broken])
    expect(errors.filter((e) => !e.includes('broken.ts'))).toEqual([])
    expect(errors.filter((e) => e.includes('broken.ts')).length).toBeGreaterThan(0)
  }, 600_000)
})
