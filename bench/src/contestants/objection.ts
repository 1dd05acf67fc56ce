/**
 * `objection`: Objection 3 on knex 3 (pg and mysql2 clients), models with snake_case properties as
 * the tables have them. Reads with `withGraphFetched` (one query per relation level); R3
 * `findById(id).withGraphFetched('album.artist')` per track. W1: `insertGraph` of the artists in a
 * transaction (batched on PostgreSQL, row by row on MariaDB, as Objection does), then the
 * playlists' `insertGraph(..., { relate: true })`. W2: one `patch` per track in a transaction.
 */
import knexFactory, { type Knex } from 'knex'
import { Model } from 'objection'
import type { Contestant, ContestantOnDatabase, Operation, ScenarioId } from '../scenario.js'
import { r1Canonical } from '../scenarios/r1-artists-albums-tracks.js'
import { r2Canonical } from '../scenarios/r2-playlists-tracks.js'
import { r3Row, r3TrackIds, type R3Row } from '../scenarios/r3-tracks-one-by-one.js'
import { w1Artists, w1Playlists } from '../scenarios/w1-insert-catalog.js'
import { w2LastTrackId, w2NewPrice } from '../scenarios/w2-update-prices.js'

class Artist extends Model {
  artist_id!: number
  name!: string | null
  albums?: Album[]
  static override tableName = 'artist'
  static override idColumn = 'artist_id'
  static override relationMappings = () => ({
    albums: { relation: Model.HasManyRelation, modelClass: Album, join: { from: 'artist.artist_id', to: 'album.artist_id' } },
  })
}
class Album extends Model {
  album_id!: number
  title!: string
  artist_id!: number
  artist?: Artist
  tracks?: Track[]
  static override tableName = 'album'
  static override idColumn = 'album_id'
  static override relationMappings = () => ({
    artist: { relation: Model.BelongsToOneRelation, modelClass: Artist, join: { from: 'album.artist_id', to: 'artist.artist_id' } },
    tracks: { relation: Model.HasManyRelation, modelClass: Track, join: { from: 'album.album_id', to: 'track.album_id' } },
  })
}
class Track extends Model {
  track_id!: number
  name!: string
  album_id!: number | null
  unit_price!: string
  album?: Album
  static override tableName = 'track'
  static override idColumn = 'track_id'
  static override relationMappings = () => ({
    album: { relation: Model.BelongsToOneRelation, modelClass: Album, join: { from: 'track.album_id', to: 'album.album_id' } },
  })
}
class Playlist extends Model {
  playlist_id!: number
  name!: string | null
  tracks?: Track[]
  static override tableName = 'playlist'
  static override idColumn = 'playlist_id'
  static override relationMappings = () => ({
    tracks: {
      relation: Model.ManyToManyRelation,
      modelClass: Track,
      join: { from: 'playlist.playlist_id', through: { from: 'playlist_track.playlist_id', to: 'playlist_track.track_id' }, to: 'track.track_id' },
    },
  })
}

function operations(knex: Knex): Record<Exclude<ScenarioId, 'F1' | 'F2' | 'F3'>, Operation> {
  return {
    R1: {
      run: async () => await Artist.query(knex).withGraphFetched('albums.tracks').orderBy('artist_id'),
      canonical: (artists: Artist[]) =>
        r1Canonical(artists, {
          artist: (a) => ({ id: a.artist_id, name: a.name, albums: a.albums! }),
          album: (b) => ({ id: b.album_id, title: b.title, tracks: b.tracks! }),
          track: (t) => ({ id: t.track_id, name: t.name, unitPrice: t.unit_price }),
        }),
    },
    R2: {
      run: async () => await Playlist.query(knex).withGraphFetched('tracks').orderBy('playlist_id'),
      canonical: (playlists: Playlist[]) =>
        r2Canonical(playlists, {
          playlist: (p) => ({ id: p.playlist_id, name: p.name, tracks: p.tracks! }),
          track: (t) => ({ id: t.track_id, name: t.name }),
        }),
    },
    R3: {
      async run() {
        const rows: R3Row[] = []
        for (const trackId of r3TrackIds) {
          const track = await Track.query(knex).findById(trackId).withGraphFetched('album.artist').throwIfNotFound()
          const album = track.album!
          rows.push(r3Row({ id: track.track_id, name: track.name }, { id: album.album_id, title: album.title }, { id: album.artist!.artist_id, name: album.artist!.name }))
        }
        return rows
      },
      canonical: (rows: R3Row[]) => rows,
    },
    W1: {
      run: () =>
        knex.transaction(async (trx) => {
          const artists = await Artist.query(trx).insertGraph(
            w1Artists.map((a) => ({
              name: a.name,
              albums: a.albums.map((b) => ({
                title: b.title,
                tracks: b.tracks.map((t) => ({
                  name: t.name,
                  media_type_id: t.mediaTypeId,
                  genre_id: t.genreId,
                  milliseconds: t.milliseconds,
                  unit_price: t.unitPrice,
                })),
              })),
            })) as never,
          )
          const trackIds = (artists as unknown as Artist[]).flatMap((a) => a.albums!.flatMap((b) => b.tracks!.map((t) => t.track_id)))
          await Playlist.query(trx).insertGraph(w1Playlists.map((p) => ({ name: p.name, tracks: p.trackIndexes.map((i) => ({ track_id: trackIds[i]! })) })) as never, {
            relate: true,
          })
        }),
    },
    W2: {
      async run() {
        const tracks = await Track.query(knex).where('track_id', '<=', w2LastTrackId).orderBy('track_id')
        await knex.transaction(async (trx) => {
          for (const track of tracks) await Track.query(trx).patch({ unit_price: w2NewPrice(track.track_id) }).findById(track.track_id)
        })
      },
    },
  }
}

export const objection: Contestant = {
  name: 'objection',
  description: 'Objection 3 on knex 3; withGraphFetched (one query per level); W1 insertGraph in a transaction; W2 one patch per track in a transaction',
  unsupported: (db) => (db.name === 'pglite' ? 'knex 3 has no PGlite client' : undefined),
  async open(db): Promise<ContestantOnDatabase> {
    const knex = knexFactory({ client: db.name === 'postgres' ? 'pg' : 'mysql2', connection: db.url!, pool: { min: 0, max: 4 } })
    return { operations: operations(knex), close: () => knex.destroy() }
  },
}
