/** The Kysely interface of the Chinook tables the scenarios use, written by hand as a Kysely user would. */
import type { Generated } from 'kysely'

export interface ChinookDb {
  artist: { artist_id: Generated<number>; name: string | null }
  album: { album_id: Generated<number>; title: string; artist_id: number }
  track: {
    track_id: Generated<number>
    name: string
    album_id: number | null
    media_type_id: number
    genre_id: number | null
    composer: string | null
    milliseconds: number
    bytes: number | null
    unit_price: string
  }
  playlist: { playlist_id: Generated<number>; name: string | null }
  playlist_track: { playlist_id: number; track_id: number }
}
