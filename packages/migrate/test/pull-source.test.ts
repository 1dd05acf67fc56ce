/** pull() on shapes Chinook does not have: two keys between two tables, a self-referencing link table, a table without a primary key, types no factory declares, reserved names. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import type { AnySchema } from '@relata/core'
import { pull } from '../src/pull/pull.js'
import type { ColumnShape, SchemaShape, TableShape } from '../src/shape/schema-shape.js'

const outDir = join(dirname(fileURLToPath(import.meta.url)), '.pulled')
afterAll(() => rmSync(join(outDir, 'synthetic.ts'), { force: true }))

const column = (name: string, type: string, extra: Partial<ColumnShape> = {}): ColumnShape => ({
  name, type, nullable: false, default: null, autoIncrement: false, comment: null, ...extra,
})
const tableShape = (name: string, columns: ColumnShape[], extra: Partial<TableShape> = {}): TableShape => ({
  name, columns, primaryKey: { name: `${name}_pkey`, columns: [columns[0]!.name] }, foreignKeys: [], indexes: [], uniques: [], checks: [], comment: null, ...extra,
})
const key = (table: string, columns: string[], referencedTable: string, referencedColumns: string[]) => ({
  name: `${table}_${columns.join('_')}_fkey`, columns, referencedTable, referencedColumns, onDelete: 'no action' as const, onUpdate: 'no action' as const,
})

const shape: SchemaShape = {
  family: 'postgres',
  tables: {
    person: tableShape('person', [column('id', 'integer', { autoIncrement: true }), column('full name', 'text'), column('born', 'smallint', { nullable: true })]),
    transfer: tableShape('transfer', [column('id', 'integer', { autoIncrement: true }), column('from_id', 'integer'), column('to_id', 'integer'), column('delete', 'interval', { nullable: true })], {
      foreignKeys: [key('transfer', ['from_id'], 'person', ['id']), key('transfer', ['to_id'], 'person', ['id'])],
    }),
    friendship: tableShape('friendship', [column('person_id', 'integer'), column('friend_id', 'integer')], {
      primaryKey: { name: 'friendship_pkey', columns: ['person_id', 'friend_id'] },
      foreignKeys: [key('friendship', ['person_id'], 'person', ['id']), key('friendship', ['friend_id'], 'person', ['id'])],
    }),
    audit_log: tableShape('audit_log', [column('at', 'timestamptz')], { primaryKey: null }),
    class: tableShape('class', [column('id', 'integer', { autoIncrement: true })]),
  },
}

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

  test('the source declares a schema that defineSchema accepts', async () => {
    mkdirSync(outDir, { recursive: true })
    const file = join(outDir, 'synthetic.ts')
    writeFileSync(file, source)
    const { schema } = (await import(pathToFileURL(file).href)) as { schema: AnySchema }
    expect([...schema.tables.keys()].sort()).toEqual(['classTable', 'friendship', 'person', 'transfer'])
    const transfers = schema.table('person').relations.get('transfersByFrom')!
    expect([transfers.kind, transfers.foreignKey.columns.map((c) => c.sqlName)]).toEqual(['oneToMany', ['from_id']])
  })
})
