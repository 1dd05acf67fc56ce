/**
 * Aggregates return plain rows: `groupBy()` and `aggregate()` over a query's filters, `having`,
 * order and page, each value decoded as its column type says (counts and sums of number columns
 * as numbers, of bigint columns as bigints, of numeric columns as decimal text, min/max as the
 * column's values); on Chinook equal to hand-written Kysely ("artists with more than N albums").
 */
import { sql } from 'kysely'
import { beforeEach, describe, expect, test } from 'vitest'
import { setupChinook } from '@relata/test-kit/chinook-suite'
import { describeEachDialect } from '@relata/test-kit/targets'
import { RelataError } from '../src/index.js'
import { schema } from './fixtures/counts.js'
import { emptyTables, normalizeSql } from './fixtures/unit-of-work.js'

describeEachDialect('aggregates', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
  })

  async function seed() {
    const s = ctx.orm.session()
    const bob = s.create('authors', { name: 'Bob' })
    const cy = s.create('authors', { name: 'Cy' })
    s.create('authors', { name: 'Ann' })
    s.create('books', { title: 'B1', year: 1999, price: '10.00', words: 9007199254740993n, rating: 4.5, publishedAt: new Date('1999-05-01T10:00:00Z'), author: bob })
    s.create('books', { title: 'C1', year: 2001, price: '11.50', words: 100n, rating: 3, publishedAt: new Date('2001-01-01T00:00:00Z'), author: cy })
    s.create('books', { title: 'C2', year: 2002, price: '12.00', words: 200n, rating: null, author: cy })
    s.create('books', { title: 'C3', year: 2003, price: '13.25', words: null, rating: 4, publishedAt: new Date('2003-03-03T03:03:03Z'), author: cy })
    s.create('books', { title: 'X', year: 2010, price: '1.00' })
    await s.commit()
    ctx.recorder.clear()
    return { session: ctx.orm.session(), ids: { bob: bob.id, cy: cy.id } }
  }

  test('grouped counts, sums, averages, min and max, typed and decoded per column', async () => {
    const { session, ids } = await seed()
    const rows = await session
      .query('books')
      .where('authorId', 'is not', null)
      .groupBy('authorId')
      .aggregate((fn) => ({
        books: fn.count(),
        rated: fn.count('rating'),
        years: fn.sum('year'),
        prices: fn.sum('price'),
        words: fn.sum('words'),
        meanYear: fn.avg('year'),
        meanRating: fn.avg('rating'),
        first: fn.min('title'),
        latest: fn.max('publishedAt'),
      }))
      .all()
    expect(normalizeSql(ctx.recorder.sql)).toEqual([
      'select "t0"."author_id" as "__g0", count(*) as "__a0", count("t0"."rating") as "__a1", sum("t0"."year") as "__a2", sum("t0"."price") as "__a3", sum("t0"."words") as "__a4", avg("t0"."year") as "__a5", avg("t0"."rating") as "__a6", min("t0"."title") as "__a7", max("t0"."published_at") as "__a8" from "books" as "t0" where "t0"."author_id" is not null group by "t0"."author_id" order by "t0"."author_id" asc',
    ])
    const [bob, cy] = ids.bob < ids.cy ? [rows[0]!, rows[1]!] : [rows[1]!, rows[0]!]
    expect(bob).toEqual({ authorId: ids.bob, books: 1, rated: 1, years: 1999, prices: '10.00', words: 9007199254740993n, meanYear: 1999, meanRating: 4.5, first: 'B1', latest: new Date('1999-05-01T10:00:00Z') })
    expect(cy).toMatchObject({ authorId: ids.cy, books: 3, rated: 2, years: 6006, prices: '36.75', words: 300n, meanYear: 2002, meanRating: 3.5, first: 'C1', latest: new Date('2003-03-03T03:03:03Z') })
    expect(typeof cy.meanYear).toBe('number')
  })

  test('without groupBy: one row; an empty match gives count 0 and null for the others', async () => {
    const { session } = await seed()
    expect(await session.query('books').aggregate((fn) => ({ n: fn.count(), top: fn.max('price'), mean: fn.avg('price') })).all()).toEqual([
      { n: 5, top: '13.25', mean: expect.stringMatching(/^9\.55/) },
    ])
    expect(await session.query('books').where('year', '>', 3000).aggregate((fn) => ({ n: fn.count(), total: fn.sum('year'), top: fn.max('title') })).all()).toEqual([
      { n: 0, total: null, top: null },
    ])
  })

  test('having, order by an aggregate, limit and offset', async () => {
    const { session, ids } = await seed()
    const busy = await session
      .query('books')
      .groupBy('authorId')
      .aggregate((fn) => ({ books: fn.count() }))
      .having('books', '>', 1)
      .all()
    expect(busy).toEqual([{ authorId: ids.cy, books: 3 }])
    expect(normalizeSql(ctx.recorder.sql).at(-1)).toContain('group by "t0"."author_id" having count(*) > ? order by "t0"."author_id" asc')

    const ranked = await session.query('books').groupBy('authorId').aggregate((fn) => ({ books: fn.count() })).orderBy('books', 'desc').limit(2).offset(1).all()
    expect(ranked.map((r) => r.books)).toEqual([1, 1])
    const groups = await session.query('books').groupBy('authorId').aggregate().all()
    expect(groups).toHaveLength(3)
  })

  test('autoflushes pending rows of the table first', async () => {
    const { session, ids } = await seed()
    const cy = await session.get('authors', ids.cy)
    session.create('books', { title: 'C4', year: 2004, price: '1.00', author: cy! })
    const [row] = await session.query('books').where({ authorId: ids.cy }).aggregate((fn) => ({ n: fn.count() })).all()
    expect(row).toEqual({ n: 4 })
  })

  test('what cannot be aggregated is refused before any SQL, naming the table and column', async () => {
    const { session } = await seed()
    const books = session.query('books') as unknown as {
      aggregate(build: (fn: Record<string, (c?: string) => unknown>) => unknown): { having(...a: unknown[]): unknown; orderBy(n: string): unknown }
      groupBy(...c: string[]): unknown
      orderBy(c: string): { aggregate(build: (fn: Record<string, () => unknown>) => unknown): unknown }
    }
    expect(() => books.aggregate((fn) => ({ s: fn.sum!('title') }))).toThrow(new RelataError("sum('title') on 'books': books.title is text, not a number"))
    expect(() => books.aggregate((fn) => ({ s: fn.max!('nope') }))).toThrow(/max\('nope'\) on 'books': 'nope' is not a column of 'books'/)
    expect(() => books.aggregate(() => ({ s: { kind: 'count' } }))).toThrow("aggregate() on 'books': 's' is not an aggregate (use fn.count(), fn.sum(column), ...)")
    expect(() => books.groupBy('nope')).toThrow(/groupBy\('nope'\) on 'books'/)
    expect(() => books.orderBy('title').aggregate((fn) => ({ n: fn.count!() }))).toThrow(/aggregate\(\) on 'books': returns plain rows over the query's filters; remove orderBy\(\)/)
    const agg = books.aggregate((fn) => ({ n: fn.count!() }))
    expect(() => agg.having('m', '>', 1)).toThrow("having() on 'books': 'm' is not in the result (names: n)")
    expect(() => agg.having('n', 'like', 1)).toThrow(/"like" is not a comparison/)
    expect(ctx.recorder.sql).toEqual([])
  })
})

describeEachDialect('aggregates on Chinook', (target) => {
  const ctx = setupChinook(target)
  const db = () => ctx.orm.db

  test('artists with more than 5 albums: groupBy + having, and withCount, equal to hand-written Kysely', async () => {
    const want = await db()
      .selectFrom('album')
      .select(['artist_id', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('artist_id')
      .having((eb) => eb.fn.countAll(), '>', 5)
      .orderBy('artist_id')
      .execute()
    expect(want.length).toBeGreaterThan(3)
    const session = ctx.orm.session()
    const grouped = await session.query('albums').groupBy('artistId').aggregate((fn) => ({ albums: fn.count() })).having('albums', '>', 5).all()
    expect(grouped).toEqual(want.map((w) => ({ artistId: w.artist_id, albums: Number(w.n) })))

    const artists = await session.query('artists').withCount('albums').orderBy('artistId').all()
    expect(artists.filter((a) => a.$counts.albums > 5).map((a) => [a.artistId, a.$counts.albums])).toEqual(want.map((w) => [w.artist_id, Number(w.n)]))
  })

  test('playlists with their track counts (many-to-many) and album lengths in milliseconds', async () => {
    const want = await db()
      .selectFrom('playlist as p')
      .select(['p.playlist_id', (eb) => eb.selectFrom('playlist_track as pt').whereRef('pt.playlist_id', '=', 'p.playlist_id').select(sql<number>`count(*)`.as('c')).as('n')])
      .orderBy('p.playlist_id')
      .execute()
    const playlists = await ctx.orm.session().query('playlists').withCount('tracks').orderBy('playlistId').all()
    expect(playlists.map((p) => [p.playlistId, p.$counts.tracks])).toEqual(want.map((w) => [w.playlist_id, Number(w.n)]))

    const lengths = await db().selectFrom('track').select(['album_id', (eb) => eb.fn.sum<string>('milliseconds').as('ms')]).groupBy('album_id').orderBy('album_id').execute()
    const rows = await ctx.orm.session().query('tracks').groupBy('albumId').aggregate((fn) => ({ ms: fn.sum('milliseconds') })).all()
    expect(rows).toEqual(lengths.map((l) => ({ albumId: l.album_id, ms: Number(l.ms) })))
  })
})
