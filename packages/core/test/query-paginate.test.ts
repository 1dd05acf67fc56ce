/**
 * `query.paginate()`: keyset pages forwards and backwards over Chinook's tracks, opaque cursors
 * checked when read back, pages stable under inserts, dates and bigints in cursors, refused orders.
 */
import { beforeEach, expect, test } from 'vitest'
import { setupChinook } from '@relata/test-kit/chinook-suite'
import { describeEachDialect } from '@relata/test-kit/targets'
import { RelataError } from '../src/index.js'
import { schema } from './fixtures/keyset.js'
import { emptyTables } from './fixtures/unit-of-work.js'

describeEachDialect('query.paginate() on Chinook', (target) => {
  const ctx = setupChinook(target)

  test('first/after walks every page in order, the primary key breaking ties; last/before walks back', async () => {
    const session = ctx.orm.session()
    const query = session.query('tracks').where('albumId', '<=', 20)
    const expected = (await query.orderBy('milliseconds', 'desc').all()).map((t) => t.trackId)
    const forward: number[] = []
    let after: string | null = null
    let pages = 0
    for (;;) {
      const page = await query.paginate({ first: 40, after, orderBy: [['milliseconds', 'desc']] })
      pages++
      forward.push(...page.items.map((t) => t.trackId))
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null)
      if (!page.pageInfo.hasNextPage) break
      after = page.pageInfo.endCursor
    }
    expect(forward).toEqual(expected)
    expect(pages).toBe(Math.ceil(expected.length / 40))

    const backward: number[] = []
    let before: string | null = null
    for (;;) {
      const page = await query.paginate({ last: 40, before, orderBy: [['milliseconds', 'desc']] })
      backward.unshift(...page.items.map((t) => t.trackId))
      if (!page.pageInfo.hasPreviousPage) break
      before = page.pageInfo.startCursor
    }
    expect(backward).toEqual(expected)
  })

  test('one statement per page: LIMIT first + 1 after the cursor values, the objects tracked as any query result', async () => {
    const session = ctx.orm.session()
    const first = await session.query('tracks').orderBy('name').paginate({ first: 3 })
    const rows = await ctx.orm.db.selectFrom('track').select('track_id').orderBy('name').orderBy('track_id').limit(6).execute()
    expect(first.items.map((t) => t.trackId)).toEqual(rows.slice(0, 3).map((r) => r.track_id))
    ctx.recorder.clear()
    const next = await session.query('tracks').orderBy('name').with({ album: true }).paginate({ first: 3, after: first.pageInfo.endCursor })
    expect(ctx.recorder.queries[0]!.sql).toMatch(/where \([`"]t0[`"]\.[`"]name[`"] > (\$1|\?) or \([`"]t0[`"]\.[`"]name[`"] = (\$2|\?) and [`"]t0[`"]\.[`"]track_id[`"] > (\$3|\?)\)\) order by [`"]t0[`"]\.[`"]name[`"] asc, [`"]t0[`"]\.[`"]track_id[`"] asc limit/)
    expect(ctx.recorder.queries[0]!.parameters.slice(0, 3)).toEqual([first.items[2]!.name, first.items[2]!.name, first.items[2]!.trackId])
    expect(next.items.map((t) => t.trackId)).toEqual(rows.slice(3).map((r) => r.track_id))
    expect(next.items[0]!.album).toBeDefined()
    expect(await session.get('tracks', next.items[0]!.trackId)).toBe(next.items[0])
  })

  test('an empty page has null cursors; first: 0 only tells whether there is a next page', async () => {
    const session = ctx.orm.session()
    const none = await session.query('tracks').where('trackId', '<', 0).paginate({ first: 10 })
    expect(none).toEqual({ items: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } })
    const zero = await session.query('tracks').paginate({ first: 0 })
    expect(zero.items).toEqual([])
    expect(zero.pageInfo.hasNextPage).toBe(true)
  })

  test('cursors are checked: tampered, of another order, of another table, or not a cursor: a RelataError naming the query', async () => {
    const session = ctx.orm.session()
    const page = await session.query('tracks').paginate({ first: 2, orderBy: ['name'] })
    const cursor = page.pageInfo.endCursor!
    await expect(session.query('tracks').paginate({ first: 2, after: cursor, orderBy: [['name', 'desc']] })).rejects.toThrow(
      "paginate() on 'tracks': the 'after' cursor was made for the order name, trackId, and this query orders by -name, trackId",
    )
    const albumCursor = (await session.query('albums').paginate({ first: 1 })).pageInfo.endCursor!
    await expect(session.query('tracks').paginate({ first: 2, after: albumCursor })).rejects.toThrow("the 'after' cursor was made for 'albums', not 'tracks'")
    const tampered = Buffer.from(JSON.stringify({ v: 1, t: 'tracks', o: ['name', 'trackId'], k: ['x', 'not a number'] })).toString('base64url')
    await expect(session.query('tracks').paginate({ first: 2, after: tampered, orderBy: ['name'] })).rejects.toThrow(/holds a value 'trackId' cannot hold/)
    await expect(session.query('tracks').paginate({ first: 2, after: 'not json at all' })).rejects.toThrow(/not a cursor this query returned/)
    await expect(session.query('tracks').paginate({ first: 2, after: cursor.slice(0, -4) })).rejects.toThrow(RelataError)
    expect(ctx.recorder.sql).toHaveLength(2)
  })

  test('refused: a nullable order column (unless filtered), limit/offset, both first and last, an order given twice', async () => {
    const session = ctx.orm.session()
    await expect(session.query('tracks').paginate({ first: 2, orderBy: ['composer'] })).rejects.toThrow(/ordered by 'composer': the column is nullable/)
    const filtered = await session.query('tracks').where('composer', 'is not', null).paginate({ first: 2, orderBy: ['composer'] })
    expect(filtered.items).toHaveLength(2)
    await expect(session.query('tracks').limit(3).paginate({ first: 2 })).rejects.toThrow(/limit\(\) or offset\(\)/)
    // @ts-expect-error first and last together
    await expect(session.query('tracks').paginate({ first: 2, last: 2 })).rejects.toThrow(/either first .* or last/)
    await expect(session.query('tracks').orderBy('name').paginate({ first: 2, orderBy: ['name'] })).rejects.toThrow(/give the order once/)
    // @ts-expect-error not a column of tracks
    await expect(session.query('tracks').paginate({ first: 2, orderBy: ['title'] })).rejects.toThrow(/'title' is not a column of 'tracks'/)
    await expect(session.query('tracks').paginate({ first: -1 })).rejects.toThrow(/first must be a non-negative integer/)
  })
})

describeEachDialect('query.paginate() with writes', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    const session = ctx.orm.session()
    const feed = session.create('feeds', { name: 'Main' })
    for (let i = 1; i <= 10; i++) session.create('events', { feed, title: `E${i}`, at: new Date(Date.UTC(2024, 0, 1, 0, 0, i, i)), score: i % 3 === 0 ? null : i, big: 10n ** 15n * BigInt(i) })
    await session.commit()
    ctx.recorder.clear()
  })

  test('stable under inserts: rows inserted before the cursor do not shift the next page', async () => {
    const session = ctx.orm.session()
    const first = await session.query('events').paginate({ first: 4, orderBy: [['at', 'desc']] })
    expect(first.items.map((e) => e.title)).toEqual(['E10', 'E9', 'E8', 'E7'])
    const other = ctx.orm.session()
    const feed = (await other.query('feeds').one())
    // Newer than every row: lands on the first page, before the cursor.
    other.create('events', { feed, title: 'Newest', at: new Date(Date.UTC(2025, 0, 1)), big: 1n })
    await other.commit()
    const second = await ctx.orm.session().query('events').paginate({ first: 4, after: first.pageInfo.endCursor, orderBy: [['at', 'desc']] })
    expect(second.items.map((e) => e.title)).toEqual(['E6', 'E5', 'E4', 'E3'])
  })

  test('dates and bigints travel in cursors exactly', async () => {
    const session = ctx.orm.session()
    const byAt = await session.query('events').paginate({ first: 3, orderBy: ['at'] })
    const nextAt = await session.query('events').paginate({ first: 3, after: byAt.pageInfo.endCursor, orderBy: ['at'] })
    expect(nextAt.items.map((e) => e.title)).toEqual(['E4', 'E5', 'E6'])
    const byBig = await session.query('events').paginate({ last: 2, orderBy: ['big'] })
    expect(byBig.items.map((e) => e.big)).toEqual([9n * 10n ** 15n, 10n ** 16n])
    const beforeBig = await session.query('events').paginate({ last: 2, before: byBig.pageInfo.startCursor, orderBy: ['big'] })
    expect(beforeBig.items.map((e) => e.title)).toEqual(['E7', 'E8'])
    expect(beforeBig.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true })
  })

  test('a nullable column with its nulls filtered out; the cursor is the values as read, not as changed since', async () => {
    const session = ctx.orm.session({ autoflush: false })
    const query = session.query('events').where('score', 'is not', null)
    const first = await query.paginate({ first: 2, orderBy: [['score', 'desc']] })
    expect(first.items.map((e) => e.score)).toEqual([10, 8])
    first.items[1]!.score = 100
    const second = await query.paginate({ first: 3, after: first.pageInfo.endCursor, orderBy: [['score', 'desc']] })
    expect(second.items.map((e) => e.title)).toEqual(['E7', 'E5', 'E4'])
  })
})
