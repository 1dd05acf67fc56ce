/**
 * `session.db`: Kysely on the session's connection, inside its transaction (and savepoints) while
 * one is open, on the pool otherwise; and `orm.db` inside `orm.transaction()` on PGlite's single
 * connection failing at once, naming `session.db`.
 */
import { beforeEach, expect, expectTypeOf, test } from 'vitest'
import type { Kysely } from 'kysely'
import { describeEachDialect } from '@relata/test-kit/targets'
import { ConnectionWaitError, RelataError, type Database } from '../src/index.js'
import { schema } from './fixtures/books.js'

describeEachDialect('session.db', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await ctx.orm.db.deleteFrom('book_author').execute()
    await ctx.orm.db.deleteFrom('books').execute()
    await ctx.orm.db.deleteFrom('authors').execute()
    ctx.recorder.clear()
  })

  const names = async () => (await ctx.orm.db.selectFrom('authors').select('name').orderBy('name').execute()).map((row) => row.name)

  test('typed as orm.db is: Kysely<Database<S>>', () => {
    const session = ctx.orm.session()
    expectTypeOf(session.db).toEqualTypeOf<Kysely<Database<typeof schema>>>()
    expect(session.db).toBe(session.db)
  })

  test('inside orm.transaction(): sees a flushed row before commit, and loses it on rollback', async () => {
    const seen: string[][] = []
    const error = await ctx.orm
      .transaction(async (session) => {
        session.create('authors', { name: 'Pending' })
        // No autoflush here: a pending object is not a row yet.
        seen.push((await session.db.selectFrom('authors').select('name').execute()).map((r) => r.name))
        await session.flush()
        seen.push((await session.db.selectFrom('authors').select('name').execute()).map((r) => r.name))
        throw new Error('roll back')
      })
      .catch((e: unknown) => e)
    expect((error as Error).message).toBe('roll back')
    expect(seen).toEqual([[], ['Pending']])
    expect(await names()).toEqual([])
  })

  test('a raw insert through session.db is committed with the session\'s transaction, and rolled back with its savepoint', async () => {
    await ctx.orm.transaction(async (session) => {
      await session.db.insertInto('authors').values({ name: 'Raw' }).execute()
      const ann = session.create('authors', { name: 'Ann' })
      await session.transaction(async () => {
        await session.db.insertInto('authors').values({ name: 'In savepoint' }).execute()
        expect((await session.db.selectFrom('authors').select('name').orderBy('name').execute()).map((r) => r.name)).toEqual(['Ann', 'In savepoint', 'Raw'])
        throw new Error('undo the savepoint')
      }).catch(() => undefined)
      // Read through the session: the raw row is in its transaction, not yet committed for others.
      expect((await session.query('authors').orderBy('name').all()).map((a) => a.name)).toEqual(['Ann', 'Raw'])
      expect(ann.id).toBeTypeOf('number')
    })
    expect(await names()).toEqual(['Ann', 'Raw'])
  })

  test('captured before a transaction opens, it runs in that transaction once open, and on the pool after it', async () => {
    const session = ctx.orm.session()
    const db = session.db
    const insert = db.insertInto('authors').values({ name: 'Built before' })
    await session.transaction(async () => {
      await insert.execute()
      await db.insertInto('authors').values({ name: 'Inside' }).execute()
      throw new Error('roll back')
    }).catch(() => undefined)
    expect(await names()).toEqual([])
    await db.insertInto('authors').values({ name: 'Outside' }).execute()
    expect(await names()).toEqual(['Outside'])
  })

  test('its statements are logged through the ORM\'s log, once each', async () => {
    await ctx.orm.transaction(async (session) => {
      await session.db.selectFrom('authors').select('id').execute()
    })
    expect(ctx.recorder.sql.filter((s) => s.includes('authors'))).toHaveLength(1)
  })

  test('its own transaction() and startTransaction() are refused, naming session.transaction()', async () => {
    const session = ctx.orm.session()
    await expect(session.db.transaction().execute(async () => undefined)).rejects.toThrow(RelataError)
    await expect(session.db.startTransaction().execute()).rejects.toThrow(/^session\.db cannot open a transaction of its own: .*session\.transaction\(async \(\) => \.\.\.\)/)
    await ctx.orm.transaction(async (s) => {
      await expect(s.db.transaction().execute(async () => undefined)).rejects.toThrow(/session\.db cannot open a transaction of its own/)
    })
  })

  test.runIf(target.name === 'pglite')('PGlite: orm.db inside orm.transaction() fails at once naming session.db (its one connection is the transaction\'s)', async () => {
    const started = Date.now()
    const error = await ctx.orm
      .transaction(async (session) => {
        session.create('authors', { name: 'Ann' })
        await session.flush()
        await ctx.orm.db.selectFrom('authors').selectAll().execute()
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionWaitError)
    expect((error as ConnectionWaitError).kind).toBe('deadlock')
    expect((error as Error).message).toMatch(/session\.db, not orm\.db/)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(await names()).toEqual([])
  })

  test.runIf(target.name !== 'pglite')('a pool: orm.db inside orm.transaction() runs on another connection, outside the transaction', async () => {
    await ctx.orm.transaction(async (session) => {
      session.create('authors', { name: 'Uncommitted' })
      await session.flush()
      expect(await names()).toEqual([])
      expect((await session.db.selectFrom('authors').select('name').execute()).map((r) => r.name)).toEqual(['Uncommitted'])
    })
    expect(await names()).toEqual(['Uncommitted'])
  })
})
