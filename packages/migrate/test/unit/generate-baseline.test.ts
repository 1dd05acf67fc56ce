/**
 * generateMigration's files and snapshots in a folder, without a database: nothing is written when
 * nothing changed, but the first migration compared with an existing database is its baseline.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { generateMigration } from '../../src/index.js'
import { changedLibrary, library } from './shapes.js'

let folder: string
beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'relata-baseline-'))
})
afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

describe('generateMigration', () => {
  test('compared with a database that matches the schema, the first migration is an empty baseline with its snapshot', async () => {
    const result = await generateMigration({ folder, name: 'baseline', from: library('postgres'), to: library('postgres'), now: new Date(Date.UTC(2026, 0, 1)) })
    expect(result.steps).toEqual([])
    expect(result.file).toBe(path.join(folder, '20260101000000_baseline.ts'))
    expect((await readdir(folder)).sort()).toEqual(['20260101000000_baseline.snapshot.json', '20260101000000_baseline.ts'])
    expect(JSON.parse(await readFile(result.snapshotFile!, 'utf8'))).toEqual(library('postgres'))

    // The next generate starts from the baseline's snapshot: only the change, not every table again.
    const next = await generateMigration({ folder, name: 'second', to: changedLibrary('postgres'), renames: { 'books.title': 'name' }, drops: ['books.legacy'] })
    expect(next.steps.some((step) => step.kind === 'createTable' && step.table.name === 'books')).toBe(false)
    expect(next.steps.length).toBeGreaterThan(0)
  })

  test('once a migration exists, no change writes nothing, from the snapshot or from the database', async () => {
    await generateMigration({ folder, name: 'init', to: library('postgres'), now: new Date(Date.UTC(2026, 0, 1)) })
    expect(await generateMigration({ folder, name: 'again', to: library('postgres') })).toMatchObject({ file: null, snapshotFile: null, steps: [] })
    expect(await generateMigration({ folder, name: 'again', from: library('postgres'), to: library('postgres') })).toMatchObject({ file: null, steps: [] })
    expect(await readdir(folder)).toHaveLength(2)
  })
})
