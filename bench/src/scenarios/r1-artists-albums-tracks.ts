/** R1, nested one-to-many: every artist with its albums, each with its tracks (275 artists, 347 albums, 3,503 tracks). */
import { byNumber, id, price } from '../canonical.js'
import type { Scenario } from '../scenario.js'

/** Canonical R1: artists by id, each with albums by id, each with its tracks as [id, name, price] by id. */
export interface R1Artist {
  id: number
  name: string | null
  albums: { id: number; title: string; tracks: [number, string, string][] }[]
}

/** Builds the canonical form from any contestant's objects, given how to read each field. */
export function r1Canonical<A, B, T>(
  artists: readonly A[],
  read: {
    artist: (a: A) => { id: unknown; name: string | null; albums: readonly B[] }
    album: (b: B) => { id: unknown; title: string; tracks: readonly T[] }
    track: (t: T) => { id: unknown; name: string; unitPrice: unknown }
  },
): R1Artist[] {
  return artists
    .map((a) => {
      const artist = read.artist(a)
      return {
        id: id(artist.id),
        name: artist.name,
        albums: artist.albums
          .map((b) => {
            const album = read.album(b)
            return {
              id: id(album.id),
              title: album.title,
              tracks: album.tracks
                .map((t): [number, string, string] => {
                  const track = read.track(t)
                  return [id(track.id), track.name, price(track.unitPrice)]
                })
                .sort(byNumber((t) => t[0])),
            }
          })
          .sort(byNumber((b) => b.id)),
      }
    })
    .sort(byNumber((a) => a.id))
}

export const r1: Scenario = {
  id: 'R1',
  kind: 'read',
  title: 'all artists → albums → tracks',
  floorNote: 'three SELECT * (artists, albums, tracks, each ordered by id), grouped into nested arrays with two Maps',
  on: async () => ({ reset: async () => undefined }),
  floor: (db) => ({
    async run() {
      const artists = await db.selectFrom('artist').selectAll().orderBy('artist_id').execute()
      const albums = await db.selectFrom('album').selectAll().orderBy('album_id').execute()
      const tracks = await db.selectFrom('track').selectAll().orderBy('track_id').execute()
      const tracksByAlbum = new Map<number, (typeof tracks)[number][]>()
      for (const track of tracks) {
        if (track.album_id === null) continue
        let list = tracksByAlbum.get(track.album_id)
        if (list === undefined) tracksByAlbum.set(track.album_id, (list = []))
        list.push(track)
      }
      const albumsByArtist = new Map<number, ((typeof albums)[number] & { tracks: typeof tracks })[]>()
      for (const album of albums) {
        let list = albumsByArtist.get(album.artist_id)
        if (list === undefined) albumsByArtist.set(album.artist_id, (list = []))
        list.push({ ...album, tracks: tracksByAlbum.get(album.album_id) ?? [] })
      }
      return artists.map((artist) => ({ ...artist, albums: albumsByArtist.get(artist.artist_id) ?? [] }))
    },
    canonical: (artists: any[]) =>
      r1Canonical(artists, {
        artist: (a: any) => ({ id: a.artist_id, name: a.name, albums: a.albums }),
        album: (b: any) => ({ id: b.album_id, title: b.title, tracks: b.tracks }),
        track: (t: any) => ({ id: t.track_id, name: t.name, unitPrice: t.unit_price }),
      }),
  }),
}
