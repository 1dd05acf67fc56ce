/**
 * Column subsets: `select()` / `omit()` load partial entities, `.deferred()` columns are left out
 * until `undefer()` or `obj.load('column')`; a partial entity is tracked and updatable on the
 * columns it has, never losing (or writing) the ones it lacks, and the identity map never lets a
 * partial read downgrade an object it holds.
 */
import { inspect } from 'node:util'
import { beforeEach, describe, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { setupChinook } from '@relata/test-kit/chinook-suite'
import { RelataError } from '../src/index.js'
import { schema } from './fixtures/column-subsets.js'
import { emptyTables, normalizeSql } from './fixtures/unit-of-work.js'

describeEachDialect('column subsets', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
  })

  /** Ann with two books (Alpha, Beta), Bob with none, and a note. Committed, then a fresh session. */
  async function seed() {
    const s = ctx.orm.session()
    const ann = s.create('authors', { name: 'Ann', bio: 'Writes.' })
    s.create('authors', { name: 'Bob' })
    const alpha = s.create('books', { title: 'Alpha', year: 2001, summary: 'First', body: 'alpha body', meta: { pages: 10 }, author: ann })
    const beta = s.create('books', { title: 'Beta', year: 2002, summary: null, body: 'beta body', meta: null, author: ann })
    const note = s.create('notes', { text: 'n', stars: 3 })
    await s.commit()
    ctx.recorder.clear()
    return { session: ctx.orm.session(), ids: { ann: ann.id, alpha: alpha.id, beta: beta.id, note: note.id } }
  }

  /** The row as the database has it. */
  async function bookRow(id: number) {
    return ctx.orm.db.selectFrom('books').select(['title', 'year', 'summary', 'body']).where('id', '=', id).executeTakeFirstOrThrow()
  }

  describe('select() and omit()', () => {
    test('select() sends only the chosen columns and the key; a column left out throws when read, and is not spread or serialised', async () => {
      const { session, ids } = await seed()
      const book = await session.query('books').select('title').where({ id: ids.alpha }).one()
      expect(normalizeSql(ctx.recorder.sql)).toEqual(['select "t0"."id", "t0"."title" from "books" as "t0" where "t0"."id" = ? limit ?'])
      expect([book.id, book.title]).toEqual([ids.alpha, 'Alpha'])
      expect(() => (book as unknown as { year: number }).year).toThrow(RelataError)
      expect(() => (book as unknown as { year: number }).year).toThrow(/books\.year of books \(id \d+\) is not loaded.*await obj\.load\('year'\)/)
      expect(Object.keys(book)).toEqual(['id', 'title'])
      expect({ ...book }).toEqual({ id: ids.alpha, title: 'Alpha' })
      expect(JSON.parse(JSON.stringify(book))).toEqual({ id: ids.alpha, title: 'Alpha' })
      expect(inspect(book)).toContain('[not loaded]')
    })

    test('omit() sends every default column but the omitted ones (deferred ones stay out)', async () => {
      const { session, ids } = await seed()
      const books = await session.query('books').omit('summary').orderBy('title').all()
      expect(normalizeSql(ctx.recorder.sql)).toEqual(['select "t0"."id", "t0"."title", "t0"."year", "t0"."author_id" from "books" as "t0" order by "t0"."title" asc, "t0"."id" asc'])
      expect(books.map((b) => [b.id, b.title, b.year, b.authorId])).toEqual([
        [ids.alpha, 'Alpha', 2001, ids.ann],
        [ids.beta, 'Beta', 2002, ids.ann],
      ])
      expect(() => (books[0] as unknown as { summary: string }).summary).toThrow(/books\.summary .* is not loaded/)
    })

    test('a partial entity is updated on the columns it has: the UPDATE sets the changed column only, the others stay in the row', async () => {
      const { session, ids } = await seed()
      const book = await session.query('books').select('title').where({ id: ids.alpha }).one()
      book.title = 'Alpha 2'
      ctx.recorder.clear()
      await session.commit()
      expect(normalizeSql(ctx.recorder.sql).filter((s) => s.startsWith('update'))).toEqual(['update "books" set "title" = ? where "id" in (?)'])
      expect(await bookRow(ids.alpha)).toEqual({ title: 'Alpha 2', year: 2001, summary: 'First', body: 'alpha body' })
    })

    test('writing a column that was not loaded makes it a change (and readable); a flush with nothing changed writes nothing', async () => {
      const { session, ids } = await seed()
      const book = await session.query('books').select('title').where({ id: ids.beta }).one()
      await session.flush()
      expect(normalizeSql(ctx.recorder.sql).filter((s) => !s.startsWith('select'))).toEqual([])
      ;(book as unknown as { summary: string | null }).summary = 'Now summarised'
      expect((book as unknown as { summary: string | null }).summary).toBe('Now summarised')
      ctx.recorder.clear()
      await session.commit()
      expect(normalizeSql(ctx.recorder.sql).filter((s) => s.startsWith('update'))).toEqual(['update "books" set "summary" = ? where "id" in (?)'])
      expect(await bookRow(ids.beta)).toEqual({ title: 'Beta', year: 2002, summary: 'Now summarised', body: 'beta body' })
    })

    test('the version column is always loaded: a partial note is updated under its optimistic lock', async () => {
      const { session, ids } = await seed()
      const note = await session.query('notes').select('stars').where({ id: ids.note }).one()
      expect(normalizeSql(ctx.recorder.sql)[0]).toBe('select "t0"."id", "t0"."stars", "t0"."version" from "notes" as "t0" where "t0"."id" = ? limit ?')
      note.stars = 5
      await session.commit()
      const row = await ctx.orm.db.selectFrom('notes').selectAll().where('id', '=', ids.note).executeTakeFirstOrThrow()
      expect(row).toEqual({ id: ids.note, text: 'n', stars: 5, version: 2 })
    })

    test('errors name the table and column: unknown names, a relation, the key omitted, combined subsets, undefer of a loaded column', async () => {
      const { session } = await seed()
      const books = session.query('books') as unknown as Record<string, (...args: unknown[]) => { omit(...a: unknown[]): unknown; undefer(...a: unknown[]): unknown }>
      expect(() => books.select!('titel')).toThrow(/select\(\) on 'books': 'titel' is not a column of 'books' \(columns: id, title, year, summary, body, meta, authorId\)/)
      expect(() => books.select!('author')).toThrow(/'author' is a relation: load it with \.with\(\)/)
      expect(() => books.omit!('id')).toThrow(/omit\(\) on 'books': books\.id is part of the primary key/)
      expect(() => books.select!('title')!.omit('year')).toThrow(/omit\(\) on 'books': the query's columns are chosen already by select\(\)/)
      expect(() => books.undefer!('title')).toThrow(/undefer\(\) on 'books': books\.title is not deferred/)
      expect(() => books.select!()).toThrow(/select\(\) on 'books': name at least one column/)
      const notes = session.query('notes') as unknown as { omit(...a: unknown[]): unknown }
      expect(() => notes.omit('version')).toThrow(/notes\.version is the version column/)
      const book = await session.query('books').select('title').first()
      await expect((book as unknown as { load(...c: string[]): Promise<unknown> }).load('nope')).rejects.toThrow(/books\.load\('nope'\): 'nope' is not a column of 'books'/)
    })
  })

  describe('deferred columns', () => {
    test('a query leaves deferred columns out; obj.load() reads them in one SELECT, then answers without SQL', async () => {
      const { session, ids } = await seed()
      const book = await session.query('books').where({ id: ids.alpha }).one()
      expect(normalizeSql(ctx.recorder.sql)).toEqual(['select "t0"."id", "t0"."title", "t0"."year", "t0"."summary", "t0"."author_id" from "books" as "t0" where "t0"."id" = ? limit ?'])
      expect(() => (book as unknown as { body: string }).body).toThrow(/books\.body .* is not loaded/)
      ctx.recorder.clear()
      const loaded = await book.load('body', 'meta')
      expect(loaded).toBe(book)
      expect(normalizeSql(ctx.recorder.sql)).toEqual(['select "t0"."id", "t0"."body", "t0"."meta" from "books" as "t0" where "t0"."id" = ? limit ?'])
      expect([loaded.body, loaded.meta]).toEqual(['alpha body', { pages: 10 }])
      ctx.recorder.clear()
      await book.load('body', 'title')
      expect(ctx.recorder.sql).toEqual([])
    })

    test('undefer() loads a deferred column with the rest; get() answers from the identity map when only deferred columns are missing', async () => {
      const { session, ids } = await seed()
      const [alpha] = await session.query('books').undefer('body').orderBy('title').all()
      expect(normalizeSql(ctx.recorder.sql)[0]).toBe(
        'select "t0"."id", "t0"."title", "t0"."year", "t0"."summary", "t0"."body", "t0"."author_id" from "books" as "t0" order by "t0"."title" asc, "t0"."id" asc',
      )
      expect(alpha!.body).toBe('alpha body')
      ctx.recorder.clear()
      expect(await session.get('books', ids.alpha)).toBe(alpha)
      expect(ctx.recorder.sql).toEqual([])
    })

    test('a changed deferred column is written without ever being read', async () => {
      const { session, ids } = await seed()
      const book = await session.query('books').where({ id: ids.beta }).one()
      ;(book as unknown as { body: string }).body = 'rewritten'
      ctx.recorder.clear()
      await session.commit()
      expect(normalizeSql(ctx.recorder.sql).filter((s) => s.startsWith('update'))).toEqual(['update "books" set "body" = ? where "id" in (?)'])
      expect(await bookRow(ids.beta)).toEqual({ title: 'Beta', year: 2002, summary: null, body: 'rewritten' })
    })
  })

  describe('identity map', () => {
    test('a partial read never downgrades an object the session holds, nor its unflushed change', async () => {
      const { session, ids } = await seed()
      const full = await session.query('books').undefer('body').where({ id: ids.alpha }).one()
      full.title = 'Changed'
      ctx.recorder.clear()
      const partial = await session.query('books').select('summary').where({ id: ids.alpha }).one()
      expect(partial).toBe(full)
      expect([full.title, full.year, full.body, Object.keys(full)]).toEqual(['Changed', 2001, 'alpha body', ['id', 'title', 'year', 'summary', 'body', 'authorId']])
      await session.commit()
      // The autoflush before the partial read wrote the change; nothing else was written.
      expect(normalizeSql(ctx.recorder.sql).filter((s) => s.startsWith('update'))).toEqual(['update "books" set "title" = ? where "id" in (?)'])
      expect(await bookRow(ids.alpha)).toEqual({ title: 'Changed', year: 2001, summary: 'First', body: 'alpha body' })
    })

    test('a fuller read fills in the columns a partial object lacks, keeping its unflushed change; get() reads it again', async () => {
      const { session, ids } = await seed()
      const book = await session.query('books').select('title').where({ id: ids.alpha }).one()
      book.title = 'Mine'
      const again = await session.query('books').select('year').where({ id: ids.alpha }).one()
      expect(again).toBe(book)
      expect([again.year, book.title]).toEqual([2001, 'Mine'])
      ctx.recorder.clear()
      const got = await session.get('books', ids.alpha)
      expect(got).toBe(book)
      expect(ctx.recorder.sql).toHaveLength(1)
      expect([got!.summary, got!.authorId, book.title]).toEqual(['First', ids.ann, 'Mine'])
      ctx.recorder.clear()
      expect(await session.get('books', ids.alpha)).toBe(book)
      expect(ctx.recorder.sql).toEqual([])
    })

    test('merge() of a partial object copies the columns it has, and leaves the others as the session holds them', async () => {
      const { session, ids } = await seed()
      const partial = await session.query('books').select('title').where({ id: ids.alpha }).one()
      session.expunge(partial)
      partial.title = 'Merged'
      const other = ctx.orm.session()
      const held = await other.query('books').where({ id: ids.alpha }).one()
      const merged = await other.merge(partial)
      expect(merged).toBe(held)
      expect([held.title, held.year, held.summary]).toEqual(['Merged', 2001, 'First'])
      await other.commit()
      expect(await bookRow(ids.alpha)).toEqual({ title: 'Merged', year: 2001, summary: 'First', body: 'alpha body' })
    })

    test('populateExisting() with select() overwrites the selected columns only', async () => {
      const { session, ids } = await seed()
      const book = await session.query('books').where({ id: ids.alpha }).one()
      book.title = 'Unsaved'
      book.year = 1999
      await ctx.orm.db.updateTable('books').set({ title: 'Elsewhere', year: 1500 }).where('id', '=', ids.alpha).execute()
      await session.query('books').select('title').where({ id: ids.alpha }).populateExisting().one()
      expect([book.title, book.year]).toEqual(['Elsewhere', 1999])
    })

    test('the statement cache keeps a select shape apart from the default one', async () => {
      const { session, ids } = await seed()
      await session.query('books').select('title').where({ id: ids.alpha }).first()
      const beta = await session.query('books').where({ id: ids.beta }).first()
      const sql = normalizeSql(ctx.recorder.sql)
      expect(sql[0]).toBe('select "t0"."id", "t0"."title" from "books" as "t0" where "t0"."id" = ? limit ?')
      expect(sql[1]).toBe('select "t0"."id", "t0"."title", "t0"."year", "t0"."summary", "t0"."author_id" from "books" as "t0" where "t0"."id" = ? limit ?')
      expect(beta!.year).toBe(2002)
    })
  })

  describe('with relations', () => {
    for (const strategy of ['join', 'selectIn'] as const) {
      test(`select() on the root and inside .with() (${strategy}): the keys the relation needs are loaded with the chosen columns`, async () => {
        const { session, ids } = await seed()
        const [ann] = await session
          .query('authors')
          .select('name')
          .with({ books: (q) => q.select('title').strategy(strategy) })
          .where({ id: ids.ann })
          .all()
        expect(ann!.name).toBe('Ann')
        expect(ann!.books.map((b) => [b.id, b.title])).toEqual([
          [ids.alpha, 'Alpha'],
          [ids.beta, 'Beta'],
        ])
        expect(() => (ann!.books[0] as unknown as { year: number }).year).toThrow(/books\.year .* is not loaded/)
        expect(() => (ann as unknown as { bio: string }).bio).toThrow(/authors\.bio .* is not loaded/)
        const sql = normalizeSql(ctx.recorder.sql).join('\n')
        expect(sql).not.toContain('"year"')
        expect(sql).not.toContain('"bio"')
        expect(sql).not.toContain('"body"')
      })
    }

    test('a many-to-one joined flat loads the target\'s default columns, or its selection', async () => {
      const { session } = await seed()
      const books = await session.query('books').select('title').with({ author: (q) => q.select('name').strategy('join') }).orderBy('title').all()
      expect(normalizeSql(ctx.recorder.sql)[0]).toBe(
        'select "t0"."id", "t0"."title", "t0"."author_id", "t1"."id" as "t1__id", "t1"."name" as "t1__name" from "books" as "t0" left join "authors" as "t1" on "t1"."id" = "t0"."author_id" order by "t0"."title" asc, "t0"."id" asc',
      )
      expect(books[0]!.author?.name).toBe('Ann')
    })
  })
})

describeEachDialect('column subsets on Chinook', (target) => {
  const ctx = setupChinook(target)

  test('the three longest tracks of an album, names and lengths only', async () => {
    const session = ctx.orm.session()
    const album = await session
      .query('albums')
      .select('title')
      .where({ albumId: 1 })
      .with({ tracks: (q) => q.select('name', 'milliseconds').orderBy('milliseconds', 'desc').limit(3) })
      .one()
    expect(album.title).toBe('For Those About To Rock We Salute You')
    expect(album.tracks.map((t) => t.name)).toEqual(['For Those About To Rock (We Salute You)', 'Spellbound', 'Evil Walks'])
    expect(album.tracks.every((t) => t.milliseconds > 260000)).toBe(true)
    const sql = normalizeSql(ctx.recorder.sql).join('\n')
    expect(sql).not.toMatch(/composer|unit_price|bytes/)
  })

  test('omit() on every track of a genre: one statement without the omitted columns', async () => {
    const session = ctx.orm.session()
    const tracks = await session.query('tracks').omit('composer', 'bytes').where({ genreId: 1 }).all()
    expect(tracks.length).toBeGreaterThan(1000)
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(ctx.recorder.sql[0]).not.toMatch(/composer|bytes/)
    expect(Object.keys(tracks[0]!)).toEqual(['trackId', 'name', 'albumId', 'mediaTypeId', 'genreId', 'milliseconds', 'unitPrice'])
    const [first] = tracks
    const loaded = await first!.load('composer')
    expect(loaded).toBe(first)
    expect(loaded.composer).toBe('Angus Young, Malcolm Young, Brian Johnson')
  })
})
