/** pull() on shapes Chinook does not have: two keys between two tables, a unique key, a self-referencing link table, a table without a primary key, types no factory declares, reserved names. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import type { AnySchema } from '@relata/core'
import { pull } from '../src/pull/pull.js'
import { syntheticShape as shape } from './fixtures/synthetic-shape.js'

// A folder of its own: pull.test.ts removes .pulled/ when it ends, perhaps while this file runs.
const outDir = join(dirname(fileURLToPath(import.meta.url)), '.pulled-synthetic')
afterAll(() => rmSync(outDir, { recursive: true, force: true }))

describe('pull on shapes Chinook does not have', () => {
  const source = pull(shape)

  test('notes what it cannot declare as it is', () => {
    expect(source).toContain("// Table 'audit_log' has no primary key: Relata needs one to give its rows an identity, so it is left out.")
    expect(source).toContain("delete: t.text().nullable(), // interval in the database: no t.* factory declares it")
    expect(source).toContain("born: t.integer().nullable(), // smallint in the database")
    expect(source).toContain("fullName: t.text().name('full name'),")
    expect(source).toContain("export const classTable = table('class', {")
  })

  test('two keys between two tables name their columns; a self-referencing link table names both sides', () => {
    expect(source).toContain("from: manyToOne('person', { backPopulates: 'transfersByFrom', foreignKey: 'fromId' }),")
    expect(source).toContain("transfersByTo: oneToMany('transfer', { backPopulates: 'to', foreignKey: 'toId' }),")
    expect(source).toContain("friends: manyToMany('person', { via: 'friendship', backPopulates: 'friendsOf', sourceKey: 'personId', targetKey: 'friendId' }),")
    expect(source).toContain("friendsOf: manyToMany('person', { via: 'friendship', backPopulates: 'friends', sourceKey: 'friendId', targetKey: 'personId' }),")
  })

  test('a unique key is a one-to-one on both sides', () => {
    expect(source).toContain("holderId: t.integer().unique().references(() => person.id),")
    expect(source).toContain("holder: oneToOne('person', { backPopulates: 'passport' }),")
    expect(source).toContain("passport: oneToOne('passport', { backPopulates: 'holder' }),")
  })

  test('the source declares a schema that defineSchema accepts', async () => {
    mkdirSync(outDir, { recursive: true })
    const file = join(outDir, 'synthetic.ts')
    writeFileSync(file, source)
    const { schema } = (await import(pathToFileURL(file).href)) as { schema: AnySchema }
    expect([...schema.tables.keys()].sort()).toEqual(['classTable', 'friendship', 'passport', 'person', 'transfer'])
    const holder = schema.table('passport').relations.get('holder')!
    expect([holder.kind, holder.owning, schema.table('person').relations.get('passport')!.owning]).toEqual(['oneToOne', true, false])
    const transfers = schema.table('person').relations.get('transfersByFrom')!
    expect([transfers.kind, transfers.foreignKey.columns.map((c) => c.sqlName)]).toEqual(['oneToMany', ['from_id']])
  })
})
