/** Every column type through the unit of work: inserted, updated row by row and together, read back equal; composite keys. */
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { FIXED_AT, BIRTHDAY, schema } from './fixtures/every-type.js'
import { emptyTables, normalizeSql } from './fixtures/unit-of-work.js'

describeEachDialect('unit of work: column values', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const at = (ms: number) => new Date(Date.UTC(2024, 4, 6, 7, 8, 9) + ms)
  const day = (d: number) => new Date(Date.UTC(2024, 0, d))
  const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
  const values = (i: number) => ({
    quantity: 10 + i,
    big: 2n ** 60n + BigInt(i),
    title: `item ${i}`,
    note: `note ${i}`,
    code: `c${i}`,
    active: i % 2 === 0,
    price: `1234567890123456789012345678.${String(i).padStart(2, '0')}`,
    // An unconstrained numeric is DECIMAL(65, 30) on MySQL: written as the server will return it.
    ratio: `0.00000${i + 1}${target.family === 'mysql' ? '0'.repeat(24) : ''}`,
    score: 1.5 + i,
    weight: 0.1 * (i + 1),
    createdAt: at(i * 1001),
    happenedAt: at(-i * 7),
    fixedAt: at(i),
    day: day(i + 1),
    birthday: day(i + 10),
    // An integer beyond 2^53 inside a document reads back as the same number on every Node (mysql2 on Node 22+ would give a string).
    meta: { tags: [`t${i}`, 'x'], nested: { n: 2 ** 60 * (i + 1) } },
    settings: { theme: i % 2 === 0 ? 'light' : 'dark' },
    token: uuid(i),
    status: (i % 2 === 0 ? 'draft' : 'published') as 'draft' | 'published',
  })

  test('defaults, then every column written and read back; updates of one row, of rows alike, of rows each with their own values', async () => {
    const s2 = ctx.orm.session()
    const o = s2.create('owners', { email: 'b@example.com', handle: 'b' })
    await s2.commit()
    const items = [0, 1, 2].map((i) => s2.create('items', { ownerId: o.id, ...values(i) }))
    const bare = s2.create('items', { ownerId: o.id, title: 'defaults' })
    await s2.commit()
    expect(bare).toMatchObject({ quantity: 7, note: 'n/a', active: true, fixedAt: FIXED_AT, happenedAt: FIXED_AT, birthday: BIRTHDAY, settings: { theme: 'dark' }, status: 'draft', revision: 1, big: null, meta: null })
    expect(bare.createdAt).toBeInstanceOf(Date)
    items.forEach((item, i) => expect(item).toMatchObject({ ...values(i), revision: 1 }))

    const read = async () => {
      const reader = ctx.orm.session()
      return reader.query('items').orderBy('id').all()
    }
    expect((await read()).map((r) => ({ ...r }))).toEqual([...items, bare].map((r) => ({ ...r })))

    // Each row its own values, every column at once: one statement, the version checked and incremented.
    items.forEach((item, i) => Object.assign(item, values(i + 3)))
    ctx.recorder.clear()
    await s2.commit()
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(normalizeSql(ctx.recorder.sql)[0]).toContain(target.family === 'postgres' ? ' from (values ' : ' join (select ')
    items.forEach((item, i) => expect(item).toMatchObject({ ...values(i + 3), revision: 2 }))
    expect((await read()).map((r) => ({ ...r }))).toEqual([...items, bare].map((r) => ({ ...r })))

    // JSON changed in place is seen; rows taking the same values share one plain UPDATE.
    items[0]!.meta!.tags.push('more')
    for (const item of items) item.note = 'same'
    ctx.recorder.clear()
    expect(await s2.plan()).toEqual([
      { operation: 'update', table: 'items', rows: 1, columns: ['note', 'meta'] },
      { operation: 'update', table: 'items', rows: 2, columns: ['note'] },
    ])
    await s2.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual([
      'update "items" set "note" = ?, "meta" = ?, "revision" = "revision" + 1 where ("id" = ? and "revision" = ?)',
      'update "items" set "note" = ?, "revision" = "revision" + 1 where ("id", "revision") in ((?, ?), (?, ?))',
    ])
    expect((await read()).map((r) => ({ ...r }))).toEqual([...items, bare].map((r) => ({ ...r })))
    expect(items.map((i) => i.revision)).toEqual([3, 3, 3])
  })

  test('composite primary and foreign keys: insert, update, delete', async () => {
    const session = ctx.orm.session()
    const o = session.create('owners', { email: 'c@example.com', handle: 'c' })
    await session.commit()
    const item = session.create('items', { ownerId: o.id, title: 'tagged' })
    await session.commit()
    const tags = ['red', 'blue'].map((tag) => session.create('itemTags', { itemId: item.id, tag }))
    await session.commit()
    const notes = tags.map((tag, i) => session.create('tagNotes', { itemId: tag.itemId, tag: tag.tag, body: `note ${i}` }))
    await session.commit()
    expect(await session.get('itemTags', { itemId: item.id, tag: 'blue' })).toBe(tags[1])
    notes[0]!.body = 'changed 0'
    notes[1]!.body = 'changed 1'
    await session.commit()
    session.delete(notes[1]!)
    session.delete(tags[1]!)
    await session.commit()
    expect(await ctx.orm.db.selectFrom('item_tags').selectAll().execute()).toEqual([{ item_id: item.id, tag: 'red' }])
    expect(await ctx.orm.db.selectFrom('tag_notes').selectAll().execute()).toEqual([{ id: notes[0]!.id, item_id: item.id, tag: 'red', body: 'changed 0' }])
  })
})
