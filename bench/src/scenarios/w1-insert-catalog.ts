/**
 * W1, unit-of-work insert: 200 artists × 5 albums × 10 tracks (11,200 rows) plus 20 playlists,
 * each linked to 500 of the new tracks (10,000 links), written in one commit. Between rounds the
 * new rows are deleted (untimed).
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { price } from '../canonical.js'
import type { BenchDatabase } from '../databases.js'
import type { ChinookDb } from '../kysely-db.js'
import type { Scenario } from '../scenario.js'

export interface NewTrack {
  name: string
  milliseconds: number
  unitPrice: string
  mediaTypeId: number
  genreId: number
}
export interface NewAlbum {
  title: string
  tracks: NewTrack[]
}
export interface NewArtist {
  name: string
  albums: NewAlbum[]
}
/** A playlist and the indexes of its tracks in `w1Tracks` (the new tracks in creation order). */
export interface NewPlaylist {
  name: string
  trackIndexes: number[]
}

/** The catalog every contestant writes: the same names and values, built once, before timing. */
export const w1Artists: readonly NewArtist[] = Array.from({ length: 200 }, (_, a) => ({
  name: `Bench Artist ${a}`,
  albums: Array.from({ length: 5 }, (_, b) => ({
    title: `Bench Album ${a}.${b}`,
    tracks: Array.from({ length: 10 }, (_, t) => ({
      name: `Bench Track ${a}.${b}.${t}`,
      milliseconds: 1000 * (a + 1) + t,
      unitPrice: t % 2 === 0 ? '0.99' : '1.29',
      mediaTypeId: 1,
      genreId: 1 + (t % 3),
    })),
  })),
}))

/** The new tracks in creation order (artist by artist, album by album). */
export const w1Tracks: readonly NewTrack[] = w1Artists.flatMap((artist) => artist.albums.flatMap((album) => album.tracks))

/** Playlist p holds the 500 new tracks 500p … 500p + 499 (every new track is in one playlist). */
export const w1Playlists: readonly NewPlaylist[] = Array.from({ length: 20 }, (_, p) => ({
  name: `Bench Playlist ${p}`,
  trackIndexes: Array.from({ length: 500 }, (_, i) => 500 * p + i),
}))

/** Rows of `columns` parameters each that fit in one statement (PostgreSQL and MariaDB take 65,535 parameters). */
export function rowsPerStatement(columns: number): number {
  return Math.floor(65_535 / columns)
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = []
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size))
  return result
}

/** Canonical W1: the new artists by name with albums and tracks, and the new playlists with their track names. */
async function readBack(db: BenchDatabase): Promise<unknown> {
  const { admin, baseline } = db
  const artists = await admin.selectFrom('artist').selectAll().where('artist_id', '>', baseline.artist).execute()
  const albums = await admin.selectFrom('album').selectAll().where('album_id', '>', baseline.album).execute()
  const tracks = await admin.selectFrom('track').selectAll().where('track_id', '>', baseline.track).execute()
  const playlists = await admin.selectFrom('playlist').selectAll().where('playlist_id', '>', baseline.playlist).execute()
  const links = await admin.selectFrom('playlist_track').selectAll().where('playlist_id', '>', baseline.playlist).execute()
  const trackName = new Map(tracks.map((t) => [t.track_id, t.name]))
  const byName = (a: { name: string | null }, b: { name: string | null }) => (a.name ?? '').localeCompare(b.name ?? '')
  return {
    artists: artists.sort(byName).map((artist) => ({
      name: artist.name,
      albums: albums
        .filter((album) => album.artist_id === artist.artist_id)
        .sort((a, b) => a.title.localeCompare(b.title))
        .map((album) => ({
          title: album.title,
          tracks: tracks
            .filter((t) => t.album_id === album.album_id)
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((t) => [t.name, t.milliseconds, price(t.unit_price), t.media_type_id, t.genre_id, t.composer, t.bytes]),
        })),
    })),
    playlists: playlists.sort(byName).map((playlist) => ({
      name: playlist.name,
      tracks: links
        .filter((link) => link.playlist_id === playlist.playlist_id)
        .map((link) => trackName.get(link.track_id) ?? `missing track ${link.track_id}`)
        .sort(),
    })),
  }
}

async function reset(db: BenchDatabase): Promise<void> {
  const { admin, baseline } = db
  await admin.transaction().execute(async (trx) => {
    await trx.deleteFrom('playlist_track').where('playlist_id', '>', baseline.playlist).execute()
    await trx.deleteFrom('playlist').where('playlist_id', '>', baseline.playlist).execute()
    await trx.deleteFrom('track').where('track_id', '>', baseline.track).execute()
    await trx.deleteFrom('album').where('album_id', '>', baseline.album).execute()
    await trx.deleteFrom('artist').where('artist_id', '>', baseline.artist).execute()
  })
  // Statistics sampled while 10,000 tracks were in (autovacuum's ANALYZE) would stay behind and
  // skew later scenarios' plans: the LATERAL floor of F3 ran 60 ms after W1 against 5 ms without.
  if (db.name !== 'mariadb') await sql`analyze`.execute(admin)
}

/** The floor: one multi-row INSERT … RETURNING per table (the 10,000 tracks fit one statement: 60,000 parameters), in one transaction. */
async function insertCatalog(db: Kysely<ChinookDb>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const artistIds = await trx
      .insertInto('artist')
      .values(w1Artists.map((artist) => ({ name: artist.name })))
      .returning('artist_id')
      .execute()
    const albumRows = w1Artists.flatMap((artist, a) => artist.albums.map((album) => ({ title: album.title, artist_id: artistIds[a]!.artist_id })))
    const albumIds = await trx.insertInto('album').values(albumRows).returning('album_id').execute()
    const albums = w1Artists.flatMap((artist) => artist.albums)
    const trackRows = albums.flatMap((album, b) =>
      album.tracks.map((t) => ({
        name: t.name,
        album_id: albumIds[b]!.album_id,
        media_type_id: t.mediaTypeId,
        genre_id: t.genreId,
        milliseconds: t.milliseconds,
        unit_price: t.unitPrice,
      })),
    )
    const trackIds: number[] = []
    for (const chunk of chunks(trackRows, rowsPerStatement(6))) {
      const ids = await trx.insertInto('track').values(chunk).returning('track_id').execute()
      for (const row of ids) trackIds.push(row.track_id)
    }
    const playlistIds = await trx
      .insertInto('playlist')
      .values(w1Playlists.map((p) => ({ name: p.name })))
      .returning('playlist_id')
      .execute()
    const links = w1Playlists.flatMap((p, i) => p.trackIndexes.map((index) => ({ playlist_id: playlistIds[i]!.playlist_id, track_id: trackIds[index]! })))
    for (const chunk of chunks(links, rowsPerStatement(2))) await trx.insertInto('playlist_track').values(chunk).execute()
  })
}

export const w1: Scenario = {
  id: 'W1',
  kind: 'write',
  title: 'insert 200 artists × 5 albums × 10 tracks + 20 playlists × 500 links, one commit',
  floorNote:
    'one transaction: one multi-row INSERT … RETURNING id per table (tracks: one statement of 60,000 parameters), then the links in one INSERT; MariaDB uses its INSERT … RETURNING too (as Relata does there)',
  on: async (db) => ({ reset: () => reset(db), readBack: () => readBack(db) }),
  floor: (db) => ({ run: () => insertCatalog(db) }),
}
