/** R2, many-to-many: every playlist with its tracks (18 playlists, 8,715 links). */
import { byNumber, id } from '../canonical.js'
import type { Scenario } from '../scenario.js'

/** Canonical R2: playlists by id, each with its tracks as [id, name] by id. */
export interface R2Playlist {
  id: number
  name: string | null
  tracks: [number, string][]
}

export function r2Canonical<P, T>(
  playlists: readonly P[],
  read: { playlist: (p: P) => { id: unknown; name: string | null; tracks: readonly T[] }; track: (t: T) => { id: unknown; name: string } },
): R2Playlist[] {
  return playlists
    .map((p) => {
      const playlist = read.playlist(p)
      return {
        id: id(playlist.id),
        name: playlist.name,
        tracks: playlist.tracks
          .map((t): [number, string] => {
            const track = read.track(t)
            return [id(track.id), track.name]
          })
          .sort(byNumber((t) => t[0])),
      }
    })
    .sort(byNumber((p) => p.id))
}

export const r2: Scenario = {
  id: 'R2',
  kind: 'read',
  title: 'all playlists → tracks (8,715 links)',
  floorNote: 'SELECT * FROM playlist, then the links joined to their tracks (one SELECT pt.playlist_id, track.* … JOIN), grouped with a Map (no ORDER BY: the grouping needs none)',
  on: async () => ({ reset: async () => undefined }),
  floor: (db) => ({
    async run() {
      const playlists = await db.selectFrom('playlist').selectAll().orderBy('playlist_id').execute()
      const links = await db
        .selectFrom('playlist_track')
        .innerJoin('track', 'track.track_id', 'playlist_track.track_id')
        .selectAll('track')
        .select('playlist_track.playlist_id')
        .execute()
      const byPlaylist = new Map<number, typeof links>()
      for (const link of links) {
        let list = byPlaylist.get(link.playlist_id)
        if (list === undefined) byPlaylist.set(link.playlist_id, (list = []))
        list.push(link)
      }
      return playlists.map((playlist) => ({ ...playlist, tracks: byPlaylist.get(playlist.playlist_id) ?? [] }))
    },
    canonical: (playlists: any[]) =>
      r2Canonical(playlists, {
        playlist: (p: any) => ({ id: p.playlist_id, name: p.name, tracks: p.tracks }),
        track: (t: any) => ({ id: t.track_id, name: t.name }),
      }),
  }),
}
