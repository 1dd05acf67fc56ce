/** The shared PGlite instance: one per worker, each ORM in a schema of its own that it never sees out of, dropped by destroy(). */
import { afterEach, describe, expect, test } from 'vitest'
import { createOrm, defineSchema, sql, t, table, type Orm } from '@relata/core'
import { sharedPglite } from '../src/shared-pglite.js'

const notes = table('note', {
  id: t.serial().primaryKey(),
  body: t.varchar(100),
  kind: t.enum(['memo', 'todo']).default('memo'),
})
const schema = defineSchema({ notes })

describe('sharedPglite()', () => {
  const orms: Orm<typeof schema>[] = []
  const open = () => {
    const orm = createOrm({ schema, dialect: sharedPglite() })
    orms.push(orm)
    return orm
  }
  afterEach(async () => {
    await Promise.all(orms.splice(0).map((orm) => orm.destroy()))
  })

  const bodies = async (orm: Orm<typeof schema>) => (await orm.db.selectFrom('note').select('body').orderBy('id').execute()).map((row) => row.body)
  const currentSchema = async (orm: Orm<typeof schema>) => (await sql<{ name: string }>`select current_schema() as name`.execute(orm.db)).rows[0]!.name

  test('gives each ORM a relata_<random> schema of its own on one instance', async () => {
    const [a, b] = [open(), open()]
    const [schemaA, schemaB] = [await currentSchema(a), await currentSchema(b)]
    expect(schemaA).toMatch(/^relata_[0-9a-f]{12}$/)
    expect(schemaB).toMatch(/^relata_[0-9a-f]{12}$/)
    expect(schemaA).not.toBe(schemaB)
    // A session setting made through one is seen through the other: the same instance.
    await sql`select set_config('test_kit.mark', 'shared', false)`.execute(a.db)
    expect((await sql<{ mark: string }>`select current_setting('test_kit.mark', true) as mark`.execute(b.db)).rows).toEqual([{ mark: 'shared' }])
  })

  test("an ORM sees its own tables and rows, never another's", async () => {
    const [a, b] = [open(), open()]
    await a.createTables()
    await a.db.insertInto('note').values({ body: 'in a', kind: 'todo' }).execute()
    await expect(b.db.selectFrom('note').selectAll().execute()).rejects.toThrow(/table "note" does not exist/)
    await b.createTables()
    await b.db.insertInto('note').values({ body: 'in b' }).execute()
    expect(await bodies(a)).toEqual(['in a'])
    expect(await bodies(b)).toEqual(['in b'])
    // The serial's sequence and the enum's check constraint: each schema's own.
    expect((await b.db.insertInto('note').values({ body: 'second in b' }).returning('id').executeTakeFirstOrThrow()).id).toBe(2)
    await expect(b.db.insertInto('note').values({ body: 'x', kind: 'other' as 'memo' }).execute()).rejects.toThrow(/check constraint/)
  })

  test('statements and transactions of several ORMs at once each run in their own schema', async () => {
    const [a, b] = [open(), open()]
    await Promise.all([a.createTables(), b.createTables()])
    const writes = Array.from({ length: 20 }, (_, i) => {
      const orm = i % 2 === 0 ? a : b
      return i % 4 < 2
        ? orm.db.insertInto('note').values({ body: `row ${i}` }).execute()
        : orm.transaction(async (session) => {
            session.create('notes', { body: `row ${i}` })
            await new Promise((resolve) => setTimeout(resolve, 5))
          })
    })
    await Promise.all(writes)
    expect((await bodies(a)).sort()).toEqual(['row 0', 'row 10', 'row 12', 'row 14', 'row 16', 'row 18', 'row 2', 'row 4', 'row 6', 'row 8'])
    expect((await bodies(b)).sort()).toEqual(['row 1', 'row 11', 'row 13', 'row 15', 'row 17', 'row 19', 'row 3', 'row 5', 'row 7', 'row 9'])
  })

  test('destroy() drops the schema and leaves the instance open for the others', async () => {
    const [a, b] = [createOrm({ schema, dialect: sharedPglite() }), open()]
    await a.createTables()
    const schemaA = await currentSchema(a)
    await a.destroy()
    const left = await sql<{ n: number }>`select count(*)::int as n from information_schema.schemata where schema_name = ${schemaA}`.execute(b.db)
    expect(left.rows).toEqual([{ n: 0 }])
    await b.createTables()
    expect(await bodies(b)).toEqual([])
  })

  test('reads values with the parsers pglite() installs: int8 as bigint, timestamp as UTC', async () => {
    const orm = open()
    const { rows } = await sql<{ big: bigint; at: Date }>`select 9007199254740993::int8 as big, timestamp '2024-01-02 03:04:05' as at`.execute(orm.db)
    expect(rows).toEqual([{ big: 9007199254740993n, at: new Date('2024-01-02T03:04:05Z') }])
    expect(orm.dialect.name).toBe('pglite')
  })
})
