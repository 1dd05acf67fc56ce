/**
 * `typeorm`: TypeORM 1.1 with EntitySchema (no decorators), its default relation loading (one
 * LEFT JOIN query). R3: `findOne({ where: { trackId }, relations: { album: { artist: true } } })`
 * per track. W1: the artist graph saved with cascades, then the playlists (junction rows), in one
 * transaction. W2: `find`, assign, `save(tracks)`.
 */
import { DataSource, EntitySchema } from 'typeorm'
import type { Contestant, ContestantOnDatabase, Operation, ScenarioId } from '../scenario.js'
import { r1Canonical } from '../scenarios/r1-artists-albums-tracks.js'
import { r2Canonical } from '../scenarios/r2-playlists-tracks.js'
import { r3Row, r3TrackIds, type R3Row } from '../scenarios/r3-tracks-one-by-one.js'
import { w1Artists, w1Playlists } from '../scenarios/w1-insert-catalog.js'
import { w2LastTrackId, w2NewPrice } from '../scenarios/w2-update-prices.js'
import { LessThanOrEqual } from 'typeorm'

interface Artist {
  artistId?: number
  name: string | null
  albums?: Album[]
}
interface Album {
  albumId?: number
  title: string
  artist?: Artist
  tracks?: Track[]
}
interface Track {
  trackId?: number
  name: string
  album?: Album | null
  mediaTypeId: number
  genreId: number | null
  composer?: string | null
  milliseconds: number
  bytes?: number | null
  unitPrice: string
}
interface Playlist {
  playlistId?: number
  name: string | null
  tracks?: Track[]
}

const ArtistSchema = new EntitySchema<Artist>({
  name: 'Artist',
  tableName: 'artist',
  columns: { artistId: { type: 'int', primary: true, generated: true, name: 'artist_id' }, name: { type: 'varchar', length: 120, nullable: true } },
  relations: { albums: { type: 'one-to-many', target: 'Album', inverseSide: 'artist', cascade: ['insert'] } },
})
const AlbumSchema = new EntitySchema<Album>({
  name: 'Album',
  tableName: 'album',
  columns: { albumId: { type: 'int', primary: true, generated: true, name: 'album_id' }, title: { type: 'varchar', length: 160 } },
  relations: {
    artist: { type: 'many-to-one', target: 'Artist', joinColumn: { name: 'artist_id' }, inverseSide: 'albums' },
    tracks: { type: 'one-to-many', target: 'Track', inverseSide: 'album', cascade: ['insert'] },
  },
})
const TrackSchema = new EntitySchema<Track>({
  name: 'Track',
  tableName: 'track',
  columns: {
    trackId: { type: 'int', primary: true, generated: true, name: 'track_id' },
    name: { type: 'varchar', length: 200 },
    mediaTypeId: { type: 'int', name: 'media_type_id' },
    genreId: { type: 'int', name: 'genre_id', nullable: true },
    composer: { type: 'varchar', length: 220, nullable: true },
    milliseconds: { type: 'int' },
    bytes: { type: 'int', nullable: true },
    unitPrice: { type: 'decimal', precision: 10, scale: 2, name: 'unit_price' },
  },
  relations: { album: { type: 'many-to-one', target: 'Album', joinColumn: { name: 'album_id' }, inverseSide: 'tracks', nullable: true } },
})
const PlaylistSchema = new EntitySchema<Playlist>({
  name: 'Playlist',
  tableName: 'playlist',
  columns: { playlistId: { type: 'int', primary: true, generated: true, name: 'playlist_id' }, name: { type: 'varchar', length: 120, nullable: true } },
  relations: {
    tracks: {
      type: 'many-to-many',
      target: 'Track',
      joinTable: {
        name: 'playlist_track',
        joinColumn: { name: 'playlist_id', referencedColumnName: 'playlistId' },
        inverseJoinColumn: { name: 'track_id', referencedColumnName: 'trackId' },
      },
    },
  },
})

function operations(ds: DataSource): Record<Exclude<ScenarioId, 'F1' | 'F2' | 'F3'>, Operation> {
  return {
    R1: {
      run: () => ds.getRepository(ArtistSchema).find({ relations: { albums: { tracks: true } }, order: { artistId: 'ASC' } }),
      canonical: (artists: Artist[]) =>
        r1Canonical(artists, {
          artist: (a) => ({ id: a.artistId, name: a.name, albums: a.albums! }),
          album: (b) => ({ id: b.albumId, title: b.title, tracks: b.tracks! }),
          track: (t) => ({ id: t.trackId, name: t.name, unitPrice: t.unitPrice }),
        }),
    },
    R2: {
      run: () => ds.getRepository(PlaylistSchema).find({ relations: { tracks: true }, order: { playlistId: 'ASC' } }),
      canonical: (playlists: Playlist[]) =>
        r2Canonical(playlists, {
          playlist: (p) => ({ id: p.playlistId, name: p.name, tracks: p.tracks! }),
          track: (t) => ({ id: t.trackId, name: t.name }),
        }),
    },
    R3: {
      async run() {
        const repository = ds.getRepository(TrackSchema)
        const rows: R3Row[] = []
        for (const trackId of r3TrackIds) {
          const track = await repository.findOneOrFail({ where: { trackId }, relations: { album: { artist: true } } })
          const album = track.album!
          rows.push(r3Row({ id: track.trackId, name: track.name }, { id: album.albumId, title: album.title }, { id: album.artist!.artistId, name: album.artist!.name }))
        }
        return rows
      },
      canonical: (rows: R3Row[]) => rows,
    },
    W1: {
      run: () =>
        ds.transaction(async (manager) => {
          const tracks: Track[] = []
          const artists: Artist[] = w1Artists.map((a) => ({
            name: a.name,
            albums: a.albums.map((b) => ({
              title: b.title,
              tracks: b.tracks.map((t) => {
                const track: Track = { name: t.name, mediaTypeId: t.mediaTypeId, genreId: t.genreId, milliseconds: t.milliseconds, unitPrice: t.unitPrice }
                tracks.push(track)
                return track
              }),
            })),
          }))
          await manager.save(ArtistSchema, artists)
          await manager.save(
            PlaylistSchema,
            w1Playlists.map((p) => ({ name: p.name, tracks: p.trackIndexes.map((i) => tracks[i]!) })),
          )
        }),
    },
    W2: {
      async run() {
        const repository = ds.getRepository(TrackSchema)
        const tracks = await repository.find({ where: { trackId: LessThanOrEqual(w2LastTrackId) }, order: { trackId: 'ASC' } })
        for (const track of tracks) track.unitPrice = w2NewPrice(track.trackId!)
        await repository.save(tracks)
      },
    },
  }
}

export const typeorm: Contestant = {
  name: 'typeorm',
  description: 'TypeORM 1.1, EntitySchema; find with relations (joins); W1 cascade save in a transaction; W2 save() of the changed tracks',
  unsupported: (db) => (db.name === 'pglite' ? 'TypeORM 1.1 has no PGlite driver' : undefined),
  async open(db): Promise<ContestantOnDatabase> {
    const c = db.connection!
    const ds = new DataSource({
      type: db.name === 'postgres' ? 'postgres' : 'mariadb',
      host: c.host,
      port: c.port,
      username: c.user,
      password: c.password,
      database: c.database,
      entities: [ArtistSchema, AlbumSchema, TrackSchema, PlaylistSchema],
      synchronize: false,
      logging: false,
    })
    await ds.initialize()
    return { operations: operations(ds), close: () => ds.destroy() }
  },
}
