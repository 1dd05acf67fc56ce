/**
 * A COMMIT lost on the wire (through a TCP proxy): on PostgreSQL the server is asked whether it
 * committed and the session settles accordingly; where it cannot be asked (MariaDB), a
 * `CommitUnknownError` that retries never repeat.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { mariadbTestServer, postgresTestServer } from '@relata/test-kit/servers'
import { describeEachDialect } from '@relata/test-kit/targets'
import { CommitUnknownError, createOrm, defineSchema, FlushError, RelataError, t, table, type Orm } from '../src/index.js'
import { mysql } from '../src/dialect/mysql/mysql.js'
import { postgres } from '../src/dialect/postgres/postgres.js'
import { inside } from './support/session-state.js'
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js'

const notes = table('notes', { id: t.serial().primaryKey(), body: t.varchar(100) })
const schema = defineSchema({ notes }, () => ({}))

describeEachDialect(
  'a COMMIT lost on the wire',
  (target) => {
    const server = target.name === 'postgres' ? postgresTestServer : mariadbTestServer
    let database: string
    let proxy: TcpProxy
    let orm: Orm<typeof schema>

    beforeAll(async () => {
      database = await server.createDatabase()
      const direct = new URL(server.url(database))
      proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) })
      const through = new URL(direct)
      through.port = String(proxy.port)
      orm = createOrm({ schema, dialect: target.name === 'postgres' ? postgres({ connectionString: through.toString(), max: 2 }) : mysql({ uri: through.toString(), connectionLimit: 2 }) })
      await orm.createTables()
    })
    afterAll(async () => {
      await orm?.destroy()
      await proxy?.close()
      if (database !== undefined) await server.dropDatabase(database)
    })
    beforeEach(async () => {
      await orm.db.deleteFrom('notes').execute()
    })

    const bodies = async () => (await orm.db.selectFrom('notes').select(['id', 'body']).orderBy('id').execute()).map((r) => ({ id: Number(r.id), body: r.body }))

    test('the reply is lost after the server committed', async () => {
      const session = orm.session()
      const note = session.create('notes', { body: 'landed' })
      proxy.loseNextCommit('reply')
      const outcome = await session.commit().then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(proxy.lost).toBeGreaterThan(0)
      // Written once, whatever the client heard.
      expect((await bodies()).map((r) => r.body)).toEqual(['landed'])
      if (target.name === 'postgres') {
        // Asked by the transaction's id: committed. The session settles as after any commit.
        expect(outcome).toBeUndefined()
        expect(inside(note).status).toBe('persistent')
        expect(await bodies()).toEqual([{ id: note.id, body: 'landed' }])
        expect(await session.plan()).toEqual([])
      } else {
        expect(outcome).toBeInstanceOf(CommitUnknownError)
        expect((outcome as Error).message).toMatch(/whether the server committed cannot be known on this database/)
        // Nothing applied: the object is still pending, as before the flush.
        expect(inside(note).status).toBe('pending')
      }
    })

    test('the request is lost before the server saw it', async () => {
      const session = orm.session()
      const note = session.create('notes', { body: 'never sent' })
      proxy.loseNextCommit('request')
      const error = await session.commit().then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(await bodies()).toEqual([])
      expect(error).toBeInstanceOf(RelataError)
      expect(error).not.toBeInstanceOf(FlushError)
      if (target.name === 'postgres') {
        // The server rolled it back when the connection ended, and says so.
        expect(error).not.toBeInstanceOf(CommitUnknownError)
        expect((error as Error).message).toMatch(/the server says the transaction did not commit: nothing of it was written/)
      } else {
        expect(error).toBeInstanceOf(CommitUnknownError)
      }
      // The session is as before the flush: the retry writes the row once.
      expect(inside(note).status).toBe('pending')
      await session.commit()
      expect(await bodies()).toEqual([{ id: note.id, body: 'never sent' }])
    })

    test('orm.transaction() with retries never runs a transaction again after a lost COMMIT', async () => {
      let attempts = 0
      proxy.loseNextCommit('reply')
      const result = await orm
        .transaction(
          async (session) => {
            attempts++
            session.create('notes', { body: `attempt ${attempts}` })
          },
          { retries: 3 },
        )
        .then(
          () => 'committed',
          (e: unknown) => e,
        )
      expect(attempts).toBe(1)
      expect((await bodies()).map((r) => r.body)).toEqual(['attempt 1'])
      if (target.name === 'postgres') expect(result).toBe('committed')
      else expect(result).toBeInstanceOf(CommitUnknownError)
    })
  },
  { only: ['postgres', 'mariadb'] },
)
