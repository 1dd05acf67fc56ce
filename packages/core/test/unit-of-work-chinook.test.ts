/**
 * The unit of work on the Chinook schema: a bulk flush whose statement count grows with tables
 * and parameter-limit chunks, not rows; self-referencing employees; a deep graph of new objects.
 */
import { beforeEach, expect, test } from 'vitest'
import { schema } from '@relata/test-kit/chinook'
import { describeEachDialect, type TestContext } from '@relata/test-kit/targets'
import { emptyTables, normalizeSql } from './fixtures/unit-of-work.js'

type S = typeof schema
type ChinookTable = 'artist' | 'album' | 'track' | 'playlist' | 'playlist_track' | 'employee'

const countRows = async (ctx: TestContext<S>, table: ChinookTable) =>
  Number((await ctx.orm.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

/** Statements one table's INSERT takes: one per chunk of rows the parameter limit allows (as the persister chunks). */
function insertChunks(ctx: TestContext<S>, table: keyof S['$infer']['tables'] & string, rows: number): number {
  const { maxParameters } = ctx.dialect.capabilities
  // A statement binds only the columns its rows give: here every one but a generated key.
  const perRow = ctx.orm.schema.table(table).columns.filter((c) => !c.config.generated).length
  return Math.ceil(rows / Math.floor((maxParameters - 100) / perRow))
}

/** `artists` × `albumsEach` × `tracksEach` new rows plus `playlists` playlists of `linksEach` new tracks each, in one session. */
function buildCatalog(ctx: TestContext<S>, sizes: { artists: number; albumsEach: number; tracksEach: number; playlists: number; linksEach: number }) {
  const session = ctx.orm.session()
  const mediaType = session.create('mediaTypes', { name: 'MPEG audio file' })
  const genre = session.create('genres', { name: 'Rock' })
  const tracks: ReturnType<typeof session.create<'tracks'>>[] = []
  const artists = Array.from({ length: sizes.artists }, (_, a) => {
    const artist = session.create('artists', { name: `Artist ${a}` })
    for (let b = 0; b < sizes.albumsEach; b++) {
      const album = session.create('albums', { title: `Album ${a}.${b}`, artist })
      for (let t = 0; t < sizes.tracksEach; t++) {
        const track = session.create('tracks', {
          name: `Track ${a}.${b}.${t}`,
          album,
          mediaType,
          genre: t % 2 === 0 ? genre : null,
          composer: t % 3 === 0 ? `Composer ${a}` : null,
          milliseconds: 1000 * (a + 1) + t,
          bytes: t % 4 === 0 ? null : 10_000 + t,
          unitPrice: t % 2 === 0 ? '0.99' : '1.29',
        })
        tracks.push(track)
      }
    }
    return artist
  })
  const playlists = Array.from({ length: sizes.playlists }, (_, p) => {
    const playlist = session.create('playlists', { name: `Playlist ${p}` })
    // Playlist p takes `linksEach` tracks starting at a different offset.
    const start = (p * 487) % tracks.length
    const chosen = Array.from({ length: sizes.linksEach }, (_, i) => tracks[(start + i) % tracks.length]!)
    playlist.tracks.add(...chosen)
    return playlist
  })
  return { session, mediaType, genre, artists, tracks, playlists }
}

describeEachDialect('unit of work: Chinook', (target) => {
  const ctx = target.setup(schema)
  const returning = target.family === 'postgres' || target.name === 'mariadb'

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const count = (table: ChinookTable) => countRows(ctx, table)

  test('bulk flush: 200 artists × 5 albums × 10 tracks and 20 playlists of 500 tracks; statements bounded by tables × chunks', () => bulkFlush(ctx, target.name, returning))

  test('round trips grow with tables, not rows: a tenth of the catalog takes as many statements, less one track chunk', async () => {
    const { session } = buildCatalog(ctx, { artists: 20, albumsEach: 5, tracksEach: 10, playlists: 5, linksEach: 100 })
    await session.commit()
    expect(ctx.recorder.sql).toHaveLength(returning ? 7 : 14)
    expect(await count('track')).toBe(1000)
    expect(await count('playlist_track')).toBe(500)
  })

  test('updates and deletes of many rows: one statement per column set and per table (and chunk)', async () => {
    const { session, tracks, playlists } = buildCatalog(ctx, { artists: 30, albumsEach: 2, tracksEach: 5, playlists: 3, linksEach: 40 })
    await session.commit()
    ctx.recorder.clear()
    for (const track of tracks.slice(0, 100)) track.unitPrice = '1.99'
    for (const track of tracks.slice(100, 150)) track.milliseconds += 1
    playlists[0]!.tracks.clear()
    session.delete(playlists[1]!)
    // Artist 0's tracks: the first 10.
    for (const track of tracks.slice(0, 10)) session.delete(track)
    expect(await session.plan()).toEqual([
      { operation: 'update', table: 'track', rows: 90, columns: ['unit_price'] },
      { operation: 'update', table: 'track', rows: 50, columns: ['milliseconds'] },
      { operation: 'deleteLinks', table: 'playlist_track', rows: 30 },
      { operation: 'purgeLinks', table: 'playlist_track', rows: 1 },
      { operation: 'purgeLinks', table: 'playlist_track', rows: 10 },
      { operation: 'delete', table: 'playlist', rows: 1 },
      { operation: 'delete', table: 'track', rows: 10 },
    ])
    await session.commit()
    expect(normalizeSql(ctx.recorder.sql).map((s) => s.split(' ').slice(0, 3).join(' ').replace(/^update "track" .*/, 'update "track"'))).toEqual([
      'update "track"',
      'update "track"',
      'delete from "playlist_track"',
      'delete from "playlist_track"',
      'delete from "playlist_track"',
      'delete from "playlist"',
      'delete from "track"',
    ])
    expect(await count('track')).toBe(290)
    expect(await count('playlist')).toBe(2)
    expect(await count('playlist_track')).toBe(40)
    const prices = await ctx.orm.db.selectFrom('track').select(['track_id', 'unit_price', 'milliseconds']).where('track_id', 'in', [10, 99, 101, 149, 150].map((i) => tracks[i]!.trackId)).orderBy('track_id').execute()
    expect(prices).toEqual([10, 99, 101, 149, 150].map((i) => ({ track_id: tracks[i]!.trackId, unit_price: tracks[i]!.unitPrice, milliseconds: tracks[i]!.milliseconds })))
    expect(prices.map((p) => p.unit_price)).toEqual(['1.99', '1.99', '1.29', '0.99', '0.99'])
  })

  test('an UPDATE of many rows and several columns, each with its own values: one pass, chunked by the parameter limit', async () => {
    const { session, tracks } = buildCatalog(ctx, { artists: 100, albumsEach: 5, tracksEach: 20, playlists: 0, linksEach: 0 })
    await session.commit()
    expect(tracks).toHaveLength(10_000)
    tracks.forEach((track, i) => {
      track.name = `Renamed ${i}`
      track.milliseconds = i
      track.composer = `C${i}`
    })
    ctx.recorder.clear()
    const started = performance.now()
    await session.commit()
    const elapsed = performance.now() - started
    // Per row: its key and 3 values = 4 parameters; 10,000 rows fit in one statement.
    expect(Math.floor((ctx.dialect.capabilities.maxParameters - 100) / 4)).toBe(16_358)
    expect(ctx.recorder.queries.map((q) => q.parameters.length)).toEqual([40_000])
    expect(normalizeSql(ctx.recorder.sql)[0]!.slice(0, 300)).toMatch(
      target.family === 'postgres'
        ? /^update "track" set "name" = "relata_v"."c0", "composer" = "relata_v"."c1", "milliseconds" = "relata_v"."c2" from \(values \(cast\(\? as integer\), cast\(\? as text\), cast\(\? as text\), cast\(\? as integer\)\), /
        : /^update "track" join \(select \? as "k0", \? as "c0", \? as "c1", \? as "c2" union all select \?, \?, \?, \? union all /,
    )
    console.info(`[${target.name}] UPDATE of 10,000 rows × 3 columns: ${Math.round(elapsed)} ms`)
    const rows = await ctx.orm.db.selectFrom('track').select(['track_id', 'name', 'milliseconds', 'composer']).orderBy('track_id').execute()
    expect(rows.filter((r, i) => r.track_id !== tracks[i]!.trackId || r.name !== `Renamed ${i}` || r.milliseconds !== i || r.composer !== `C${i}`)).toEqual([])
  })

  test('self-referencing employees: new chains and cycles inserted level by level, deleted in one go', async () => {
    const session = ctx.orm.session()
    const ceo = session.create('employees', { firstName: 'Ada', lastName: 'Boss' })
    const manager = session.create('employees', { firstName: 'Bea', lastName: 'Middle', reportsTo: ceo })
    const staff = ['Cy', 'Di', 'Ed'].map((firstName) => session.create('employees', { firstName, lastName: 'Staff', reportsTo: manager }))
    // Two new employees reporting to each other.
    const x = session.create('employees', { firstName: 'X', lastName: 'Loop' })
    const y = session.create('employees', { firstName: 'Y', lastName: 'Loop', reportsTo: x })
    x.reportsTo = y as unknown as typeof x.reportsTo
    expect([...manager.reports]).toEqual(staff)
    expect(await session.plan()).toEqual([
      { operation: 'insert', table: 'employee', rows: 1 },
      { operation: 'insert', table: 'employee', rows: 1 },
      { operation: 'insert', table: 'employee', rows: 3 },
      // The two on a cycle, their keys written afterwards.
      { operation: 'insert', table: 'employee', rows: 2 },
      { operation: 'postUpdate', table: 'employee', rows: 1, columns: ['reports_to'] },
      { operation: 'postUpdate', table: 'employee', rows: 1, columns: ['reports_to'] },
    ])
    await session.commit()
    const rows = await ctx.orm.db.selectFrom('employee').select(['employee_id', 'first_name', 'reports_to']).orderBy('employee_id').execute()
    expect(rows).toEqual(
      [ceo, manager, ...staff, x, y]
        .map((e) => ({ employee_id: e.employeeId, first_name: e.firstName, reports_to: e.reportsToId }))
        .sort((a, b) => a.employee_id - b.employee_id),
    )
    expect(ceo.reportsToId).toBeNull()
    expect(manager.reportsToId).toBe(ceo.employeeId)
    expect(staff.map((s) => s.reportsToId)).toEqual([manager.employeeId, manager.employeeId, manager.employeeId])
    expect(x.reportsToId).toBe(y.employeeId)
    expect(y.reportsToId).toBe(x.employeeId)

    // Deleting the whole hierarchy, loaded in another session: keys between deleted rows are unset first.
    const other = ctx.orm.session()
    const everyone = await other.query('employees').all()
    for (const employee of everyone) other.delete(employee)
    // (employees.reports and employees.customers are not loaded: their keys are unset by parent.)
    expect(await other.plan()).toEqual([
      { operation: 'nullKeys', table: 'employee', rows: 7 },
      { operation: 'nullKeys', table: 'customer', rows: 7 },
      { operation: 'delete', table: 'employee', rows: 7 },
    ])
    await other.commit()
    expect(await count('employee')).toBe(0)

    // Loaded with their reports, the keys between the deleted rows are unset first, in one statement.
    const again = ctx.orm.session()
    const [boss, a, b] = ['Boss', 'A', 'B'].map((firstName) => again.create('employees', { firstName, lastName: 'T' }))
    boss!.reports.add(a!, b!)
    b!.reports.add(again.create('employees', { firstName: 'C', lastName: 'T' }))
    await again.commit()
    const last = ctx.orm.session()
    const loaded = await last.query('employees').where('lastName', '=', 'T').with({ reports: true, customers: true }).all()
    for (const employee of loaded) last.delete(employee)
    expect(await last.plan()).toEqual([
      { operation: 'unsetKeys', table: 'employee', rows: 3, columns: ['reports_to'] },
      { operation: 'delete', table: 'employee', rows: 4 },
    ])
    await last.commit()
    expect(await count('employee')).toBe(0)
  })
})

/** The bulk flush of the brief, its statements counted from the plan and the dialect's parameter limit, its rows checked. */
async function bulkFlush(ctx: TestContext<S>, name: string, returning: boolean): Promise<void> {
    const sizes = { artists: 200, albumsEach: 5, tracksEach: 10, playlists: 20, linksEach: 500 }
    const { session, mediaType, genre, artists, tracks, playlists } = buildCatalog(ctx, sizes)
    expect(tracks).toHaveLength(10_000)

    const plan = await session.plan()
    expect(plan).toEqual([
      { operation: 'insert', table: 'artist', rows: 200 },
      { operation: 'insert', table: 'album', rows: 1000 },
      { operation: 'insert', table: 'genre', rows: 1 },
      { operation: 'insert', table: 'media_type', rows: 1 },
      { operation: 'insert', table: 'track', rows: 10_000 },
      { operation: 'insert', table: 'playlist', rows: 20 },
      { operation: 'insertLinks', table: 'playlist_track', rows: 10_000 },
    ])
    expect(ctx.recorder.sql).toEqual([])

    // One INSERT per chunk; without RETURNING, a SELECT reads each chunk back, after one probe of the server.
    const chunks = plan.map((step) => insertChunks(ctx, step.table === 'playlist_track' ? 'playlistTracks' : tableKey(step.table), step.rows))
    expect(chunks).toEqual([1, 1, 1, 1, 2, 1, 1])
    const generatedChunks = chunks.slice(0, 6).reduce((a, b) => a + b, 0)
    const expected = returning ? generatedChunks + 1 : 1 + 2 * generatedChunks + 1
    const started = performance.now()
    await session.commit()
    const elapsed = performance.now() - started
    const statements = normalizeSql(ctx.recorder.sql)
    expect(statements).toHaveLength(expected)
    expect(statements.length).toBe(returning ? 8 : 16)
    expect(statements.map((s) => s.split(' (')[0]!.split(' where')[0])).toEqual(
      returning
        ? ['insert into "artist"', 'insert into "album"', 'insert into "genre"', 'insert into "media_type"', 'insert into "track"', 'insert into "track"', 'insert into "playlist"', 'insert into "playlist_track"']
        : [
            'select @@innodb_autoinc_lock_mode as mode, @@auto_increment_increment as increment',
            'insert into "artist"', 'select * from "artist"',
            'insert into "album"', 'select * from "album"',
            'insert into "genre"', 'select * from "genre"',
            'insert into "media_type"', 'select * from "media_type"',
            'insert into "track"', 'select * from "track"',
            'insert into "track"', 'select * from "track"',
            'insert into "playlist"', 'select * from "playlist"',
            'insert into "playlist_track"',
          ],
    )
    // Rows per track INSERT: as many as fit the 8 columns they give (all but the generated key) under the limit, then the rest.
    const trackInserts = ctx.recorder.queries.filter((q) => /^insert into .track./.test(q.sql))
    expect(trackInserts.map((q) => q.sql.split('), (').length)).toEqual([8179, 10_000 - 8179])
    expect(ctx.recorder.queries.every((q) => q.parameters.length <= ctx.dialect.capabilities.maxParameters)).toBe(true)
    console.info(`[${name}${returning ? '' : ', no RETURNING'}] bulk flush: ${statements.length} statements, ${Math.round(elapsed)} ms`)

    // Every row and link is in the database.
    expect(await countRows(ctx, 'artist')).toBe(200)
    expect(await countRows(ctx, 'album')).toBe(1000)
    expect(await countRows(ctx, 'track')).toBe(10_000)
    expect(await countRows(ctx, 'playlist')).toBe(20)
    expect(await countRows(ctx, 'playlist_track')).toBe(10_000)
    // Keys assigned to every object, distinct, and the objects in the identity map.
    expect(new Set(tracks.map((t) => t.trackId)).size).toBe(10_000)
    expect(await session.get('tracks', tracks[1234]!.trackId)).toBe(tracks[1234])

    // A sample of values, read back by key.
    const sample = [0, 1, 2, 3, 999, 5_000, 7_269, 7_270, 7_271, 9_999].map((i) => tracks[i]!)
    const rows = await ctx.orm.db.selectFrom('track').selectAll().where('track_id', 'in', sample.map((t) => t.trackId)).orderBy('track_id').execute()
    expect(rows).toEqual(
      [...sample]
        .sort((a, b) => a.trackId - b.trackId)
        .map((t) => ({
          track_id: t.trackId,
          name: t.name,
          album_id: t.album!.albumId,
          media_type_id: mediaType.mediaTypeId,
          genre_id: t.genre === null ? null : genre.genreId,
          composer: t.composer,
          milliseconds: t.milliseconds,
          bytes: t.bytes,
          unit_price: t.unitPrice,
        })),
    )
    expect(rows.map((r) => r.name)).toEqual(['Track 0.0.0', 'Track 0.0.1', 'Track 0.0.2', 'Track 0.0.3', 'Track 19.4.9', 'Track 100.0.0', 'Track 145.1.9', 'Track 145.2.0', 'Track 145.2.1', 'Track 199.4.9'])
    const album = artists[57]!.albums[3]!
    expect(await ctx.orm.db.selectFrom('album').selectAll().where('album_id', '=', album.albumId).execute()).toEqual([
      { album_id: album.albumId, title: 'Album 57.3', artist_id: artists[57]!.artistId },
    ])
    // Links: each playlist's tracks, by key.
    for (const p of [0, 7, 19]) {
      const linked = await ctx.orm.db.selectFrom('playlist_track').select('track_id').where('playlist_id', '=', playlists[p]!.playlistId).orderBy('track_id').execute()
      expect(linked.map((r) => r.track_id)).toEqual(playlists[p]!.tracks.map((t) => t.trackId).sort((a, b) => a - b))
    }

    // Read back in another session through the relations.
    const reader = ctx.orm.session()
    const playlist = await reader.query('playlists').where({ name: 'Playlist 7' }).with({ tracks: { album: { artist: true } } }).one()
    expect(playlist.tracks).toHaveLength(500)
    const described = (name: string) => {
      const [a, b] = name.slice('Track '.length).split('.')
      return `${name}|Album ${a}.${b}|Artist ${a}`
    }
    expect(playlist.tracks.map((t) => `${t.name}|${t.album!.title}|${t.album!.artist.name}`).sort()).toEqual(
      playlists[7]!.tracks.map((t) => described(t.name)).sort(),
    )

    // Nothing left to write.
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
}

describeEachDialect(
  'unit of work: Chinook without RETURNING (the MySQL 8 path)',
  (target) => {
    const ctx = target.setup(schema, { dialect: { returning: false } })
    beforeEach(async () => {
      await emptyTables(ctx.orm)
      ctx.recorder.clear()
    })
    test('bulk flush: keys from LAST_INSERT_ID, each chunk read back', () => bulkFlush(ctx, target.name, false))
  },
  { only: ['mariadb'] },
)

/** The schema key of a SQL table name of Chinook. */
function tableKey(sqlName: string): keyof S['$infer']['tables'] & string {
  const found = [...schema.tables.values()].find((t) => t.sqlName === sqlName)
  return found!.key as keyof S['$infer']['tables'] & string
}
