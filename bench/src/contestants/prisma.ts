/**
 * `prisma`: Prisma 7 (query compiler, driver adapters @prisma/adapter-pg and
 * @prisma/adapter-mariadb; clients generated from prisma/*.prisma into .generated/). Reads with
 * `include` (Prisma's default relation loading). Prisma has no unit of work: W1 on PostgreSQL is
 * an interactive transaction of `createManyAndReturn` per table and one `createMany` of links; on
 * MariaDB, which has no `createManyAndReturn`, one nested `create` per artist (its albums, their
 * tracks by nested `createMany`) and per playlist (its links). W2: `findMany`, then one `update`
 * per track in a batch `$transaction([...])`.
 */
import { PrismaMariaDb } from '@prisma/adapter-mariadb'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient as MariadbClient } from '../../.generated/prisma-mariadb/client.js'
import { PrismaClient as PostgresClient } from '../../.generated/prisma-postgres/client.js'
import type { Contestant, ContestantOnDatabase, Operation, ScenarioId } from '../scenario.js'
import { f2Canonical } from '../scenarios/f2-artist-album-counts.js'
import { r1Canonical } from '../scenarios/r1-artists-albums-tracks.js'
import { r2Canonical } from '../scenarios/r2-playlists-tracks.js'
import { f1Canonical, f1Milliseconds } from '../scenarios/f1-artists-with-long-tracks.js'
import { f3Canonical, f3PerAlbum } from '../scenarios/f3-longest-tracks-per-album.js'
import { r3Row, r3TrackIds, type R3Row } from '../scenarios/r3-tracks-one-by-one.js'
import { w1Artists, w1Playlists } from '../scenarios/w1-insert-catalog.js'
import { w2LastTrackId, w2NewPrice } from '../scenarios/w2-update-prices.js'

/** Both generated clients have the same model API; the PostgreSQL one types them. */
type Client = InstanceType<typeof PostgresClient>

const transactionOptions = { maxWait: 10_000, timeout: 300_000 }

const trackData = (t: (typeof w1Artists)[number]['albums'][number]['tracks'][number]) => ({
  name: t.name,
  mediaTypeId: t.mediaTypeId,
  genreId: t.genreId,
  milliseconds: t.milliseconds,
  unitPrice: t.unitPrice,
})

async function insertCatalogPostgres(prisma: Client): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const artists = await tx.artist.createManyAndReturn({ data: w1Artists.map((a) => ({ name: a.name })), select: { artistId: true } })
    const albums = await tx.album.createManyAndReturn({
      data: w1Artists.flatMap((a, i) => a.albums.map((b) => ({ title: b.title, artistId: artists[i]!.artistId }))),
      select: { albumId: true },
    })
    const tracks = await tx.track.createManyAndReturn({
      data: w1Artists.flatMap((a) => a.albums).flatMap((b, i) => b.tracks.map((t) => ({ ...trackData(t), albumId: albums[i]!.albumId }))),
      select: { trackId: true },
    })
    const playlists = await tx.playlist.createManyAndReturn({ data: w1Playlists.map((p) => ({ name: p.name })), select: { playlistId: true } })
    await tx.playlistTrack.createMany({
      data: w1Playlists.flatMap((p, i) => p.trackIndexes.map((index) => ({ playlistId: playlists[i]!.playlistId, trackId: tracks[index]!.trackId }))),
    })
  }, transactionOptions)
}

async function insertCatalogNested(prisma: Client): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const trackIds: number[] = []
    for (const a of w1Artists) {
      const artist = await tx.artist.create({
        data: { name: a.name, albums: { create: a.albums.map((b) => ({ title: b.title, tracks: { createMany: { data: b.tracks.map(trackData) } } })) } },
        select: { albums: { select: { tracks: { select: { trackId: true }, orderBy: { trackId: 'asc' } } }, orderBy: { albumId: 'asc' } } },
      })
      for (const album of artist.albums) for (const track of album.tracks) trackIds.push(track.trackId)
    }
    for (const p of w1Playlists) {
      await tx.playlist.create({ data: { name: p.name, tracks: { createMany: { data: p.trackIndexes.map((i) => ({ trackId: trackIds[i]! })) } } }, select: { playlistId: true } })
    }
  }, transactionOptions)
}

function operations(prisma: Client, family: 'postgres' | 'mysql'): Partial<Record<ScenarioId, Operation>> {
  return {
    F2: {
      run: () => prisma.artist.findMany({ include: { _count: { select: { albums: true } } }, orderBy: { artistId: 'asc' } }),
      canonical: (artists: any[]) => f2Canonical(artists, (a: any) => ({ id: a.artistId, name: a.name, albums: a._count.albums })),
    },
    R1: {
      run: () => prisma.artist.findMany({ include: { albums: { include: { tracks: true } } }, orderBy: { artistId: 'asc' } }),
      canonical: (artists: any[]) =>
        r1Canonical(artists, {
          artist: (a: any) => ({ id: a.artistId, name: a.name, albums: a.albums }),
          album: (b: any) => ({ id: b.albumId, title: b.title, tracks: b.tracks }),
          track: (t: any) => ({ id: t.trackId, name: t.name, unitPrice: t.unitPrice }),
        }),
    },
    R2: {
      run: () => prisma.playlist.findMany({ include: { tracks: { include: { track: true } } }, orderBy: { playlistId: 'asc' } }),
      canonical: (playlists: any[]) =>
        r2Canonical(playlists, {
          playlist: (p: any) => ({ id: p.playlistId, name: p.name, tracks: p.tracks }),
          track: (link: any) => ({ id: link.track.trackId, name: link.track.name }),
        }),
    },
    F3: {
      run: () => prisma.album.findMany({ include: { tracks: { orderBy: [{ milliseconds: 'desc' }, { trackId: 'asc' }], take: f3PerAlbum } }, orderBy: { albumId: 'asc' } }),
      canonical: (albums: any[]) => f3Canonical(albums, { album: (b: any) => ({ id: b.albumId, title: b.title, tracks: b.tracks }), track: (t: any) => t.trackId }),
    },
    F1: {
      run: () => prisma.artist.findMany({ where: { albums: { some: { tracks: { some: { milliseconds: { gt: f1Milliseconds } } } } } }, orderBy: { artistId: 'asc' } }),
      canonical: (artists: any[]) => f1Canonical(artists, (a: any) => ({ id: a.artistId, name: a.name })),
    },
    R3: {
      async run() {
        const rows: R3Row[] = []
        for (const trackId of r3TrackIds) {
          const track = await prisma.track.findUniqueOrThrow({ where: { trackId }, include: { album: { include: { artist: true } } } })
          const album = track.album!
          rows.push(r3Row({ id: track.trackId, name: track.name }, { id: album.albumId, title: album.title }, { id: album.artist.artistId, name: album.artist.name }))
        }
        return rows
      },
      canonical: (rows: R3Row[]) => rows,
    },
    W1: { run: () => (family === 'postgres' ? insertCatalogPostgres(prisma) : insertCatalogNested(prisma)) },
    W2: {
      async run() {
        const tracks = await prisma.track.findMany({ where: { trackId: { lte: w2LastTrackId } }, orderBy: { trackId: 'asc' } })
        await prisma.$transaction(tracks.map((t) => prisma.track.update({ where: { trackId: t.trackId }, data: { unitPrice: w2NewPrice(t.trackId) } })))
      },
    },
  }
}

export const prisma: Contestant = {
  name: 'prisma',
  description: 'Prisma 7 with driver adapters; include for relations; W1 createManyAndReturn (PostgreSQL) / nested creates (MariaDB) in a transaction; W2 one update per track in $transaction([...])',
  unsupported: (db) => (db.name === 'pglite' ? 'no PGlite driver adapter among the pinned Prisma packages' : undefined),
  async open(db): Promise<ContestantOnDatabase> {
    const c = db.connection!
    const client: Client =
      db.name === 'postgres'
        ? new PostgresClient({ adapter: new PrismaPg({ connectionString: db.url!, max: 4 }) })
        : (new MariadbClient({ adapter: new PrismaMariaDb({ host: c.host, port: c.port, user: c.user, password: c.password, database: c.database, connectionLimit: 4 }) }) as unknown as Client)
    await client.$connect()
    return { operations: operations(client, db.family), close: () => client.$disconnect() }
  },
}
