/**
 * `drizzle`: Drizzle ORM 0.45 relational queries (`db.query.x.findMany({ with })`), node-postgres,
 * mysql2 (mode 'planetscale': correlated subqueries, as MariaDB has no LATERAL) and PGlite
 * drivers. Drizzle has no unit of work: W1 is a transaction of multi-row inserts with RETURNING
 * (`$returningId()` on MariaDB), W2 a transaction of one UPDATE per track (Drizzle has no batched
 * update of different values).
 */
import { asc, desc, eq, lte, relations } from 'drizzle-orm'
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2'
import { decimal as mysqlDecimal, int as mysqlInt, mysqlTable, primaryKey as mysqlPrimaryKey, varchar as mysqlVarchar } from 'drizzle-orm/mysql-core'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { integer, numeric, pgTable, primaryKey, serial, varchar } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { createPool } from 'mysql2'
import { listenedPool } from '../databases.js'
import type { Contestant, ContestantOnDatabase, Operation, ScenarioId } from '../scenario.js'
import { r1Canonical } from '../scenarios/r1-artists-albums-tracks.js'
import { r2Canonical } from '../scenarios/r2-playlists-tracks.js'
import { r3Row, r3TrackIds, type R3Row } from '../scenarios/r3-tracks-one-by-one.js'
import { rowsPerStatement, w1Artists, w1Playlists } from '../scenarios/w1-insert-catalog.js'
import { w2LastTrackId, w2NewPrice } from '../scenarios/w2-update-prices.js'
import { f3Canonical, f3PerAlbum } from '../scenarios/f3-longest-tracks-per-album.js'

const artist = pgTable('artist', { artistId: serial('artist_id').primaryKey(), name: varchar('name', { length: 120 }) })
const album = pgTable('album', {
  albumId: serial('album_id').primaryKey(),
  title: varchar('title', { length: 160 }).notNull(),
  artistId: integer('artist_id').notNull(),
})
const track = pgTable('track', {
  trackId: serial('track_id').primaryKey(),
  name: varchar('name', { length: 200 }).notNull(),
  albumId: integer('album_id'),
  mediaTypeId: integer('media_type_id').notNull(),
  genreId: integer('genre_id'),
  composer: varchar('composer', { length: 220 }),
  milliseconds: integer('milliseconds').notNull(),
  bytes: integer('bytes'),
  unitPrice: numeric('unit_price', { precision: 10, scale: 2 }).notNull(),
})
const playlist = pgTable('playlist', { playlistId: serial('playlist_id').primaryKey(), name: varchar('name', { length: 120 }) })
const playlistTrack = pgTable(
  'playlist_track',
  { playlistId: integer('playlist_id').notNull(), trackId: integer('track_id').notNull() },
  (t) => [primaryKey({ columns: [t.playlistId, t.trackId] })],
)
const pgSchema = {
  artist,
  album,
  track,
  playlist,
  playlistTrack,
  artistRelations: relations(artist, ({ many }) => ({ albums: many(album) })),
  albumRelations: relations(album, ({ one, many }) => ({ artist: one(artist, { fields: [album.artistId], references: [artist.artistId] }), tracks: many(track) })),
  trackRelations: relations(track, ({ one, many }) => ({ album: one(album, { fields: [track.albumId], references: [album.albumId] }), playlists: many(playlistTrack) })),
  playlistRelations: relations(playlist, ({ many }) => ({ tracks: many(playlistTrack) })),
  playlistTrackRelations: relations(playlistTrack, ({ one }) => ({
    playlist: one(playlist, { fields: [playlistTrack.playlistId], references: [playlist.playlistId] }),
    track: one(track, { fields: [playlistTrack.trackId], references: [track.trackId] }),
  })),
}

const myArtist = mysqlTable('artist', { artistId: mysqlInt('artist_id').autoincrement().primaryKey(), name: mysqlVarchar('name', { length: 120 }) })
const myAlbum = mysqlTable('album', {
  albumId: mysqlInt('album_id').autoincrement().primaryKey(),
  title: mysqlVarchar('title', { length: 160 }).notNull(),
  artistId: mysqlInt('artist_id').notNull(),
})
const myTrack = mysqlTable('track', {
  trackId: mysqlInt('track_id').autoincrement().primaryKey(),
  name: mysqlVarchar('name', { length: 200 }).notNull(),
  albumId: mysqlInt('album_id'),
  mediaTypeId: mysqlInt('media_type_id').notNull(),
  genreId: mysqlInt('genre_id'),
  composer: mysqlVarchar('composer', { length: 220 }),
  milliseconds: mysqlInt('milliseconds').notNull(),
  bytes: mysqlInt('bytes'),
  unitPrice: mysqlDecimal('unit_price', { precision: 10, scale: 2 }).notNull(),
})
const myPlaylist = mysqlTable('playlist', { playlistId: mysqlInt('playlist_id').autoincrement().primaryKey(), name: mysqlVarchar('name', { length: 120 }) })
const myPlaylistTrack = mysqlTable(
  'playlist_track',
  { playlistId: mysqlInt('playlist_id').notNull(), trackId: mysqlInt('track_id').notNull() },
  (t) => [mysqlPrimaryKey({ columns: [t.playlistId, t.trackId] })],
)
const mysqlSchema = {
  artist: myArtist,
  album: myAlbum,
  track: myTrack,
  playlist: myPlaylist,
  playlistTrack: myPlaylistTrack,
  artistRelations: relations(myArtist, ({ many }) => ({ albums: many(myAlbum) })),
  albumRelations: relations(myAlbum, ({ one, many }) => ({ artist: one(myArtist, { fields: [myAlbum.artistId], references: [myArtist.artistId] }), tracks: many(myTrack) })),
  trackRelations: relations(myTrack, ({ one, many }) => ({ album: one(myAlbum, { fields: [myTrack.albumId], references: [myAlbum.albumId] }), playlists: many(myPlaylistTrack) })),
  playlistRelations: relations(myPlaylist, ({ many }) => ({ tracks: many(myPlaylistTrack) })),
  playlistTrackRelations: relations(myPlaylistTrack, ({ one }) => ({
    playlist: one(myPlaylist, { fields: [myPlaylistTrack.playlistId], references: [myPlaylist.playlistId] }),
    track: one(myTrack, { fields: [myPlaylistTrack.trackId], references: [myTrack.trackId] }),
  })),
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = []
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size))
  return result
}

const albumRows = (artistIds: readonly number[]) => w1Artists.flatMap((a, i) => a.albums.map((b) => ({ title: b.title, artistId: artistIds[i]! })))
const trackRows = (albumIds: readonly number[]) =>
  w1Artists
    .flatMap((a) => a.albums)
    .flatMap((b, i) =>
      b.tracks.map((t) => ({ name: t.name, albumId: albumIds[i]!, mediaTypeId: t.mediaTypeId, genreId: t.genreId, milliseconds: t.milliseconds, unitPrice: t.unitPrice })),
    )
const linkRows = (playlistIds: readonly number[], trackIds: readonly number[]) =>
  w1Playlists.flatMap((p, i) => p.trackIndexes.map((index) => ({ playlistId: playlistIds[i]!, trackId: trackIds[index]! })))

const canonicalR1 = (artists: any[]) =>
  r1Canonical(artists, {
    artist: (a: any) => ({ id: a.artistId, name: a.name, albums: a.albums }),
    album: (b: any) => ({ id: b.albumId, title: b.title, tracks: b.tracks }),
    track: (t: any) => ({ id: t.trackId, name: t.name, unitPrice: t.unitPrice }),
  })
const canonicalR2 = (playlists: any[]) =>
  r2Canonical(playlists, {
    playlist: (p: any) => ({ id: p.playlistId, name: p.name, tracks: p.tracks }),
    track: (link: any) => ({ id: link.track.trackId, name: link.track.name }),
  })
const canonicalF3 = (albums: any[]) => f3Canonical(albums, { album: (b: any) => ({ id: b.albumId, title: b.title, tracks: b.tracks }), track: (t: any) => t.trackId })
const r3Of = (t: any): R3Row => r3Row({ id: t.trackId, name: t.name }, { id: t.album.albumId, title: t.album.title }, { id: t.album.artist.artistId, name: t.album.artist.name })

/** The same code for node-postgres and PGlite: Drizzle's pg-core API is one. */
function pgOperations(db: ReturnType<typeof drizzlePg<typeof pgSchema>>): Record<Exclude<ScenarioId, 'F1' | 'F2'>, Operation> {
  return {
    R1: { run: () => db.query.artist.findMany({ with: { albums: { with: { tracks: true } } }, orderBy: artist.artistId }), canonical: canonicalR1 },
    R2: { run: () => db.query.playlist.findMany({ with: { tracks: { with: { track: true } } }, orderBy: playlist.playlistId }), canonical: canonicalR2 },
    F3: {
      run: () => db.query.album.findMany({ with: { tracks: { orderBy: [desc(track.milliseconds), asc(track.trackId)], limit: f3PerAlbum } }, orderBy: album.albumId }),
      canonical: canonicalF3,
    },
    R3: {
      async run() {
        const rows: R3Row[] = []
        for (const trackId of r3TrackIds) rows.push(r3Of(await db.query.track.findFirst({ where: eq(track.trackId, trackId), with: { album: { with: { artist: true } } } })))
        return rows
      },
      canonical: (rows: R3Row[]) => rows,
    },
    W1: {
      run: () =>
        db.transaction(async (tx) => {
          const artistIds = (await tx.insert(artist).values(w1Artists.map((a) => ({ name: a.name }))).returning({ id: artist.artistId })).map((r) => r.id)
          const albumIds = (await tx.insert(album).values(albumRows(artistIds)).returning({ id: album.albumId })).map((r) => r.id)
          const trackIds: number[] = []
          for (const chunk of chunks(trackRows(albumIds), rowsPerStatement(9))) trackIds.push(...(await tx.insert(track).values(chunk).returning({ id: track.trackId })).map((r) => r.id))
          const playlistIds = (await tx.insert(playlist).values(w1Playlists.map((p) => ({ name: p.name }))).returning({ id: playlist.playlistId })).map((r) => r.id)
          for (const chunk of chunks(linkRows(playlistIds, trackIds), rowsPerStatement(2))) await tx.insert(playlistTrack).values(chunk)
        }),
    },
    W2: {
      async run() {
        const tracks = await db.query.track.findMany({ where: lte(track.trackId, w2LastTrackId), orderBy: track.trackId })
        await db.transaction(async (tx) => {
          for (const t of tracks) await tx.update(track).set({ unitPrice: w2NewPrice(t.trackId) }).where(eq(track.trackId, t.trackId))
        })
      },
    },
  }
}

function mysqlOperations(db: ReturnType<typeof drizzleMysql<typeof mysqlSchema>>): Record<Exclude<ScenarioId, 'F1' | 'F2'>, Operation> {
  const s = mysqlSchema
  return {
    R1: { run: () => db.query.artist.findMany({ with: { albums: { with: { tracks: true } } }, orderBy: s.artist.artistId }), canonical: canonicalR1 },
    R2: { run: () => db.query.playlist.findMany({ with: { tracks: { with: { track: true } } }, orderBy: s.playlist.playlistId }), canonical: canonicalR2 },
    F3: {
      run: () => db.query.album.findMany({ with: { tracks: { orderBy: [desc(s.track.milliseconds), asc(s.track.trackId)], limit: f3PerAlbum } }, orderBy: s.album.albumId }),
      canonical: canonicalF3,
    },
    R3: {
      async run() {
        const rows: R3Row[] = []
        for (const trackId of r3TrackIds) rows.push(r3Of(await db.query.track.findFirst({ where: eq(s.track.trackId, trackId), with: { album: { with: { artist: true } } } })))
        return rows
      },
      canonical: (rows: R3Row[]) => rows,
    },
    W1: {
      run: () =>
        db.transaction(async (tx) => {
          const artistIds = (await tx.insert(s.artist).values(w1Artists.map((a) => ({ name: a.name }))).$returningId()).map((r) => r.artistId)
          const albumIds = (await tx.insert(s.album).values(albumRows(artistIds)).$returningId()).map((r) => r.albumId)
          const trackIds: number[] = []
          for (const chunk of chunks(trackRows(albumIds), rowsPerStatement(9))) trackIds.push(...(await tx.insert(s.track).values(chunk).$returningId()).map((r) => r.trackId))
          const playlistIds = (await tx.insert(s.playlist).values(w1Playlists.map((p) => ({ name: p.name }))).$returningId()).map((r) => r.playlistId)
          for (const chunk of chunks(linkRows(playlistIds, trackIds), rowsPerStatement(2))) await tx.insert(s.playlistTrack).values(chunk)
        }),
    },
    W2: {
      async run() {
        const tracks = await db.query.track.findMany({ where: lte(s.track.trackId, w2LastTrackId), orderBy: s.track.trackId })
        await db.transaction(async (tx) => {
          for (const t of tracks) await tx.update(s.track).set({ unitPrice: w2NewPrice(t.trackId) }).where(eq(s.track.trackId, t.trackId))
        })
      },
    },
  }
}

/** Why R2 and R3 do not run on MariaDB (R1 loads only to-many relations, which work). */
const mariadbToOne =
  "Drizzle's relational query loads a to-one relation (playlist_track → track, track → album) from a derived table that refers to the outer row, which MariaDB rejects (Unknown column … in 'WHERE'); its default mode needs LATERAL, which MariaDB lacks"

export const drizzle: Contestant = {
  name: 'drizzle',
  description: 'Drizzle ORM relational queries; W1 multi-row inserts with RETURNING in a transaction; W2 one UPDATE per track in a transaction',
  async open(db): Promise<ContestantOnDatabase> {
    if (db.name === 'postgres') {
      const pool = listenedPool({ connectionString: db.url, max: 4 })
      return { operations: pgOperations(drizzlePg(pool, { schema: pgSchema })), close: () => pool.end() }
    }
    if (db.name === 'pglite') {
      const operations = pgOperations(drizzlePglite(db.pglite!, { schema: pgSchema }) as unknown as ReturnType<typeof drizzlePg<typeof pgSchema>>)
      return { operations, close: async () => undefined }
    }
    const pool = createPool({ uri: db.url!, connectionLimit: 4 })
    const operations: Partial<Record<ScenarioId, Operation | string>> = {
      ...mysqlOperations(drizzleMysql(pool, { schema: mysqlSchema, mode: 'planetscale' })),
      // Checked: both fail with "Unknown column 'playlist_tracks.track_id' in 'WHERE'" / "Unknown column 'track.album_id' in 'WHERE'".
      R2: mariadbToOne,
      R3: mariadbToOne,
      // Checked: "Unknown column 'album.album_id' in 'WHERE'" from the numbered derived table of its nested limit.
      F3: "Drizzle's nested limit numbers the related rows in a derived table that refers to the outer row, which MariaDB rejects (Unknown column … in 'WHERE')",
    }
    return { operations, close: async () => void (await pool.promise().end()) }
  },
}
