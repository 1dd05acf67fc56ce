/** Setup mistakes fail with errors that say what to do: a table that was never created, an orm used after `destroy()`. */
import { CamelCasePlugin, type Kysely } from 'kysely'
import { beforeAll, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { ConnectionWaitError, createOrm, FlushError, MissingTableError, sql } from '../src/index.js'
import { schema } from './fixtures/books.js'

const MISSING_BOOKS = 'table "books" does not exist: run orm.createTables() or your migrations'

describeEachDialect('a missing table', (target) => {
  const ctx = target.setup(schema)
  // The driver's own words, kept as the error's cause.
  const driverText = target.family === 'postgres' ? /relation "books" does not exist/ : /Table '[^']*\.?books' doesn't exist/

  beforeAll(async () => {
    await ctx.orm.db.schema.dropTable('book_author').execute()
    await ctx.orm.db.schema.dropTable('books').execute()
    await ctx.orm.db.insertInto('authors').values({ id: 1, name: 'Ann' }).execute()
  })

  /** What `work` rejects with: a `MissingTableError` naming books, its cause the driver's error. */
  async function missingBooks(work: () => Promise<unknown>): Promise<MissingTableError> {
    const error = await work().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(MissingTableError)
    const missing = error as MissingTableError
    expect(missing.message).toBe(MISSING_BOOKS)
    expect(missing.name).toBe('MissingTableError')
    expect(missing.table).toBe('books')
    expect((missing.cause as Error).message).toMatch(driverText)
    return missing
  }

  test('a query, get() and count() name the table and say how to create it', async () => {
    const session = ctx.orm.session()
    await missingBooks(() => session.query('books').all())
    await missingBooks(() => session.query('books').where({ title: 'T' }).count())
    await missingBooks(() => session.get('books', 1))
  })

  test('a lazy load and a with() of a relation to it', async () => {
    const session = ctx.orm.session()
    const ann = (await session.get('authors', 1))!
    await missingBooks(() => ann.books.load())
    await missingBooks(() => session.query('authors').with({ books: true }).all())
    await missingBooks(() => session.query('authors').with({ books: 'join' }).all())
  })

  test('a flush: the MissingTableError itself, not a FlushError, and the session keeps its changes', async () => {
    const session = ctx.orm.session()
    const ann = (await session.get('authors', 1))!
    session.create('books', { title: 'T', author: ann })
    const error = await missingBooks(() => session.commit())
    expect(error).not.toBeInstanceOf(FlushError)
    expect((await session.plan()).map((step) => step.table)).toEqual(['books'])
  })

  test('orm.transaction() and orm.db', async () => {
    await missingBooks(() => ctx.orm.transaction((session) => session.query('books').all()))
    await missingBooks(() => ctx.orm.db.selectFrom('books').selectAll().execute())
    await missingBooks(() => sql`select * from books`.execute(ctx.orm.db))
  })

  test('other errors pass as they were', async () => {
    const session = ctx.orm.session()
    session.create('authors', { id: 1, name: 'Ann again' })
    await expect(session.commit()).rejects.toThrow(FlushError)
    const unknownColumn = await sql`select nope from authors`.execute(ctx.orm.db).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(unknownColumn).toBeInstanceOf(Error)
    expect(unknownColumn).not.toBeInstanceOf(MissingTableError)
  })
})

describeEachDialect('an orm after destroy()', (target) => {
  const DESTROYED = /^No connection: this orm was destroyed with orm\.destroy\(\)/

  /** What `work` rejects with: a `ConnectionWaitError` of kind `closed` that says the orm was destroyed. */
  async function refused(work: () => Promise<unknown>): Promise<void> {
    const error = await work().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ConnectionWaitError)
    expect((error as ConnectionWaitError).kind).toBe('closed')
    expect((error as Error).message).toMatch(DESTROYED)
  }

  test('orm.db, a session query, a flush and a transaction fail saying the orm was destroyed', async () => {
    const orm = createOrm({ schema, dialect: target.dialect() })
    expect((await sql<{ one: number }>`select 1 as one`.execute(orm.db)).rows).toEqual([{ one: 1 }])
    const session = orm.session()
    await orm.destroy()
    await refused(() => sql`select 1`.execute(orm.db))
    await refused(() => orm.db.selectFrom('authors').selectAll().execute())
    await refused(() => session.query('authors').all())
    await refused(() => orm.session().get('authors', 1))
    session.create('authors', { name: 'Ann' })
    await refused(() => session.commit())
    await refused(() => orm.transaction((s) => s.query('authors').all()))
    await refused(() => orm.db.transaction().execute((trx) => trx.selectFrom('authors').selectAll().execute()))
    // Destroying again, through the orm or through Kysely, is harmless.
    await orm.destroy()
    await refused(() => sql`select 1`.execute(orm.db))
    await orm.db.destroy()
  })

  test.each([
    ['orm.db.destroy()', (db: Kysely<any>) => db.destroy()],
    ["orm.db.withPlugin(…).destroy()", (db: Kysely<any>) => db.withPlugin(new CamelCasePlugin()).destroy()],
    ["orm.db.withSchema(…).destroy()", (db: Kysely<any>) => db.withSchema('other').destroy()],
  ])('%s is orm.destroy(): statements after it fail saying the orm was destroyed', async (_name, destroy) => {
    const orm = createOrm({ schema, dialect: target.dialect() })
    expect((await sql<{ one: number }>`select 1 as one`.execute(orm.db)).rows).toEqual([{ one: 1 }])
    const session = orm.session()
    await destroy(orm.db)
    await refused(() => sql`select 1`.execute(orm.db))
    await refused(() => orm.db.selectFrom('authors').selectAll().execute())
    await refused(() => orm.db.withoutPlugins().selectFrom('authors').selectAll().execute())
    await refused(() => session.query('authors').all())
    await refused(() => orm.transaction((s) => s.query('authors').all()))
    // And orm.destroy() after it is harmless.
    await orm.destroy()
  })

  test('an orm destroyed before its first statement', async () => {
    const orm = createOrm({ schema, dialect: target.dialect() })
    await orm.destroy()
    await refused(() => sql`select 1`.execute(orm.db))
    await refused(() => orm.session().query('authors').all())
  })
})
