/**
 * Read replicas against real ones the suite starts: a private PostgreSQL primary with a streaming
 * hot standby, and a private MariaDB primary with a GTID replica. Commit-then-read pairs see their
 * commit under 'causal' (zero stale reads) with most reads on the replica; 'replica' reports its
 * stale share; writes, transactions and locks go to the primary; killing the replica mid-run loses
 * no read, and the replica serves reads again once back.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createConnection } from 'mysql2/promise'
import pg from 'pg'
import { privateServerUnavailable, startPrivatePostgres, type PrivateServer } from '@relata/test-kit/private-server'
import { startMariadbReplication, startPostgresStandby, type PrivateReplica } from '@relata/test-kit/private-replicas'
import { testTargets } from '@relata/test-kit/targets'
import { createOrm, QueryRecorder, sql, type Orm, type ReadConsistency, type ReplicaOptions } from '../src/index.js'
import { mysql } from '../src/dialect/mysql/mysql.js'
import { postgres } from '../src/dialect/postgres/postgres.js'
import { schema } from './fixtures/books.js'

interface Setup {
  readonly primaryUrl: string
  readonly replicaUrl: string
  /** Kills the replica's server (immediate shutdown / SIGKILL) and starts it again. */
  readonly replica: Pick<PrivateReplica, 'kill' | 'start'>
  /** Stops the replica applying what it receives (PostgreSQL `pg_wal_replay_pause()`, MariaDB `STOP SLAVE SQL_THREAD`), or starts it again. */
  pauseReplay(paused: boolean): Promise<void>
  destroy(): Promise<void>
}

async function postgresSetup(): Promise<Setup> {
  const primary = await startPrivatePostgres()
  let standby: PrivateReplica | undefined
  try {
    standby = await startPostgresStandby(primary)
  } catch (error) {
    await primary.destroy()
    throw error
  }
  return {
    primaryUrl: primary.url,
    replicaUrl: standby.url('postgres'),
    replica: standby,
    async pauseReplay(paused) {
      const client = new pg.Client({ connectionString: standby.url('postgres') })
      await client.connect()
      try {
        await client.query(paused ? 'select pg_wal_replay_pause()' : 'select pg_wal_replay_resume()')
      } finally {
        await client.end()
      }
    },
    async destroy() {
      await standby.destroy()
      await primary.destroy()
    },
  }
}

async function mariadbSetup(): Promise<Setup> {
  const { primary, replica, destroy } = await startMariadbReplication()
  const admin = await createConnection({ uri: primary.url })
  await admin.query('create database app')
  await admin.end()
  const app = (server: PrivateServer) => server.url.replace(/\/mysql$/, '/app')
  const pauseReplay = async (paused: boolean) => {
    const connection = await createConnection({ uri: replica.url })
    try {
      await connection.query(paused ? 'stop slave sql_thread' : 'start slave sql_thread')
    } finally {
      await connection.end()
    }
  }
  return { primaryUrl: app(primary), replicaUrl: app(replica), replica, pauseReplay, destroy }
}

const kinds = [
  {
    kind: 'postgres',
    setup: postgresSetup,
    dialect: (s: Setup, options: ReplicaOptions = {}) => postgres({ primary: { connectionString: s.primaryUrl, max: 4 }, replicas: [{ connectionString: s.replicaUrl, max: 4 }], ...options }),
  },
  {
    kind: 'mariadb',
    setup: mariadbSetup,
    dialect: (s: Setup, options: ReplicaOptions = {}) =>
      mysql({ primary: { uri: s.primaryUrl, connectionLimit: 4 }, replicas: [{ uri: s.replicaUrl, connectionLimit: 4 }], ...options }),
  },
] as const

const share = (part: number, whole: number) => `${((100 * part) / Math.max(whole, 1)).toFixed(1)}%`

for (const { kind, setup, dialect } of kinds) {
  if (!testTargets.some((t) => t.name === kind)) continue
  const title = `read replicas: read-your-writes against a real replica [${kind}]`
  const unavailable = privateServerUnavailable(kind)
  if (unavailable !== undefined) {
    if (process.env.CI) describe(title, () => test('private servers can be started', () => { throw new Error(unavailable) }))
    else describe.skip(title, () => undefined)
    continue
  }

  describe(title, () => {
    let servers: Setup | undefined
    const orms: Orm<typeof schema>[] = []
    const make = (options: Parameters<typeof dialect>[1] = {}, plugins: QueryRecorder[] = []) => {
      const orm = createOrm({ schema, dialect: dialect(servers!, options), plugins })
      orms.push(orm)
      return orm
    }

    beforeAll(async () => {
      servers = await setup()
      await make().createTables()
    })

    afterAll(async () => {
      for (const orm of orms) await orm.destroy().catch(() => undefined)
      await servers?.destroy()
    })

    /** `pairs` times: a session commits a new author, then reads it back by name (its own session, or a new one given its token). */
    async function pairs(orm: Orm<typeof schema>, count: number, prefix: string, consistency?: ReadConsistency, during?: (i: number) => Promise<void>) {
      let stale = 0
      for (let i = 0; i < count; i++) {
        await during?.(i)
        const writer = orm.session(consistency === undefined ? {} : { consistency })
        const name = `${prefix}-${i}`
        writer.create('authors', { name })
        await writer.commit()
        // Every third read is by a new session carrying the writer's token (another request); the rest by the writer itself.
        const reader = i % 3 === 2 ? orm.session({ after: writer.commitToken, ...(consistency === undefined ? {} : { consistency }) }) : writer
        const found = await reader.query('authors').where({ name }).first()
        if (found === null) stale++
      }
      return stale
    }

    test("1,000 commit-then-read pairs under 'causal': no stale read, most reads on the replica", async () => {
      const orm = make()
      const stale = await pairs(orm, 1000, 'causal')
      const { replica, primary, lagging, fallbacks } = orm.readStats()
      console.info(`[replicas ${kind}] causal: ${stale} stale of 1000; replica served ${replica} of ${replica + primary} reads (${share(replica, replica + primary)}), ${lagging} waited past causalWait, ${fallbacks} fell back`)
      expect(stale).toBe(0)
      expect(replica + primary).toBe(1000)
      expect(replica).toBeGreaterThan(500)
    }, 240_000)

    test("'replica' reads whatever the replica has: the stale share is reported; 'primary' never reads on the replica", async () => {
      const orm = make({ consistency: 'replica' })
      // The server that answers a routed read is the replica's.
      const where = kind === 'postgres' ? sql<unknown>`pg_is_in_recovery()` : sql<unknown>`@@server_id`
      const { served } = await orm.db.selectNoFrom(where.as('served')).executeTakeFirstOrThrow()
      expect(Number(served)).toBe(kind === 'postgres' ? 1 : 2)
      const stale = await pairs(orm, 100, 'eventual')
      const stats = orm.readStats()
      console.info(`[replicas ${kind}] replica: ${stale} stale of 100 (${share(stale, 100)}); replica served ${stats.replica} of ${stats.replica + stats.primary} reads`)
      expect(stats.replica).toBe(101)
      const strict = make()
      expect(await pairs(strict, 20, 'strict', 'primary')).toBe(0)
      expect(strict.readStats()).toMatchObject({ replica: 0, primary: 20 })
    })

    test('writes, transactions, locks and raw SQL go to the primary; orm.db reads wait for the orm’s own commits', async () => {
      const recorder = new QueryRecorder()
      const orm = make({}, [recorder])
      // The server is learnt from a connection of the primary's (MariaDB 10.5+: RETURNING).
      expect((await orm.dialect.resolveCapabilities(orm.db)).returning).toBe(true)
      await orm.db.insertInto('authors').values({ name: 'via orm.db' }).execute()
      expect(await orm.db.selectFrom('authors').select('name').where('name', '=', 'via orm.db').executeTakeFirst()).toEqual({ name: 'via orm.db' })
      const before = orm.readStats()
      await orm.transaction(async (session) => {
        session.create('authors', { name: 'in a transaction' })
        await session.flush()
        // Inside the transaction: on the primary, which sees the uncommitted row.
        expect(await session.query('authors').where({ name: 'in a transaction' }).first()).not.toBeNull()
        expect(await session.query('authors').where({ name: 'in a transaction' }).forUpdate().first()).not.toBeNull()
      })
      // A locking read outside a transaction goes to the primary too (a standby refuses FOR UPDATE).
      await orm.db.selectFrom('authors').select('id').forUpdate().execute()
      // Raw SQL is never sent to a replica.
      await sql`select 1`.execute(orm.db)
      const after = orm.readStats()
      expect(after.replica + after.primary - before.replica - before.primary).toBe(0)
      expect(orm.commitToken()).toBeDefined()
    })

    test('killing the replica mid-run loses no read; it serves reads again once back', async () => {
      const orm = make({ retryAfter: 200 })
      let servedWhileDown = 0
      let errors = 0
      let stale = 0
      const stats = () => orm.readStats().replica
      let atKill = 0
      let atRestart = 0
      const run = async () => {
        try {
          stale += await pairs(orm, 150, 'killed', undefined, async (i) => {
            if (i === 50) {
              await servers!.replica.kill()
              atKill = stats()
            }
            if (i === 100) {
              servedWhileDown = stats() - atKill
              await servers!.replica.start()
              atRestart = stats()
            }
          })
        } catch (error) {
          errors++
          throw error
        }
      }
      await run()
      const after = stats() - atRestart
      console.info(`[replicas ${kind}] replica killed after 50 pairs, back after 100: ${stale} stale, ${errors} failed; replica served ${servedWhileDown} reads while down and ${after} of the last 50 once back`)
      expect(errors).toBe(0)
      expect(stale).toBe(0)
      expect(servedWhileDown).toBe(0)
      expect(after).toBeGreaterThan(0)
    }, 120_000)

    test("a replica lagging past maxLag is skipped — not waited on — under 'replica' and 'causal', and used again once caught up", async () => {
      const bound = { maxLag: 300, lagCheckInterval: 100 }
      const eventual = make({ ...bound, consistency: 'replica' })
      const causal = make(bound)
      await pairs(eventual, 3, 'lag-before')
      expect(eventual.readStats().replica).toBeGreaterThan(0)
      await servers!.pauseReplay(true)
      try {
        // A commit the replica receives and does not apply; past the bound once maxLag has gone by.
        await pairs(eventual, 1, 'lag-start')
        await new Promise((resolve) => setTimeout(resolve, bound.maxLag + 2 * bound.lagCheckInterval))
        const before = { eventual: eventual.readStats(), causal: causal.readStats() }
        // Every read goes to the primary: under 'replica' none is stale, under 'causal' none waits causalWait.
        expect(await pairs(eventual, 20, 'lag-replica')).toBe(0)
        expect(await pairs(causal, 20, 'lag-causal')).toBe(0)
        const after = { eventual: eventual.readStats(), causal: causal.readStats() }
        expect(after.eventual.replica - before.eventual.replica).toBe(0)
        expect(after.eventual.fallbacks - before.eventual.fallbacks).toBe(20)
        expect(after.causal.replica - before.causal.replica).toBe(0)
        expect(after.causal.lagging - before.causal.lagging).toBe(0)
        expect(after.causal.fallbacks - before.causal.fallbacks).toBe(20)
      } finally {
        await servers!.pauseReplay(false)
      }
      // Caught up again: each orm's next measurement, due after lagCheckInterval, finds it within
      // the bound (each measures for itself: ten quick pairs can all fall before the causal orm's).
      const resumed = { eventual: eventual.readStats().replica, causal: causal.readStats().replica }
      const deadline = Date.now() + 10_000
      while ((eventual.readStats().replica === resumed.eventual || causal.readStats().replica === resumed.causal) && Date.now() < deadline) {
        await eventual.db.selectFrom('authors').select('id').limit(1).execute()
        await causal.db.selectFrom('authors').select('id').limit(1).execute()
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      expect(eventual.readStats().replica).toBeGreaterThan(resumed.eventual)
      expect(causal.readStats().replica).toBeGreaterThan(resumed.causal)
      const back = causal.readStats().replica
      expect(await pairs(causal, 10, 'lag-after')).toBe(0)
      console.info(`[replicas ${kind}] maxLag: 40 reads on the primary while replay was paused; after resuming, the replica served ${causal.readStats().replica - back} of 10 causal reads`)
    }, 60_000)
  })
}
