import { sql } from 'kysely'
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { schema } from './fixtures/books.js'

describeEachDialect('QueryRecorder', (target) => {
  const ctx = target.setup(schema)
  const q = (text: string): string => (target.family === 'postgres' ? text : text.replaceAll('"', '`').replace(/\$\d+/g, '?'))

  beforeEach(() => ctx.recorder.clear())

  test('records the SQL and parameters of builder queries, in order', async () => {
    await ctx.orm.db.insertInto('authors').values({ name: 'Ann' }).execute()
    await ctx.orm.db.selectFrom('authors').select('id').where('name', '=', 'Ann').execute()
    expect(ctx.recorder.queries).toEqual([
      { sql: q('insert into "authors" ("name") values ($1)'), parameters: ['Ann'] },
      { sql: q('select "id" from "authors" where "name" = $1'), parameters: ['Ann'] },
    ])
    expect(ctx.recorder.sql).toEqual(ctx.recorder.queries.map((query) => query.sql))
  })

  test('records raw sql templates and failed statements', async () => {
    await sql`select ${42} as answer`.execute(ctx.orm.db)
    await expect(sql`select * from no_such_table`.execute(ctx.orm.db)).rejects.toThrow()
    expect(ctx.recorder.sql).toEqual([q('select $1 as answer'), 'select * from no_such_table'])
  })

  test('leaves out begin and commit, so counts agree across dialects', async () => {
    await ctx.orm.db.transaction().execute(async (trx) => {
      await trx.insertInto('authors').values({ name: 'Bea' }).execute()
      await trx.insertInto('authors').values({ name: 'Cy' }).execute()
    })
    expect(ctx.recorder.sql).toEqual([q('insert into "authors" ("name") values ($1)'), q('insert into "authors" ("name") values ($1)')])
  })

  test('records what runs, not what is only compiled', async () => {
    ctx.orm.db.selectFrom('books').selectAll().compile()
    expect(ctx.recorder.queries).toEqual([])
  })

  test('clear() forgets, and the lists it hands out are snapshots', async () => {
    await sql`select 1`.execute(ctx.orm.db)
    const snapshot = ctx.recorder.queries
    ctx.recorder.clear()
    expect(snapshot).toHaveLength(1)
    expect(ctx.recorder.queries).toEqual([])
    expect(ctx.recorder.sql).toEqual([])
  })
})
