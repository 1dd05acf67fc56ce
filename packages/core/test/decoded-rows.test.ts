/**
 * Entity reads decoded by the column codecs alone (on MariaDB, rows read without mysql2's
 * per-value typeCast) give the declared values, and `orm.db` still returns them as before.
 */
import { expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { defineSchema, t, table } from '../src/index.js'

const shelves = table('shelves', {
  id: t.serial().primaryKey(),
  name: t.text(),
})

/** Every type but `double` and JSON: read without the per-value typeCast on MariaDB. */
const goods = table('goods', {
  id: t.serial().primaryKey(),
  shelfId: t.integer().references(() => shelves.id),
  quantity: t.integer(),
  big: t.bigint().nullable(),
  title: t.text(),
  code: t.varchar(10).nullable(),
  active: t.boolean(),
  price: t.numeric(30, 2).nullable(),
  score: t.real().nullable(),
  createdAt: t.timestamp({ precision: 3 }),
  day: t.date().nullable(),
  token: t.uuid().nullable(),
  status: t.enum(['draft', 'published']),
})

/** A `double` and a JSON column: read with the typeCast, whose readings are exact. */
const readings = table('readings', {
  id: t.serial().primaryKey(),
  shelfId: t.integer().references(() => shelves.id),
  value: t.double(),
  doc: t.json<{ n: number }>(),
})

const schema = defineSchema(
  { shelves, goods, readings },
  ({ oneToMany, manyToOne }) => ({
    shelves: { goods: oneToMany('goods', { backPopulates: 'shelf' }), readings: oneToMany('readings', { backPopulates: 'shelf' }) },
    goods: { shelf: manyToOne('shelves', { backPopulates: 'goods' }) },
    readings: { shelf: manyToOne('shelves', { backPopulates: 'readings' }) },
  }),
  { casing: 'snake_case' },
)

const good = (i: number) => ({
  quantity: 10 + i,
  big: i === 0 ? null : 2n ** 60n + BigInt(i),
  title: `good ${i}`,
  code: i === 0 ? null : `c${i}`,
  active: i % 2 === 0,
  price: i === 0 ? null : `1234567890123456789012345678.0${i}`,
  score: 1.5 + i,
  createdAt: new Date(Date.UTC(2024, 4, 6, 7, 8, 9, 123 + i)),
  day: new Date(Date.UTC(2024, 0, 1 + i)),
  token: `00000000-0000-4000-8000-00000000000${i}`,
  status: (i % 2 === 0 ? 'draft' : 'published') as 'draft' | 'published',
})

describeEachDialect('entity reads decoded by the column codecs', (target) => {
  const ctx = target.setup(schema)

  test('query, get, selectIn and join loads give the declared values; orm.db returns the same values', async () => {
    const writer = ctx.orm.session()
    const shelf = writer.create('shelves', { name: 'a' })
    await writer.commit()
    const written = [0, 1, 2].map((i) => writer.create('goods', { shelfId: shelf.id, ...good(i) }))
    await writer.commit()
    const expected = written.map((g, i) => ({ id: g.id, shelfId: shelf.id, ...good(i) }))

    const queried = await ctx.orm.session().query('goods').orderBy('id').all()
    expect(queried.map((g) => ({ ...g }))).toEqual(expected)
    expect(queried.map((g) => typeof g.active)).toEqual(['boolean', 'boolean', 'boolean'])

    const byKey = await ctx.orm.session().get('goods', written[1]!.id)
    expect({ ...byKey }).toEqual(expected[1])

    for (const strategy of ['selectIn', 'join'] as const) {
      const [loaded] = await ctx.orm.session().query('shelves').with({ goods: (q) => q.strategy(strategy).with({ shelf: strategy }) }).all()
      expect(loaded!.goods.map((g) => ({ ...g }))).toEqual(expected)
      expect(loaded!.goods.every((g) => g.shelf === loaded)).toBe(true)
    }

    // orm.db: the driver's values as the schema declares them, as before.
    const rows = await ctx.orm.db.selectFrom('goods').selectAll().orderBy('id').execute()
    expect(rows).toEqual(
      expected.map((g) => ({
        id: g.id,
        shelf_id: g.shelfId,
        quantity: g.quantity,
        big: g.big,
        title: g.title,
        code: g.code,
        active: g.active,
        price: g.price,
        score: g.score,
        created_at: g.createdAt,
        day: g.day,
        token: g.token,
        status: g.status,
      })),
    )
  })

  test('a double and a JSON document with an integer beyond 2^53 read back exactly, by the ORM and by orm.db', async () => {
    const writer = ctx.orm.session()
    const shelf = writer.create('shelves', { name: 'b' })
    await writer.commit()
    // 908463.1240234375 is a value mysql2's own DOUBLE parser misses by one unit in the last place.
    const reading = writer.create('readings', { shelfId: shelf.id, value: 908463.1240234375, doc: { n: 2 ** 60 } })
    await writer.commit()
    const read = await ctx.orm.session().get('readings', reading.id)
    expect(read).toMatchObject({ value: 908463.1240234375, doc: { n: 2 ** 60 } })
    const [loaded] = await ctx.orm.session().query('shelves').where({ id: shelf.id }).with({ readings: 'selectIn' }).all()
    expect(loaded!.readings.map((r) => [r.value, r.doc])).toEqual([[908463.1240234375, { n: 2 ** 60 }]])
    const rows = await ctx.orm.db.selectFrom('readings').select(['value', 'doc']).where('id', '=', reading.id).execute()
    expect(rows).toEqual([{ value: 908463.1240234375, doc: { n: 2 ** 60 } }])
  })
})
