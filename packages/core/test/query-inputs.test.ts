/**
 * Query inputs that used to do the wrong thing silently: `undefined` in filters (which dropped the
 * condition), page sizes the database cannot take, names Kysely would read as a schema or alias,
 * `count()` past a page, and `in` lists longer than a statement's 65,535 parameters.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { describeEachDialect, type TestTarget } from '@relata/test-kit/targets'
import { defineSchema, RelataError, SchemaError, t, table } from '../src/index.js'
import { schema } from './fixtures/query-inputs.js'

/** The error `action` throws (a RelataError is expected). */
function thrown(action: () => unknown): Error {
  try {
    action()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected an error')
}

describe('names Kysely would misread', () => {
  test('a table or column SQL name with a dot, " as " or outer spaces is a SchemaError naming it', () => {
    const bad: [string, () => unknown][] = [
      ['a.b', () => defineSchema({ x: table('a.b', { id: t.serial().primaryKey() }) })],
      ['a as b', () => defineSchema({ x: table('a as b', { id: t.serial().primaryKey() }) })],
      [' padded', () => defineSchema({ x: table(' padded', { id: t.serial().primaryKey() }) })],
      ['x.y', () => defineSchema({ x: table('x', { id: t.serial().primaryKey(), v: t.text().name('x.y') }) })],
      ['v as w', () => defineSchema({ x: table('x', { id: t.serial().primaryKey(), v: t.text().name('v as w') }) })],
      ['a.b', () => defineSchema({ x: table('x', { id: t.serial().primaryKey(), 'a.b': t.text() }) })],
    ]
    for (const [name, define] of bad) {
      const error = thrown(define)
      expect(error).toBeInstanceOf(SchemaError)
      expect(error.message).toContain(JSON.stringify(name))
    }
    // Other odd names are quoted as they are.
    expect(() => defineSchema({ x: table('odd name "q"', { id: t.serial().primaryKey(), v: t.text().name('AS') }) })).not.toThrow()
  })
})

describeEachDialect('query inputs', (target: TestTarget) => {
  const ctx = target.setup(schema)
  let ids: number[] = []

  beforeAll(async () => {
    const session = ctx.orm.session()
    const folder = session.create('folders', { name: 'f' })
    for (let i = 0; i < 5; i++) session.create('items', { folder, name: `item ${i}` })
    await session.flush()
    ids = (await ctx.orm.session().query('items').orderBy('id').all()).map((item) => item.id)
  })

  /** Runs `action`, expects a RelataError naming the table and `mentions`, and no SQL sent. */
  async function refused(action: () => unknown, ...mentions: string[]): Promise<void> {
    ctx.recorder.clear()
    let error: unknown
    try {
      await action()
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(RelataError)
    expect((error as Error).message).toContain("'items'")
    for (const mention of mentions) expect((error as Error).message).toContain(mention)
    expect(ctx.recorder.sql).toEqual([])
  }

  describe('undefined is never a filter value', () => {
    test('where({ id: body.id }) with the id missing is an error naming the table and property, so nothing is deleted', async () => {
      const session = ctx.orm.session()
      const body: { id?: number } = {}
      await refused(async () => {
        // @ts-expect-error body.id may be undefined
        const found = await session.query('items').where({ id: body.id }).first()
        if (found) session.delete(found)
        await session.flush()
      }, 'id', 'undefined')
      expect(await ctx.orm.session().query('items').count()).toBe(ids.length)
    })

    test('where(column, op, undefined), undefined in in-lists and in expression callbacks are errors', async () => {
      const q = ctx.orm.session().query('items') as any
      await refused(() => q.where('id', '=', undefined).all(), 'id', 'undefined')
      await refused(() => q.where('name', '<>', undefined).all(), 'name', 'undefined')
      await refused(() => q.where('id', 'in', [ids[0], undefined]).all(), 'index 1', 'undefined')
      await refused(() => q.where('id', 'not in', [undefined]).all(), 'index 0', 'undefined')
      await refused(() => q.where((eb: any) => eb('id', '=', undefined)).all(), 'undefined')
      await refused(() => q.where((eb: any) => eb('id', 'in', [ids[0], undefined])).all(), 'undefined')
      await refused(() => ctx.orm.session().query('folders').with({ items: (i) => i.where({ name: undefined as never }) }).all(), 'name', 'undefined')
    })

    test('get(), orderBy(), limit() and offset() given undefined are errors', async () => {
      const session = ctx.orm.session() as any
      await refused(() => session.get('items', undefined), 'id')
      const error = await session.get('tags', { itemId: 1, tag: undefined }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RelataError)
      expect(error.message).toContain("'tag' is missing")
      await refused(() => session.query('items').orderBy(undefined), 'undefined')
      await refused(() => session.query('items').limit(undefined), 'limit()', 'undefined')
      await refused(() => session.query('items').offset(undefined), 'offset()', 'undefined')
    })

    test('null still means IS NULL, and a filter without the property matches every row', async () => {
      const session = ctx.orm.session()
      expect(await session.query('items').where({ name: null }).count()).toBe(0)
      expect(await session.query('items').where({}).count()).toBe(ids.length)
      expect(await session.query('items').where('id', 'in', [ids[0]!, null as never]).count()).toBe(1)
    })
  })

  describe('limit and offset', () => {
    test('counts the database cannot take are refused naming the table: 1e20, NaN, -1, 1.5, Infinity, bigint, string', async () => {
      const q = ctx.orm.session().query('items') as any
      for (const count of [1e20, Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY, 2 ** 53, 10n, '5', null]) {
        await refused(() => q.limit(count).all(), 'limit()', typeof count === 'bigint' ? '10n' : typeof count === 'string' ? '"5"' : String(count))
        await refused(() => q.offset(count).all(), 'offset()')
      }
    })

    test('the largest safe integer is a valid limit and offset', async () => {
      const q = ctx.orm.session().query('items').orderBy('id')
      expect(await q.limit(Number.MAX_SAFE_INTEGER).count()).toBe(ids.length)
      expect(await q.offset(Number.MAX_SAFE_INTEGER).all()).toEqual([])
    })

    test('count() counts within limit and offset, as SQLAlchemy counts query.limit(3)', async () => {
      const q = ctx.orm.session().query('items')
      expect(await q.count()).toBe(5)
      expect(await q.limit(3).count()).toBe(3)
      expect(await q.limit(3).offset(3).count()).toBe(2)
      expect(await q.offset(4).count()).toBe(1)
      expect(await q.offset(10).count()).toBe(0)
      expect(await q.limit(0).count()).toBe(0)
      expect(await q.where('id', '>', ids[1]!).limit(10).offset(1).count()).toBe(2)
      ctx.recorder.clear()
      expect(await q.limit(2).count()).toBe((await q.limit(2).all()).length)
      expect(ctx.recorder.sql[0]).toMatch(/^select count\(\*\) as .count. from \(select 1 as .one. from .qi_items. as .t0. limit/)
    })
  })

  describe('in lists beyond 65,535 parameters', () => {
    const MANY = 70_000
    let manyIds: number[] = []

    beforeAll(async () => {
      const folder = (await ctx.orm.session().query('folders').first())!
      for (let start = 0; start < MANY; start += 5_000) {
        const rows = Array.from({ length: 5_000 }, (_, i) => ({ folder_id: folder.id, name: `many ${start + i}` }))
        await ctx.orm.db.insertInto('qi_items').values(rows).execute()
      }
      manyIds = (await ctx.orm.db.selectFrom('qi_items').select('id').where('name', 'like', 'many %').orderBy('id').execute()).map((r) => r.id)
      expect(manyIds).toHaveLength(MANY)
    }, 120_000)

    afterAll(async () => {
      await ctx.orm.db.deleteFrom('qi_items').where('name', 'like', 'many %').execute()
    })

    test('where(id, in, 70,000 ids) and not in find the rows', async () => {
      const session = ctx.orm.session()
      expect(await session.query('items').where('id', 'in', manyIds).count()).toBe(MANY)
      expect(await session.query('items').where('id', 'not in', manyIds).count()).toBe(ids.length)
      const found = await session.query('items').where('id', 'in', [...manyIds, null as never]).untracked().all()
      expect(found).toHaveLength(MANY)
      const names = await session.query('items').where('name', 'in', manyIds.map((_, i) => `many ${i}`)).count()
      expect(names).toBe(MANY)
    })

    test('long in lists of every type find their rows: odd strings, bigints, dates, decimals, uuids, JSON', async () => {
      const odd = ['a"b', '\\', "it's", '{x,y}', 'NULL', '', ' spaced ', 'é😀', 'a,b']
      const session = ctx.orm.session()
      const rows = odd.map((name, i) =>
        session.create('items', {
          name,
          label: name,
          big: 2n ** 62n + BigInt(i),
          price: `12345678901234567890.${i}5`,
          at: new Date(Date.UTC(2020, 0, 1, 0, 0, i, 5)),
          token: `00000000-0000-4000-8000-00000000000${i}`,
          doc: { name, list: [i] },
        }),
      )
      await session.flush()
      const rowIds = rows.map((row) => row.id)
      const filler = <T>(make: (i: number) => T) => Array.from({ length: 1_200 }, (_, i) => make(i))
      const q = ctx.orm.session().query('items').where('id', 'in', rowIds)
      expect(await q.where('name', 'in', [...odd, ...filler((i) => `filler ${i}`)]).count()).toBe(odd.length)
      expect(await q.where('label', 'in', [...odd, ...filler((i) => `filler ${i}`)]).count()).toBe(odd.length)
      expect(await q.where('big', 'in', [...rows.map((r) => r.big!), ...filler((i) => BigInt(i))]).count()).toBe(odd.length)
      expect(await q.where('price', 'in', [...rows.map((r) => r.price!), ...filler((i) => `${i}.5`)]).count()).toBe(odd.length)
      expect(await q.where('at', 'in', [...rows.map((r) => r.at!), ...filler((i) => new Date(i))]).count()).toBe(odd.length)
      expect(await q.where('token', 'in', [...rows.map((r) => r.token!), ...filler((i) => `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`)]).count()).toBe(odd.length)
      expect(await q.where('doc', 'in', [...rows.map((r) => r.doc), ...filler((i) => ({ i }))]).count()).toBe(odd.length)
      expect(await q.where('name', 'not in', [...odd.slice(1), ...filler((i) => `filler ${i}`)]).count()).toBe(1)
      await ctx.orm.db.deleteFrom('qi_items').where('id', 'in', rowIds).execute()
    })

    test('selectIn over 70,000 parents, and a flush deleting 70,000 rows, are chunked', async () => {
      const tagRows = manyIds.map((itemId) => ({ item_id: itemId, tag: `t${itemId}` }))
      for (let start = 0; start < tagRows.length; start += 5_000) await ctx.orm.db.insertInto('qi_tags').values(tagRows.slice(start, start + 5_000)).execute()
      const session = ctx.orm.session()
      ctx.recorder.clear()
      const loaded = await session.query('items').where('id', 'in', manyIds).with({ tags: 'selectIn' }).all()
      expect(loaded).toHaveLength(MANY)
      expect(loaded.every((item) => item.tags.length === 1 && item.tags[0]!.tag === `t${item.id}`)).toBe(true)
      expect(ctx.recorder.sql.length).toBeGreaterThan(2)
      await ctx.orm.db.deleteFrom('qi_tags').execute()
      const writer = ctx.orm.session()
      for (const item of await writer.query('items').where('id', 'in', manyIds).all()) writer.delete(item)
      await writer.flush()
      expect(await ctx.orm.session().query('items').count()).toBe(ids.length)
    }, 120_000)
  })
})
