/** Keyset reads offline: the predicate a stream's next batch and a page's cursor add, for every direction, as each family's exact SQL. */
import { describe, expect, test } from 'vitest'
import { schema } from '../fixtures/keyset.js'
import { offlineOrm, offlineTargets, spelled } from './support/offline.js'

const EVENT = 'select "t0"."id", "t0"."feed_id", "t0"."title", "t0"."at", "t0"."score", "t0"."big", "t0"."logged_at" from "ks_events" as "t0"'
const row = (id: number, title: string, score: number | null = id) => ({ id, feed_id: 1, title, at: new Date(Date.UTC(2024, 0, id)), score, big: String(id), logged_at: null })

describe.each(offlineTargets)('keyset reads [%s]', (target) => {
  const q = (text: string, parameters: unknown[] = []) => ({ sql: spelled(target, text), parameters })

  test('stream(): the first batch has no keyset; the next resumes after the last row, the primary key breaking ties', async () => {
    const db = offlineOrm(schema, target)
    db.answer({ rows: [row(5, 'b'), row(3, 'a')] }, { rows: [row(9, 'a')] })
    const titles: string[] = []
    for await (const event of db.orm.session().query('events').orderBy('title', 'desc').stream({ batchSize: 2 })) titles.push(event.title)
    expect(titles).toEqual(['b', 'a', 'a'])
    expect(db.take()).toEqual([
      q(`${EVENT} order by "t0"."title" desc, "t0"."id" asc limit $1`, [2]),
      q(`${EVENT} where ("t0"."title" < $1 or ("t0"."title" = $2 and "t0"."id" > $3)) order by "t0"."title" desc, "t0"."id" asc limit $4`, ['a', 'a', 3, 2]),
    ])
  })

  test("stream(): the query's filters stay, and a limit caps the last batch", async () => {
    const db = offlineOrm(schema, target)
    db.answer({ rows: [row(1, 'a'), row(2, 'b')] }, { rows: [row(3, 'c')] })
    for await (const _ of db.orm.session().query('events').where('score', 'is not', null).limit(3).stream({ batchSize: 2 })) void _
    expect(db.take()).toEqual([
      q(`${EVENT} where "t0"."score" is not null order by "t0"."id" asc limit $1`, [2]),
      q(`${EVENT} where ("t0"."score" is not null and "t0"."id" > $1) order by "t0"."id" asc limit $2`, [2, 1]),
    ])
  })

  test('paginate(): first/after reads after the cursor in the order; last/before reads the reversed order before it', async () => {
    const db = offlineOrm(schema, target)
    const session = db.orm.session()
    db.answer({ rows: [row(4, 'x', 7), row(2, 'y', 7)] })
    const page = await session.query('events').where('score', 'is not', null).paginate({ first: 1, orderBy: [['score', 'desc'], 'title'] })
    expect(page.pageInfo.hasNextPage).toBe(true)
    await session.query('events').where('score', 'is not', null).paginate({ first: 5, after: page.pageInfo.endCursor, orderBy: [['score', 'desc'], 'title'] })
    await session.query('events').where('score', 'is not', null).paginate({ last: 5, before: page.pageInfo.endCursor, orderBy: [['score', 'desc'], 'title'] })
    const order = 'order by "t0"."score" desc, "t0"."title" asc, "t0"."id" asc'
    const back = 'order by "t0"."score" asc, "t0"."title" desc, "t0"."id" desc'
    expect(db.take()).toEqual([
      q(`${EVENT} where "t0"."score" is not null ${order} limit $1`, [2]),
      q(
        `${EVENT} where ("t0"."score" is not null and ("t0"."score" < $1 or ("t0"."score" = $2 and "t0"."title" > $3) or ("t0"."score" = $4 and "t0"."title" = $5 and "t0"."id" > $6))) ${order} limit $7`,
        [7, 7, 'x', 7, 'x', 4, 6],
      ),
      q(
        `${EVENT} where ("t0"."score" is not null and ("t0"."score" > $1 or ("t0"."score" = $2 and "t0"."title" < $3) or ("t0"."score" = $4 and "t0"."title" = $5 and "t0"."id" < $6))) ${back} limit $7`,
        [7, 7, 'x', 7, 'x', 4, 6],
      ),
    ])
  })

  test('paginate(): a date in the cursor is sent as the family sends dates (PostgreSQL: a UTC literal)', async () => {
    const db = offlineOrm(schema, target)
    const session = db.orm.session()
    db.answer({ rows: [row(1, 'a')] })
    const page = await session.query('events').paginate({ first: 1, orderBy: ['at'] })
    await session.query('events').paginate({ first: 1, after: page.pageInfo.endCursor, orderBy: ['at'] })
    const at = new Date(Date.UTC(2024, 0, 1))
    expect(db.take()[1]).toEqual(
      q(`${EVENT} where ("t0"."at" > $1 or ("t0"."at" = $2 and "t0"."id" > $3)) order by "t0"."at" asc, "t0"."id" asc limit $4`, [
        ...(target === 'postgres' ? ['2024-01-01T00:00:00.000+00:00', '2024-01-01T00:00:00.000+00:00'] : [at, at]),
        1,
        2,
      ]),
    )
  })
})
