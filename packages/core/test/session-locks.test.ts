/**
 * Pessimistic locks on real databases: `forUpdate()` / `forShare()` with `skipLocked` / `noWait`
 * and a locked `get()` hold rows against other transactions until their own ends; a lock outside a
 * transaction is refused; a locked read refreshes the unchanged columns of objects already held.
 */
import { sql } from 'kysely'
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect, type TestTarget } from '@relata/test-kit/targets'
import { RelataError, type Orm } from '../src/index.js'
import { schema } from './fixtures/books.js'

type Books = typeof schema

/** How many of this database's statements wait for a row lock, as the server reports it (not a guess from elapsed time). */
async function lockWaits(orm: Orm<Books>, target: TestTarget): Promise<number> {
  const query =
    target.family === 'postgres'
      ? sql<{ n: unknown }>`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`
      : // MariaDB's innodb_trx does not always list a transaction waiting in the optimizer's key lookup: a statement of this
        // database still running (a primary-key read or update of two rows) is one waiting for its lock.
        sql<{ n: unknown }>`select count(*) as n from information_schema.processlist where db = database() and command = 'Query' and id <> connection_id()`
  const { rows } = await query.execute(orm.db)
  return Number(rows[0]!.n)
}

/** Resolves once `count` statements of this database wait for a lock; fails after 10 s. */
async function untilWaiting(orm: Orm<Books>, target: TestTarget, count = 1): Promise<void> {
  const deadline = Date.now() + 10_000
  while ((await lockWaits(orm, target)) < count) {
    if (Date.now() > deadline) {
      const dump = target.family === 'postgres' ? sql`select state, wait_event_type, query from pg_stat_activity where datname = current_database()` : sql`select p.id, p.command, p.state, p.info, t.trx_state from information_schema.processlist p left join information_schema.innodb_trx t on p.id = t.trx_mysql_thread_id where p.command <> 'Sleep' or t.trx_state is not null`
      throw new Error(`no statement waited for a lock within 10 s: ${JSON.stringify((await dump.execute(orm.db)).rows, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** A promise with its resolver: a transaction's callback waits on it while it holds its locks. */
function latch(): { readonly promise: Promise<void>; readonly open: () => void } {
  let open!: () => void
  const promise = new Promise<void>((resolve) => (open = resolve))
  return { promise, open }
}

describeEachDialect('session: pessimistic locks', (target) => {
  const ctx = target.setup(schema)
  let ids: number[]

  beforeEach(async () => {
    await ctx.orm.db.deleteFrom('book_author').execute()
    await ctx.orm.db.deleteFrom('books').execute()
    await ctx.orm.db.deleteFrom('authors').execute()
    await ctx.orm.transaction(async (session) => {
      const ann = session.create('authors', { name: 'Ann' })
      session.create('books', { title: 'One', author: ann })
      session.create('books', { title: 'Two', author: ann })
    })
    ids = (await ctx.orm.db.selectFrom('books').select('id').orderBy('id').execute()).map((row) => row.id)
    ctx.recorder.clear()
  })

  const title = async (id: number) => (await ctx.orm.db.selectFrom('books').select('title').where('id', '=', id).executeTakeFirstOrThrow()).title

  test('outside a transaction: refused at once, naming the table; no statement is sent', async () => {
    const session = ctx.orm.session()
    await expect(session.query('books').forUpdate().all()).rejects.toThrow(RelataError)
    await expect(session.query('books').where({ id: ids[0]! }).forShare().first()).rejects.toThrow(/^forShare\(\) on 'books' outside a transaction: .* Run it inside orm\.transaction/)
    await expect(session.get('books', ids[0]!, { lock: 'update' })).rejects.toThrow(/^forUpdate\(\) on 'books' outside a transaction/)
    expect(ctx.recorder.sql).toEqual([])
  })

  test('inside orm.transaction() and session.transaction() (a savepoint too), the locked statement runs in the transaction', async () => {
    await ctx.orm.transaction(async (session) => {
      expect(await session.query('books').orderBy('id').forUpdate().all()).toHaveLength(2)
    })
    const session = ctx.orm.session()
    await session.transaction(async () => {
      await session.transaction(async () => {
        expect((await session.get('books', ids[0]!, { lock: 'share' }))!.title).toBe('One')
      })
    })
    expect(ctx.recorder.sql.filter((s) => /for update|for share|lock in share mode/.test(s))).toHaveLength(2)
  })

  test("get(..., { lock: 'update' }) sends its statement even when the object is known, and refreshes its unchanged columns; unflushed changes stay", async () => {
    // Without autoflush, so that the change to `two` is still unflushed when the locked read comes.
    const session = ctx.orm.session({ autoflush: false })
    const one = (await session.get('books', ids[0]!))!
    const two = (await session.get('books', ids[1]!))!
    // Another connection changes both rows (committed before the transaction below starts).
    await ctx.orm.db.updateTable('books').set({ title: 'Theirs' }).execute()
    two.title = 'Mine'
    ctx.recorder.clear()
    await session.transaction(async () => {
      expect(await session.get('books', ids[0]!)).toBe(one)
      expect(ctx.recorder.sql).toEqual([])
      expect(await session.get('books', ids[0]!, { lock: 'update' })).toBe(one)
      expect(await session.get('books', ids[1]!, { lock: 'update' })).toBe(two)
      expect(ctx.recorder.sql).toHaveLength(2)
      expect(ctx.recorder.sql.every((s) => s.endsWith(target.family === 'postgres' ? 'for update of "t0"' : 'for update'))).toBe(true)
      // Read under the lock: the unchanged title is the row's; the changed one is kept.
      expect(one.title).toBe('Theirs')
      expect(two.title).toBe('Mine')
    })
    // The flush at commit writes the kept change over the row it locked, and nothing for the refreshed one.
    expect([await title(ids[0]!), await title(ids[1]!)]).toEqual(['Theirs', 'Mine'])
    expect(ctx.recorder.sql.filter((s) => s.startsWith('update'))).toHaveLength(1)
  })

  test('a locked query with eager loads: the relations load, and the query locks only its own rows', async () => {
    await ctx.orm.transaction(async (session) => {
      const books = await session.query('books').with({ author: 'join', coauthors: true }).orderBy('id').forUpdate().all()
      expect(books.map((b) => [b.title, b.author?.name, b.coauthors.length])).toEqual([
        ['One', 'Ann', 0],
        ['Two', 'Ann', 0],
      ])
      const authors = await session.query('authors').with({ books: 'join' }).forShare().all()
      expect(authors[0]!.books).toHaveLength(2)
    })
  })

  const servers = target.name !== 'pglite'

  /**
   * Another connection's UPDATE of the first book to 'Second', seen waiting on the lock `first`
   * holds before `hold` lets `first` go on; resolves once both are done.
   */
  async function updateSeenWaiting(events: string[], hold: { readonly open: () => void }, first: Promise<unknown>): Promise<void> {
    const update = ctx.orm.db.updateTable('books').set({ title: 'Second' }).where('id', '=', ids[0]!).execute().then(() => events.push('update done'))
    try {
      await untilWaiting(ctx.orm, target)
      events.push('update seen waiting')
    } finally {
      hold.open()
    }
    await Promise.all([first, update])
  }

  test.runIf(servers)('forUpdate() blocks a second transaction\'s forUpdate() of the row until the first commits; the second then reads the committed row', async () => {
    const events: string[] = []
    const hold = latch()
    const locked = latch()
    const first = ctx.orm.transaction(async (session) => {
      const book = await session.query('books').where({ id: ids[0]! }).forUpdate().one()
      events.push('first locked')
      locked.open()
      await hold.promise
      book.title = 'First'
    })
    await locked.promise
    const second = ctx.orm.transaction(async (session) => {
      const book = await session.get('books', ids[0]!, { lock: 'update' })
      events.push('second locked')
      return book!.title
    })
    try {
      await untilWaiting(ctx.orm, target)
      events.push('second seen waiting')
      // Not locked: the other row is free meanwhile.
      await ctx.orm.transaction(async (session) => {
        await session.query('books').where({ id: ids[1]! }).forUpdate({ noWait: true }).one()
      })
      events.push('first released')
    } finally {
      hold.open()
    }
    await first
    expect(await second).toBe('First')
    expect(events).toEqual(['first locked', 'second seen waiting', 'first released', 'second locked'])
  })

  test.runIf(servers)('forUpdate() blocks an UPDATE of the row from another connection until the first commits', async () => {
    const events: string[] = []
    const hold = latch()
    const locked = latch()
    const first = ctx.orm.transaction(async (session) => {
      const book = (await session.get('books', ids[0]!, { lock: 'update' }))!
      locked.open()
      await hold.promise
      book.title = 'First'
      events.push('first wrote')
    })
    await locked.promise
    await updateSeenWaiting(events, hold, first)
    expect(events).toEqual(['update seen waiting', 'first wrote', 'update done'])
    expect(await title(ids[0]!)).toBe('Second')
  })

  test("refresh(obj, { lock: 'update' }) re-reads the row under a lock: outside a transaction refused; inside, another writer waits for the commit", async () => {
    const outside = ctx.orm.session()
    const book = (await outside.get('books', ids[0]!))!
    ctx.recorder.clear()
    await expect(outside.refresh(book, { lock: 'update' })).rejects.toThrow(/^forUpdate\(\) on 'books' outside a transaction/)
    await expect(outside.refresh(book, { lock: 'exclusive' as 'update' })).rejects.toThrow(/session\.refresh\(\) of a books object: lock must be 'update' or 'share'/)
    expect(ctx.recorder.sql).toEqual([])
    await ctx.orm.db.updateTable('books').set({ title: 'Theirs' }).where('id', '=', ids[0]!).execute()
    const events: string[] = []
    const hold = latch()
    const locked = latch()
    const session = ctx.orm.session()
    const held = (await session.get('books', ids[0]!))!
    const first = session.transaction(async () => {
      expect(await session.refresh(held, { lock: 'update' })).toBe(held)
      expect(held.title).toBe('Theirs')
      locked.open()
      await hold.promise
      held.title = `${held.title} and mine`
      events.push('first wrote')
    })
    await locked.promise
    expect(ctx.recorder.sql.filter((s) => /for update/.test(s))).toHaveLength(1)
    if (!servers) {
      hold.open()
      await first
      expect(await title(ids[0]!)).toBe('Theirs and mine')
      return
    }
    await updateSeenWaiting(events, hold, first)
    expect(events).toEqual(['update seen waiting', 'first wrote', 'update done'])
    expect(await title(ids[0]!)).toBe('Second')
  })

  test.runIf(servers)('forUpdate({ skipLocked: true }) leaves out the rows another transaction locked', async () => {
    const hold = latch()
    const locked = latch()
    const first = ctx.orm.transaction(async (session) => {
      await session.get('books', ids[0]!, { lock: 'update' })
      locked.open()
      await hold.promise
    })
    await locked.promise
    try {
      const titles = await ctx.orm.transaction(async (session) => (await session.query('books').orderBy('id').forUpdate({ skipLocked: true }).all()).map((b) => b.title))
      expect(titles).toEqual(['Two'])
      const queued = await ctx.orm.transaction(async (session) => (await session.query('books').orderBy('id').limit(1).forShare({ skipLocked: true }).first())?.title)
      expect(queued).toBe('Two')
    } finally {
      hold.open()
      await first
    }
  })

  test.runIf(servers)('forUpdate({ noWait: true }) fails at once on a row another transaction locked', async () => {
    const hold = latch()
    const locked = latch()
    const first = ctx.orm.transaction(async (session) => {
      await session.get('books', ids[0]!, { lock: 'share' })
      locked.open()
      await hold.promise
    })
    await locked.promise
    try {
      const started = Date.now()
      const attempt = ctx.orm.transaction(async (session) => session.query('books').where({ id: ids[0]! }).forUpdate({ noWait: true }).one())
      await expect(attempt).rejects.toThrow(target.family === 'postgres' ? /could not obtain lock on row/ : /Lock wait timeout|lock/i)
      expect(Date.now() - started).toBeLessThan(2_000)
      expect(await lockWaits(ctx.orm, target)).toBe(0)
    } finally {
      hold.open()
      await first
    }
  })

  test.runIf(servers)('forShare(): another transaction shares the lock at once, and an UPDATE waits until both have ended', async () => {
    const events: string[] = []
    const hold = latch()
    const bothLocked = latch()
    let sharing = 0
    const share = (name: string) =>
      ctx.orm.transaction(async (session) => {
        await session.query('books').where({ id: ids[0]! }).forShare().one()
        events.push(`${name} shares`)
        if (++sharing === 2) bothLocked.open()
        await hold.promise
      })
    const readers = [share('first'), share('second')]
    await bothLocked.promise
    const update = ctx.orm.db.updateTable('books').set({ title: 'Changed' }).where('id', '=', ids[0]!).execute().then(() => events.push('update done'))
    try {
      await untilWaiting(ctx.orm, target)
      events.push('update seen waiting')
    } finally {
      hold.open()
    }
    await Promise.all([...readers, update])
    expect(events.slice(2)).toEqual(['update seen waiting', 'update done'])
    expect(await title(ids[0]!)).toBe('Changed')
  })

  test.runIf(servers)('the relations a locked query loads are not locked: their rows can be changed meanwhile', async () => {
    const hold = latch()
    const locked = latch()
    const first = ctx.orm.transaction(async (session) => {
      const author = await session.query('authors').with({ books: 'join' }).forUpdate().one()
      expect(author.books).toHaveLength(2)
      locked.open()
      await hold.promise
    })
    await locked.promise
    try {
      await ctx.orm.transaction(async (session) => {
        const book = await session.query('books').where({ id: ids[0]! }).forUpdate({ noWait: true }).one()
        book.title = 'Changed meanwhile'
      })
      await expect(ctx.orm.transaction(async (session) => session.query('authors').forUpdate({ noWait: true }).all())).rejects.toThrow()
    } finally {
      hold.open()
      await first
    }
    expect(await title(ids[0]!)).toBe('Changed meanwhile')
  })
})
