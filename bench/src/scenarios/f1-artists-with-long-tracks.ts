/** F1, filter by relation: the artists having an album with a track longer than ten minutes (no relation loaded). */
import { sql } from 'kysely'
import { byNumber, id } from '../canonical.js'
import type { Scenario } from '../scenario.js'

/** Ten minutes: 23 of Chinook's 275 artists have such a track (260 tracks on 44 albums). */
export const f1Milliseconds = 600_000

/** Canonical F1: [id, name] by id. */
export function f1Canonical<A>(artists: readonly A[], read: (a: A) => { id: unknown; name: string | null }): [number, string | null][] {
  return artists
    .map((a): [number, string | null] => {
      const artist = read(a)
      return [id(artist.id), artist.name]
    })
    .sort(byNumber((a) => a[0]))
}

export const f1: Scenario = {
  id: 'F1',
  kind: 'read',
  title: 'artists having an album with a track longer than 10 minutes',
  floorNote: 'SELECT * FROM artist WHERE EXISTS (SELECT 1 FROM album JOIN track ... WHERE album.artist_id = artist.artist_id AND track.milliseconds > ?) ORDER BY artist_id',
  on: async () => ({ reset: async () => undefined }),
  floor: (db) => ({
    run: () =>
      db
        .selectFrom('artist')
        .selectAll()
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('album')
              .innerJoin('track', 'track.album_id', 'album.album_id')
              .whereRef('album.artist_id', '=', 'artist.artist_id')
              .where('track.milliseconds', '>', f1Milliseconds)
              .select(sql.lit(1).as('one')),
          ),
        )
        .orderBy('artist_id')
        .execute(),
    canonical: (artists: any[]) => f1Canonical(artists, (a) => ({ id: a.artist_id, name: a.name })),
  }),
}
