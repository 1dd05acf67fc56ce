/**
 * `raw`, the physical limit: the floor's statements sent through the drivers themselves (`pg`,
 * `mysql2`, PGlite), no Kysely: SQL text written by hand, rows as the driver returns them.
 */
import { createPool } from 'mysql2'
import type { Pool as MysqlPool, PoolConnection } from 'mysql2/promise'
import type pg from 'pg'
import type { PGlite, Transaction } from '@electric-sql/pglite'
import { listenedPool, type BenchDatabase } from '../databases.js'
import { r1 } from '../scenarios/r1-artists-albums-tracks.js'
import { r2 } from '../scenarios/r2-playlists-tracks.js'
import { r3, r3TrackIds } from '../scenarios/r3-tracks-one-by-one.js'
import { rowsPerStatement, w1Artists, w1Playlists } from '../scenarios/w1-insert-catalog.js'
import { w2LastTrackId, w2NewPrice } from '../scenarios/w2-update-prices.js'
import type { Contestant, ContestantOnDatabase } from '../scenario.js'

type Row = Record<string, any>

/** What every driver offers here: a statement with parameters, and a transaction on one connection. */
interface RawClient {
  readonly family: 'postgres' | 'mysql'
  query(text: string, params?: readonly unknown[]): Promise<Row[]>
  transaction(work: (client: RawClient) => Promise<void>): Promise<void>
  close(): Promise<void>
}

function pgClient(pool: pg.Pool): RawClient {
  const on = (queryable: pg.Pool | pg.PoolClient): RawClient['query'] => async (text, params) => (await queryable.query(text, params as unknown[])).rows
  return {
    family: 'postgres',
    query: on(pool),
    async transaction(work) {
      const connection = await pool.connect()
      const client: RawClient = { ...this, query: on(connection) }
      try {
        await connection.query('begin')
        await work(client)
        await connection.query('commit')
      } catch (error) {
        await connection.query('rollback')
        throw error
      } finally {
        connection.release()
      }
    },
    close: () => pool.end(),
  }
}

function mysqlClient(pool: MysqlPool): RawClient {
  const on = (queryable: MysqlPool | PoolConnection): RawClient['query'] => async (text, params) => (await queryable.query(text, params as unknown[]))[0] as Row[]
  return {
    family: 'mysql',
    query: on(pool),
    async transaction(work) {
      const connection = await pool.getConnection()
      try {
        await connection.query('begin')
        await work({ ...this, query: on(connection) })
        await connection.query('commit')
      } catch (error) {
        await connection.query('rollback')
        throw error
      } finally {
        connection.release()
      }
    },
    close: () => pool.end(),
  }
}

function pgliteClient(instance: PGlite): RawClient {
  const on = (queryable: PGlite | Transaction): RawClient['query'] => async (text, params) => (await queryable.query<Row>(text, params as unknown[])).rows
  return {
    family: 'postgres',
    query: on(instance),
    async transaction(work) {
      await instance.transaction(async (tx) => work({ ...this, query: on(tx) }))
    },
    // The instance is shared with the other contestants: the run closes it.
    close: async () => undefined,
  }
}

/** `count` placeholders from `from` on: `$n` on PostgreSQL, `?` on MySQL. */
function placeholders(family: RawClient['family'], from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => (family === 'postgres' ? `$${from + i}` : '?'))
}

/** `(…), (…)` of `rows` rows of `columns` placeholders each. */
function valuesList(family: RawClient['family'], rows: number, columns: number): string {
  const groups: string[] = []
  for (let r = 0; r < rows; r++) groups.push(`(${placeholders(family, r * columns + 1, columns).join(', ')})`)
  return groups.join(', ')
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = []
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size))
  return result
}

/** Multi-row INSERT … RETURNING of one id column (MariaDB 10.5+ returns rows too). */
async function insertReturning(client: RawClient, table: string, columns: readonly string[], rows: readonly unknown[][], id: string): Promise<number[]> {
  const ids: number[] = []
  for (const chunk of chunks(rows, rowsPerStatement(columns.length))) {
    const returned = await client.query(`insert into ${table} (${columns.join(', ')}) values ${valuesList(client.family, chunk.length, columns.length)} returning ${id}`, chunk.flat())
    for (const row of returned) ids.push(row[id] as number)
  }
  return ids
}

function group<T extends Row>(rows: readonly T[], key: (row: T) => unknown): Map<unknown, T[]> {
  const map = new Map<unknown, T[]>()
  for (const row of rows) {
    const k = key(row)
    if (k === null) continue
    let list = map.get(k)
    if (list === undefined) map.set(k, (list = []))
    list.push(row)
  }
  return map
}

function operations(client: RawClient): ContestantOnDatabase['operations'] {
  const { family } = client
  const p1 = placeholders(family, 1, 1)[0]!
  return {
    R1: {
      async run() {
        const artists = await client.query('select * from artist order by artist_id')
        const albums = await client.query('select * from album order by album_id')
        const tracks = await client.query('select * from track order by track_id')
        const tracksByAlbum = group(tracks, (t) => t.album_id)
        const albumsByArtist = group(
          albums.map((album): Row => ({ ...album, tracks: tracksByAlbum.get(album.album_id) ?? [] })),
          (a) => a.artist_id,
        )
        return artists.map((artist) => ({ ...artist, albums: albumsByArtist.get(artist.artist_id) ?? [] }))
      },
      canonical: r1.floor(undefined as never, family).canonical!,
    },
    R2: {
      async run() {
        const playlists = await client.query('select * from playlist order by playlist_id')
        const links = await client.query('select track.*, playlist_track.playlist_id from playlist_track inner join track on track.track_id = playlist_track.track_id')
        const byPlaylist = group(links, (l) => l.playlist_id)
        return playlists.map((playlist) => ({ ...playlist, tracks: byPlaylist.get(playlist.playlist_id) ?? [] }))
      },
      canonical: r2.floor(undefined as never, family).canonical!,
    },
    R3: {
      async run() {
        const text =
          'select track.*, album.title, album.artist_id, artist.name as artist_name from track left join album on album.album_id = track.album_id ' +
          `left join artist on artist.artist_id = album.artist_id where track.track_id = ${p1}`
        const rows = []
        for (const trackId of r3TrackIds) rows.push((await client.query(text, [trackId]))[0]!)
        return rows
      },
      canonical: r3.floor(undefined as never, family).canonical!,
    },
    W1: {
      run: () =>
        client.transaction(async (trx) => {
          const artistIds = await insertReturning(trx, 'artist', ['name'], w1Artists.map((a) => [a.name]), 'artist_id')
          const albumRows = w1Artists.flatMap((artist, a) => artist.albums.map((album) => [album.title, artistIds[a]!]))
          const albumIds = await insertReturning(trx, 'album', ['title', 'artist_id'], albumRows, 'album_id')
          const trackRows = w1Artists
            .flatMap((artist) => artist.albums)
            .flatMap((album, b) => album.tracks.map((t) => [t.name, albumIds[b]!, t.mediaTypeId, t.genreId, t.milliseconds, t.unitPrice]))
          const trackIds = await insertReturning(trx, 'track', ['name', 'album_id', 'media_type_id', 'genre_id', 'milliseconds', 'unit_price'], trackRows, 'track_id')
          const playlistIds = await insertReturning(trx, 'playlist', ['name'], w1Playlists.map((p) => [p.name]), 'playlist_id')
          const links = w1Playlists.flatMap((p, i) => p.trackIndexes.map((index) => [playlistIds[i]!, trackIds[index]!]))
          for (const chunk of chunks(links, rowsPerStatement(2))) {
            await trx.query(`insert into playlist_track (playlist_id, track_id) values ${valuesList(family, chunk.length, 2)}`, chunk.flat())
          }
        }),
    },
    W2: {
      async run() {
        const tracks = await client.query(`select * from track where track_id <= ${p1} order by track_id`, [w2LastTrackId])
        const params = tracks.flatMap((track) => [track.track_id, w2NewPrice(track.track_id as number)])
        if (family === 'postgres') {
          const values = tracks.map((_, i) => `($${2 * i + 1}::int, $${2 * i + 2}::numeric)`).join(', ')
          await client.query(`update track set unit_price = v.price from (values ${values}) as v(id, price) where track.track_id = v.id`, params)
        } else {
          const rows = tracks.map((_, i) => (i === 0 ? 'select ? as id, ? as price' : 'select ?, ?')).join(' union all ')
          await client.query(`update track join (${rows}) as v on track.track_id = v.id set track.unit_price = v.price`, params)
        }
      },
    },
  }
}

export const raw: Contestant = {
  name: 'raw',
  description: 'the physical limit: the floor’s statements as SQL text through `pg` / `mysql2` / PGlite directly (no Kysely), rows as the driver returns them',
  async open(db: BenchDatabase): Promise<ContestantOnDatabase> {
    const client =
      db.name === 'postgres'
        ? pgClient(listenedPool({ connectionString: db.url, max: 4 }))
        : db.name === 'mariadb'
          ? mysqlClient(createPool({ uri: db.url!, connectionLimit: 4 }).promise())
          : pgliteClient(db.pglite!)
    return { operations: operations(client), close: () => client.close() }
  },
}
