/** The query API on Chinook: filter_by, comparisons, callbacks, order, pages, first/one/count, immutability and input errors. */
import { describe, expect, test } from 'vitest'
import { setupChinook } from '@relata/test-kit/chinook-suite'
import { describeEachDialect } from '@relata/test-kit/targets'
import { MultipleResultsError, NotFoundError, RelataError } from '../src/index.js'

const ids = (entities: readonly { artistId: number }[]): number[] => entities.map((e) => e.artistId)
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)

describeEachDialect('session queries', (target) => {
  const ctx = setupChinook(target)

  describe('with', () => {
    test('a relation named in two .with() calls is loaded once, the later strategy winning and both nestings kept', async () => {
      const session = ctx.orm.session()
      const artist = await session.query('artists').where({ artistId: 1 }).with({ albums: { tracks: true } }).with({ albums: 'join' }).one()
      // The artist with its albums joined in one statement, then the albums' tracks by selectIn.
      expect(ctx.recorder.sql).toHaveLength(2)
      expect(artist.albums.map((a) => a.albumId)).toEqual([1, 4])
      expect(artist.albums[0]!.tracks.map((t) => t.trackId)).toEqual([1, ...range(6, 14)])
    })
  })

  describe('where', () => {
    test('an object of values is filter_by: every property equals its value', async () => {
      const session = ctx.orm.session()
      const artists = await session.query('artists').where({ name: 'AC/DC' }).all()
      expect(artists.map((a) => ({ ...a }))).toEqual([{ artistId: 1, name: 'AC/DC' }])
      expect(await session.query('artists').where({ artistId: 1, name: 'Accept' }).all()).toEqual([])
      const albums = await session.query('albums').where({ artistId: 90, title: 'Live After Death' }).all()
      expect(albums.map((a) => ({ ...a }))).toEqual([{ albumId: 102, title: 'Live After Death', artistId: 90 }])
      expect(ctx.recorder.queries.map((q) => q.parameters)).toEqual([['AC/DC'], [1, 'Accept'], [90, 'Live After Death']])
    })

    test('null in filter_by means IS NULL', async () => {
      const session = ctx.orm.session()
      const expected = await ctx.orm.db.selectFrom('customer').select('customer_id').where('company', 'is', null).orderBy('customer_id').execute()
      expect(expected).toHaveLength(49)
      const customers = await session.query('customers').where({ company: null }).orderBy('customerId').all()
      expect(customers.map((c) => c.customerId)).toEqual(expected.map((c) => c.customer_id))
      expect(customers.every((c) => c.company === null)).toBe(true)
      expect(ctx.recorder.sql[1]).toMatch(/ is null order by /)
      expect(ctx.recorder.queries[1]!.parameters).toEqual([])
    })

    test('comparisons: =, <>, <, <=, >, >=, each on its column', async () => {
      const q = ctx.orm.session().query('artists').orderBy('artistId')
      expect(ids(await q.where('artistId', '<', 4).all())).toEqual([1, 2, 3])
      expect(ids(await q.where('artistId', '<=', 2).all())).toEqual([1, 2])
      expect(ids(await q.where('artistId', '>', 272).all())).toEqual([273, 274, 275])
      expect(ids(await q.where('artistId', '>=', 274).all())).toEqual([274, 275])
      expect(ids(await q.where('artistId', '=', 7).all())).toEqual([7])
      expect(ids(await q.where('artistId', '<>', 1).where('artistId', '!=', 2).where('artistId', '<', 6).all())).toEqual([3, 4, 5])
    })

    test("'like' matches what Kysely's like matches on this database", async () => {
      const expected = await ctx.orm.db.selectFrom('artist').select('artist_id').where('name', 'like', 'The %').orderBy('artist_id').execute()
      expect(expected.length).toBeGreaterThan(5)
      const artists = await ctx.orm.session().query('artists').where('name', 'like', 'The %').orderBy('artistId').all()
      expect(ids(artists)).toEqual(expected.map((r) => r.artist_id))
      expect(artists.every((a) => a.name!.startsWith('The '))).toBe(true)
      const notLike = await ctx.orm.session().query('artists').where('name', 'not like', 'The %').count()
      expect(notLike).toBe(275 - expected.length)
    })

    test("'in' and 'not in' take arrays; an empty list matches nothing (in) or everything (not in)", async () => {
      const session = ctx.orm.session()
      expect(ids(await session.query('artists').where('artistId', 'in', [3, 1, 2]).orderBy('artistId').all())).toEqual([1, 2, 3])
      expect(ids(await session.query('artists').where('artistId', 'not in', range(1, 272)).orderBy('artistId').all())).toEqual([273, 274, 275])
      ctx.recorder.clear()
      expect(await session.query('artists').where('artistId', 'in', []).all()).toEqual([])
      expect(await session.query('artists').where('artistId', 'not in', []).count()).toBe(275)
      expect(ctx.recorder.sql).toHaveLength(2)
      const titles = await session.query('albums').where('title', 'in', ['Let There Be Rock', 'Big Ones']).orderBy('albumId').all()
      expect(titles.map((a) => [a.albumId, a.title])).toEqual([[4, 'Let There Be Rock'], [5, 'Big Ones']])
    })

    test("null with '=', 'is', '<>' and 'is not' compiles to IS [NOT] NULL", async () => {
      const session = ctx.orm.session()
      expect(await session.query('tracks').where('composer', '=', null).count()).toBe(977)
      expect(await session.query('tracks').where('composer', 'is', null).count()).toBe(977)
      expect(await session.query('tracks').where('composer', '<>', null).count()).toBe(3503 - 977)
      expect(await session.query('tracks').where('composer', 'is not', null).count()).toBe(3503 - 977)
      expect(ctx.recorder.sql.filter((s) => / is null$/.test(s))).toHaveLength(2)
      expect(ctx.recorder.sql.filter((s) => / is not null$/.test(s))).toHaveLength(2)
    })

    test('dates and numerics compare as the values they are', async () => {
      const session = ctx.orm.session()
      const december = await session.query('invoices').where('invoiceDate', '>=', new Date('2025-12-01T00:00:00Z')).orderBy('invoiceId').all()
      expect(december.map((i) => i.invoiceId)).toEqual([406, 407, 408, 409, 410, 411, 412])
      const first = await session.query('invoices').where({ invoiceDate: new Date('2021-01-01T00:00:00Z') }).all()
      expect(first.map((i) => i.invoiceId)).toEqual([1])
      const big = await session.query('invoices').where('total', '>=', '20.00').orderBy('invoiceId').all()
      expect(big.map((i) => [i.invoiceId, i.total])).toEqual([[96, '21.86'], [194, '21.86'], [299, '23.86'], [404, '25.86']])
    })

    test('several where calls are ANDed', async () => {
      const tracks = await ctx.orm.session().query('tracks').where({ albumId: 1 }).where('milliseconds', '>', 250_000).orderBy('trackId').all()
      const expected = await ctx.orm.db.selectFrom('track').select('track_id').where('album_id', '=', 1).where('milliseconds', '>', 250_000).orderBy('track_id').execute()
      expect(tracks.map((t) => t.trackId)).toEqual(expected.map((r) => r.track_id))
      expect(tracks.map((t) => t.trackId)).toEqual([1, 10, 12, 14])
    })

    test('a callback builds a Kysely expression over property names (or, and, not, in)', async () => {
      const session = ctx.orm.session()
      const artists = await session
        .query('artists')
        .where((eb) => eb.or([eb('name', '=', 'AC/DC'), eb('artistId', '>', 273), eb.and([eb('artistId', '>=', 10), eb('artistId', '<=', 11)])]))
        .orderBy('artistId')
        .all()
      expect(ids(artists)).toEqual([1, 10, 11, 274, 275])
      const tracks = await session
        .query('tracks')
        .where((eb) => eb.and([eb('albumId', 'in', [1, 2]), eb.not(eb('composer', 'is', null)), eb('unitPrice', '=', '0.99')]))
        .orderBy('trackId')
        .all()
      const expected = await ctx.orm.db
        .selectFrom('track')
        .select('track_id')
        .where((eb) => eb.and([eb('album_id', 'in', [1, 2]), eb.not(eb('composer', 'is', null)), eb('unit_price', '=', '0.99')]))
        .orderBy('track_id')
        .execute()
      expect(tracks.map((t) => t.trackId)).toEqual(expected.map((r) => r.track_id))
      expect(tracks.map((t) => t.trackId)).toEqual([1, 2, 6, 7, 8, 9, 10, 11, 12, 13, 14])
      // Property names became SQL names, qualified by the query's alias.
      const q = target.family === 'mysql' ? '`' : '"'
      expect(ctx.recorder.sql[1]).toContain(`${q}t0${q}.${q}album_id${q} in (`)
      expect(ctx.recorder.sql[1]).toContain(`${q}t0${q}.${q}unit_price${q} = `)
    })

    test('a callback may reference a column qualified by the table key', async () => {
      const artists = await ctx.orm.session().query('artists').where((eb) => eb('artists.artistId', '=', 2)).all()
      expect(ids(artists)).toEqual([2])
    })
  })

  describe('order and pages', () => {
    test('orderBy: direction, several columns, ties broken by the primary key', async () => {
      const session = ctx.orm.session()
      const tracks = await session.query('tracks').where('albumId', 'in', [1, 4]).orderBy('albumId', 'desc').orderBy('name').all()
      const expected = await ctx.orm.db
        .selectFrom('track')
        .select(['track_id', 'album_id', 'name'])
        .where('album_id', 'in', [1, 4])
        .orderBy('album_id', 'desc')
        .orderBy('name')
        .orderBy('track_id')
        .execute()
      expect(tracks.map((t) => [t.trackId, t.albumId, t.name])).toEqual(expected.map((r) => [r.track_id, r.album_id, r.name]))
      expect(tracks.map((t) => t.albumId)).toEqual([...Array<number>(8).fill(4), ...Array<number>(10).fill(1)])
      // Tracks of one album share a unit price: the key decides their order.
      const byPrice = await session.query('tracks').where('albumId', '=', 1).orderBy('unitPrice', 'desc').all()
      expect(byPrice.map((t) => t.trackId)).toEqual([1, 6, 7, 8, 9, 10, 11, 12, 13, 14])
    })

    test('limit and offset page through the order', async () => {
      const q = ctx.orm.session().query('artists').orderBy('artistId')
      expect(ids(await q.limit(5).all())).toEqual([1, 2, 3, 4, 5])
      expect(ids(await q.limit(5).offset(10).all())).toEqual([11, 12, 13, 14, 15])
      expect(ids(await q.offset(270).all())).toEqual([271, 272, 273, 274, 275])
      expect(ids(await q.limit(0).all())).toEqual([])
      const byName = await ctx.orm.db.selectFrom('artist').select('artist_id').orderBy('name', 'desc').orderBy('artist_id').limit(3).offset(3).execute()
      expect(ids(await ctx.orm.session().query('artists').orderBy('name', 'desc').limit(3).offset(3).all())).toEqual(byName.map((r) => r.artist_id))
    })

    test('first: the first in order, or undefined; one statement with limit 1', async () => {
      const session = ctx.orm.session()
      const last = await session.query('artists').orderBy('artistId', 'desc').first()
      expect(last && { ...last }).toEqual({ artistId: 275, name: 'Philip Glass Ensemble' })
      expect(await session.query('artists').where({ name: 'Nobody' }).first()).toBeUndefined()
      expect(ctx.recorder.sql).toHaveLength(2)
      expect(ctx.recorder.sql[0]).toMatch(/ limit (\$1|\?)$/)
      expect(ctx.recorder.queries[0]!.parameters).toEqual([1])
    })

    test('one: exactly one, else NotFoundError or MultipleResultsError', async () => {
      const session = ctx.orm.session()
      const genre = await session.query('genres').where({ name: 'Jazz' }).one()
      expect({ ...genre }).toEqual({ genreId: 2, name: 'Jazz' })
      const none = session.query('genres').where({ name: 'Polka' }).one()
      await expect(none).rejects.toThrow(NotFoundError)
      await expect(none).rejects.toThrow("one(): no 'genres' matched")
      const many = session.query('genres').where('genreId', '<', 3).one()
      await expect(many).rejects.toThrow(MultipleResultsError)
      await expect(many).rejects.toThrow("one(): more than one 'genres' matched")
      await expect(many).rejects.toBeInstanceOf(RelataError)
      // Two rows are enough to tell: the query is limited to 2.
      expect(ctx.recorder.queries.map((q) => q.parameters.at(-1))).toEqual([2, 2, 2])
    })

    test('count: the matching rows within the limit and offset, whatever the with', async () => {
      const session = ctx.orm.session()
      expect(await session.query('tracks').count()).toBe(3503)
      expect(await session.query('tracks').where({ genreId: 1 }).count()).toBe(1297)
      expect(await session.query('artists').where('name', 'like', 'The %').limit(2).offset(1).with({ albums: true }).count()).toBe(2)
      expect(await session.query('playlistTracks').count()).toBe(8715)
      expect(ctx.recorder.sql.every((s) => /^select count\(\*\) as /.test(s))).toBe(true)
    })
  })

  test('a query is a value: deriving from it leaves it as it was', async () => {
    const session = ctx.orm.session()
    const base = session.query('artists').where('artistId', '<', 6)
    const named = base.where('name', 'like', 'Al%')
    const ordered = base.orderBy('name', 'desc')
    const paged = ordered.limit(2).offset(1)
    const loaded = base.with({ albums: true }).strategy('join')
    expect(ids(await base.orderBy('artistId').all())).toEqual([1, 2, 3, 4, 5])
    expect(ids(await named.orderBy('artistId').all())).toEqual([4, 5])
    expect((await ordered.all()).map((a) => a.name)).toEqual(['Alice In Chains', 'Alanis Morissette', 'Aerosmith', 'Accept', 'AC/DC'])
    expect(ids(await paged.all())).toEqual([4, 3])
    expect(await base.count()).toBe(5)
    ctx.recorder.clear()
    const withAlbums = await loaded.all()
    expect(withAlbums.map((a) => a.albums.length)).toEqual([2, 2, 1, 1, 1])
    expect(ctx.recorder.sql).toHaveLength(1)
    // `base` itself never asked for albums: a fresh session's objects from it have them unloaded.
    const plain = await ctx.orm.session().query('artists').where('artistId', '<', 6).first()
    // @ts-expect-error albums is not loaded: not an array in the types either
    expect(() => plain!.albums.length).toThrow(RelataError)
  })

  describe('input errors name the table and what is allowed', () => {
    test('unknown columns, operators, directions, relations, strategies and page sizes', () => {
      const q = ctx.orm.session().query('artists')
      // @ts-expect-error 'title' is not a column of artists
      expect(() => q.where({ title: 'x' })).toThrow(new RelataError("where(): 'title' is not a column of 'artists' (columns: artistId, name)"))
      // @ts-expect-error 'title' is not a column of artists
      expect(() => q.where('title', '=', 'x')).toThrow(new RelataError("where(): 'title' is not a column of 'artists' (columns: artistId, name)"))
      // @ts-expect-error 'between' is not an operator
      expect(() => q.where('artistId', 'between', 1)).toThrow(new RelataError(`where('artistId', ...) on 'artists': "between" is not a comparison operator (operators: =, <>, !=, <, <=, >, >=, like, not like, ilike, not ilike, in, not in, is, is not)`))
      // @ts-expect-error 'in' takes an array
      expect(() => q.where('artistId', 'in', 1)).toThrow(new RelataError("where('artistId', 'in', ...) on 'artists': expects an array of values"))
      // @ts-expect-error 'title' is not a column of artists
      expect(() => q.orderBy('title')).toThrow(new RelataError("orderBy(): 'title' is not a column of 'artists' (columns: artistId, name)"))
      // @ts-expect-error the direction is 'asc' or 'desc'
      expect(() => q.orderBy('name', 'down')).toThrow(new RelataError("orderBy('name'): direction must be 'asc' or 'desc'"))
      // @ts-expect-error 'tracks' is not a relation of artists
      expect(() => q.with({ tracks: true })).toThrow(new RelataError("with(): 'tracks' is not a relation of 'artists' (relations: albums)"))
      // @ts-expect-error 'nested' is not a strategy
      expect(() => q.with({ albums: 'nested' })).toThrow(new RelataError("with(): 'artists.albums' expects true, 'join', 'selectIn', a nested object or a callback"))
      // @ts-expect-error 'lazy' is not a strategy
      expect(() => q.strategy('lazy')).toThrow(new RelataError("strategy() on 'artists': strategy must be 'join' or 'selectIn', got lazy"))
      expect(() => q.limit(-1)).toThrow(new RelataError("limit() on 'artists': expects a non-negative integer up to Number.MAX_SAFE_INTEGER, got -1"))
      expect(() => q.offset(1.5)).toThrow(new RelataError("offset() on 'artists': expects a non-negative integer up to Number.MAX_SAFE_INTEGER, got 1.5"))
      expect(ctx.recorder.sql).toEqual([])
    })

    test('a callback that names an unknown column fails before any SQL is sent', async () => {
      // @ts-expect-error 'title' is not a column of artists
      const query = ctx.orm.session().query('artists').where((eb) => eb('title', '=', 'x'))
      await expect(query.all()).rejects.toThrow(new RelataError("'title' is not a column of 'artists' (columns: artistId, name)"))
      expect(ctx.recorder.sql).toEqual([])
    })
  })
})
