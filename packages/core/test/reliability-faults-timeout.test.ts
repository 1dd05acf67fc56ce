/**
 * Faults: a statement runs longer than the dialect's `statementTimeout`. The server cancels it
 * (seen from another connection: no statement left running or waiting for a lock), a flush reports
 * a `QueryTimeoutError` naming the table with the session as before, and the ORM goes on working.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { mariadbTestServer, postgresTestServer } from '@relata/test-kit/servers'
import { describeEachDialect } from '@relata/test-kit/targets'
import { createOrm, QueryTimeoutError, RelataError, sql, type Orm } from '../src/index.js'
import { mysql } from '../src/dialect/mysql/mysql.js'
import { postgres } from '../src/dialect/postgres/postgres.js'
import { stateOf } from '../src/tracking/entity-state.js'
import { schema } from './fixtures/unit-of-work.js'
import { connectAdmin, type Admin } from './support/fault-injection.js'

const timeoutMs = 300

describeEachDialect(
  'faults: a statement exceeds the statement timeout',
  (target) => {
    const server = target.family === 'postgres' ? postgresTestServer : mariadbTestServer
    const timeoutCode = target.family === 'postgres' ? '57014' : 1969
    let database: string
    let orm: Orm<typeof schema>
    /** Holds a row lock for the test; also watches the server. */
    let blocker: Admin

    beforeAll(async () => {
      database = await server.createDatabase()
      const url = server.url(database)
      orm = createOrm({ schema, dialect: target.family === 'postgres' ? postgres(url, { statementTimeout: timeoutMs }) : mysql(url, { statementTimeout: timeoutMs }) })
      await orm.createTables()
      blocker = await connectAdmin(target.family, url)
    })

    afterAll(async () => {
      await orm?.destroy()
      await blocker?.close()
      if (database !== undefined) await server.dropDatabase(database)
    })

    /** The ORM's statements the server is still running or that wait for a lock (the watcher's own excluded). */
    async function stillRunning(pattern: RegExp): Promise<string[]> {
      const running = await blocker.running()
      return running.filter((r) => pattern.test(r.query) && !/pg_stat_activity|processlist/.test(r.query) && r.state !== 'idle' && r.state !== 'Sleep').map((r) => r.query)
    }

    async function lockWaits(): Promise<number> {
      const sqlText =
        target.family === 'postgres'
          ? `select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`
          : `select count(*) as n from information_schema.innodb_trx where trx_state = 'LOCK WAIT'`
      return Number((await blocker.query<{ n: unknown }>(sqlText))[0]!.n)
    }

    test('a flush blocked by a row lock: cancelled on the server, a QueryTimeoutError naming the table, the session as before; then the flush succeeds', async () => {
      const session = orm.session()
      const ann = session.create('owners', { name: 'Ann' })
      await session.commit()

      // Another connection holds the row's lock.
      await blocker.query('begin')
      await blocker.query(`update owners set name = 'held' where id = ${ann.id}`)
      try {
        ann.name = 'Ann B'
        const bob = session.create('owners', { name: 'Bob' })
        const before = [ann, bob].map((e) => ({ status: stateOf(e)!.status, snapshot: stateOf(e)!.snapshot?.slice(), values: { ...e } }))
        const plan = await session.plan()

        const error = await session.flush().then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(error).toBeInstanceOf(QueryTimeoutError)
        expect(error).toBeInstanceOf(RelataError)
        expect(error).toMatchObject({ name: 'QueryTimeoutError', table: 'owners', code: timeoutCode })
        expect((error as Error).message).toMatch(/^Flush failed while running 'update' on 'owners' in table owners: the statement timed out and the server cancelled it: /)
        // Cancelled on the server: no UPDATE left running, nobody waiting for the lock.
        expect(await stillRunning(/update/i)).toEqual([])
        expect(await lockWaits()).toBe(0)
        // The session as before; nothing written (Bob's insert ran first and was rolled back).
        expect([ann, bob].map((e) => ({ status: stateOf(e)!.status, snapshot: stateOf(e)!.snapshot?.slice(), values: { ...e } }))).toEqual(before)
        expect(bob.id).toBeUndefined()
        expect(await session.plan()).toEqual(plan)
      } finally {
        await blocker.query('rollback')
      }
      expect((await orm.db.selectFrom('owners').select('name').orderBy('id').execute()).map((r) => r.name)).toEqual(['Ann'])

      // The lock released, the same flush goes through.
      await session.flush()
      expect((await orm.db.selectFrom('owners').select('name').orderBy('id').execute()).map((r) => r.name)).toEqual(['Ann B', 'Bob'])
    })

    test('a slow statement through orm.db: the driver error with the timeout code, nothing left running, the next query succeeds', async () => {
      const sleep = target.family === 'postgres' ? sql`select pg_sleep(5) as slept` : sql`select sleep(5) as slept`
      const error = await sleep.execute(orm.db).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toMatchObject(target.family === 'postgres' ? { code: '57014' } : { errno: 1969 })
      expect(await stillRunning(/sleep/i)).toEqual([])
      const { rows } = await sql<{ one: unknown }>`select 1 as one`.execute(orm.db)
      expect(Number(rows[0]!.one)).toBe(1)
      // The timeout holds on every connection of the pool, new ones included.
      const many = await Promise.all([0, 1, 2].map(() => sleep.execute(orm.db).then(() => 'finished', (e: { code?: unknown; errno?: unknown }) => e.code ?? e.errno)))
      expect(many).toEqual([timeoutCode, timeoutCode, timeoutCode])
    })

    test('statementTimeout must be a whole number of milliseconds', () => {
      const url = server.url(database)
      const make = () => (target.family === 'postgres' ? postgres(url, { statementTimeout: 1.5 }) : mysql(url, { statementTimeout: -1 }))
      expect(make).toThrow(RelataError)
    })
  },
  { only: ['postgres', 'mariadb'] },
)
