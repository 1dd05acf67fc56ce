/** F2, counts: every artist with the number of its albums (275 artists, 347 albums), the albums not loaded. */
import { sql } from 'kysely'
import { byNumber, id } from '../canonical.js'
import type { Scenario } from '../scenario.js'

/** Canonical F2: [artist id, name, album count] by id. */
export type F2Row = [number, string | null, number]

export function f2Canonical<A>(artists: readonly A[], read: (a: A) => { id: unknown; name: string | null; albums: unknown }): F2Row[] {
  return artists
    .map((a): F2Row => {
      const artist = read(a)
      return [id(artist.id), artist.name, Number(artist.albums)]
    })
    .sort(byNumber((row) => row[0]))
}

export const f2: Scenario = {
  id: 'F2',
  kind: 'read',
  title: 'every artist with its album count',
  floorNote: 'SELECT artist.*, (SELECT count(*) FROM album WHERE album.artist_id = artist.artist_id) ORDER BY artist_id',
  on: async () => ({ reset: async () => undefined }),
  floor: (db) => ({
    run: () =>
      db
        .selectFrom('artist')
        .selectAll('artist')
        .select((eb) => eb.selectFrom('album').whereRef('album.artist_id', '=', 'artist.artist_id').select(sql<number>`count(*)`.as('n')).as('albums'))
        .orderBy('artist_id')
        .execute(),
    canonical: (artists: any[]) => f2Canonical(artists, (a) => ({ id: a.artist_id, name: a.name, albums: a.albums })),
  }),
}
