/**
 * Peak memory of reading a large table: `query.stream({ batchSize })` against `query.all()`, on a
 * fresh in-memory PGlite (issue #15). Run with `npm run bench:stream -w @relata/bench -- [rows]`
 * (default 1,000,000). Prints the heap in use after full collections, sampled while reading, and
 * the process's peak RSS, as one JSON line per read.
 */
import { PGlite } from '@electric-sql/pglite'
import { createOrm, defineSchema, sql, t, table } from '@relata/core'
import { pglite } from '@relata/core/pglite'

const ROWS = Number(process.argv[2] ?? 1_000_000)
const SAMPLE_EVERY = Math.max(1000, Math.floor(ROWS / 20))

const items = table('items', {
  id: t.serial().primaryKey(),
  name: t.varchar(100),
  price: t.numeric(10, 2),
  createdAt: t.timestamp({ precision: 3 }),
  active: t.boolean(),
  groupId: t.integer(),
})
const schema = defineSchema({ items }, () => ({}), { casing: 'snake_case' })

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with node --expose-gc')

async function heapUsed(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 5))
  for (let i = 0; i < 2; i++) gc!()
  return process.memoryUsage().heapUsed
}

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10

const orm = createOrm({ schema, dialect: pglite(new PGlite()) })
await orm.createTables()
await sql`insert into items (name, price, created_at, active, group_id)
  select 'item ' || g, (g % 1000)::numeric / 10, timestamp '2024-01-01' + g * interval '1 second', g % 2 = 0, g % 100 from generate_series(1, ${sql.lit(ROWS)}) g`.execute(orm.db)
await orm.session().query('items').limit(10).all()
const base = await heapUsed()

/** Peak heap growth over `base`: sampled by `note()` while reading, and once the read is done. */
let peakHeap = 0
const note = async () => {
  peakHeap = Math.max(peakHeap, await heapUsed())
}

async function measure(name: string, read: () => Promise<number>): Promise<void> {
  peakHeap = 0
  const started = performance.now()
  const rows = await read()
  const ms = Math.round(performance.now() - started)
  await note()
  console.log(JSON.stringify({ read: name, rows, ms, peakHeapGrowthMB: mb(peakHeap - base), rssMB: mb(process.memoryUsage().rss), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }))
}

await measure('stream({ batchSize: 1000 })', async () => {
  let n = 0
  for await (const item of orm.session().query('items').stream({ batchSize: 1000 })) {
    if (item.groupId < 0) throw new Error('unexpected row')
    if (++n % SAMPLE_EVERY === 0) await note()
  }
  return n
})

await measure('all()', async () => {
  const all = await orm.session().query('items').all()
  // Sampled while the result is still held.
  await note()
  return all.length
})

await orm.destroy()
