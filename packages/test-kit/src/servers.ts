/** The database servers the test matrix runs on: how to reach them, and throw-away databases on them. */
import { randomBytes } from 'node:crypto'
import { createConnection } from 'mysql2/promise'
import pg from 'pg'

/** A server on which each test suite gets a database of its own. */
export interface TestServer {
  /** What the server is, for messages: `PostgreSQL at postgres://...`. */
  readonly label: string
  /** How to start it when it is down. */
  readonly howToStart: string
  /** The connection URL of one of its databases. */
  url(database: string): string
  /** Why the server cannot be used, or `undefined` when a connection succeeds. */
  probe(): Promise<string | undefined>
  /** Creates an empty database with a fresh name (`relata_<random>`) and returns the name. */
  createDatabase(): Promise<string>
  dropDatabase(name: string): Promise<void>
}

const freshName = (): string => `relata_${randomBytes(6).toString('hex')}`

const withDatabase = (base: string, database: string): string => {
  const url = new URL(base)
  url.pathname = `/${database}`
  return url.toString()
}

const reason = (error: unknown): string => (error instanceof Error ? error.message || error.name : String(error))

function postgresServer(base: string): TestServer {
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 5000 })
    await client.connect()
    try {
      return await work(client)
    } finally {
      await client.end()
    }
  }
  return {
    label: `PostgreSQL at ${base}`,
    howToStart: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    url: (database) => withDatabase(base, database),
    probe: () => admin(async (client) => void (await client.query('select 1'))).then(() => undefined, reason),
    createDatabase: () =>
      admin(async (client) => {
        const name = freshName()
        await client.query(`create database "${name}"`)
        return name
      }),
    dropDatabase: (name) => admin(async (client) => void (await client.query(`drop database if exists "${name}" with (force)`))),
  }
}

function mariadbServer(base: string): TestServer {
  const admin = async <T>(work: (connection: Awaited<ReturnType<typeof createConnection>>) => Promise<T>): Promise<T> => {
    const connection = await createConnection({ uri: base, connectTimeout: 5000 })
    try {
      return await work(connection)
    } finally {
      await connection.end()
    }
  }
  return {
    label: `MariaDB at ${base}`,
    howToStart: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql',
    url: (database) => withDatabase(base, database),
    probe: () => admin(async (connection) => void (await connection.query('select 1'))).then(() => undefined, reason),
    createDatabase: () =>
      admin(async (connection) => {
        const name = freshName()
        await connection.query(`create database \`${name}\``)
        return name
      }),
    dropDatabase: (name) => admin(async (connection) => void (await connection.query(`drop database if exists \`${name}\``))),
  }
}

/** PostgreSQL, from `RELATA_POSTGRES_URL` (default: the local server's `test` database). */
export const postgresTestServer: TestServer = postgresServer(process.env.RELATA_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test')

/** MariaDB, from `RELATA_MARIADB_URL` (default: the local server's `test` database). */
export const mariadbTestServer: TestServer = mariadbServer(process.env.RELATA_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test')
