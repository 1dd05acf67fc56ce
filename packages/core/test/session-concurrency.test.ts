/** One session, several calls at once: flushes and transactions run one at a time, and no change made meanwhile is lost or written twice. */
import { afterEach, beforeEach, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { FlushError } from '../src/index.js'
import { schema as booksSchema } from './fixtures/books.js'
import { emptyTables, normalizeSql, schema } from './fixtures/unit-of-work.js'
import { inside } from './support/session-state.js'
import { onStatement } from './support/statement-hook.js'

describeEachDialect('session: concurrent calls', (target) => {
  const ctx = target.setup(schema)
  let unhook: (() => void) | undefined

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })
  afterEach(() => unhook?.())

  const toys = () => ctx.orm.db.selectFrom('toys').select(['name', 'owner_id']).orderBy('id').execute()
  const written = () => normalizeSql(ctx.recorder.sql).filter((s) => !s.startsWith('select'))

  test('two commits started together insert a new row once', async () => {
    const session = ctx.orm.session()
    const ball = session.create('toys', { name: 'ball' })
    await Promise.all([session.commit(), session.commit(), session.flush()])
    expect(await toys()).toEqual([{ name: 'ball', owner_id: null }])
    expect(written().filter((s) => s.startsWith('insert'))).toHaveLength(1)
    expect(inside(ball).status).toBe('persistent')
  })

  test('a commit started before an edit, then another awaited: one row, with the edit, no duplicate key', async () => {
    const session = ctx.orm.session()
    const ann = session.create('owners', { name: 'Ann' })
    const first = session.commit()
    ann.name = 'Ann B'
    await session.commit()
    await first
    expect(await ctx.orm.db.selectFrom('owners').select('name').execute()).toEqual([{ name: 'Ann B' }])
  })

  test('an attribute edited while its INSERT runs stays on the object and is written by the next flush', async () => {
    const session = ctx.orm.session()
    const ball = session.create('toys', { name: 'ball' })
    unhook = onStatement(ctx.recorder, /^insert into "toys"/, () => {
      ball.name = 'kite'
    })
    await session.commit()
    expect(ball.name).toBe('kite')
    expect(typeof ball.id).toBe('number')
    expect(await toys()).toEqual([{ name: 'ball', owner_id: null }])
    expect(await session.plan()).toEqual([{ operation: 'update', table: 'toys', rows: 1, columns: ['name'] }])
    await session.commit()
    expect(await toys()).toEqual([{ name: 'kite', owner_id: null }])
  })

  test('an attribute edited while its UPDATE runs is not swallowed into the snapshot', async () => {
    const session = ctx.orm.session()
    const ball = session.create('toys', { name: 'ball' })
    await session.commit()
    ball.name = 'kite'
    unhook = onStatement(ctx.recorder, /^update "toys"/, () => {
      ball.name = 'yoyo'
    })
    await session.commit()
    expect(await toys()).toEqual([{ name: 'kite', owner_id: null }])
    expect(ball.name).toBe('yoyo')
    await session.commit()
    expect(await toys()).toEqual([{ name: 'yoyo', owner_id: null }])
  })

  test('an attribute edited while a row switch writes the row stays on the object and is written by the next flush', async () => {
    const session = ctx.orm.session()
    const ann = session.create('owners', { name: 'Ann' })
    await session.commit()
    session.delete(ann)
    const bea = session.create('owners', { id: ann.id, name: 'Bea' })
    unhook = onStatement(ctx.recorder, /^update "owners"/, () => {
      bea.name = 'Cy'
    })
    await session.commit()
    const owners = () => ctx.orm.db.selectFrom('owners').select(['id', 'name']).execute()
    expect(await owners()).toEqual([{ id: ann.id, name: 'Bea' }])
    expect(bea.name).toBe('Cy')
    expect(inside(bea).status).toBe('persistent')
    await session.commit()
    expect(await owners()).toEqual([{ id: ann.id, name: 'Cy' }])
  })

  test('a relation reassigned while the flush writes the previous one is written by the next flush', async () => {
    const session = ctx.orm.session()
    const ann = session.create('owners', { name: 'Ann' })
    const bob = session.create('owners', { name: 'Bob' })
    const ball = session.create('toys', { name: 'ball' })
    await session.commit()
    ball.owner = ann
    unhook = onStatement(ctx.recorder, /^update "toys"/, () => {
      ball.owner = bob
    })
    await session.commit()
    expect(await toys()).toEqual([{ name: 'ball', owner_id: ann.id }])
    expect(ball.owner).toBe(bob)
    await session.commit()
    expect(await toys()).toEqual([{ name: 'ball', owner_id: bob.id }])
    expect(ball.ownerId).toBe(bob.id)
    expect(await session.plan()).toEqual([])
  })

  test('a new object given a parent while its INSERT runs gets that parent at the next flush', async () => {
    const session = ctx.orm.session()
    const ann = session.create('owners', { name: 'Ann' })
    await session.commit()
    const ball = session.create('toys', { name: 'ball' })
    unhook = onStatement(ctx.recorder, /^insert into "toys"/, () => {
      ann.toys.add(ball)
    })
    await session.commit()
    expect(await toys()).toEqual([{ name: 'ball', owner_id: null }])
    await session.commit()
    expect(await toys()).toEqual([{ name: 'ball', owner_id: ann.id }])
    expect([...ann.toys]).toEqual([ball])
  })

  test('an object deleted while its INSERT runs is deleted by the next flush', async () => {
    const session = ctx.orm.session()
    const ball = session.create('toys', { name: 'ball' })
    unhook = onStatement(ctx.recorder, /^insert into "toys"/, () => session.delete(ball))
    await session.commit()
    expect(inside(ball).status).toBe('persistent')
    expect(await toys()).toHaveLength(1)
    await session.commit()
    expect(await toys()).toEqual([])
    expect(inside(ball).status).toBe('detached')
  })

  test('an object deleted while another flush runs is still deleted by the next one', async () => {
    const session = ctx.orm.session()
    const ball = session.create('toys', { name: 'ball' })
    const kite = session.create('toys', { name: 'kite' })
    await session.commit()
    kite.name = 'big kite'
    unhook = onStatement(ctx.recorder, /^update "toys"/, () => session.delete(ball))
    await session.commit()
    expect(await toys()).toHaveLength(2)
    await session.commit()
    expect(await toys()).toEqual([{ name: 'big kite', owner_id: null }])
  })

  test('a rollback called while a flush runs waits for it, then forgets only what is still unflushed', async () => {
    const session = ctx.orm.session()
    const ball = session.create('toys', { name: 'ball' })
    let rollback: Promise<void> | undefined
    let kite: ReturnType<typeof session.create<'toys'>> | undefined
    unhook = onStatement(ctx.recorder, /^insert into "toys"/, () => {
      rollback = session.rollback()
      kite = session.create('toys', { name: 'kite' })
    })
    await session.commit()
    await rollback
    expect(inside(ball).status).toBe('persistent')
    expect(inside(kite!).status).toBe('transient')
    await session.commit()
    expect(await toys()).toEqual([{ name: 'ball', owner_id: null }])
  })

  test('session.clear() while a flush runs is refused', async () => {
    const session = ctx.orm.session()
    session.create('toys', { name: 'ball' })
    let error: unknown
    unhook = onStatement(ctx.recorder, /^insert into "toys"/, () => {
      try {
        session.clear()
      } catch (e) {
        error = e
      }
    })
    await session.commit()
    expect(String(error)).toContain('session.clear(): a flush of this session is running')
  })

  test('two session.transaction() calls at once run one after the other, each committed', async () => {
    const session = ctx.orm.session()
    const events: string[] = []
    const run = (name: string) =>
      session.transaction(async (s) => {
        events.push(`start ${name}`)
        s.create('toys', { name })
        await s.flush()
        await new Promise((resolve) => setTimeout(resolve, 20))
        events.push(`end ${name}`)
      })
    await Promise.all([run('ball'), run('kite')])
    expect(events).toEqual(['start ball', 'end ball', 'start kite', 'end kite'])
    expect(await toys()).toEqual([
      { name: 'ball', owner_id: null },
      { name: 'kite', owner_id: null },
    ])
  })

  test('a transaction that fails while another waits: the other still runs, and no connection is left in a transaction', async () => {
    const session = ctx.orm.session()
    const failing = session.transaction(async (s) => {
      s.create('toys', { name: 'ball' })
      await s.flush()
      throw new Error('no')
    })
    const kept = session.transaction(async (s) => {
      s.create('toys', { name: 'kite' })
    })
    await expect(failing).rejects.toThrow('no')
    await kept
    expect(await toys()).toEqual([{ name: 'kite', owner_id: null }])
    if (target.family === 'postgres' && target.name === 'postgres') {
      const { rows } = await sqlRows(`select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`)
      expect(rows[0]).toEqual({ n: 0 })
    }
  })

  test('a read left running when the callback returns does not fail on the finished transaction', async () => {
    const session = ctx.orm.session()
    let read: Promise<object[]> | undefined
    let ball: object | undefined
    await session.transaction(async (s) => {
      ball = s.create('toys', { name: 'ball' })
      read = s.query('toys').all()
    })
    // Its autoflush was queued before the transaction's end: it wrote the ball, which the read returns.
    const found = await read
    expect(found).toHaveLength(1)
    expect(found![0]).toBe(ball)
    expect(await toys()).toHaveLength(1)
  })

  test('a read started while the transaction opens runs inside it', async () => {
    const session = ctx.orm.session()
    const done = session.transaction(async (s) => {
      s.create('toys', { name: 'ball' })
      await s.flush()
      await new Promise((resolve) => setTimeout(resolve, 20))
    })
    const count = session.query('toys').count()
    await done
    // Inside the transaction the read sees either nothing yet or the flushed row, never an error.
    expect([0, 1]).toContain(await count)
    expect(await toys()).toHaveLength(1)
  })

  async function sqlRows(text: string) {
    const { sql } = await import('kysely')
    return sql.raw<{ n: number }>(text).execute(ctx.orm.db)
  }
})

describeEachDialect('session: link changes made while a flush runs', (target) => {
  const ctx = target.setup(booksSchema)
  let unhook: (() => void) | undefined

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })
  afterEach(() => unhook?.())

  const links = () => ctx.orm.db.selectFrom('book_author').select(['book_id', 'author_id']).orderBy('author_id').execute()

  async function scene() {
    const session = ctx.orm.session()
    const book = session.create('books', { title: 'T' })
    const ann = session.create('authors', { name: 'Ann' })
    const bob = session.create('authors', { name: 'Bob' })
    await session.commit()
    return { session, book, ann, bob }
  }

  test('a link added while the flush writes another is written by the next flush', async () => {
    const { session, book, ann, bob } = await scene()
    book.coauthors.add(ann)
    unhook = onStatement(ctx.recorder, /^insert into "book_author"/, () => book.coauthors.add(bob))
    await session.commit()
    expect(await links()).toEqual([{ book_id: book.id, author_id: ann.id }])
    await session.commit()
    expect(await links()).toEqual([
      { book_id: book.id, author_id: ann.id },
      { book_id: book.id, author_id: bob.id },
    ])
  })

  test('a link removed while the flush inserts it is deleted by the next flush', async () => {
    const { session, book, ann } = await scene()
    book.coauthors.add(ann)
    unhook = onStatement(ctx.recorder, /^insert into "book_author"/, () => book.coauthors.remove(ann))
    await session.commit()
    expect(await links()).toHaveLength(1)
    await session.commit()
    expect(await links()).toEqual([])
    expect([...book.coauthors]).toEqual([])
  })

  test('a failed flush gives back its link changes, followed by those made while it ran', async () => {
    const { session, book, ann, bob } = await scene()
    await ctx.orm.db.insertInto('book_author').values({ book_id: book.id, author_id: ann.id }).execute()
    book.coauthors.add(ann)
    unhook = onStatement(ctx.recorder, /^insert into "book_author"/, () => book.coauthors.add(bob))
    await expect(session.commit()).rejects.toBeInstanceOf(FlushError)
    expect(await session.plan()).toEqual([{ operation: 'insertLinks', table: 'book_author', rows: 2 }])
    await ctx.orm.db.deleteFrom('book_author').execute()
    await session.commit()
    expect(await links()).toHaveLength(2)
  })
})
