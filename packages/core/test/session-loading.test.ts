/**
 * Relation loading on Chinook, for every relation kind and strategy: eager (`.with()`), lazy
 * (`load()`) and batched lazy (`Promise.all`). The graph must equal what hand-written Kysely
 * queries return, with the statements each strategy promises.
 */
import { describe, expect, test } from 'vitest'
import { schema } from '@relata/test-kit/chinook'
import { setupChinook } from '@relata/test-kit/chinook-suite'
import { describeEachDialect } from '@relata/test-kit/targets'
import type { Session } from '../src/index.js'
import { graphs, groupBy, properties, shapes, type GraphSpec } from './support/graphs.js'

type S = typeof schema
type Plain = Record<string, unknown>

/** One way to run an eager load, and the statements it must take. */
interface Variant {
  readonly name: string
  readonly run: (session: Session<S>) => Promise<object[]>
  readonly shapes: readonly string[]
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)

describeEachDialect('relation loading', (target) => {
  const ctx = setupChinook(target)
  const db = () => ctx.orm.db

  /** Runs each variant in a fresh session and checks its graph and its statements. */
  function eagerVariants(expected: () => Promise<Plain[]>, spec: GraphSpec, variants: readonly Variant[]): void {
    for (const variant of variants) {
      test(variant.name, async () => {
        const want = await expected()
        ctx.recorder.clear()
        const result = await variant.run(ctx.orm.session())
        expect(shapes(ctx.recorder.queries)).toEqual(variant.shapes)
        expect(graphs(result, spec)).toEqual(want)
      })
    }
  }

  describe('one-to-many and nested: artist.albums → album.tracks', () => {
    const spec = { albums: { tracks: {} } }
    const expected = async (): Promise<Plain[]> => {
      const artists = await db().selectFrom('artist').selectAll().orderBy('artist_id').execute()
      const albums = groupBy(await db().selectFrom('album').selectAll().orderBy('album_id').execute(), (a) => a.artist_id)
      const tracks = groupBy(await db().selectFrom('track').selectAll().orderBy('track_id').execute(), (t) => t.album_id)
      return artists.map((artist) => ({
        ...properties('artists', artist),
        albums: (albums.get(artist.artist_id) ?? []).map((album) => ({
          ...properties('albums', album),
          tracks: (tracks.get(album.album_id) ?? []).map((track) => properties('tracks', track)),
        })),
      }))
    }
    const selectIn = ['artist', 'album', 'track']

    eagerVariants(expected, spec, [
      {
        name: "per relation 'join': one statement",
        run: (s) => s.query('artists').with({ albums: (q) => q.strategy('join').with({ tracks: 'join' }) }).orderBy('artistId').all(),
        shapes: ['artist>album>track'],
      },
      {
        name: "per relation 'selectIn': one statement per level",
        run: (s) => s.query('artists').with({ albums: (q) => q.strategy('selectIn').with({ tracks: 'selectIn' }) }).orderBy('artistId').all(),
        shapes: selectIn,
      },
      {
        name: "query-wide .strategy('join')",
        run: (s) => s.query('artists').strategy('join').with({ albums: { tracks: true } }).orderBy('artistId').all(),
        shapes: ['artist>album>track'],
      },
      {
        name: "query-wide .strategy('selectIn')",
        run: (s) => s.query('artists').strategy('selectIn').with({ albums: { tracks: true } }).orderBy('artistId').all(),
        shapes: selectIn,
      },
      {
        name: 'relation defaults: to-many is selectIn',
        run: (s) => s.query('artists').with({ albums: { tracks: true } }).orderBy('artistId').all(),
        shapes: selectIn,
      },
      {
        name: 'a relation’s own strategy wins over the query-wide one',
        run: (s) => s.query('artists').strategy('join').with({ albums: { tracks: 'selectIn' } }).orderBy('artistId').all(),
        shapes: ['artist>album', 'track'],
      },
      {
        name: 'join nested under selectIn: one statement for both levels below the root',
        run: (s) => s.query('artists').with({ albums: { tracks: 'join' } }).orderBy('artistId').all(),
        shapes: ['artist', 'album>track'],
      },
    ])

    test("one level: .with({ albums: 'join' }) and .with({ albums: 'selectIn' }) give the same albums", async () => {
      const want = (await expected()).map(({ albums, ...artist }) => ({ ...artist, albums: (albums as Plain[]).map(({ tracks: _, ...album }) => album) }))
      ctx.recorder.clear()
      const joined = await ctx.orm.session().query('artists').with({ albums: 'join' }).orderBy('artistId').all()
      expect(shapes(ctx.recorder.queries)).toEqual(['artist>album'])
      ctx.recorder.clear()
      const selected = await ctx.orm.session().query('artists').with({ albums: 'selectIn' }).orderBy('artistId').all()
      // Every artist was read: their albums are every album with an artist, no list of keys needed.
      expect(shapes(ctx.recorder.queries)).toEqual(['artist', 'album'])
      expect(ctx.recorder.queries[1]!.parameters).toEqual([])
      expect(ctx.recorder.sql[1]).toMatch(/where [`"]t1[`"]\.[`"]artist_id[`"] is not null order by/)
      expect(graphs(joined, { albums: {} })).toEqual(want)
      expect(graphs(selected, { albums: {} })).toEqual(want)
    })

    test('selectIn after a filtered or paged root lists the parents\' keys', async () => {
      const want = (await expected()).filter((a) => (a.artistId as number) <= 5)
      for (const query of [
        ctx.orm.session().query('artists').where('artistId', '<=', 5),
        ctx.orm.session().query('artists').orderBy('artistId').limit(5),
      ]) {
        ctx.recorder.clear()
        const artists = await query.with({ albums: { tracks: true } }).orderBy('artistId').all()
        expect(shapes(ctx.recorder.queries)).toEqual(['artist', 'album IN(5)', 'track IN(7)'])
        expect(ctx.recorder.queries[1]!.parameters).toEqual(range(1, 5))
        expect(graphs(artists, { albums: { tracks: {} } })).toEqual(want)
      }
    })

    test('lazy: one statement per relation of one object, none once it is loaded', async () => {
      const want = (await expected())[0]!
      const session = ctx.orm.session()
      const acdc = (await session.get('artists', 1))!
      ctx.recorder.clear()
      const albums = await acdc.albums.load()
      expect(shapes(ctx.recorder.queries)).toEqual(['album IN(1)'])
      expect(ctx.recorder.queries[0]!.parameters).toEqual([1])
      expect(acdc.albums).toBe(albums)
      expect(await acdc.albums.load()).toBe(albums)
      expect(await session.load(acdc, 'albums')).toBe(acdc)
      ctx.recorder.clear()
      for (const album of albums) await album.tracks.load()
      expect(shapes(ctx.recorder.queries)).toEqual(['track IN(1)', 'track IN(1)'])
      expect(graphs([acdc], spec)).toEqual([want])
    })

    test('batched: Promise.all over all 275 artists is one statement per level (no N+1)', async () => {
      const want = await expected()
      const session = ctx.orm.session()
      const artists = await session.query('artists').orderBy('artistId').all()
      ctx.recorder.clear()
      const lists = await Promise.all(artists.map((artist) => artist.albums.load()))
      expect(shapes(ctx.recorder.queries)).toEqual(['album IN(275)'])
      expect(lists.map((list, i) => list === artists[i]!.albums)).toEqual(artists.map(() => true))
      const albums = lists.flat()
      expect(albums).toHaveLength(347)
      ctx.recorder.clear()
      await Promise.all(albums.map((album) => album.tracks.load()))
      expect(shapes(ctx.recorder.queries)).toEqual(['track IN(347)'])
      expect([...ctx.recorder.queries[0]!.parameters].sort((a, b) => Number(a) - Number(b))).toEqual(range(1, 347))
      expect(graphs(artists, spec)).toEqual(want)
      ctx.recorder.clear()
      await Promise.all(artists.map((artist) => artist.albums.load()))
      expect(ctx.recorder.sql).toEqual([])
    })

    test('batched through session.load(): one statement for all artists', async () => {
      const want = (await expected()).slice(0, 10).map((artist) => [artist.artistId, (artist.albums as Plain[]).map((album) => album.albumId)])
      ctx.recorder.clear()
      const session = ctx.orm.session()
      const artists = await session.query('artists').where('artistId', '<=', 10).orderBy('artistId').all()
      ctx.recorder.clear()
      const loaded = await Promise.all(artists.map((artist) => session.load(artist, 'albums')))
      expect(shapes(ctx.recorder.queries)).toEqual(['album IN(10)'])
      expect(loaded.map((artist) => [artist.artistId, artist.albums.map((album) => album.albumId)])).toEqual(want)
      expect(loaded.every((artist, i) => artist === artists[i])).toBe(true)
    })
  })

  describe('many-to-one: album.artist', () => {
    const spec = { artist: {} }
    const expected = async (): Promise<Plain[]> => {
      const rows = await db()
        .selectFrom('album as al')
        .innerJoin('artist as ar', 'ar.artist_id', 'al.artist_id')
        .select(['al.album_id', 'al.title', 'al.artist_id', 'ar.name'])
        .orderBy('al.album_id')
        .execute()
      return rows.map((r) => ({ albumId: r.album_id, title: r.title, artistId: r.artist_id, artist: { artistId: r.artist_id, name: r.name } }))
    }

    eagerVariants(expected, spec, [
      { name: "'join'", run: (s) => s.query('albums').with({ artist: 'join' }).orderBy('albumId').all(), shapes: ['album>artist'] },
      { name: "'selectIn'", run: (s) => s.query('albums').with({ artist: 'selectIn' }).orderBy('albumId').all(), shapes: ['album', 'artist IN(204)'] },
      { name: "query-wide .strategy('join')", run: (s) => s.query('albums').strategy('join').with({ artist: true }).orderBy('albumId').all(), shapes: ['album>artist'] },
      { name: "query-wide .strategy('selectIn')", run: (s) => s.query('albums').strategy('selectIn').with({ artist: true }).orderBy('albumId').all(), shapes: ['album', 'artist IN(204)'] },
      { name: 'relation default: to-one is join', run: (s) => s.query('albums').with({ artist: true }).orderBy('albumId').all(), shapes: ['album>artist'] },
    ])

    test('albums of one artist share one artist object, whichever the strategy', async () => {
      for (const strategy of ['join', 'selectIn'] as const) {
        const albums = await ctx.orm.session().query('albums').where('artistId', '=', 1).with({ artist: strategy }).orderBy('albumId').all()
        expect(albums.map((a) => a.albumId)).toEqual([1, 4])
        expect(albums[0]!.artist).toBe(albums[1]!.artist)
        expect({ ...albums[0]!.artist }).toEqual({ artistId: 1, name: 'AC/DC' })
      }
    })

    test('batched: Promise.all over all 347 albums is one statement for their 204 artists', async () => {
      const want = await expected()
      const session = ctx.orm.session()
      const albums = await session.query('albums').orderBy('albumId').all()
      ctx.recorder.clear()
      const artists = await Promise.all(albums.map((album) => album.artist.load()))
      expect(shapes(ctx.recorder.queries)).toEqual(['artist IN(204)'])
      expect(new Set(artists).size).toBe(204)
      expect(artists.every((artist, i) => Object.is(artist, albums[i]!.artist))).toBe(true)
      expect(graphs(albums, spec)).toEqual(want)
    })

    test('lazy: one statement, none for a target already in the identity map', async () => {
      const want = await expected()
      const session = ctx.orm.session()
      const albums = await session.query('albums').orderBy('albumId').all()
      ctx.recorder.clear()
      const acdc = await albums[0]!.artist.load()
      expect(shapes(ctx.recorder.queries)).toEqual(['artist IN(1)'])
      expect(ctx.recorder.queries[0]!.parameters).toEqual([1])
      // Album 4 is AC/DC's too.
      expect(await albums[3]!.artist.load()).toBe(acdc)
      expect(await session.get('artists', 1)).toBe(acdc)
      expect(shapes(ctx.recorder.queries)).toEqual(['artist IN(1)'])
      ctx.recorder.clear()
      await Promise.all(albums.map((album) => session.load(album, 'artist')))
      // AC/DC is in the map already: the 203 other artists are read.
      expect(shapes(ctx.recorder.queries)).toEqual(['artist IN(203)'])
      expect(ctx.recorder.queries[0]!.parameters).not.toContain(1)
      expect(graphs(albums, spec)).toEqual(want)
    })

    test('join: a many-to-one chain is LEFT JOINs read as columns, not JSON; a filter that matches nothing leaves it null', async () => {
      const tracks = await ctx.orm.session().query('tracks').where('trackId', 'in', [1, 2]).with({ album: { artist: true } }).orderBy('trackId').all()
      expect(ctx.recorder.sql).toHaveLength(1)
      expect(ctx.recorder.sql[0]).toMatch(/ left join [`"]album[`"] as [`"]t\d+[`"] on .* left join [`"]artist[`"] as /)
      expect(ctx.recorder.sql[0]).not.toMatch(/json/i)
      expect(tracks.map((t) => [t.album!.title, t.album!.artist.name])).toEqual([
        ['For Those About To Rock We Salute You', 'AC/DC'],
        ['Balls to the Wall', 'Accept'],
      ])
      const filtered = await ctx.orm.session().query('tracks').where({ trackId: 1 }).with({ album: (q) => q.where({ title: 'Nope' }) }).one()
      expect(filtered.album).toBeNull()
    })

    // A loaded to-one reads as the object itself, whose load() resolves to itself.
    test('load() on a to-one relation that is already loaded', async () => {
      const session = ctx.orm.session()
      const album = (await session.get('albums', 1))!
      const artist = await album.artist.load()
      await expect(album.artist.load()).resolves.toBe(artist)
    })
  })

  describe('many-to-many through playlist_track: playlist.tracks, track.playlists', () => {
    const spec = { tracks: {} }
    const expected = async (): Promise<Plain[]> => {
      const playlists = await db().selectFrom('playlist').selectAll().orderBy('playlist_id').execute()
      const links = await db()
        .selectFrom('playlist_track as pt')
        .innerJoin('track as t', 't.track_id', 'pt.track_id')
        .selectAll('t')
        .select('pt.playlist_id as link_playlist_id')
        .orderBy('pt.playlist_id')
        .orderBy('t.track_id')
        .execute()
      const byPlaylist = groupBy(links, (l) => l.link_playlist_id)
      return playlists.map((p) => ({ ...properties('playlists', p), tracks: (byPlaylist.get(p.playlist_id) ?? []).map((t) => properties('tracks', t)) }))
    }

    eagerVariants(expected, spec, [
      { name: "'join'", run: (s) => s.query('playlists').with({ tracks: 'join' }).orderBy('playlistId').all(), shapes: ['playlist>track>playlist_track'] },
      { name: "'selectIn'", run: (s) => s.query('playlists').with({ tracks: 'selectIn' }).orderBy('playlistId').all(), shapes: ['playlist', 'track>playlist_track'] },
      { name: "query-wide .strategy('join')", run: (s) => s.query('playlists').strategy('join').with({ tracks: true }).orderBy('playlistId').all(), shapes: ['playlist>track>playlist_track'] },
      { name: "query-wide .strategy('selectIn')", run: (s) => s.query('playlists').strategy('selectIn').with({ tracks: true }).orderBy('playlistId').all(), shapes: ['playlist', 'track>playlist_track'] },
      { name: 'relation default: selectIn', run: (s) => s.query('playlists').with({ tracks: true }).orderBy('playlistId').all(), shapes: ['playlist', 'track>playlist_track'] },
    ])

    test('a track in several playlists is one object; playlist sizes as in playlist_track', async () => {
      for (const strategy of ['join', 'selectIn'] as const) {
        const playlists = await ctx.orm.session().query('playlists').with({ tracks: strategy }).orderBy('playlistId').all()
        expect(playlists.map((p) => p.tracks.length)).toEqual([3290, 0, 213, 0, 1477, 0, 0, 3290, 1, 213, 39, 75, 25, 25, 25, 15, 26, 1])
        const all = playlists.flatMap((p) => [...p.tracks])
        expect(all).toHaveLength(8715)
        expect(new Set(all).size).toBe(new Set(all.map((t) => t.trackId)).size)
        const music = playlists[0]!.tracks
        playlists[7]!.tracks.forEach((track, i) => expect(track).toBe(music[i]))
      }
    })

    test('the other side: track.playlists, both strategies, lazy and batched', async () => {
      const rows = await db()
        .selectFrom('track as t')
        .innerJoin('playlist_track as pt', 'pt.track_id', 't.track_id')
        .innerJoin('playlist as p', 'p.playlist_id', 'pt.playlist_id')
        .select(['t.track_id', 'p.playlist_id', 'p.name'])
        .where('t.album_id', 'in', [1, 2])
        .orderBy('t.track_id')
        .orderBy('p.playlist_id')
        .execute()
      const want = [...groupBy(rows, (r) => r.track_id)].map(([trackId, list]) => [trackId, list.map((r) => ({ playlistId: r.playlist_id, name: r.name }))])
      expect(want.map(([id]) => id)).toEqual([1, 2, 6, 7, 8, 9, 10, 11, 12, 13, 14])
      for (const strategy of ['join', 'selectIn'] as const) {
        ctx.recorder.clear()
        const tracks = await ctx.orm.session().query('tracks').where('albumId', 'in', [1, 2]).with({ playlists: strategy }).orderBy('trackId').all()
        expect(shapes(ctx.recorder.queries)).toEqual(strategy === 'join' ? ['track>playlist>playlist_track'] : ['track', 'playlist>playlist_track IN(11)'])
        expect(tracks.map((t) => [t.trackId, t.playlists.map((p) => ({ ...p }))])).toEqual(want)
      }
      const session = ctx.orm.session()
      const tracks = await session.query('tracks').where('albumId', 'in', [1, 2]).orderBy('trackId').all()
      ctx.recorder.clear()
      const lists = await Promise.all(tracks.map((t) => t.playlists.load()))
      expect(shapes(ctx.recorder.queries)).toEqual(['playlist>playlist_track IN(11)'])
      expect(tracks.map((t, i) => [t.trackId, lists[i]!.map((p) => ({ ...p }))])).toEqual(want)
    })

    test('lazy and batched playlist.tracks', async () => {
      const want = await expected()
      const session = ctx.orm.session()
      const playlists = await session.query('playlists').orderBy('playlistId').all()
      ctx.recorder.clear()
      await playlists[8]!.tracks.load()
      expect(shapes(ctx.recorder.queries)).toEqual(['track>playlist_track IN(1)'])
      ctx.recorder.clear()
      await Promise.all(playlists.map((p) => p.tracks.load()))
      expect(shapes(ctx.recorder.queries)).toEqual(['track>playlist_track IN(17)'])
      expect(graphs(playlists, spec)).toEqual(want)
    })
  })

  describe('self-reference: employee.reportsTo and employee.reports', () => {
    const spec = { reportsTo: {}, reports: {} }
    const expected = async (): Promise<Plain[]> => {
      const employees = (await db().selectFrom('employee').selectAll().orderBy('employee_id').execute()).map((e) => ({ row: e, plain: properties('employees', e) }))
      return employees.map(({ row, plain }) => ({
        ...plain,
        reportsTo: employees.find((m) => m.row.employee_id === row.reports_to)?.plain ?? null,
        reports: employees.filter((r) => r.row.reports_to === row.employee_id).map((r) => r.plain),
      }))
    }

    eagerVariants(expected, spec, [
      {
        name: "per relation 'join'",
        run: (s) => s.query('employees').with({ reportsTo: 'join', reports: 'join' }).orderBy('employeeId').all(),
        shapes: ['employee>employee>employee'],
      },
      {
        name: "per relation 'selectIn'",
        run: (s) => s.query('employees').with({ reportsTo: 'selectIn', reports: 'selectIn' }).orderBy('employeeId').all(),
        shapes: ['employee', 'employee'],
      },
      {
        name: "query-wide .strategy('join'): one statement",
        run: (s) => s.query('employees').strategy('join').with({ reportsTo: true, reports: true }).orderBy('employeeId').all(),
        shapes: ['employee>employee>employee'],
      },
      {
        // Every manager is among the rows already: reportsTo needs no statement.
        name: "query-wide .strategy('selectIn'): managers come from the identity map",
        run: (s) => s.query('employees').strategy('selectIn').with({ reportsTo: true, reports: true }).orderBy('employeeId').all(),
        shapes: ['employee', 'employee'],
      },
      {
        name: 'relation defaults: reportsTo join, reports selectIn',
        run: (s) => s.query('employees').with({ reportsTo: true, reports: true }).orderBy('employeeId').all(),
        shapes: ['employee>employee', 'employee'],
      },
    ])

    test('the hierarchy is one graph of shared objects; the top has no manager', async () => {
      for (const strategy of ['join', 'selectIn'] as const) {
        const employees = await ctx.orm.session().query('employees').strategy(strategy).with({ reportsTo: true, reports: true }).orderBy('employeeId').all()
        const [adams, edwards, peacock] = employees
        expect(adams!.reportsTo).toBeNull()
        expect(edwards!.reportsTo).toBe(adams)
        expect(peacock!.reportsTo).toBe(edwards)
        expect(adams!.reports).toEqual([edwards, employees[5]])
        expect(adams!.reports[0]).toBe(edwards)
        expect(edwards!.reports.map((e) => e.employeeId)).toEqual([3, 4, 5])
        expect(edwards!.reports[0]).toBe(peacock)
      }
    })

    test('lazy and batched, from a subset: managers outside it are read, those inside are not', async () => {
      const want = (await expected()).filter((e) => (e.employeeId as number) >= 3)
      const session = ctx.orm.session()
      const staff = await session.query('employees').where('employeeId', '>=', 3).orderBy('employeeId').all()
      ctx.recorder.clear()
      // Their managers are 2, 1 and 6; 6 is among the rows, so only 2 and 1 are read.
      await Promise.all(staff.map((e) => session.load(e, 'reportsTo')))
      expect(shapes(ctx.recorder.queries)).toEqual(['employee IN(2)'])
      expect(ctx.recorder.queries[0]!.parameters).toEqual([2, 1])
      ctx.recorder.clear()
      await Promise.all(staff.map((e) => e.reports.load()))
      expect(shapes(ctx.recorder.queries)).toEqual(['employee IN(6)'])
      expect(graphs(staff, spec)).toEqual(want)
      expect(session.isLoaded(staff[0]!, 'reportsTo') && staff[0]!.reportsTo).toBe(await session.get('employees', 2))
    })

    test('a tree three levels deep from the top, per strategy', async () => {
      const tree = { reports: { reports: { reports: {} } } }
      const results: Plain[][] = []
      for (const strategy of ['join', 'selectIn'] as const) {
        ctx.recorder.clear()
        const top = await ctx.orm.session().query('employees').where({ reportsToId: null }).strategy(strategy).with({ reports: { reports: { reports: true } } }).all()
        expect(shapes(ctx.recorder.queries)).toEqual(strategy === 'join' ? ['employee>employee>employee>employee'] : ['employee', 'employee IN(1)', 'employee IN(2)', 'employee IN(5)'])
        results.push(graphs(top, tree))
      }
      expect(results[0]).toEqual(results[1])
      const ids = (list: unknown): unknown => (list as Plain[]).map((e) => [e.employeeId, ids(e.reports ?? [])])
      expect(ids(results[0])).toEqual([[1, [[2, [[3, []], [4, []], [5, []]]], [6, [[7, []], [8, []]]]]]])
    })
  })

  describe('two keys into one table: customer.supportRep, employee.customers', () => {
    test('customer.supportRep follows support_rep_id, per strategy, eager and batched', async () => {
      const rows = await db().selectFrom('customer as c').innerJoin('employee as e', 'e.employee_id', 'c.support_rep_id').select(['c.customer_id', 'e.employee_id', 'e.last_name']).orderBy('c.customer_id').execute()
      const want = rows.map((r) => [r.customer_id, r.employee_id, r.last_name])
      expect(want).toHaveLength(59)
      for (const [strategy, statements] of [['join', ['customer>employee']], ['selectIn', ['customer', 'employee IN(3)']], [true, ['customer>employee']]] as const) {
        ctx.recorder.clear()
        const customers = await ctx.orm.session().query('customers').with({ supportRep: strategy }).orderBy('customerId').all()
        expect(shapes(ctx.recorder.queries)).toEqual(statements)
        expect(customers.map((c) => [c.customerId, c.supportRep!.employeeId, c.supportRep!.lastName])).toEqual(want)
      }
      const session = ctx.orm.session()
      const customers = await session.query('customers').orderBy('customerId').all()
      ctx.recorder.clear()
      const reps = await Promise.all(customers.map((c) => c.supportRep?.load()))
      expect(shapes(ctx.recorder.queries)).toEqual(['employee IN(3)'])
      expect(reps.map((e, i) => [customers[i]!.customerId, e!.employeeId, e!.lastName])).toEqual(want)
    })

    test('employee.customers and employee.reports stay apart, per strategy', async () => {
      const customers = groupBy(await db().selectFrom('customer').select(['customer_id', 'support_rep_id']).orderBy('customer_id').execute(), (c) => c.support_rep_id)
      const employees = await db().selectFrom('employee').select(['employee_id', 'reports_to']).orderBy('employee_id').execute()
      const want = employees.map((e) => [
        e.employee_id,
        (customers.get(e.employee_id) ?? []).map((c) => c.customer_id),
        employees.filter((r) => r.reports_to === e.employee_id).map((r) => r.employee_id),
      ])
      expect(want.map(([, cs]) => (cs as number[]).length)).toEqual([0, 0, 21, 20, 18, 0, 0, 0])
      for (const [strategy, statements] of [['join', ['employee>customer>employee']], ['selectIn', ['employee', 'customer', 'employee']]] as const) {
        ctx.recorder.clear()
        const list = await ctx.orm.session().query('employees').strategy(strategy).with({ customers: true, reports: true }).orderBy('employeeId').all()
        expect(shapes(ctx.recorder.queries)).toEqual(statements)
        expect(list.map((e) => [e.employeeId, e.customers.map((c) => c.customerId), e.reports.map((r) => r.employeeId)])).toEqual(want)
      }
    })
  })

  describe('a five-level chain: invoice → lines → track → album → artist', () => {
    const spec = { lines: { track: { album: { artist: {} } } } }
    const expected = async (): Promise<Plain[]> => {
      const byId = <T, K>(rows: readonly T[], key: (row: T) => K) => new Map(rows.map((row) => [key(row), row]))
      const invoices = await db().selectFrom('invoice').selectAll().orderBy('invoice_id').execute()
      const lines = groupBy(await db().selectFrom('invoice_line').selectAll().orderBy('invoice_line_id').execute(), (l) => l.invoice_id)
      const tracks = byId(await db().selectFrom('track').selectAll().execute(), (t) => t.track_id)
      const albums = byId(await db().selectFrom('album').selectAll().execute(), (a) => a.album_id)
      const artists = byId(await db().selectFrom('artist').selectAll().execute(), (a) => a.artist_id)
      return invoices.map((invoice) => ({
        ...properties('invoices', invoice),
        lines: (lines.get(invoice.invoice_id) ?? []).map((line) => {
          const track = tracks.get(line.track_id)!
          const album = albums.get(track.album_id!)!
          return {
            ...properties('invoiceLines', line),
            track: { ...properties('tracks', track), album: { ...properties('albums', album), artist: properties('artists', artists.get(album.artist_id)!) } },
          }
        }),
      }))
    }

    eagerVariants(expected, spec, [
      {
        name: "query-wide .strategy('join'): one statement",
        run: (s) => s.query('invoices').strategy('join').with({ lines: { track: { album: { artist: true } } } }).orderBy('invoiceId').all(),
        shapes: ['invoice>invoice_line>track>album>artist'],
      },
      {
        name: "query-wide .strategy('selectIn'): one statement per level",
        run: (s) => s.query('invoices').strategy('selectIn').with({ lines: { track: { album: { artist: true } } } }).orderBy('invoiceId').all(),
        shapes: ['invoice', 'invoice_line', 'track IN(1984)', 'album IN(304)', 'artist IN(165)'],
      },
      {
        name: 'relation defaults: lines selectIn with the to-one chain joined into it',
        run: (s) => s.query('invoices').with({ lines: { track: { album: { artist: true } } } }).orderBy('invoiceId').all(),
        shapes: ['invoice', 'invoice_line>track>album>artist'],
      },
      {
        name: 'per relation: lines join, track selectIn, album join (and artist with it)',
        run: (s) =>
          s
            .query('invoices')
            .with({ lines: (q) => q.strategy('join').with({ track: (t) => t.strategy('selectIn').with({ album: (a) => a.strategy('join').with({ artist: true }) }) }) })
            .orderBy('invoiceId')
            .all(),
        shapes: ['invoice>invoice_line', 'track>album>artist IN(1984)'],
      },
      {
        name: 'a relation query’s strategy applies to the relations under it that name none',
        run: (s) =>
          s
            .query('invoices')
            .with({ lines: (q) => q.strategy('join').with({ track: (t) => t.strategy('selectIn').with({ album: { artist: 'join' } }) }) })
            .orderBy('invoiceId')
            .all(),
        shapes: ['invoice>invoice_line', 'track IN(1984)', 'album>artist IN(304)'],
      },
    ])

    test('batched lazy loads: one statement per level', async () => {
      const want = await expected()
      const session = ctx.orm.session()
      const invoices = await session.query('invoices').orderBy('invoiceId').all()
      ctx.recorder.clear()
      const lines = (await Promise.all(invoices.map((i) => i.lines.load()))).flat()
      const tracks = await Promise.all(lines.map((l) => l.track.load()))
      const albums = await Promise.all(tracks.map((t) => t.album?.load()))
      await Promise.all(albums.map((a) => a!.artist.load()))
      expect(shapes(ctx.recorder.queries)).toEqual(['invoice_line IN(412)', 'track IN(1984)', 'album IN(304)', 'artist IN(165)'])
      expect(lines).toHaveLength(2240)
      expect(graphs(invoices, spec)).toEqual(want)
    })
  })
})
