/**
 * `mikro-orm`: MikroORM 7 (EntitySchema, no decorators), one forked EntityManager per operation,
 * its default loading strategy ('joined'). R3: `em.findOneOrFail(Track, id, { populate: ['album.artist'] })`
 * per track in one EntityManager. W1: `em.create` the graph, `em.flush()`. W2: `em.find`, assign, `em.flush()`.
 */
import { Collection, EntitySchema, OptionalProps, type MikroORM, type Options } from '@mikro-orm/core'
import { MikroORM as MariadbOrm } from '@mikro-orm/mariadb'
import { MikroORM as PostgresOrm } from '@mikro-orm/postgresql'
import type { Contestant, ContestantOnDatabase, Operation, ScenarioId } from '../scenario.js'
import { r1Canonical } from '../scenarios/r1-artists-albums-tracks.js'
import { r2Canonical } from '../scenarios/r2-playlists-tracks.js'
import { r3Row, r3TrackIds, type R3Row } from '../scenarios/r3-tracks-one-by-one.js'
import { w1Artists, w1Playlists } from '../scenarios/w1-insert-catalog.js'
import { w2LastTrackId, w2NewPrice } from '../scenarios/w2-update-prices.js'

class Artist {
  [OptionalProps]?: 'artistId'
  artistId!: number
  name!: string | null
  albums = new Collection<Album>(this)
}
class Album {
  [OptionalProps]?: 'albumId'
  albumId!: number
  title!: string
  artist!: Artist
  tracks = new Collection<Track>(this)
}
class Track {
  [OptionalProps]?: 'trackId'
  trackId!: number
  name!: string
  album!: Album | null
  mediaTypeId!: number
  genreId!: number | null
  composer!: string | null
  milliseconds!: number
  bytes!: number | null
  unitPrice!: string
  playlists = new Collection<Playlist>(this)
}
class Playlist {
  [OptionalProps]?: 'playlistId'
  playlistId!: number
  name!: string | null
  tracks = new Collection<Track>(this)
}

const schemas = [
  new EntitySchema<Artist>({
    class: Artist,
    tableName: 'artist',
    properties: {
      artistId: { type: 'integer', primary: true, autoincrement: true },
      name: { type: 'string', nullable: true },
      albums: { kind: '1:m', entity: () => Album, mappedBy: 'artist' },
    },
  }),
  new EntitySchema<Album>({
    class: Album,
    tableName: 'album',
    properties: {
      albumId: { type: 'integer', primary: true, autoincrement: true },
      title: { type: 'string' },
      artist: { kind: 'm:1', entity: () => Artist, fieldName: 'artist_id' },
      tracks: { kind: '1:m', entity: () => Track, mappedBy: 'album' },
    },
  }),
  new EntitySchema<Track>({
    class: Track,
    tableName: 'track',
    properties: {
      trackId: { type: 'integer', primary: true, autoincrement: true },
      name: { type: 'string' },
      album: { kind: 'm:1', entity: () => Album, fieldName: 'album_id', nullable: true },
      mediaTypeId: { type: 'integer' },
      genreId: { type: 'integer', nullable: true },
      composer: { type: 'string', nullable: true },
      milliseconds: { type: 'integer' },
      bytes: { type: 'integer', nullable: true },
      unitPrice: { type: 'decimal', precision: 10, scale: 2 },
      playlists: { kind: 'm:n', entity: () => Playlist, mappedBy: 'tracks' },
    },
  }),
  new EntitySchema<Playlist>({
    class: Playlist,
    tableName: 'playlist',
    properties: {
      playlistId: { type: 'integer', primary: true, autoincrement: true },
      name: { type: 'string', nullable: true },
      tracks: { kind: 'm:n', entity: () => Track, inversedBy: 'playlists', owner: true, pivotTable: 'playlist_track', joinColumn: 'playlist_id', inverseJoinColumn: 'track_id' },
    },
  }),
]

type Orm = MikroORM

function operations(orm: Orm): Record<Exclude<ScenarioId, 'F1' | 'F2' | 'F3'>, Operation> {
  return {
    R1: {
      run: () => orm.em.fork().find(Artist, {}, { populate: ['albums.tracks'], orderBy: { artistId: 'asc' } }),
      canonical: (artists: Artist[]) =>
        r1Canonical(artists, {
          artist: (a) => ({ id: a.artistId, name: a.name, albums: a.albums.getItems() }),
          album: (b) => ({ id: b.albumId, title: b.title, tracks: b.tracks.getItems() }),
          track: (t) => ({ id: t.trackId, name: t.name, unitPrice: t.unitPrice }),
        }),
    },
    R2: {
      run: () => orm.em.fork().find(Playlist, {}, { populate: ['tracks'], orderBy: { playlistId: 'asc' } }),
      canonical: (playlists: Playlist[]) =>
        r2Canonical(playlists, {
          playlist: (p) => ({ id: p.playlistId, name: p.name, tracks: p.tracks.getItems() }),
          track: (t) => ({ id: t.trackId, name: t.name }),
        }),
    },
    R3: {
      async run() {
        const em = orm.em.fork()
        const rows: R3Row[] = []
        for (const trackId of r3TrackIds) {
          const track = await em.findOneOrFail(Track, { trackId }, { populate: ['album.artist'] })
          const album = track.album!
          rows.push(r3Row({ id: track.trackId, name: track.name }, { id: album.albumId, title: album.title }, { id: album.artist.artistId, name: album.artist.name }))
        }
        return rows
      },
      canonical: (rows: R3Row[]) => rows,
    },
    W1: {
      async run() {
        const em = orm.em.fork()
        const tracks: Track[] = []
        for (const a of w1Artists) {
          const artist = em.create(Artist, { name: a.name })
          for (const b of a.albums) {
            const album = em.create(Album, { title: b.title, artist })
            for (const t of b.tracks) {
              tracks.push(
                em.create(Track, {
                  name: t.name,
                  album,
                  mediaTypeId: t.mediaTypeId,
                  genreId: t.genreId,
                  milliseconds: t.milliseconds,
                  unitPrice: t.unitPrice,
                  composer: null,
                  bytes: null,
                }),
              )
            }
          }
        }
        for (const p of w1Playlists) {
          const playlist = em.create(Playlist, { name: p.name })
          playlist.tracks.add(p.trackIndexes.map((i) => tracks[i]!))
        }
        await em.flush()
      },
    },
    W2: {
      async run() {
        const em = orm.em.fork()
        const tracks = await em.find(Track, { trackId: { $lte: w2LastTrackId } }, { orderBy: { trackId: 'asc' } })
        for (const track of tracks) track.unitPrice = w2NewPrice(track.trackId)
        await em.flush()
      },
    },
  }
}

export const mikroOrm: Contestant = {
  name: 'mikro-orm',
  description: "MikroORM 7, EntitySchema; default 'joined' loading; unit of work (em.flush) for W1/W2",
  unsupported: (db) => (db.name === 'pglite' ? 'MikroORM 7 has no PGlite driver' : undefined),
  async open(db): Promise<ContestantOnDatabase> {
    const options = { clientUrl: db.url!, entities: schemas, debug: false, discovery: { warnWhenNoEntities: false } } satisfies Partial<Options>
    const orm = (db.name === 'postgres' ? await PostgresOrm.init(options) : await MariadbOrm.init(options)) as unknown as Orm
    return { operations: operations(orm), close: () => orm.close(true) }
  },
}
