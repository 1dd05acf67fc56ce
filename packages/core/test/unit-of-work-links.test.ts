/** Many-to-many link rows are exact: an existing link is never inserted again, opposite changes cancel out, both sides of one link make one row. */
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { schema } from './fixtures/relation-sync.js'
import { emptyTables, normalizeSql } from './fixtures/unit-of-work.js'

describeEachDialect('unit of work: many-to-many link rows', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const links = async () =>
    (await ctx.orm.db.selectFrom('credits').select(['novel_id', 'writer_id', 'role']).orderBy('novel_id').orderBy('writer_id').execute()).map((r) => [r.novel_id, r.writer_id, r.role])

  /** Two writers and two novels; w1 wrote n1. Read back, relations not loaded, in a fresh session. */
  async function seed() {
    const s = ctx.orm.session()
    const w1 = s.create('writers', { name: 'W1' })
    s.create('writers', { name: 'W2' })
    const n1 = s.create('novels', { title: 'N1' })
    s.create('novels', { title: 'N2' })
    w1.novels.add(n1)
    await s.commit()
    const session = ctx.orm.session()
    const [x1, x2] = await session.query('writers').orderBy('id').all()
    const [y1, y2] = await session.query('novels').orderBy('id').all()
    ctx.recorder.clear()
    return { session, w1: x1!, w2: x2!, n1: y1!, n2: y2! }
  }

  /** The read of candidate pairs, locking the rows it finds until the flush commits. */
  const pairsQuery = (tuples: string) =>
    `select "novel_id", "writer_id" from "credits" where ("novel_id", "writer_id") in ${tuples} ${target.family === 'postgres' ? 'for share' : 'lock in share mode'}`

  test('adding a pair that is already linked, neither collection loaded, reads the candidate pairs and writes only the new ones', async () => {
    const { session, w1, n1, n2 } = await seed()
    w1.novels.add(n1)
    w1.novels.add(n2)
    // The plan counts the candidates: which of them exist is read in the flush's own transaction.
    expect(await session.plan()).toEqual([{ operation: 'insertLinks', table: 'credits', rows: 2 }])
    ctx.recorder.clear()
    await session.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual([pairsQuery('((?, ?), (?, ?))'), 'insert into "credits" ("writer_id", "novel_id") values (?, ?)'])
    expect(await links()).toEqual([
      [n1.id, w1.id, null],
      [n2.id, w1.id, null],
    ])
    expect([...(await w1.novels.load())]).toEqual([n1, n2])
    expect([...(await n1.writers.load())]).toEqual([w1])
  })

  test('adding an already linked pair with values for the link row updates that row', async () => {
    const { session, w1, n1 } = await seed()
    n1.writers.add(w1, { role: 'editor' })
    await session.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual([pairsQuery('(?, ?)').replace('("novel_id", "writer_id") in (?, ?)', '("novel_id" = ? and "writer_id" = ?)'), 'update "credits" set "role" = ? where ("novel_id" = ? and "writer_id" = ?)'])
    expect(await links()).toEqual([[n1.id, w1.id, 'editor']])
  })

  test('a collection loaded after a link was added to it while not loaded shows it once, and nothing is inserted when it existed', async () => {
    const { session, w1, n1 } = await seed()
    w1.novels.add(n1)
    const novels = await w1.novels.load()
    expect([...novels]).toEqual([n1])
    expect(await session.plan()).toEqual([])
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
    expect(await links()).toEqual([[n1.id, w1.id, null]])
  })

  test('a link added while a collection is loaded needs no read', async () => {
    const { session, w1, n2 } = await seed()
    await w1.novels.load()
    w1.novels.add(n2)
    ctx.recorder.clear()
    await session.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual(['insert into "credits" ("writer_id", "novel_id") values (?, ?)'])
  })

  for (const loaded of [false, true]) {
    const how = loaded ? 'loaded' : 'not loaded'
    test(`removing and re-adding a link in one flush writes nothing (collections ${how})`, async () => {
      const { session, w1, w2, n1, n2 } = await seed()
      if (loaded) await Promise.all([session.load(w1, 'novels'), session.load(n1, 'writers'), session.load(w2, 'novels'), session.load(n2, 'writers')])
      w1.novels.remove(n1)
      w1.novels.add(n1)
      // The other order, and from the other side.
      n1.writers.remove(w1)
      w1.novels.add(n1)
      w2.novels.add(n2)
      n2.writers.remove(w2)
      w2.novels.add(n1)
      w2.novels.remove(n1)
      expect(await session.plan()).toEqual([])
      ctx.recorder.clear()
      await session.commit()
      expect(ctx.recorder.sql).toEqual([])
      expect(await links()).toEqual([[n1.id, w1.id, null]])
      expect([...(await w1.novels.load())]).toEqual([n1])
      expect([...(await n1.writers.load())]).toEqual([w1])
      expect([...(await w2.novels.load())]).toEqual([])
    })

    test(`adding the same pair from both sides writes one row (collections ${how})`, async () => {
      const { session, w1, w2, n1, n2 } = await seed()
      if (loaded) await Promise.all([session.load(w2, 'novels'), session.load(n2, 'writers')])
      n2.writers.add(w2)
      w2.novels.add(n2)
      ctx.recorder.clear()
      await session.commit()
      expect(normalizeSql(ctx.recorder.sql).filter((s) => s.startsWith('insert'))).toEqual(['insert into "credits" ("novel_id", "writer_id") values (?, ?)'])
      expect(await links()).toEqual([
        [n1.id, w1.id, null],
        [n2.id, w2.id, null],
      ])
      expect([...(await w2.novels.load())]).toEqual([n2])
      expect([...(await n2.writers.load())]).toEqual([w2])
    })
  }

  test('a link between a new object and a persistent one needs no read', async () => {
    const { session, w1 } = await seed()
    const n3 = session.create('novels', { title: 'N3' })
    w1.novels.add(n3)
    await session.commit()
    expect(normalizeSql(ctx.recorder.sql).some((s) => s.startsWith('select'))).toBe(false)
    expect((await links()).length).toBe(2)
  })

  test('hundreds of link rows by composite key: candidate pairs read, rows inserted and deleted exactly (PGlite once matched nothing past ~500 parameters in one row IN list)', async () => {
    const count = 700
    const setup = ctx.orm.session()
    const writer = setup.create('writers', { name: 'prolific' })
    const novels = Array.from({ length: count }, (_, i) => setup.create('novels', { title: `N${i}` }))
    await setup.commit()
    await ctx.orm.db.insertInto('credits').values(novels.filter((_, i) => i % 2 === 0).map((n) => ({ novel_id: n.id, writer_id: writer.id, role: 'author' }))).execute()

    // Neither collection loaded: every pair is a candidate, the existing half is found and skipped.
    const session = ctx.orm.session()
    const w = (await session.get('writers', writer.id))!
    for (const n of await session.query('novels').orderBy('id').all()) w.novels.add(n)
    await session.commit()
    expect((await links()).length).toBe(count)

    // Then all removed from the loaded collection: one statement's worth of composite keys, every row gone.
    await session.load(w, 'novels')
    w.novels.clear()
    await session.commit()
    expect(await links()).toEqual([])
  })
})
