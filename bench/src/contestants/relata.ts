/**
 * `relata-selectin` and `relata-join`: Relata (the code under test), the same session code with
 * each loading strategy. R1/R2: `.with(...)` with the query-wide `.strategy()`. R3: selectin
 * fetches each track with `session.get` and follows `track.album.load()` / `album.artist.load()`
 * lazily, so the identity map answers albums and artists already loaded; join runs one
 * `.where({ trackId }).with({ album: { artist: true } }).strategy('join').one()` per track. W1/W2
 * load no relation, so only `relata-selectin` runs them.
 */
import { createOrm, type NewEntity, type Orm } from '@relata/core'
import { mysql } from '@relata/core/mysql'
import { pglite } from '@relata/core/pglite'
import { postgres } from '@relata/core/postgres'
import { schema } from '../chinook.js'
import type { BenchDatabase } from '../databases.js'
import type { Contestant, ContestantOnDatabase, Operation, ScenarioId } from '../scenario.js'
import { r1Canonical } from '../scenarios/r1-artists-albums-tracks.js'
import { f2Canonical } from '../scenarios/f2-artist-album-counts.js'
import { r2Canonical } from '../scenarios/r2-playlists-tracks.js'
import { r3Row, r3TrackIds, type R3Row } from '../scenarios/r3-tracks-one-by-one.js'
import { w1Artists, w1Playlists } from '../scenarios/w1-insert-catalog.js'
import { w2LastTrackId, w2NewPrice } from '../scenarios/w2-update-prices.js'
import { f1Canonical, f1Milliseconds } from '../scenarios/f1-artists-with-long-tracks.js'

type ChinookOrm = Orm<typeof schema>
type Strategy = 'selectIn' | 'join'

function openOrm(db: BenchDatabase): ChinookOrm {
  const dialect = db.name === 'postgres' ? postgres(db.url!) : db.name === 'mariadb' ? mysql(db.url!) : pglite(db.pglite!)
  return createOrm({ schema, dialect })
}

function operations(orm: ChinookOrm, strategy: Strategy): Partial<Record<ScenarioId, Operation | string>> {
  const r1: Operation = {
    run: () => orm.session().query('artists').strategy(strategy).with({ albums: { tracks: true } }).orderBy('artistId').all(),
    canonical: (artists: any[]) =>
      r1Canonical(artists, {
        artist: (a: any) => ({ id: a.artistId, name: a.name, albums: a.albums }),
        album: (b: any) => ({ id: b.albumId, title: b.title, tracks: b.tracks }),
        track: (t: any) => ({ id: t.trackId, name: t.name, unitPrice: t.unitPrice }),
      }),
  }
  const r2: Operation = {
    run: () => orm.session().query('playlists').strategy(strategy).with({ tracks: true }).orderBy('playlistId').all(),
    canonical: (playlists: any[]) =>
      r2Canonical(playlists, {
        playlist: (p: any) => ({ id: p.playlistId, name: p.name, tracks: p.tracks }),
        track: (t: any) => ({ id: t.trackId, name: t.name }),
      }),
  }
  const f2: Operation = {
    run: () => orm.session().query('artists').withCount('albums').orderBy('artistId').all(),
    canonical: (artists: any[]) => f2Canonical(artists, (a: any) => ({ id: a.artistId, name: a.name, albums: a.$counts.albums })),
  }
  // F1 loads no relation: the filter is the same EXISTS for both strategies.
  const f1: Operation = {
    run: () =>
      orm
        .session()
        .query('artists')
        .where({ albums: { some: { tracks: { some: (q) => q.where('milliseconds', '>', f1Milliseconds) } } } })
        .orderBy('artistId')
        .all(),
    canonical: (artists: any[]) => f1Canonical(artists, (a: any) => ({ id: a.artistId, name: a.name })),
  }
  const r3: Operation =
    strategy === 'selectIn'
      ? {
          async run() {
            const session = orm.session()
            const rows: R3Row[] = []
            for (const trackId of r3TrackIds) {
              const track = await session.get('tracks', trackId)
              if (track === undefined) throw new Error(`track ${trackId} not found`)
              const album = await track.album?.load()
              if (album == null) throw new Error(`track ${trackId} has no album`)
              const artist = await album.artist.load()
              rows.push(r3Row({ id: track.trackId, name: track.name }, { id: album.albumId, title: album.title }, { id: artist.artistId, name: artist.name }))
            }
            return rows
          },
          canonical: (rows: R3Row[]) => rows,
        }
      : {
          async run() {
            const session = orm.session()
            const rows: R3Row[] = []
            for (const trackId of r3TrackIds) {
              const track = await session.query('tracks').where({ trackId }).with({ album: { artist: true } }).strategy('join').one()
              const album = track.album!
              rows.push(r3Row({ id: track.trackId, name: track.name }, { id: album.albumId, title: album.title }, { id: album.artist.artistId, name: album.artist.name }))
            }
            return rows
          },
          canonical: (rows: R3Row[]) => rows,
        }
  if (strategy === 'join') {
    const same = 'same code as relata-selectin (no relation is loaded)'
    return { R1: r1, R2: r2, R3: r3, W1: same, W2: same, F2: same, F1: 'same code and statement as relata-selectin (no relation is loaded)' }
  }
  const w1: Operation = {
    async run() {
      const session = orm.session()
      const tracks: NewEntity<typeof schema, 'tracks'>[] = []
      for (const artistValues of w1Artists) {
        const artist = session.create('artists', { name: artistValues.name })
        for (const albumValues of artistValues.albums) {
          const album = session.create('albums', { title: albumValues.title, artist })
          for (const t of albumValues.tracks) {
            tracks.push(
              session.create('tracks', {
                name: t.name,
                album,
                mediaTypeId: t.mediaTypeId,
                genreId: t.genreId,
                milliseconds: t.milliseconds,
                unitPrice: t.unitPrice,
              }),
            )
          }
        }
      }
      for (const p of w1Playlists) {
        const playlist = session.create('playlists', { name: p.name })
        playlist.tracks.add(...p.trackIndexes.map((i) => tracks[i]!))
      }
      await session.commit()
    },
  }
  const w2: Operation = {
    async run() {
      const session = orm.session()
      const tracks = await session.query('tracks').where('trackId', '<=', w2LastTrackId).orderBy('trackId').all()
      for (const track of tracks) track.unitPrice = w2NewPrice(track.trackId)
      await session.commit()
    },
  }
  return { R1: r1, R2: r2, R3: r3, W1: w1, W2: w2, F1: f1, F2: f2 }
}

function relata(strategy: Strategy): Contestant {
  return {
    name: strategy === 'join' ? 'relata-join' : 'relata-selectin',
    description:
      strategy === 'join'
        ? "Relata, `.strategy('join')`: one statement per query, a many-to-one as a LEFT JOIN, to-many children aggregated as JSON"
        : "Relata, `.strategy('selectIn')`: one statement per relation level, `WHERE key IN (…)` (no key list under a whole-table read); R3 by `session.get` and lazy loads through the identity map",
    async open(db): Promise<ContestantOnDatabase> {
      const orm = openOrm(db)
      return {
        operations: operations(orm, strategy),
        // PGlite: orm.destroy() would close the shared instance.
        close: async () => (db.name === 'pglite' ? undefined : orm.destroy()),
      }
    },
  }
}

export const relataSelectIn = relata('selectIn')
export const relataJoin = relata('join')
