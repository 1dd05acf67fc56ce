/**
 * Relation-level order and filters, and column values, through both strategies: `join` (values
 * inside JSON) and `selectIn` (plain rows) must give the same objects as hand-written Kysely.
 */
import { sql, type SqlBool } from 'kysely'
import { describe, expect, test } from 'vitest'
import { schema } from '@relata/test-kit/chinook'
import { setupChinook } from '@relata/test-kit/chinook-suite'
import { describeEachDialect } from '@relata/test-kit/targets'
import type { Session } from '../src/index.js'
import { graphs, groupBy, properties, shapes, type GraphSpec } from './support/graphs.js'

type S = typeof schema
type Plain = Record<string, unknown>
const strategies = ['join', 'selectIn'] as const

describeEachDialect('relation queries and values', (target) => {
  const ctx = setupChinook(target)
  const db = () => ctx.orm.db

  /** Runs `run` once per strategy, each in a fresh session; both graphs must equal `want`. */
  async function bothStrategies(
    want: Plain[],
    spec: GraphSpec,
    run: (session: Session<S>, strategy: 'join' | 'selectIn') => Promise<object[]>,
    statements: Record<'join' | 'selectIn', readonly string[]>,
  ): Promise<void> {
    for (const strategy of strategies) {
      ctx.recorder.clear()
      const result = await run(ctx.orm.session(), strategy)
      expect(shapes(ctx.recorder.queries), strategy).toEqual(statements[strategy])
      expect(graphs(result, spec), strategy).toEqual(want)
    }
  }

  describe('order and filters per relation', () => {
    test("tracks ordered by name desc (ties by key), the same through both strategies", async () => {
      const albums = await db().selectFrom('album').selectAll().where('album_id', '<=', 60).orderBy('album_id').execute()
      const tracks = groupBy(await db().selectFrom('track').selectAll().where('album_id', '<=', 60).orderBy('name', 'desc').orderBy('track_id').execute(), (t) => t.album_id)
      const want = albums.map((a) => ({ ...properties('albums', a), tracks: (tracks.get(a.album_id) ?? []).map((t) => properties('tracks', t)) }))
      await bothStrategies(
        want,
        { tracks: {} },
        (s, strategy) => s.query('albums').where('albumId', '<=', 60).with({ tracks: (q) => q.strategy(strategy).orderBy('name', 'desc') }).orderBy('albumId').all(),
        { join: ['album>track'], selectIn: ['album', 'track IN(60)'] },
      )
      expect(ctx.recorder.sql[1]).toMatch(/order by [`"]t1[`"]\.[`"]name[`"] desc, [`"]t1[`"]\.[`"]track_id[`"] asc$/)
    })

    test('a filter and an order on the relation; parents without a match get an empty list', async () => {
      const albums = await db().selectFrom('album').selectAll().orderBy('album_id').execute()
      const long = groupBy(
        await db().selectFrom('track').selectAll().where('milliseconds', '>', 600_000).orderBy('milliseconds', 'desc').orderBy('track_id').execute(),
        (t) => t.album_id,
      )
      const want = albums.map((a) => ({ ...properties('albums', a), tracks: (long.get(a.album_id) ?? []).map((t) => properties('tracks', t)) }))
      expect(want.filter((a) => (a.tracks as unknown[]).length > 0).length).toBeGreaterThan(10)
      await bothStrategies(
        want,
        { tracks: {} },
        (s, strategy) =>
          s.query('albums').with({ tracks: (q) => q.strategy(strategy).where('milliseconds', '>', 600_000).orderBy('milliseconds', 'desc') }).orderBy('albumId').all(),
        { join: ['album>track'], selectIn: ['album', 'track'] },
      )
    })

    test("a raw sql OR in a relation's filter stays one condition: each album gets only its own tracks", async () => {
      const albums = await db().selectFrom('album').selectAll().where('album_id', '<=', 60).orderBy('album_id').execute()
      const picked = groupBy(
        await db().selectFrom('track').selectAll().where('album_id', '<=', 60).where((eb) => eb.or([eb('milliseconds', '>', 600_000), eb('name', 'like', 'A%')])).orderBy('track_id').execute(),
        (t) => t.album_id,
      )
      const want = albums.map((a) => ({ ...properties('albums', a), tracks: (picked.get(a.album_id) ?? []).map((t) => properties('tracks', t)) }))
      // Unparenthesised, `a or b and <parent key>` matched other albums' tracks (join) or ignored the parent key (selectIn).
      const longOrA = () => sql<SqlBool>`${sql.ref('milliseconds')} > ${600_000} or ${sql.ref('name')} like ${'A%'}`
      await bothStrategies(
        want,
        { tracks: {} },
        (s, strategy) => s.query('albums').where('albumId', '<=', 60).with({ tracks: (q) => q.strategy(strategy).where(longOrA).orderBy('trackId') }).orderBy('albumId').all(),
        { join: ['album>track'], selectIn: ['album', 'track IN(60)'] },
      )
      const roots = await ctx.orm.session().query('tracks').where(longOrA).where('albumId', '<=', 60).orderBy('trackId').all()
      expect(roots.map((t) => t.trackId)).toEqual([...picked.values()].flat().map((t) => t.track_id).sort((a, b) => a - b))
    })

    test('numerics order by value inside JSON too: invoices by total desc', async () => {
      const customers = await db().selectFrom('customer').selectAll().orderBy('customer_id').execute()
      const invoices = groupBy(await db().selectFrom('invoice').selectAll().orderBy('total', 'desc').orderBy('invoice_id').execute(), (i) => i.customer_id)
      const want = customers.map((c) => ({ ...properties('customers', c), invoices: (invoices.get(c.customer_id) ?? []).map((i) => properties('invoices', i)) }))
      // As text, '8.91' would sort above '13.86': the order must be numeric.
      const first = want[0]!.invoices as Plain[]
      expect(first.map((i) => i.total)).toEqual(['13.86', '8.91', '5.94', '3.98', '3.96', '1.98', '0.99'])
      await bothStrategies(
        want,
        { invoices: {} },
        (s, strategy) => s.query('customers').with({ invoices: (q) => q.strategy(strategy).orderBy('total', 'desc') }).orderBy('customerId').all(),
        { join: ['customer>invoice'], selectIn: ['customer', 'invoice'] },
      )
    })

    test('dates order by instant inside JSON: invoices by date desc', async () => {
      const invoices = await db().selectFrom('invoice').selectAll().where('customer_id', '<=', 3).orderBy('invoice_date', 'desc').orderBy('invoice_id').execute()
      const byCustomer = groupBy(invoices, (i) => i.customer_id)
      const customers = await db().selectFrom('customer').selectAll().where('customer_id', '<=', 3).orderBy('customer_id').execute()
      const want = customers.map((c) => ({ ...properties('customers', c), invoices: byCustomer.get(c.customer_id)!.map((i) => properties('invoices', i)) }))
      await bothStrategies(
        want,
        { invoices: {} },
        (s, strategy) => s.query('customers').where('customerId', '<=', 3).with({ invoices: (q) => q.strategy(strategy).orderBy('invoiceDate', 'desc') }).orderBy('customerId').all(),
        { join: ['customer>invoice'], selectIn: ['customer', 'invoice IN(3)'] },
      )
    })

    test('ordered by a nullable column: nulls where this database puts them, in both strategies', async () => {
      const albums = await db().selectFrom('album').selectAll().where('album_id', 'in', [41, 85, 102, 141]).orderBy('album_id').execute()
      const tracks = groupBy(
        await db().selectFrom('track').selectAll().where('album_id', 'in', [41, 85, 102, 141]).orderBy('composer').orderBy('track_id').execute(),
        (t) => t.album_id,
      )
      const want = albums.map((a) => ({ ...properties('albums', a), tracks: tracks.get(a.album_id)!.map((t) => properties('tracks', t)) }))
      // Each album mixes tracks with and without a composer.
      for (const album of want) {
        const composers = (album.tracks as Plain[]).map((t) => t.composer)
        expect(composers).toContain(null)
        expect(composers.some((c) => c !== null)).toBe(true)
      }
      await bothStrategies(
        want,
        { tracks: {} },
        (s, strategy) => s.query('albums').where('albumId', 'in', [41, 85, 102, 141]).with({ tracks: (q) => q.strategy(strategy).orderBy('composer') }).orderBy('albumId').all(),
        { join: ['album>track'], selectIn: ['album', 'track IN(4)'] },
      )
    })

    test('many-to-many with a filter and an order: rock tracks of each playlist, longest first', async () => {
      const playlists = await db().selectFrom('playlist').selectAll().orderBy('playlist_id').execute()
      const links = groupBy(
        await db()
          .selectFrom('playlist_track as pt')
          .innerJoin('track as t', 't.track_id', 'pt.track_id')
          .selectAll('t')
          .select('pt.playlist_id as link_playlist_id')
          .where('t.genre_id', '=', 1)
          .orderBy('t.milliseconds', 'desc')
          .orderBy('t.track_id')
          .execute(),
        (l) => l.link_playlist_id,
      )
      const want = playlists.map((p) => ({ ...properties('playlists', p), tracks: (links.get(p.playlist_id) ?? []).map((t) => properties('tracks', t)) }))
      await bothStrategies(
        want,
        { tracks: {} },
        (s, strategy) =>
          s.query('playlists').with({ tracks: (q) => q.strategy(strategy).where({ genreId: 1 }).orderBy('milliseconds', 'desc') }).orderBy('playlistId').all(),
        { join: ['playlist>track>playlist_track'], selectIn: ['playlist', 'track>playlist_track'] },
      )
    })

    test('a page per album: the three longest tracks of each, the same through both strategies', async () => {
      const albums = await db().selectFrom('album').selectAll().orderBy('album_id').execute()
      const tracks = groupBy(await db().selectFrom('track').selectAll().orderBy('milliseconds', 'desc').orderBy('track_id').execute(), (t) => t.album_id)
      const want = albums.map((a) => ({ ...properties('albums', a), tracks: (tracks.get(a.album_id) ?? []).slice(0, 3).map((t) => properties('tracks', t)) }))
      await bothStrategies(
        want,
        { tracks: {} },
        (s, strategy) => s.query('albums').with({ tracks: (q) => q.strategy(strategy).orderBy('milliseconds', 'desc').limit(3) }).orderBy('albumId').all(),
        { join: ['album>track>track'], selectIn: ['album', 'track>track'] },
      )
    })

    test('a page per playlist (many-to-many) with a filter: rock tracks 2 to 4 by length, the same through both strategies', async () => {
      const playlists = await db().selectFrom('playlist').selectAll().orderBy('playlist_id').execute()
      const links = groupBy(
        await db()
          .selectFrom('playlist_track as pt')
          .innerJoin('track as t', 't.track_id', 'pt.track_id')
          .selectAll('t')
          .select('pt.playlist_id as link_playlist_id')
          .where('t.genre_id', '=', 1)
          .orderBy('t.milliseconds', 'desc')
          .orderBy('t.track_id')
          .execute(),
        (l) => l.link_playlist_id,
      )
      const want = playlists.map((p) => ({ ...properties('playlists', p), tracks: (links.get(p.playlist_id) ?? []).slice(1, 4).map((t) => properties('tracks', t)) }))
      await bothStrategies(
        want,
        { tracks: {} },
        (s, strategy) =>
          s.query('playlists').with({ tracks: (q) => q.strategy(strategy).where({ genreId: 1 }).orderBy('milliseconds', 'desc').offset(1).limit(3) }).orderBy('playlistId').all(),
        { join: ['playlist>track>playlist_track>track>playlist_track'], selectIn: ['playlist', 'track>playlist_track>track>playlist_track'] },
      )
    })

    test('a callback filter on a relation, nested under another filtered and ordered relation', async () => {
      const artists = await db().selectFrom('artist').selectAll().where('artist_id', '<=', 50).orderBy('artist_id').execute()
      const albums = groupBy(await db().selectFrom('album').selectAll().where('artist_id', '<=', 50).orderBy('title').orderBy('album_id').execute(), (a) => a.artist_id)
      const tracks = groupBy(
        await db()
          .selectFrom('track')
          .selectAll()
          .where((eb) => eb.or([eb('composer', 'is', null), eb('milliseconds', '<', 200_000)]))
          .orderBy('milliseconds', 'desc')
          .orderBy('track_id')
          .execute(),
        (t) => t.album_id,
      )
      const want = artists.map((a) => ({
        ...properties('artists', a),
        albums: (albums.get(a.artist_id) ?? []).map((al) => ({ ...properties('albums', al), tracks: (tracks.get(al.album_id) ?? []).map((t) => properties('tracks', t)) })),
      }))
      const albumCount = [...albums.values()].flat().length
      await bothStrategies(
        want,
        { albums: { tracks: {} } },
        (s, strategy) =>
          s
            .query('artists')
            .where('artistId', '<=', 50)
            .strategy(strategy)
            .with({
              albums: (q) =>
                q.orderBy('title').with({
                  tracks: (t) => t.where((eb) => eb.or([eb('composer', 'is', null), eb('milliseconds', '<', 200_000)])).orderBy('milliseconds', 'desc'),
                }),
            })
            .orderBy('artistId')
            .all(),
        { join: ['artist>album>track'], selectIn: ['artist', 'album IN(50)', `track IN(${albumCount})`] },
      )
    })

    test('a filtered many-to-one: null where the target does not match, also when the target is in the identity map', async () => {
      for (const strategy of strategies) {
        for (const artistsInMap of [false, true]) {
          const session = ctx.orm.session()
          if (artistsInMap) await session.query('artists').where('artistId', '<=', 2).all()
          ctx.recorder.clear()
          const albums = await session
            .query('albums')
            .where('albumId', '<=', 3)
            .with({ artist: (q) => q.strategy(strategy).where({ name: 'Accept' }) })
            .orderBy('albumId')
            .all()
          expect(albums.map((a) => [a.albumId, a.artist?.name ?? null]), `${strategy}, artists in map: ${artistsInMap}`).toEqual([
            [1, null],
            [2, 'Accept'],
            [3, 'Accept'],
          ])
          expect(shapes(ctx.recorder.queries)).toEqual(strategy === 'join' ? ['album>artist'] : ['album', 'artist IN(2)'])
        }
      }
    })

    test('a many-to-one from the identity map still gets the relations joined under it', async () => {
      for (const strategy of strategies) {
        const session = ctx.orm.session()
        const acdc = (await session.get('artists', 1))!
        ctx.recorder.clear()
        const album = await session.query('albums').where({ albumId: 1 }).with({ artist: (q) => q.strategy('selectIn').with({ albums: strategy }) }).one()
        expect(album.artist).toBe(acdc)
        expect(album.artist.albums.map((a) => a.albumId)).toEqual([1, 4])
        expect(album.artist.albums[0]).toBe(album)
        expect(shapes(ctx.recorder.queries)).toEqual(strategy === 'join' ? ['album', 'artist>album IN(1)'] : ['album', 'album IN(1)'])
      }
    })

    test('limit, first and one apply to the root rows only', async () => {
      for (const strategy of strategies) {
        ctx.recorder.clear()
        const session = ctx.orm.session()
        const three = await session.query('artists').with({ albums: strategy }).orderBy('artistId').limit(3).all()
        expect(three.map((a) => [a.artistId, a.albums.map((al) => al.albumId)])).toEqual([[1, [1, 4]], [2, [2, 3]], [3, [5]]])
        const first = await session.query('artists').with({ albums: strategy }).orderBy('artistId', 'desc').first()
        expect(first!.artistId).toBe(275)
        expect(first!.albums.map((al) => al.albumId)).toEqual([347])
        const one = await session.query('artists').where({ name: 'Iron Maiden' }).with({ albums: strategy }).one()
        expect(one.albums).toHaveLength(21)
        expect(shapes(ctx.recorder.queries)).toEqual(strategy === 'join' ? ['artist>album', 'artist>album', 'artist>album'] : ['artist', 'album IN(3)', 'artist', 'album IN(1)', 'artist', 'album IN(1)'])
      }
    })
  })

  describe('values come back as declared, through JSON (join) and rows (selectIn, root) alike', () => {
    /** Every object of `list`, by its key, as plain data. */
    const byKey = (list: readonly object[], key: string): Map<unknown, Plain> => new Map(list.map((e) => [(e as Plain)[key], { ...e }]))

    test('numerics as exact strings, timestamps as UTC dates, nulls as null: invoices and their lines', async () => {
      const rows = byKey(await ctx.orm.session().query('invoices').all(), 'invoiceId')
      for (const strategy of strategies) {
        const customers = await ctx.orm.session().query('customers').with({ invoices: (q) => q.strategy(strategy).with({ lines: strategy }) }).all()
        const invoices = customers.flatMap((c) => [...c.invoices])
        expect(invoices).toHaveLength(412)
        for (const invoice of invoices) expect({ ...invoice }).toEqual(rows.get(invoice.invoiceId))
        const first = invoices.find((i) => i.invoiceId === 1)!
        expect({ ...first }).toEqual({
          invoiceId: 1,
          customerId: 2,
          invoiceDate: new Date('2021-01-01T00:00:00.000Z'),
          billingAddress: 'Theodor-Heuss-Straße 34',
          billingCity: 'Stuttgart',
          billingState: null,
          billingCountry: 'Germany',
          billingPostalCode: '70174',
          total: '1.98',
        })
        expect(first.invoiceDate).toBeInstanceOf(Date)
        expect(first.lines.map((l) => ({ ...l }))).toEqual([
          { invoiceLineId: 1, invoiceId: 1, trackId: 2, unitPrice: '0.99', quantity: 1 },
          { invoiceLineId: 2, invoiceId: 1, trackId: 4, unitPrice: '0.99', quantity: 1 },
        ])
        const prices = new Set(invoices.flatMap((i) => i.lines.map((l) => l.unitPrice)))
        expect([...prices].sort()).toEqual(['0.99', '1.99'])
      }
    })

    test('inside a to-one JSON object too: line → invoice (numeric, timestamp) and line → track', async () => {
      const invoices = byKey(await ctx.orm.session().query('invoices').all(), 'invoiceId')
      const tracks = byKey(await ctx.orm.session().query('tracks').all(), 'trackId')
      for (const strategy of strategies) {
        const lines = await ctx.orm.session().query('invoiceLines').strategy(strategy).with({ invoice: true, track: true }).all()
        expect(lines).toHaveLength(2240)
        for (const line of lines) {
          expect({ ...line.invoice }).toEqual(invoices.get(line.invoiceId))
          expect({ ...line.track }).toEqual(tracks.get(line.trackId))
        }
        const last = lines.find((l) => l.invoiceLineId === 2240)!
        expect({ ...last }).toEqual({ invoiceLineId: 2240, invoiceId: 412, trackId: 3177, unitPrice: '1.99', quantity: 1 })
        expect(last.invoice.total).toBe('1.99')
        expect(last.invoice.invoiceDate).toEqual(new Date('2025-12-22T00:00:00.000Z'))
        expect(last.track.unitPrice).toBe('1.99')
      }
    })

    test('tracks: nullable composer, integer bytes, numeric price', async () => {
      const rows = byKey(await ctx.orm.session().query('tracks').all(), 'trackId')
      for (const strategy of strategies) {
        const albums = await ctx.orm.session().query('albums').with({ tracks: strategy }).all()
        const tracks = albums.flatMap((a) => [...a.tracks])
        expect(tracks).toHaveLength(3503)
        for (const track of tracks) expect({ ...track }).toEqual(rows.get(track.trackId))
        expect(tracks.filter((t) => t.composer === null)).toHaveLength(977)
        const track = tracks.find((t) => t.trackId === 3435)!
        expect({ ...track }).toEqual({
          trackId: 3435,
          name: 'Cavalleria Rusticana \\ Act \\ Intermezzo Sinfonico',
          albumId: 302,
          mediaTypeId: 2,
          genreId: 24,
          composer: 'Pietro Mascagni',
          milliseconds: 243436,
          bytes: 4001276,
          unitPrice: '0.99',
        })
      }
    })

    test('employees: dates, a null manager key, nulls inside a joined to-one', async () => {
      const rows = byKey(await ctx.orm.session().query('employees').all(), 'employeeId')
      for (const strategy of strategies) {
        const customers = await ctx.orm.session().query('customers').with({ supportRep: (q) => q.strategy(strategy).with({ reportsTo: strategy }) }).all()
        const reps = [...new Set(customers.map((c) => c.supportRep!))]
        expect(reps.map((e) => e.employeeId).sort()).toEqual([3, 4, 5])
        for (const rep of reps) {
          expect({ ...rep }).toEqual(rows.get(rep.employeeId))
          expect({ ...rep.reportsTo! }).toEqual(rows.get(2))
        }
        const manager = reps[0]!.reportsTo!
        expect(manager.birthDate).toEqual(new Date('1958-12-08T00:00:00.000Z'))
        expect(manager.hireDate).toEqual(new Date('2002-05-01T00:00:00.000Z'))
        expect(manager.reportsToId).toBe(1)
        const top = await ctx.orm.session().query('employees').where({ employeeId: 2 }).with({ reportsTo: (q) => q.strategy(strategy).with({ reportsTo: strategy }) }).one()
        expect(top.reportsTo!.employeeId).toBe(1)
        expect(top.reportsTo!.reportsTo).toBeNull()
        expect(top.reportsTo!.reportsToId).toBeNull()
      }
    })

    test('customers: nullable company and state inside JSON', async () => {
      const rows = byKey(await ctx.orm.session().query('customers').all(), 'customerId')
      for (const strategy of strategies) {
        const employees = await ctx.orm.session().query('employees').with({ customers: strategy }).all()
        const customers = employees.flatMap((e) => [...e.customers])
        expect(customers).toHaveLength(59)
        for (const customer of customers) expect({ ...customer }).toEqual(rows.get(customer.customerId))
        expect(customers.filter((c) => c.company === null)).toHaveLength(49)
        expect(customers.filter((c) => c.state === null)).toHaveLength(29)
      }
    })
  })
})
