/** F3, per-parent top-N: every album with its three longest tracks (347 albums, 1,003 tracks), ties broken by track id. */
import { sql } from 'kysely'
import { byNumber, id } from '../canonical.js'
import type { Scenario } from '../scenario.js'

/** Tracks per album. */
export const f3PerAlbum = 3

/** Canonical F3: albums by id, each [id, title, its track ids longest first]. */
export type F3Album = [number, string, number[]]

export function f3Canonical<B, T>(albums: readonly B[], read: { album: (b: B) => { id: unknown; title: string; tracks: readonly T[] }; track: (t: T) => unknown }): F3Album[] {
  return albums
    .map((b): F3Album => {
      const album = read.album(b)
      // The order is part of the answer: kept as the contestant returned it.
      return [id(album.id), album.title, album.tracks.map((t) => id(read.track(t)))]
    })
    .sort(byNumber((a) => a[0]))
}

export const f3: Scenario = {
  id: 'F3',
  kind: 'read',
  title: 'every album with its three longest tracks',
  floorNote:
    'PostgreSQL and PGlite: SELECT album.*, t.* FROM album CROSS JOIN LATERAL (SELECT * FROM track WHERE track.album_id = album.album_id ORDER BY milliseconds DESC, track_id LIMIT 3) t (one statement); MariaDB, which has no LATERAL: SELECT * FROM album, then SELECT * FROM (SELECT track.*, row_number() OVER (PARTITION BY album_id ORDER BY milliseconds DESC, track_id) AS n FROM track) WHERE n <= 3; grouped with a Map',
  on: async () => ({ reset: async () => undefined }),
  floor: (db, family) => ({
    async run() {
      if (family === 'postgres') {
        // One statement: each album's own three tracks by the track(album_id) index.
        const rows = await db
          .selectFrom('album')
          .leftJoinLateral(
            (eb) =>
              eb
                .selectFrom('track')
                .select(['track_id', 'name as track_name', 'milliseconds', 'unit_price'])
                .whereRef('track.album_id', '=', 'album.album_id')
                .orderBy('milliseconds', 'desc')
                .orderBy('track_id')
                .limit(f3PerAlbum)
                .as('t'),
            (join) => join.onTrue(),
          )
          .selectAll('album')
          .select(['t.track_id', 't.track_name', 't.milliseconds', 't.unit_price'])
          .orderBy('album.album_id')
          // A join promises no order of its own: the page's order is said again.
          .orderBy('t.milliseconds', 'desc')
          .orderBy('t.track_id')
          .execute()
        const albums: { album_id: number; title: string; artist_id: number; tracks: { track_id: number; name: string; milliseconds: number; unit_price: string }[] }[] = []
        let last: (typeof albums)[number] | undefined
        for (const row of rows) {
          if (last?.album_id !== row.album_id) albums.push((last = { album_id: row.album_id, title: row.title, artist_id: row.artist_id, tracks: [] }))
          if (row.track_id !== null) last.tracks.push({ track_id: row.track_id, name: row.track_name!, milliseconds: row.milliseconds!, unit_price: row.unit_price! })
        }
        return albums
      }
      const albums = await db.selectFrom('album').selectAll().orderBy('album_id').execute()
      const ranked = db
        .selectFrom('track')
        .selectAll()
        .select(sql<number>`row_number() over (partition by album_id order by milliseconds desc, track_id)`.as('n'))
        .as('ranked')
      const tracks = await db.selectFrom(ranked).selectAll().where('n', '<=', f3PerAlbum).orderBy('album_id').orderBy('n').execute()
      const byAlbum = new Map<number, (typeof tracks)[number][]>()
      for (const track of tracks) {
        if (track.album_id === null) continue
        let list = byAlbum.get(track.album_id)
        if (list === undefined) byAlbum.set(track.album_id, (list = []))
        list.push(track)
      }
      return albums.map((album) => ({ ...album, tracks: byAlbum.get(album.album_id) ?? [] }))
    },
    canonical: (albums: any[]) => f3Canonical(albums, { album: (b: any) => ({ id: b.album_id, title: b.title, tracks: b.tracks }), track: (t: any) => t.track_id }),
  }),
}
