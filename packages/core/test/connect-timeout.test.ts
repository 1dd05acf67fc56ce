/** A server that accepts connections and never answers (as a host that drops packets would, but deterministic): the first query fails with a `ConnectionError` after the connect timeout. */
import { createServer, type Server, type Socket } from 'node:net'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { mysql } from '../src/dialect/mysql/mysql.js'
import { postgres } from '../src/dialect/postgres/postgres.js'
import { ConnectionError, createOrm, type RelataDialect } from '../src/index.js'
import { schema } from './fixtures/books.js'

let server: Server
let port: number
const sockets = new Set<Socket>()

beforeAll(async () => {
  // Accepts, reads nothing back, says nothing: neither pg's startup message nor mysql2's wait for a handshake gets an answer.
  server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as { port: number }).port
})

afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await new Promise((resolve) => server.close(resolve))
})

/** The first query's error, and how long it took. */
async function firstQuery(dialect: RelataDialect): Promise<{ error: unknown; elapsed: number }> {
  // The ORM's own wait for a connection (acquireTimeout, 30 s by default) is not what ends it.
  const orm = createOrm({ schema, dialect, acquireTimeout: 60_000 })
  const start = Date.now()
  try {
    const error = await sql`select 1`.execute(orm.db).then(
      () => undefined,
      (thrown: unknown) => thrown,
    )
    return { error, elapsed: Date.now() - start }
  } finally {
    await orm.destroy()
  }
}

describe.each([
  {
    server: 'PostgreSQL',
    byDefault: () => postgres(`postgres://postgres@127.0.0.1:${port}/test`),
    overridden: () => postgres({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, connectionTimeoutMillis: 500 }),
    cause: /connection timeout/,
  },
  {
    server: 'MySQL/MariaDB',
    byDefault: () => mysql(`mysql://root@127.0.0.1:${port}/test`),
    overridden: () => mysql({ uri: `mysql://root@127.0.0.1:${port}/test`, connectTimeout: 500 }),
    cause: /ETIMEDOUT/,
  },
])('$server: a server that accepts and never answers', ({ server: name, byDefault, overridden, cause }) => {
  const expectTimeout = (error: unknown) => {
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error).toMatchObject({ kind: 'unreachable', address: `127.0.0.1:${port}` })
    expect((error as Error).message).toMatch(new RegExp(`^cannot reach ${name} at 127\\.0\\.0\\.1:${port}: is it running, and reachable from this machine\\? \\(.+\\)$`))
    expect(String(((error as Error).cause as Error).message ?? (error as Error).cause)).toMatch(cause)
  }

  test('fails the first query with a ConnectionError after 10 s by default', async () => {
    const { error, elapsed } = await firstQuery(byDefault())
    expectTimeout(error)
    expect(elapsed).toBeGreaterThanOrEqual(9_500)
    expect(elapsed).toBeLessThan(20_000)
  }, 40_000)

  test('after the timeout the configuration sets', async () => {
    const { error, elapsed } = await firstQuery(overridden())
    expectTimeout(error)
    expect(elapsed).toBeLessThan(5_000)
  })
})
