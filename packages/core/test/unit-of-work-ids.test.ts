/**
 * Generated keys: read back by RETURNING (PostgreSQL, PGlite, MariaDB) or from LAST_INSERT_ID
 * (the MySQL 8 path, run on MariaDB with RETURNING switched off), matched to their objects, also
 * with several sessions on separate connections inserting at the same time.
 */
import { sql, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely'
import { createPool } from 'mysql2'
import { beforeEach, expect, test } from 'vitest'
import { mariadbTestServer } from '@relata/test-kit/servers'
import { describeEachDialect, type TestContext, type TestTarget } from '@relata/test-kit/targets'
import { createOrm, QueryRecorder, type Orm } from '../src/index.js'
import { mysql } from '../src/dialect/mysql/mysql.js'
import { schema } from './fixtures/books.js'
import { emptyTables, normalizeSql, returningClause } from './fixtures/unit-of-work.js'

type S = typeof schema

/**
 * Several sessions, each on an ORM (and pool) of its own where the target has a server, create
 * authors, books and links in rounds, all at the same time; then every object must hold the key
 * of the row that has its values.
 */
async function concurrentWriters(ctx: TestContext<S>, target: TestTarget, options: { writers: number; rounds: number; perRound: number }) {
  const orms: Orm<S>[] = Array.from({ length: options.writers }, () => (target.name === 'pglite' ? ctx.orm : createOrm({ schema, dialect: ctx.dialect })))
  const spans: [number, number][] = []
  try {
    const written = await Promise.all(
      orms.map(async (orm, w) => {
        const mine: { author: { id: number; name: string }; book: { id: number; title: string; authorId: number | null } }[] = []
        for (let r = 0; r < options.rounds; r++) {
          const session = orm.session()
          const round = Array.from({ length: options.perRound }, (_, i) => {
            const author = session.create('authors', { name: `w${w} r${r} a${i}` })
            const book = session.create('books', { title: `w${w} r${r} b${i}`, author })
            book.coauthors.add(author)
            return { author, book }
          })
          const start = performance.now()
          await session.commit()
          spans.push([start, performance.now()])
          mine.push(...round)
        }
        return mine
      }),
    )
    return { written: written.flat(), spans }
  } finally {
    if (target.name !== 'pglite') await Promise.all(orms.map((orm) => orm.destroy()))
  }
}

async function checkRows(ctx: TestContext<S>, written: Awaited<ReturnType<typeof concurrentWriters>>['written'], total: number, options: { extraAuthors?: number } = {}) {
  expect(written).toHaveLength(total)
  const authorIds = new Set(written.map((w) => w.author.id))
  const bookIds = new Set(written.map((w) => w.book.id))
  expect(authorIds.size).toBe(total)
  expect(bookIds.size).toBe(total)
  const authors = new Map((await ctx.orm.db.selectFrom('authors').selectAll().execute()).map((r) => [r.id, r.name]))
  const books = new Map((await ctx.orm.db.selectFrom('books').selectAll().execute()).map((r) => [r.id, r]))
  const links = new Set((await ctx.orm.db.selectFrom('book_author').selectAll().execute()).map((r) => `${r.book_id}/${r.author_id}`))
  expect(authors.size).toBe(total + (options.extraAuthors ?? 0))
  expect(books.size).toBe(total)
  expect(links.size).toBe(total)
  const wrong = written.filter(
    ({ author, book }) =>
      authors.get(author.id) !== author.name ||
      books.get(book.id)?.title !== book.title ||
      books.get(book.id)?.author_id !== author.id ||
      book.authorId !== author.id ||
      !links.has(`${book.id}/${author.id}`),
  )
  expect(wrong).toEqual([])
}

describeEachDialect('unit of work: generated keys', (target) => {
  const ctx = target.setup(schema)
  const ret = returningClause(target)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  test('explicit keys and generated keys in one INSERT are matched to their objects', async () => {
    const session = ctx.orm.session()
    const explicit = [1_000_007, 1_000_003].map((id, i) => session.create('authors', { id, name: `explicit ${i}` }))
    const generated = [0, 1, 2].map((i) => session.create('authors', { name: `generated ${i}` }))
    await session.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual([`insert into "authors" ("id", "name") values (?, ?), (?, ?), (default, ?), (default, ?), (default, ?)${ret('id')}`])
    expect(explicit.map((a) => a.id)).toEqual([1_000_007, 1_000_003])
    expect(generated.map((a) => a.id)).toEqual([generated[0]!.id, generated[0]!.id + 1, generated[0]!.id + 2])
    const rows = await ctx.orm.db.selectFrom('authors').selectAll().orderBy('id').execute()
    expect(rows.map((r) => [r.id, r.name])).toEqual([...generated, ...explicit].sort((a, b) => a.id - b.id).map((a) => [a.id, a.name]))
  })

  test('rows of a composite key are matched by their key', async () => {
    const session = ctx.orm.session()
    const [a1, a2] = [session.create('authors', { name: 'A1' }), session.create('authors', { name: 'A2' })]
    const book = session.create('books', { title: 'B' })
    await session.commit()
    const links = [a2, a1].map((a, i) => session.create('bookAuthor', { bookId: book.id, authorId: a.id, role: `role ${i}` }))
    await session.commit()
    expect(links.map((l) => l.role)).toEqual(['role 0', 'role 1'])
    expect(await session.get('bookAuthor', { bookId: book.id, authorId: a2.id })).toBe(links[0])
    expect(await session.get('bookAuthor', { bookId: book.id, authorId: a1.id })).toBe(links[1])
  })

  test('several sessions inserting at the same time: every object gets the key of its own row', async () => {
    const options = { writers: 4, rounds: 5, perRound: 200 }
    const { written, spans } = await concurrentWriters(ctx, target, options)
    await checkRows(ctx, written, options.writers * options.rounds * options.perRound)
    if (target.name !== 'pglite') {
      // The flushes did overlap in time.
      const overlapping = spans.some(([s1, e1], i) => spans.some(([s2], j) => i !== j && s2 > s1 && s2 < e1))
      expect(overlapping).toBe(true)
    }
  })
})

/** Makes the server look as if `innodb_autoinc_lock_mode` were 2 (interleaved), which no session can set. */
class InterleavedAutoIncrement implements KyselyPlugin {
  readonly #probes = new WeakSet<object>()

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (JSON.stringify(args.node).includes('innodb_autoinc_lock_mode')) this.#probes.add(args.queryId)
    return args.node
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (!this.#probes.has(args.queryId)) return args.result
    return { ...args.result, rows: args.result.rows.map((row) => ({ ...row, mode: 2 })) }
  }
}

describeEachDialect(
  'unit of work: generated keys without RETURNING (the MySQL 8 path)',
  (target) => {
    const ctx = target.setup(schema, { dialect: { returning: false } })

    beforeEach(async () => {
      await emptyTables(ctx.orm)
      ctx.recorder.clear()
    })

    test('one multi-row INSERT per table, keys from LAST_INSERT_ID, rows read back by key', async () => {
      expect((await ctx.orm.dialect.resolveCapabilities(ctx.orm.db as never)).returning).toBe(false)
      const session = ctx.orm.session()
      const authors = ['A', 'B', 'C'].map((name) => session.create('authors', { name }))
      const books = authors.map((author, i) => session.create('books', { title: `T${i}`, author }))
      books[0]!.coauthors.add(authors[1]!, { role: 'editor' })
      await session.commit()
      expect(normalizeSql(ctx.recorder.sql)).toEqual([
        'select @@innodb_autoinc_lock_mode as mode, @@auto_increment_increment as increment',
        'insert into "authors" ("name") values (?), (?), (?)',
        'select * from "authors" where "id" in (?, ?, ?)',
        'insert into "books" ("title", "author_id") values (?, ?), (?, ?), (?, ?)',
        'select * from "books" where "id" in (?, ?, ?)',
        'insert into "book_author" ("book_id", "author_id", "role") values (?, ?, ?)',
      ])
      expect(authors.map((a) => a.id)).toEqual([authors[0]!.id, authors[0]!.id + 1, authors[0]!.id + 2])
      expect((await ctx.orm.db.selectFrom('books').selectAll().orderBy('id').execute()).map((r) => [r.id, r.title, r.author_id])).toEqual(
        books.map((b) => [b.id, b.title, b.authorId]),
      )
      expect(books.map((b) => b.authorId)).toEqual(authors.map((a) => a.id))
    })

    test('several sessions on separate connections inserting at the same time: every object gets the key of its own row', async () => {
      // A writer inserting single rows all along, so that the writers' keys interleave with others.
      let stop = false
      const noise = (async () => {
        let n = 0
        while (!stop) await ctx.orm.db.insertInto('authors').values({ name: `noise ${n++}` }).execute()
        return n
      })()
      const options = { writers: 6, rounds: 5, perRound: 300 }
      const { written, spans } = await concurrentWriters(ctx, target, options).finally(() => {
        stop = true
      })
      const noiseRows = await noise
      await ctx.orm.db.deleteFrom('authors').where('name', 'like', 'noise %').execute()
      expect(noiseRows).toBeGreaterThan(0)
      await checkRows(ctx, written, options.writers * options.rounds * options.perRound)
      const overlapping = spans.some(([s1, e1], i) => spans.some(([s2], j) => i !== j && s2 > s1 && s2 < e1))
      expect(overlapping).toBe(true)
      // Sorted by key, the writers' objects interleave.
      const writerOf = written.map((w) => [w.author.id, w.author.name.split(' ')[0]] as const).sort((a, b) => a[0] - b[0])
      const switches = writerOf.filter((w, i) => i > 0 && w[1] !== writerOf[i - 1]![1]).length
      expect(switches).toBeGreaterThanOrEqual(options.writers)
    })

    test('a flush failing after keys were taken from LAST_INSERT_ID leaves the session as before; the retry succeeds', async () => {
      const session = ctx.orm.session()
      const authors = ['A', 'B'].map((name) => session.create('authors', { name }))
      const good = session.create('books', { title: 'good', author: authors[0]! })
      const bad = session.create('books', { title: 'bad', authorId: 999_999 })
      bad.coauthors.add(authors[1]!)
      const error = await session.flush().then(
        () => undefined,
        (e: unknown) => e as Error,
      )
      expect(error).toMatchObject({ name: 'FlushError', table: 'books', constraint: 'books_author_id_fkey' })
      expect(error!.message).toContain("Flush failed while inserting 2 'books' row(s) in table books, constraint books_author_id_fkey: Cannot add or update a child row: a foreign key constraint fails")
      expect([...authors, good, bad].map((e) => e.id)).toEqual([undefined, undefined, undefined, undefined])
      expect(good.authorId).toBeUndefined()
      expect(await ctx.orm.db.selectFrom('authors').selectAll().execute()).toEqual([])
      expect(await session.plan()).toEqual([
        { operation: 'insert', table: 'authors', rows: 2 },
        { operation: 'insert', table: 'books', rows: 2 },
        { operation: 'insertLinks', table: 'book_author', rows: 1 },
      ])
      bad.author = authors[1]!
      await session.commit()
      expect((await ctx.orm.db.selectFrom('books').selectAll().orderBy('id').execute()).map((r) => [r.id, r.title, r.author_id])).toEqual([
        [good.id, 'good', authors[0]!.id],
        [bad.id, 'bad', authors[1]!.id],
      ])
      expect(await ctx.orm.db.selectFrom('book_author').selectAll().execute()).toEqual([{ book_id: bad.id, author_id: authors[1]!.id, role: null }])
    })

    test('with an auto-increment step other than 1, the keys follow the step', async () => {
      // A pool of one connection, so that the session variable applies to the flush's connection.
      const pool = createPool({ uri: mariadbTestServer.url(await currentDatabase(ctx)), connectionLimit: 1 })
      const orm = createOrm({ schema, dialect: mysql(pool, { returning: false }) })
      try {
        await sql`set session auto_increment_increment = 3`.execute(orm.db)
        const session = orm.session()
        const authors = ['A', 'B', 'C', 'D'].map((name) => session.create('authors', { name }))
        await session.commit()
        const first = authors[0]!.id
        expect(authors.map((a) => a.id)).toEqual([first, first + 3, first + 6, first + 9])
        const rows = await ctx.orm.db.selectFrom('authors').selectAll().orderBy('id').execute()
        expect(rows.map((r) => [r.id, r.name])).toEqual(authors.map((a) => [a.id, a.name]))
      } finally {
        await orm.destroy()
      }
    })

    test('when the server does not assign keys consecutively, rows are inserted one at a time', async () => {
      const recorder = new QueryRecorder()
      const orm = createOrm({ schema, dialect: ctx.dialect, plugins: [new InterleavedAutoIncrement(), recorder] })
      try {
        const others = concurrentWriters(ctx, target, { writers: 2, rounds: 3, perRound: 100 })
        const session = orm.session()
        const authors = Array.from({ length: 30 }, (_, i) => session.create('authors', { name: `one by one ${i}` }))
        await session.commit()
        const { written } = await others
        expect(normalizeSql(recorder.sql)).toEqual([
          'select @@innodb_autoinc_lock_mode as mode, @@auto_increment_increment as increment',
          ...authors.map(() => 'insert into "authors" ("name") values (?)'),
          `select * from "authors" where "id" in (${authors.map(() => '?').join(', ')})`,
        ])
        const rows = new Map((await ctx.orm.db.selectFrom('authors').selectAll().execute()).map((r) => [r.id, r.name]))
        expect(new Set(authors.map((a) => a.id)).size).toBe(30)
        expect(authors.filter((a) => rows.get(a.id) !== a.name)).toEqual([])
        await checkRows(ctx, written, 600, { extraAuthors: 30 })
      } finally {
        await orm.destroy()
      }
    })
  },
  { only: ['mariadb'] },
)

async function currentDatabase(ctx: TestContext<S>): Promise<string> {
  const { rows } = await sql<{ name: string }>`select database() as name`.execute(ctx.orm.db)
  return rows[0]!.name
}
