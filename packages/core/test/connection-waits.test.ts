/** Waits for a connection end: a certain deadlock fails at once, any other wait after `acquireTimeout`, and `destroy()` after `destroyTimeout`. */
import { PGlite } from '@electric-sql/pglite'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { mariadbTestServer, postgresTestServer } from '@relata/test-kit/servers'
import { describeEachDialect } from '@relata/test-kit/targets'
import { ConnectionWaitError, createOrm, defineSchema, RelataError, t, table, type Orm, type RelataDialect } from '../src/index.js'
import { mysql } from '../src/dialect/mysql/mysql.js'
import { pglite } from '../src/dialect/postgres/pglite.js'
import { postgres } from '../src/dialect/postgres/postgres.js'
import { connectAdmin, deferred, type Admin } from './support/fault-injection.js'

const notes = table('notes', { id: t.serial().primaryKey(), body: t.varchar(100) })
const schema = defineSchema({ notes }, () => ({}))

describeEachDialect('connection waits', (target) => {
  const server = target.name === 'postgres' ? postgresTestServer : target.name === 'mariadb' ? mariadbTestServer : undefined
  let database: string | undefined
  let admin: Admin | undefined
  /** PGlite: one instance for the suite (each takes seconds to start), shared by the tests' ORMs. */
  let instance: PGlite | undefined
  /** Every ORM a test made; destroyed after the suite. */
  const orms: Orm<typeof schema>[] = []

  beforeAll(async () => {
    database = await server?.createDatabase()
    if (server !== undefined) admin = await connectAdmin(target.family, server.url(database!))
    else instance = new PGlite()
    const setup = createOrm({ schema, dialect: sized(1) })
    await setup.createTables()
    if (instance === undefined) await setup.destroy()
  })
  afterEach(async () => {
    await Promise.all(orms.splice(0).map((orm) => orm.destroy().catch(() => undefined)))
  })
  afterAll(async () => {
    await instance?.close()
    await admin?.close()
    if (database !== undefined) await server?.dropDatabase(database)
  })

  /** A dialect whose pool lends at most `max` connections (PGlite always has one), on the suite's database. */
  function sized(max: number): RelataDialect {
    if (target.name === 'postgres') return postgres({ connectionString: postgresTestServer.url(database!), max })
    if (target.name === 'mariadb') return mysql({ uri: mariadbTestServer.url(database!), connectionLimit: max })
    return pglite(instance!)
  }

  /** An ORM on the suite's database, its table emptied; destroyed after the test (on PGlite that would close the shared instance). */
  async function make(max: number, options: { acquireTimeout?: number; destroyTimeout?: number } = {}): Promise<Orm<typeof schema>> {
    const orm = createOrm({ schema, dialect: sized(max), ...options })
    if (instance === undefined) orms.push(orm)
    await orm.db.deleteFrom('notes').execute()
    return orm
  }

  const bodies = async (orm: Orm<typeof schema>) => (await orm.db.selectFrom('notes').select('body').orderBy('body').execute()).map((r) => r.body)

  /** Connections to the suite's database the server lists as inside a transaction. */
  async function openTransactions(): Promise<number> {
    if (admin === undefined) return 0
    if (target.family === 'postgres') {
      const rows = await admin.query(`select 1 from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state like 'idle in transaction%'`)
      return rows.length
    }
    const rows = await admin.query(`select 1 from information_schema.innodb_trx t join information_schema.processlist p on p.id = t.trx_mysql_thread_id where p.db = database() and p.id <> connection_id()`)
    return rows.length
  }

  test('a transaction whose callback needs a second connection from a full pool fails at once with a deadlock error, and rolls back', async () => {
    const orm = await make(1)
    const started = Date.now()
    const error = await orm
      .transaction(async (session) => {
        session.create('notes', { body: 'outer' })
        await session.flush()
        // Another session inside the transaction: it needs a connection of its own, and there is none.
        await orm.session().query('notes').all()
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionWaitError)
    expect((error as ConnectionWaitError).kind).toBe('deadlock')
    expect((error as Error).message).toMatch(/1 of 1 connection\(s\) are held, 1 by open transactions/)
    expect((error as Error).message).toMatch(/use the transaction's session instead/)
    // Far sooner than the 30 s default timeout: the wait never started.
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(await bodies(orm)).toEqual([])
    expect(await openTransactions()).toBe(0)
  })

  test('two requests that each nest orm.transaction() on a pool of 2: one fails with a deadlock error, the other commits', async () => {
    const orm = await make(2)
    const requests = target.name === 'pglite' ? 1 : 2
    const both = deferred()
    let arrived = 0
    const request = (name: string) =>
      orm.transaction(async (session) => {
        session.create('notes', { body: `${name} outer` })
        await session.flush()
        // Both hold their connection before either asks for a second one.
        if (++arrived === requests) both.resolve()
        await both.promise
        await orm.transaction(async (inner) => {
          inner.create('notes', { body: `${name} inner` })
        })
      })
    const outcomes = await Promise.allSettled(target.name === 'pglite' ? [request('a')] : [request('a'), request('b')])
    if (target.name === 'pglite') {
      // One connection: the first request is already its own deadlock.
      expect(outcomes[0]!.status).toBe('rejected')
      expect(((outcomes[0] as PromiseRejectedResult).reason as ConnectionWaitError).kind).toBe('deadlock')
      expect(await bodies(orm)).toEqual([])
      return
    }
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')
    expect(failed).toHaveLength(1)
    expect(failed[0]!.reason).toBeInstanceOf(ConnectionWaitError)
    expect((failed[0]!.reason as ConnectionWaitError).kind).toBe('deadlock')
    const winner = outcomes[0]!.status === 'fulfilled' ? 'a' : 'b'
    expect(await bodies(orm)).toEqual([`${winner} inner`, `${winner} outer`])
    expect(await openTransactions()).toBe(0)
  })

  test('a statement waiting for a connection held by a slow transaction fails after acquireTimeout, naming what holds it', async () => {
    const orm = await make(1, { acquireTimeout: 300 })
    const release = deferred()
    const holding = deferred()
    const slow = orm.transaction(async (session) => {
      session.create('notes', { body: 'slow' })
      await session.flush()
      holding.resolve()
      await release.promise
    })
    // The transaction holds the pool's one connection (or it failed: then the test fails here).
    await Promise.race([holding.promise, slow])
    const error = await orm.session().query('notes').all().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionWaitError)
    expect((error as ConnectionWaitError).kind).toBe('timeout')
    expect((error as Error).message).toMatch(/No connection became free within 0\.3 s \(the ORM's acquireTimeout\): 1 of 1 connection\(s\) are held, 1 by open transactions/)
    release.resolve()
    await slow
    // The pool works on: the slot the timed-out wait would have taken was handed back.
    expect(await bodies(orm)).toEqual(['slow'])
    expect(await orm.session().query('notes').count()).toBe(1)
  })

  test('waits that end normally are served in turn: ten transactions at once on a pool of 1 all commit', async () => {
    const orm = await make(1)
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        orm.transaction(async (session) => {
          session.create('notes', { body: `n${String(i).padStart(2, '0')}` })
        }),
      ),
    )
    expect(await bodies(orm)).toEqual(Array.from({ length: 10 }, (_, i) => `n${String(i).padStart(2, '0')}`))
  })

  test('orm.destroy() ends within destroyTimeout while a transaction is stuck; its writes are rolled back', async () => {
    // PGlite: an instance of its own, since destroy() closes it.
    const orm = target.name === 'pglite' ? createOrm({ schema, dialect: pglite(), destroyTimeout: 200 }) : await make(2, { destroyTimeout: 200 })
    if (target.name === 'pglite') await orm.createTables()
    const entered = deferred()
    const stuck = orm.transaction(async (session) => {
      session.create('notes', { body: 'never committed' })
      await session.flush()
      entered.resolve()
      await new Promise(() => undefined)
    })
    void stuck.catch(() => undefined)
    await entered.promise
    const destroyed = orm.destroy()
    await destroyed
    if (target.name === 'pglite') return
    // The server let go of the connection and rolled its transaction back (it may take a moment to notice: up to 10 s).
    const check = createOrm({ schema, dialect: sized(1) })
    orms.push(check)
    for (let i = 0; i < 500 && (await openTransactions()) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await openTransactions()).toBe(0)
    expect(await bodies(check)).toEqual([])
  })
})

test('acquireTimeout and destroyTimeout must be positive numbers of milliseconds', () => {
  expect(() => createOrm({ schema, dialect: pglite(), acquireTimeout: 0 })).toThrow(RelataError)
  expect(() => createOrm({ schema, dialect: pglite(), acquireTimeout: -5 })).toThrow(/acquireTimeout must be a positive number of milliseconds/)
  expect(() => createOrm({ schema, dialect: pglite(), destroyTimeout: Number.NaN })).toThrow(/destroyTimeout/)
  expect(() => createOrm({ schema, dialect: pglite(), acquireTimeout: Infinity })).not.toThrow()
})

