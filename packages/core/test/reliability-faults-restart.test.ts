/**
 * Faults: the server restarts between two queries of one ORM. The test starts a private server of
 * its own (the shared ones serve other test files), restarts it, and the pool recovers: the next
 * query, a session read and a flush succeed on new connections.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { privateServerUnavailable, startPrivateMariadb, startPrivatePostgres, type PrivateServer } from '@relata/test-kit/private-server'
import { testTargets } from '@relata/test-kit/targets'
import { createOrm, sql, type Orm, type RelataDialect } from '../src/index.js'
import { mysql } from '../src/dialect/mysql/mysql.js'
import { postgres } from '../src/dialect/postgres/postgres.js'
import { schema } from './fixtures/books.js'
import { barrier } from './support/fault-injection.js'

const kinds = [
  { kind: 'postgres', start: startPrivatePostgres, dialect: (url: string): RelataDialect => postgres({ connectionString: url, max: 3 }) },
  { kind: 'mariadb', start: startPrivateMariadb, dialect: (url: string): RelataDialect => mysql({ uri: url, connectionLimit: 3 }) },
] as const

for (const { kind, start, dialect } of kinds) {
  if (!testTargets.some((t) => t.name === kind)) continue
  const title = `faults: a restart of the server between two queries [${kind}]`
  const unavailable = privateServerUnavailable(kind)
  if (unavailable !== undefined) {
    if (process.env.CI) {
      describe(title, () => {
        test('a private server can be started', () => {
          throw new Error(`cannot start a private ${kind} server: ${unavailable}`)
        })
      })
    } else {
      console.warn(`[relata] skipping "${title}": cannot start a private ${kind} server: ${unavailable}`)
      describe.skip(title, () => undefined)
    }
    continue
  }

  describe(title, () => {
    let server: PrivateServer | undefined
    let orm: Orm<typeof schema> | undefined

    beforeAll(async () => {
      server = await start()
      orm = createOrm({ schema, dialect: dialect(server.url) })
      await orm.createTables()
    })

    afterAll(async () => {
      await orm?.destroy().catch(() => undefined)
      await server?.destroy()
    })

    // A mark set on a connection: a connection opened after the restart has none. (Connection
    // ids do not tell: MariaDB numbers them from 1 again after a restart.)
    const mark = kind === 'postgres' ? sql`select set_config('relata.mark', 'before', false)` : sql`set @relata_mark = 'before'`
    const markOf = kind === 'postgres' ? sql<{ mark: string | null }>`select nullif(current_setting('relata.mark', true), '') as mark` : sql<{ mark: string | null }>`select @relata_mark as mark`

    test('the pool drops the connections the restart ended; the next query, read and flush succeed', async () => {
      const db = orm!
      const session = db.session()
      const ann = session.create('authors', { name: 'Ann' })
      session.create('books', { title: 'First', author: ann })
      await session.commit()
      // Three pooled connections, idle when the server goes down.
      const allHeld = barrier(3)
      const marked = [0, 1, 2].map(() =>
        db.db.connection().execute(async (c) => {
          await mark.execute(c)
          await allHeld()
        }),
      )
      await Promise.all(marked)
      expect((await markOf.execute(db.db)).rows[0]!.mark).toBe('before')

      const restartMs = await server!.restart()

      // The query right after the restart: on a new connection.
      expect((await markOf.execute(db.db)).rows[0]!.mark).toBeNull()
      // The session's reads and flushes go on.
      const books = await db.session().query('books').with({ author: 'join' }).orderBy('id').all()
      expect(books.map((b) => [b.title, b.author?.name])).toEqual([['First', 'Ann']])
      ann.name = 'Ann R'
      session.create('books', { title: 'Second', author: ann })
      await session.commit()
      expect((await db.db.selectFrom('books').select('title').orderBy('id').execute()).map((b) => b.title)).toEqual(['First', 'Second'])
      expect((await db.db.selectFrom('authors').select('name').execute()).map((a) => a.name)).toEqual(['Ann R'])
      console.info(`[relata] private ${kind}: started in ${Math.round(server!.startMs)} ms, restarted in ${Math.round(restartMs)} ms; the pool recovered`)
    })
  })
}
