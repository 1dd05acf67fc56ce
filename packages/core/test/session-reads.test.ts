/**
 * Reading through a session on Chinook: the identity map across queries, `get`, lazy and eager
 * loads; unloaded relations; entities as plain data (spread, JSON); the `log` option.
 */
import { inspect } from 'node:util'
import { describe, expect, test } from 'vitest'
import { loadChinook, schema } from '@relata/test-kit/chinook'
import { setupChinook } from '@relata/test-kit/chinook-suite'
import { mariadbTestServer, postgresTestServer, type TestServer } from '@relata/test-kit/servers'
import { describeEachDialect, type TargetName } from '@relata/test-kit/targets'
import { createOrm, RelataError, type QueryEvent, type Session } from '../src/index.js'
import { shapes } from './support/graphs.js'

describeEachDialect('session reads', (target) => {
  const ctx = setupChinook(target)

  describe('identity map: one row, one object', () => {
    test('across queries, lazy loads and eager loads of one session', async () => {
      const session = ctx.orm.session()
      const acdc = await session.query('artists').where({ artistId: 1 }).one()
      const all = await session.query('artists').orderBy('artistId').all()
      expect(all[0]).toBe(acdc)
      const albums = await acdc.albums.load()
      const [forThoseAboutToRock, letThereBeRock] = albums
      expect(await forThoseAboutToRock!.artist.load()).toBe(acdc)
      const eager = await session.query('albums').where('albumId', 'in', [1, 4]).with({ artist: 'join', tracks: 'join' }).orderBy('albumId').all()
      expect(eager[0]).toBe(forThoseAboutToRock)
      expect(eager[1]).toBe(letThereBeRock)
      expect(eager[1]!.artist).toBe(acdc)
      const tracks = await session.query('tracks').where({ albumId: 4 }).orderBy('trackId').all()
      expect(tracks.every((track, i) => track === eager[1]!.tracks[i])).toBe(true)
      const viaSelectIn = await session.query('artists').where({ artistId: 1 }).with({ albums: { tracks: 'selectIn' } }).strategy('selectIn').one()
      expect(viaSelectIn).toBe(acdc)
      expect(viaSelectIn.albums[1]).toBe(letThereBeRock)
      expect(viaSelectIn.albums[1]!.tracks[0]).toBe(tracks[0])
    })

    test('objects met through different relations are one object: a track via its album and via a playlist', async () => {
      const session = ctx.orm.session()
      const [grunge] = await session.query('playlists').where({ name: 'Grunge' }).with({ tracks: { album: 'join' } }).all()
      expect(grunge!.tracks).toHaveLength(15)
      const track = grunge!.tracks[0]!
      const album = track.album!
      const viaAlbum = await session.query('albums').where({ albumId: album.albumId }).with({ tracks: 'selectIn' }).one()
      expect(viaAlbum).toBe(album)
      expect(viaAlbum.tracks.find((t) => t.trackId === track.trackId)).toBe(track)
      const playlists = await track.playlists.load()
      expect(playlists.find((p) => p.playlistId === grunge!.playlistId)).toBe(grunge)
    })

    test('another session has its own objects', async () => {
      const a = await ctx.orm.session().get('artists', 1)
      const b = await ctx.orm.session().get('artists', 1)
      expect(a).not.toBe(b)
      expect({ ...a }).toEqual({ ...b })
    })

    test("get('artists', 1) twice: one statement, the same object", async () => {
      const session = ctx.orm.session()
      const first = await session.get('artists', 1)
      const second = await session.get('artists', 1)
      expect(second).toBe(first)
      expect({ ...first }).toEqual({ artistId: 1, name: 'AC/DC' })
      expect(shapes(ctx.recorder.queries)).toEqual(['artist'])
      expect(ctx.recorder.queries[0]!.parameters).toEqual([1, 1])
      const q = target.family === 'mysql' ? '`' : '"'
      const p = target.family === 'mysql' ? ['?', '?'] : ['$1', '$2']
      expect(ctx.recorder.sql[0]).toBe(`select ${q}t0${q}.${q}artist_id${q}, ${q}t0${q}.${q}name${q} from ${q}artist${q} as ${q}t0${q} where ${q}t0${q}.${q}artist_id${q} = ${p[0]} limit ${p[1]}`)
    })

    test('get answers from the map for an object any query loaded; a missing key is undefined', async () => {
      const session = ctx.orm.session()
      const albums = await session.query('albums').where('albumId', '<=', 5).with({ artist: true }).orderBy('albumId').all()
      ctx.recorder.clear()
      expect(await session.get('artists', 2)).toBe(albums[1]!.artist)
      expect(await session.get('albums', 5)).toBe(albums[4])
      expect(ctx.recorder.sql).toEqual([])
      expect(await session.get('artists', 276)).toBeUndefined()
      expect(await session.get('artists', 276)).toBeUndefined()
      expect(ctx.recorder.sql).toHaveLength(2)
    })

    test('a many-to-one whose target is in the map loads without SQL', async () => {
      const session = ctx.orm.session()
      const artists = await session.query('artists').all()
      const albums = await session.query('albums').all()
      ctx.recorder.clear()
      const loaded = await Promise.all(albums.map((album) => session.load(album, 'artist')))
      const eager = await session.query('albums').with({ artist: 'selectIn' }).all()
      expect(shapes(ctx.recorder.queries)).toEqual(['album'])
      const byId = new Map(artists.map((a) => [a.artistId, a]))
      expect(loaded.every((album) => album.artist === byId.get(album.artistId))).toBe(true)
      expect(eager.every((album, i) => Object.is(album, albums[i]) && album.artist === byId.get(album.artistId))).toBe(true)
    })

    test('composite keys: get playlistTracks by { playlistId, trackId }', async () => {
      const session = ctx.orm.session()
      const link = await session.get('playlistTracks', { playlistId: 1, trackId: 3402 })
      expect({ ...link }).toEqual({ playlistId: 1, trackId: 3402 })
      expect(await session.get('playlistTracks', { trackId: 3402, playlistId: 1 })).toBe(link)
      expect(shapes(ctx.recorder.queries)).toEqual(['playlist_track'])
      expect(ctx.recorder.queries[0]!.parameters).toEqual([1, 3402, 1])
      const queried = await session.query('playlistTracks').where({ playlistId: 1 }).where('trackId', '>', 3400).where('trackId', '<', 3404).orderBy('trackId').all()
      expect(queried.map((l) => l.trackId)).toEqual([3401, 3402, 3403])
      expect(queried[1]).toBe(link)
      ctx.recorder.clear()
      expect(await session.get('playlistTracks', { playlistId: 1, trackId: 3403 })).toBe(queried[2])
      expect(ctx.recorder.sql).toEqual([])
      expect(await session.get('playlistTracks', { playlistId: 2, trackId: 3402 })).toBeUndefined()
    })

    test('get checks its key', async () => {
      const session = ctx.orm.session()
      // @ts-expect-error artists have a single key
      await expect(session.get('artists', { artistId: 1 })).rejects.toThrow(new RelataError("get('artists', ...): expects the value of 'artistId'"))
      // @ts-expect-error playlistTracks have a composite key
      await expect(session.get('playlistTracks', 1)).rejects.toThrow(new RelataError("get('playlistTracks', ...): expects an object with 'playlistId', 'trackId'"))
      // @ts-expect-error trackId is missing
      await expect(session.get('playlistTracks', { playlistId: 1 })).rejects.toThrow(new RelataError("get('playlistTracks', ...): 'trackId' is missing from the key"))
      expect(ctx.recorder.sql).toEqual([])
    })

    test('clear() forgets every object: the next get reads again', async () => {
      const session = ctx.orm.session()
      const before = await session.get('artists', 1)
      session.clear()
      const after = await session.get('artists', 1)
      expect(after).not.toBe(before)
      expect(ctx.recorder.sql).toHaveLength(2)
    })
  })

  describe('unloaded relations', () => {
    test('reading one throws a RelataError that names it and shows how to load it', async () => {
      const session = ctx.orm.session()
      const artist = (await session.get('artists', 1))!
      const album = (await session.get('albums', 1))!
      const albumsError =
        "artists.albums is not loaded on artists(artistId=1) (read '0'): load it with `await artist.albums.load()` or " +
        "`await session.load(artist, 'albums')`, or eagerly with `session.query('artists').with({ albums: true })`"
      // @ts-expect-error an unloaded collection cannot be indexed
      expect(() => artist.albums[0]).toThrow(new RelataError(albumsError))
      // @ts-expect-error nor has it a length
      expect(() => artist.albums.length).toThrow(RelataError)
      // @ts-expect-error nor can it be iterated
      expect(() => [...artist.albums]).toThrow(/artists\.albums is not loaded on artists\(artistId=1\)/)
      // @ts-expect-error nor mapped
      expect(() => artist.albums.map((a: unknown) => a)).toThrow(/\(read 'map'\)/)
      // @ts-expect-error an unloaded reference has no columns
      expect(() => album.artist.name).toThrow(
        new RelataError(
          "albums.artist is not loaded on albums(albumId=1) (read 'name'): load it with `await album.artist.load()` or " +
            "`await session.load(album, 'artist')`, or eagerly with `session.query('albums').with({ artist: true })`",
        ),
      )
      expect(inspect(artist.albums)).toBe('[Collection artists.albums (not loaded)]')
      expect(inspect(album.artist)).toBe('[Reference albums.artist (not loaded)]')
      expect(artist.albums.toString()).toBe('[Collection artists.albums (not loaded)]')
      expect(ctx.recorder.sql).toHaveLength(2)
    })

    test('String() of an unloaded relation gives its label', async () => {
      const artist = (await ctx.orm.session().get('artists', 1))!
      expect(String(artist.albums)).toBe('[Collection artists.albums (not loaded)]')
    })

    test('isLoaded and assertLoaded tell, the latter with the same advice', async () => {
      // An assertion signature needs the session's type written out.
      const session: Session<typeof schema> = ctx.orm.session()
      const artist = (await session.get('artists', 1))!
      expect(session.isLoaded(artist, 'albums')).toBe(false)
      expect(() => session.assertLoaded(artist, 'albums')).toThrow(new RelataError("artists.albums is not loaded: await session.load(entity, 'albums') first"))
      await session.load(artist, 'albums')
      expect(session.isLoaded(artist, 'albums')).toBe(true)
      session.assertLoaded(artist, 'albums')
      expect(artist.albums.map((a) => a.albumId)).toEqual([1, 4])
      // @ts-expect-error 'tracks' is not a relation of artists
      expect(() => session.isLoaded(artist, 'tracks')).toThrow(new RelataError("'tracks' is not a relation of 'artists' (relations: albums)"))
    })

    test('an eager load leaves the other relations unloaded', async () => {
      const album = await ctx.orm.session().query('albums').where({ albumId: 1 }).with({ artist: true }).one()
      expect(album.artist.name).toBe('AC/DC')
      // @ts-expect-error tracks were not loaded
      expect(() => album.tracks.length).toThrow(/albums\.tracks is not loaded on albums\(albumId=1\) \(read 'length'\)/)
      // @ts-expect-error nor the artist's albums
      expect(() => album.artist.albums[0]).toThrow(/artists\.albums is not loaded on artists\(artistId=1\) \(read '0'\)/)
    })
  })

  describe('entities are plain data', () => {
    test('spreading gives the columns only, loaded relations or not', async () => {
      const album = await ctx.orm.session().query('albums').where({ albumId: 1 }).with({ artist: true, tracks: true }).one()
      expect({ ...album }).toEqual({ albumId: 1, title: 'For Those About To Rock We Salute You', artistId: 1 })
      expect(Object.keys(album)).toEqual(['albumId', 'title', 'artistId'])
      expect({ ...album.artist }).toEqual({ artistId: 1, name: 'AC/DC' })
    })

    test('JSON.stringify: columns and loaded relations, unloaded ones left out', async () => {
      const session = ctx.orm.session()
      const artist = (await session.get('artists', 1))!
      expect(JSON.stringify(artist)).toBe('{"artistId":1,"name":"AC/DC"}')
      const invoice = await session.query('invoices').where({ invoiceId: 1 }).with({ lines: true }).one()
      expect(JSON.parse(JSON.stringify(invoice))).toEqual({
        invoiceId: 1,
        customerId: 2,
        invoiceDate: '2021-01-01T00:00:00.000Z',
        billingAddress: 'Theodor-Heuss-Straße 34',
        billingCity: 'Stuttgart',
        billingState: null,
        billingCountry: 'Germany',
        billingPostalCode: '70174',
        total: '1.98',
        lines: [
          { invoiceLineId: 1, invoiceId: 1, trackId: 2, unitPrice: '0.99', quantity: 1 },
          { invoiceLineId: 2, invoiceId: 1, trackId: 4, unitPrice: '0.99', quantity: 1 },
        ],
      })
    })

    test('JSON.stringify is cycle-safe: album → artist → albums → the same album is written as its key', async () => {
      for (const strategy of ['join', 'selectIn'] as const) {
        const album = await ctx.orm.session().query('albums').where({ albumId: 1 }).strategy(strategy).with({ artist: { albums: true } }).one()
        expect(album.artist.albums[0]).toBe(album)
        expect(JSON.parse(JSON.stringify(album))).toEqual({
          albumId: 1,
          title: 'For Those About To Rock We Salute You',
          artistId: 1,
          artist: { artistId: 1, name: 'AC/DC', albums: [1, { albumId: 4, title: 'Let There Be Rock', artistId: 1 }] },
        })
        expect(JSON.parse(JSON.stringify(album.artist))).toEqual({
          artistId: 1,
          name: 'AC/DC',
          albums: [
            { albumId: 1, title: 'For Those About To Rock We Salute You', artistId: 1, artist: 1 },
            { albumId: 4, title: 'Let There Be Rock', artistId: 1 },
          ],
        })
      }
    })

    test('JSON.stringify of a self-referencing hierarchy ends', async () => {
      const employees = await ctx.orm.session().query('employees').strategy('join').with({ reportsTo: true, reports: true }).orderBy('employeeId').all()
      const json = JSON.parse(JSON.stringify(employees.slice(0, 2))) as { employeeId: number; reportsTo: { employeeId: number } | null; reports: { employeeId: number }[] }[]
      expect(json.map((e) => [e.employeeId, e.reportsTo?.employeeId ?? null, e.reports.map((r) => r.employeeId)])).toEqual([
        [1, null, [2, 6]],
        [2, 1, [3, 4, 5]],
      ])
    })
  })
})

const servers: Partial<Record<TargetName, TestServer>> = { postgres: postgresTestServer, mariadb: mariadbTestServer, 'postgres-pgbouncer': postgresTestServer }

describeEachDialect('session reads: the log option', (target) => {
  test('reports every statement a session sends, with its parameters', async () => {
    const server = servers[target.name]
    const database = await server?.createDatabase()
    const events: QueryEvent[] = []
    const orm = createOrm({ schema, dialect: target.dialect({ database }), log: (event) => events.push(event) })
    try {
      await orm.createTables()
      await loadChinook(orm)
      events.length = 0
      const artists = await orm.session().query('artists').where('artistId', '<=', 2).with({ albums: 'selectIn' }).orderBy('artistId').all()
      expect(artists.map((a) => a.albums.map((al) => al.title))).toEqual([['For Those About To Rock We Salute You', 'Let There Be Rock'], ['Balls to the Wall', 'Restless and Wild']])
    } finally {
      await orm.destroy()
      if (database !== undefined) await server!.dropDatabase(database)
    }
    expect(events.map((e) => shapes([e])[0])).toEqual(['artist', 'album IN(2)'])
    expect(events.map((e) => e.parameters)).toEqual([[2], [1, 2]])
    expect(events.every((e) => e.error === undefined && e.durationMs >= 0)).toBe(true)
  })
})
