/**
 * Load: 200 concurrent sessions against a pool of 10 connections for a bounded time, on
 * PostgreSQL and MariaDB. Every commit lands whole or fails whole (the database is reconciled
 * row by row with a model of the successful commits), the pool is idle afterwards, no entity
 * object is shared between sessions, and the heap returns near where it started.
 *
 * Knobs: RELATA_LOAD_SECONDS (default 5 per database), RELATA_LOAD_SESSIONS (concurrent
 * sessions, default 200), RELATA_LOAD_SEED (the workers' random choices).
 */
import v8 from 'node:v8'
import vm from 'node:vm'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { mariadbTestServer, postgresTestServer } from '@relata/test-kit/servers'
import { describeEachDialect } from '@relata/test-kit/targets'
import { createOrm, type Orm } from '../src/index.js'
import { schema, type LoadSchema } from './fixtures/load.js'
import { databaseSnapshot, LoadModel } from './support/load-model.js'
import { loadPool, type LoadPool } from './support/load-pools.js'
import { seededRandom } from './support/load-random.js'
import { runLoad } from './support/load-workload.js'

const seconds = Number(process.env.RELATA_LOAD_SECONDS ?? 5)
const workers = Number(process.env.RELATA_LOAD_SESSIONS ?? 200)
const seed = Number(process.env.RELATA_LOAD_SEED ?? 7)
const poolSize = 10

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

/** heapUsed after full collections: what is still reachable. */
function settledHeap(): number {
  for (let i = 0; i < 3; i++) gc()
  return process.memoryUsage().heapUsed
}

const megabytes = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10

/**
 * Shared tags and counters, read-only teams (worker 0), and two teams per worker so that its
 * first session already has rows of its own to change; recorded in the model.
 */
async function seedDatabase(orm: Orm<LoadSchema>, model: LoadModel): Promise<string> {
  const rng = seededRandom(seed)
  const session = orm.session()
  const tags = Array.from({ length: 8 }, (_, i) => session.create('tags', { label: `tag-${i}` }))
  const counters = Array.from({ length: 3 }, (_, i) => session.create('counters', { name: `counter-${i}`, hits: 0 }))
  const teams = [
    ...Array.from({ length: 4 }, (_, i) => session.create('teams', { name: `seed-t${i}`, worker: 0 })),
    ...Array.from({ length: workers * 2 }, (_, i) => session.create('teams', { name: `w${(i >> 1) + 1}-seed${i & 1}`, worker: (i >> 1) + 1 })),
  ]
  const members = teams.flatMap((team) =>
    Array.from({ length: team.worker === 0 ? 4 : 2 }, (_, j) => session.create('members', { handle: `${team.name}-m${j}`, score: rng.int(1000), team, tags: rng.sample(tags, rng.int(4)) })),
  )
  await session.commit()
  for (const tag of tags) model.tags.set(tag.id, tag.label)
  for (const counter of counters) model.counters.set(counter.id, { name: counter.name, hits: counter.hits, version: counter.version })
  for (const team of teams) model.addTeam(team.id, { name: team.name, worker: team.worker })
  for (const member of members) {
    model.addMember(member.id, { handle: member.handle, score: member.score, teamId: member.team.id })
    for (const tag of member.tags) model.link(member.id, tag.id)
  }
  return members[0]!.handle
}

describeEachDialect(
  'reliability under load',
  (target) => {
    const server = target.name === 'postgres' ? postgresTestServer : mariadbTestServer
    let database: string
    let pool: LoadPool
    let orm: Orm<LoadSchema>

    beforeAll(async () => {
      database = await server.createDatabase()
      pool = loadPool(target.name, database, poolSize)
      orm = createOrm({ schema, dialect: pool.dialect })
      await orm.createTables()
    })

    afterAll(async () => {
      await orm?.destroy()
      if (database !== undefined) await server.dropDatabase(database)
    })

    test(
      `${workers} concurrent sessions on a pool of ${poolSize}: every commit whole, nothing leaked or shared`,
      async () => {
        const model = new LoadModel()
        const takenHandle = await seedDatabase(orm, model)
        const heapBefore = settledHeap()
        let heapPeak = heapBefore
        const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 100)
        const started = performance.now()
        let result: Awaited<ReturnType<typeof runLoad>> | undefined = await runLoad({ orm, model, workers, seconds, seed, takenHandle }).finally(() => clearInterval(sampler))
        const wallSeconds = (performance.now() - started) / 1000
        const { stats, problems, ownership } = result

        // No connection leaks: every connection back in the pool, none busy on the server.
        const poolState = await pool.state()

        // Every commit whole: the database holds exactly what the successful commits wrote.
        const actual = await databaseSnapshot(orm.db)
        const expected = model.snapshot()
        const counts = (s: typeof actual) => Object.fromEntries(Object.entries(s).map(([table, rows]) => [table, rows.length]))

        // Sessions and their objects dropped: the heap returns near where it started. What stays
        // is the model (a few hundred bytes per row written: well under 5 MB for the rows a run
        // of a few seconds writes), the pool's connections and their buffers, and code the JIT
        // compiled on the way; 20 MB allows for those and for GC noise while still catching
        // sessions or entities kept alive (a run makes hundreds of thousands of objects).
        result = undefined
        const heapAfter = settledHeap()

        const failed = Object.values(stats.commitsFailed).reduce((a, b) => a + b, 0)
        console.log(
          `[load ${target.name}] ${workers} concurrent sessions, pool ${poolSize}, ${wallSeconds.toFixed(1)} s: ` +
            `${stats.sessions} sessions, ${stats.loads} loads, ${stats.commitsSucceeded + failed} commits ` +
            `(${stats.commitsSucceeded} landed, ${failed} failed: ${JSON.stringify(stats.commitsFailed)}); ` +
            `rows ${JSON.stringify(counts(actual))}; ${ownership.claimed} entity objects checked for sharing; ` +
            `heap ${megabytes(heapBefore)} MB before, ${megabytes(heapPeak)} MB peak, ${megabytes(heapAfter)} MB after; ` +
            `pool ${JSON.stringify(poolState)}; operations ${JSON.stringify(stats.operations)}; landed ${JSON.stringify(stats.landed)}`,
        )

        expect(problems.examples, `${problems.count} problems`).toEqual([])
        expect(stats.unexpectedSuccesses).toBe(0)
        expect(stats.commitsFailed.other).toBe(0)
        // The mix really ran: sessions, loads, commits that landed and commits that failed on purpose.
        expect(stats.sessions).toBeGreaterThanOrEqual(workers)
        expect(stats.commitsSucceeded).toBeGreaterThan(0)
        expect(stats.commitsFailed.intendedViolation).toBeGreaterThan(0)

        expect(poolState).toEqual({ total: poolState.total, idle: poolState.total, waiting: 0, busyOnServer: [] })
        expect(poolState.total).toBeLessThanOrEqual(poolSize)

        expect(counts(actual)).toEqual(counts(expected))
        expect(actual).toEqual(expected)

        expect(heapAfter - heapBefore).toBeLessThan(20 * 2 ** 20)
      },
      (seconds + 90) * 1000,
    )
  },
  { only: ['postgres', 'mariadb'] },
)
