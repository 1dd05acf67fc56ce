/** The databases a run measures on: each a fresh Chinook database (`relata_bench_<random>` on a server, a new in-memory PGlite), dropped at the end. */
import { randomBytes } from 'node:crypto'
import { PGlite } from '@electric-sql/pglite'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Kysely, MysqlDialect, PGliteDialect, PostgresDialect, sql } from 'kysely'
import { createConnection, createPool } from 'mysql2'
import { createConnection as createPromiseConnection } from 'mysql2/promise'
import pg from 'pg'
import { createOrm, type RelataDialect } from '@relata/core'
import { mysql } from '@relata/core/mysql'
import { pglite } from '@relata/core/pglite'
import { postgres } from '@relata/core/postgres'
import { chinookDir, loadChinook, schema, splitStatements } from './chinook.js'
import type { ChinookDb } from './kysely-db.js'

export type DatabaseName = 'postgres' | 'mariadb' | 'pglite'
export const databaseNames: readonly DatabaseName[] = ['postgres', 'mariadb', 'pglite']

/** One loaded Chinook database and how each contestant reaches it. */
export interface BenchDatabase {
  readonly name: DatabaseName
  readonly family: 'postgres' | 'mysql'
  /** Servers: the connection URL of the fresh database. */
  readonly url: string | undefined
  /** Servers: host, port, user and database, for drivers that want them apart. */
  readonly connection: { host: string; port: number; user: string; password: string; database: string } | undefined
  /** PGlite: the one instance every contestant shares (one instance takes ~750 MB). */
  readonly pglite: PGlite | undefined
  /** For resets and checks, outside the timed region. */
  readonly admin: Kysely<ChinookDb>
  /** The largest ids of the dataset, for W1's reset. */
  readonly baseline: { artist: number; album: number; track: number; playlist: number }
  drop(): Promise<void>
}

const postgresBase = process.env.RELATA_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const mariadbBase = process.env.RELATA_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test'

const freshName = (): string => `relata_bench_${randomBytes(5).toString('hex')}`

function withDatabase(base: string, database: string): string {
  const url = new URL(base)
  url.pathname = `/${database}`
  return url.toString()
}

function connectionOf(url: string): NonNullable<BenchDatabase['connection']> {
  const u = new URL(url)
  const port = Number(u.port || (u.protocol.startsWith('postgres') ? 5432 : 3306))
  return { host: u.hostname, port, user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: u.pathname.slice(1) }
}

/** Why the server cannot be used, or undefined. */
export async function probe(name: DatabaseName): Promise<string | undefined> {
  try {
    if (name === 'postgres') {
      const client = new pg.Client({ connectionString: postgresBase, connectionTimeoutMillis: 3000 })
      await client.connect()
      await client.end()
    } else if (name === 'mariadb') {
      const connection = await createPromiseConnection({ uri: mariadbBase, connectTimeout: 3000 })
      await connection.end()
    }
    return undefined
  } catch (error) {
    return `${name === 'postgres' ? postgresBase : mariadbBase} unreachable: ${error instanceof Error ? error.message : String(error)}`
  }
}

async function adminQuery(name: 'postgres' | 'mariadb', statement: string): Promise<void> {
  if (name === 'postgres') {
    const client = new pg.Client({ connectionString: postgresBase })
    await client.connect()
    try {
      await client.query(statement)
    } finally {
      await client.end()
    }
  } else {
    const connection = createConnection({ uri: mariadbBase }).promise()
    try {
      await connection.query(statement)
    } finally {
      await connection.end()
    }
  }
}

/**
 * The dataset's own indexes on foreign keys (its CREATE INDEX statements), which Relata's DDL does
 * not make: without them W1's reset (deleting 10,000 tracks) scans a table per row. MariaDB's
 * InnoDB indexes every foreign key by itself.
 */
async function createIndexes(db: Kysely<any>, name: DatabaseName): Promise<void> {
  if (name === 'mariadb') return
  const script = await readFile(join(chinookDir(), 'Chinook_PostgreSql.sql'), 'utf8')
  for (const statement of splitStatements(script).filter((s) => /^CREATE INDEX\s/i.test(s))) await sql.raw(statement).execute(db)
}

/** Creates the database, its tables (by Relata's DDL from the Chinook schema) and the dataset's indexes, and loads the dataset. */
export async function openDatabase(name: DatabaseName): Promise<BenchDatabase> {
  let url: string | undefined
  let instance: PGlite | undefined
  let dialect: RelataDialect
  let database: string | undefined
  if (name === 'pglite') {
    instance = new PGlite()
    dialect = pglite(instance)
  } else {
    database = freshName()
    await adminQuery(name, name === 'postgres' ? `create database "${database}"` : `create database \`${database}\``)
    url = withDatabase(name === 'postgres' ? postgresBase : mariadbBase, database)
    dialect = name === 'postgres' ? postgres(url) : mysql(url)
  }
  const loader = createOrm({ schema, dialect })
  await loader.createTables()
  await loadChinook(loader)
  await createIndexes(loader.db as unknown as Kysely<any>, name)
  // On PGlite the loader's destroy would close the shared instance: the admin Kysely closes it at the end.
  if (name !== 'pglite') await loader.destroy()
  const admin = new Kysely<ChinookDb>({
    dialect:
      name === 'postgres'
        ? new PostgresDialect({ pool: listenedPool({ connectionString: url, max: 2 }) })
        : name === 'mariadb'
          ? new MysqlDialect({ pool: createPool({ uri: url!, connectionLimit: 2 }) })
          : new PGliteDialect({ pglite: instance! }),
  })
  const max = async (table: 'artist' | 'album' | 'track' | 'playlist', column: string): Promise<number> => {
    const row = await admin
      .selectFrom(table)
      .select((eb) => eb.fn.max(column as never).as('m'))
      .executeTakeFirstOrThrow()
    return Number(row.m)
  }
  const baseline = {
    artist: await max('artist', 'artist_id'),
    album: await max('album', 'album_id'),
    track: await max('track', 'track_id'),
    playlist: await max('playlist', 'playlist_id'),
  }
  return {
    name,
    family: name === 'mariadb' ? 'mysql' : 'postgres',
    url,
    connection: url === undefined ? undefined : connectionOf(url),
    pglite: instance,
    admin,
    baseline,
    async drop() {
      await admin.destroy()
      if (name !== 'pglite' && database !== undefined) {
        await adminQuery(name, name === 'postgres' ? `drop database if exists "${database}" with (force)` : `drop database if exists \`${database}\``)
      }
    },
  }
}

/**
 * A `pg` pool that listens for its connections' errors, as a pool's owner must: ending a pool
 * closes its idle connections asynchronously, and the forced drop of the database at the end of a
 * run can reach one still closing (57P01), which unheard would crash the run.
 */
export function listenedPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config)
  pool.on('error', () => undefined)
  return pool
}
