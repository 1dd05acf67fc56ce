/**
 * R3, one at a time: 500 tracks fetched one by one by primary key in one session, each followed
 * by its album and the album's artist. ORMs with an identity map reuse the albums and artists
 * already loaded; the floor caches nothing.
 */
import { id } from '../canonical.js'
import type { Scenario } from '../scenario.js'

/** Tracks 1, 4, 7, …, 1498: 500 tracks over 120 albums of 60 artists, so albums and artists recur. */
export const r3TrackIds: readonly number[] = Array.from({ length: 500 }, (_, i) => 1 + 3 * i)

/** Canonical R3: per track, in fetch order, [track id, track name, album id, album title, artist id, artist name]. */
export type R3Row = [number, string, number, string, number, string | null]

export function r3Row(track: { id: unknown; name: string }, album: { id: unknown; title: string }, artist: { id: unknown; name: string | null }): R3Row {
  return [id(track.id), track.name, id(album.id), album.title, id(artist.id), artist.name]
}

export const r3: Scenario = {
  id: 'R3',
  kind: 'read',
  title: '500 tracks one by one by key, each → album → artist',
  floorNote: 'per track one SELECT track.*, album.*, artist.* … LEFT JOIN album LEFT JOIN artist WHERE track_id = ? (500 statements, no cache)',
  on: async () => ({ reset: async () => undefined }),
  floor: (db) => ({
    async run() {
      const rows = []
      for (const trackId of r3TrackIds) {
        const row = await db
          .selectFrom('track')
          .leftJoin('album', 'album.album_id', 'track.album_id')
          .leftJoin('artist', 'artist.artist_id', 'album.artist_id')
          .selectAll('track')
          .select(['album.title', 'album.artist_id', 'artist.name as artist_name'])
          .where('track.track_id', '=', trackId)
          .executeTakeFirstOrThrow()
        rows.push(row)
      }
      return rows
    },
    canonical: (rows: any[]) =>
      rows.map((r) => r3Row({ id: r.track_id, name: r.name }, { id: r.album_id, title: r.title }, { id: r.artist_id, name: r.artist_name })),
  }),
}
