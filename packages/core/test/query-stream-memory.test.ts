/**
 * `query.stream()` in bounded memory: the heap in use after full collections, sampled while
 * 30,000 rows stream in batches of 1000, stays a small fraction of what `all()` holds for them,
 * and the session holds no streamed object at the end.
 */
import { beforeAll, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { heapUsed, insertGeneratedItems } from './support/memory.js'
import { defineSchema, t, table } from '../src/index.js'

const items = table('stream_items', {
  id: t.serial().primaryKey(),
  name: t.varchar(100),
  price: t.numeric(10, 2),
  createdAt: t.timestamp({ precision: 3 }),
  active: t.boolean(),
  groupId: t.integer(),
})
const schema = defineSchema({ items }, () => ({}), { casing: 'snake_case' })

const ROWS = 30_000

describeEachDialect('stream memory', (target) => {
  const ctx = target.setup(schema)

  beforeAll(async () => {
    await insertGeneratedItems(ctx.orm.db, target.family, 'stream_items', ROWS)
  })

  test(`streaming ${ROWS.toLocaleString('en-US')} rows holds about one batch; all() holds them all`, async () => {
    // Warm up: compiled hydrators, driver buffers, connection.
    await ctx.orm.session().query('items').limit(10).all()
    const base = await heapUsed()

    const session = ctx.orm.session()
    let peak = 0
    let count = 0
    for await (const item of session.query('items').stream({ batchSize: 1000 })) {
      if (++count % 10_000 === 0) peak = Math.max(peak, (await heapUsed()) - base)
      void item
    }
    expect(count).toBe(ROWS)
    ctx.recorder.clear()
    await session.get('items', 1)
    expect(ctx.recorder.sql).toHaveLength(1)
    const afterStream = (await heapUsed()) - base

    let all: unknown[] | undefined = await ctx.orm.session().query('items').all()
    const held = (await heapUsed()) - base
    expect(all).toHaveLength(ROWS)
    all = undefined

    console.info(`[stream memory] ${target.name}: ${ROWS} rows, heap growth: stream peak ${(peak / 1e6).toFixed(1)} MB, after ${(afterStream / 1e6).toFixed(1)} MB; all() ${(held / 1e6).toFixed(1)} MB`)
    // all() holds every row (several hundred bytes each); the stream about one batch of 1000.
    expect(held).toBeGreaterThan(ROWS * 200)
    expect(peak).toBeLessThan(held / 8)
    expect(afterStream).toBeLessThan(held / 20)
  })
})
