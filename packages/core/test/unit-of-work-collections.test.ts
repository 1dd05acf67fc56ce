/** Collections and references: add/remove/set/clear, many-to-one assignment, back-population, changes to unloaded collections. */
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { RelataError } from '../src/index.js'
import { schema } from './fixtures/books.js'
import { emptyTables, normalizeSql, returningClause } from './fixtures/unit-of-work.js'

describeEachDialect('unit of work: collections', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const bookRows = () => ctx.orm.db.selectFrom('books').select(['id', 'title', 'author_id']).orderBy('id').execute()
  const links = async () =>
    (await ctx.orm.db.selectFrom('book_author').select(['book_id', 'author_id']).orderBy('book_id').orderBy('author_id').execute()).map((r) => [r.book_id, r.author_id])

  /** Two authors, three books of the first; committed, then read in a fresh session. */
  async function seed() {
    const s = ctx.orm.session()
    const a1 = s.create('authors', { name: 'A1' })
    const a2 = s.create('authors', { name: 'A2' })
    const books = ['B1', 'B2', 'B3'].map((title) => s.create('books', { title, author: a1 }))
    await s.commit()
    const session = ctx.orm.session()
    const [x1, x2] = await session.query('authors').orderBy('id').all()
    const [y1, y2, y3] = await session.query('books').orderBy('id').all()
    ctx.recorder.clear()
    return { session, a1: x1!, a2: x2!, b1: y1!, b2: y2!, b3: y3!, ids: { a1: a1.id, a2: a2.id, books: books.map((b) => b.id) } }
  }

  test('many-to-one assignment moves the object between the loaded collections of both parents', async () => {
    const seeded = await seed()
    const { session, b1, b3 } = seeded
    const [a1, a2] = await Promise.all([session.load(seeded.a1, 'books'), session.load(seeded.a2, 'books')])
    // (`session.load(book, 'author')` types the reference as loaded but not assignable: see the report.)
    const b2 = (await session.query('books').where({ id: seeded.b2.id }).with({ author: true }).one())
    const books1 = a1.books
    expect([...books1]).toEqual([b1, b2, b3])
    expect(b2.author).toBe(a1)
    expect([...a2.books]).toEqual([])

    b2.author = a2
    expect([...a1.books]).toEqual([b1, b3])
    expect([...a2.books]).toEqual([b2])
    expect(b2.author).toBe(a2)
    // The loaded arrays are the same objects, changed in place.
    expect(a1.books).toBe(books1)

    b3.author = null
    expect([...a1.books]).toEqual([b1])
    expect(session.isLoaded(b3, 'author') && b3.author).toBeNull()
    expect(await session.plan()).toEqual([{ operation: 'update', table: 'books', rows: 2, columns: ['author_id'] }])
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(await bookRows()).toEqual([
      { id: b1.id, title: 'B1', author_id: a1.id },
      { id: b2.id, title: 'B2', author_id: a2.id },
      { id: b3.id, title: 'B3', author_id: null },
    ])

    // Assigning an unloaded reference works the same.
    const other = ctx.orm.session()
    const book = await other.get('books', b1.id)
    const author2 = await other.get('authors', a2.id)
    book!.author = author2!
    expect(book!.author).toBe(author2)
    await other.commit()
    expect((await bookRows())[0]).toEqual({ id: b1.id, title: 'B1', author_id: a2.id })
  })

  test('one-to-many add/remove/set/clear write the children\'s keys and mirror their many-to-one', async () => {
    const seeded = await seed()
    const { session, b3 } = seeded
    const [a1, a2] = await Promise.all([session.load(seeded.a1, 'books'), session.load(seeded.a2, 'books')])
    const [b1, b2] = await session.query('books').where('id', 'in', [seeded.b1.id, seeded.b2.id]).with({ author: true }).orderBy('id').all()
    expect([b1, b2]).toEqual([seeded.b1, seeded.b2])
    expect(b1).toBe(seeded.b1 as object)
    ctx.recorder.clear()

    a2.books.add(b1)
    expect(b1.author).toBe(a2)
    expect([...a1.books]).toEqual([b2, b3])
    a1.books.remove(b2)
    expect(b2.author).toBeNull()
    const b4 = session.create('books', { title: 'B4' })
    a2.books.add(b4)
    expect(b4.author).toBe(a2)
    await session.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual([
      `insert into "books" ("title", "author_id") values (?, ?)${target.family === 'postgres' || target.name === 'mariadb' ? ' returning "id"' : ''}`,
      target.family === 'postgres'
        ? 'update "books" set "author_id" = "relata_v"."c0" from (values (cast(? as integer), cast(? as integer)), (?, ?)) as relata_v("k0", "c0") where "books"."id" = "relata_v"."k0"'
        : 'update "books" join (select ? as "k0", ? as "c0" union all select ?, ?) as relata_v on "books"."id" = "relata_v"."k0" set "author_id" = "relata_v"."c0"',
    ])
    expect(await bookRows()).toEqual([
      { id: b1.id, title: 'B1', author_id: a2.id },
      { id: b2.id, title: 'B2', author_id: null },
      { id: b3.id, title: 'B3', author_id: a1.id },
      { id: b4.id, title: 'B4', author_id: a2.id },
    ])

    // set(): the collection takes the given members, in the given order.
    ctx.recorder.clear()
    a2.books.set([b4, b2])
    expect([...a2.books]).toEqual([b4, b2])
    expect(b1.author).toBeNull()
    expect(b2.author).toBe(a2)
    expect(b4.author).toBe(a2)
    await session.commit()
    expect(await bookRows()).toEqual([
      { id: b1.id, title: 'B1', author_id: null },
      { id: b2.id, title: 'B2', author_id: a2.id },
      { id: b3.id, title: 'B3', author_id: a1.id },
      { id: b4.id, title: 'B4', author_id: a2.id },
    ])

    // clear(): every child loses its key, in one statement.
    ctx.recorder.clear()
    a2.books.clear()
    expect([...a2.books]).toEqual([])
    expect(b4.author).toBeNull()
    await session.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual(['update "books" set "author_id" = ? where "id" in (?, ?)'])
    expect((await bookRows()).map((r) => r.author_id)).toEqual([null, null, a1.id, null])
  })

  test('removing an object that is not in the collection changes nothing', async () => {
    const { session, a1, a2, b1 } = await seed()
    const books = await a2.books.load()
    a2.books.remove(b1)
    expect([...books]).toEqual([])
    expect(session.isLoaded(b1, 'author')).toBe(false)
    expect(await b1.author?.load()).toBe(a1)
    expect(await session.plan()).toEqual([])
    expect(b1.authorId).toBe(a1.id)
  })

  test('many-to-many add/remove/set/clear, mirrored on the other side', async () => {
    const seeded = await seed()
    const { session } = seeded
    const [b1, b2, b3, a1, a2] = await Promise.all([
      session.load(seeded.b1, 'coauthors'),
      session.load(seeded.b2, 'coauthors'),
      session.load(seeded.b3, 'coauthors'),
      session.load(seeded.a1, 'coauthored'),
      session.load(seeded.a2, 'coauthored'),
    ])
    expect([b1.coauthors, b2.coauthors, b3.coauthors, a1.coauthored, a2.coauthored].flatMap((c) => [...c])).toEqual([])
    expect(ctx.recorder.sql).toHaveLength(2)
    ctx.recorder.clear()

    b1.coauthors.add(a1)
    b1.coauthors.add(a2)
    expect([...a1.coauthored]).toEqual([b1])
    a1.coauthored.add(b2, b3)
    expect([...b2.coauthors]).toEqual([a1])
    expect([...a2.coauthored]).toEqual([b1])
    await session.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual(['insert into "book_author" ("book_id", "author_id") values (?, ?), (?, ?), (?, ?), (?, ?)'])
    expect(await links()).toEqual([
      [b1.id, a1.id],
      [b1.id, a2.id],
      [b2.id, a1.id],
      [b3.id, a1.id],
    ])

    ctx.recorder.clear()
    a1.coauthored.set([b3, b1])
    expect([...a1.coauthored]).toEqual([b3, b1])
    expect([...b2.coauthors]).toEqual([])
    b1.coauthors.clear()
    expect([...a1.coauthored]).toEqual([b3])
    expect(await session.plan()).toEqual([{ operation: 'deleteLinks', table: 'book_author', rows: 3 }])
    await session.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual([`delete from "book_author" where ("book_id", "author_id") in ((?, ?), (?, ?), (?, ?))${returningClause(target)('book_id', 'author_id')}`])
    expect(await links()).toEqual([[b3.id, a1.id]])
  })

  test('a collection changed without being loaded: recorded, written, merged when it loads', async () => {
    const { session, a1, a2, b1, b2, b3 } = await seed()
    const b4 = session.create('books', { title: 'B4' })
    // Nothing of a1 is loaded; the handles record the changes.
    a1.books.add(b4)
    a1.books.remove(b2)
    a1.coauthored.add(b1)
    b3.coauthors.add(a2)
    expect(ctx.recorder.sql).toEqual([])
    expect(() => (a1.books as unknown as unknown[]).length).toThrow(/authors\.books is not loaded/)
    expect(() => a1.books.set([])).toThrow(/load the collection before replacing it/)

    // Loaded before the flush (autoflush would write the changes first): the database's rows plus the recorded changes.
    await session.noAutoflush(async () => {
      const books = await a1.books.load()
      expect([...books]).toEqual([b1, b3, b4])
      expect([...(await a1.coauthored.load())]).toEqual([b1])
      expect([...(await a2.coauthored.load())]).toEqual([b3])
      expect([...(await b1.coauthors.load())]).toEqual([a1])
    })
    expect(ctx.recorder.sql.every((statement) => statement.startsWith('select'))).toBe(true)
    expect(await session.plan()).toEqual([
      { operation: 'insert', table: 'books', rows: 1 },
      { operation: 'update', table: 'books', rows: 1, columns: ['author_id'] },
      { operation: 'insertLinks', table: 'book_author', rows: 2 },
    ])
    await session.commit()
    expect(await bookRows()).toEqual([
      { id: b1.id, title: 'B1', author_id: a1.id },
      { id: b2.id, title: 'B2', author_id: null },
      { id: b3.id, title: 'B3', author_id: a1.id },
      { id: b4.id, title: 'B4', author_id: a1.id },
    ])
    expect(await links()).toEqual([
      [b1.id, a1.id],
      [b3.id, a2.id],
    ])

    // Written without ever being loaded; a later load reads them from the database.
    const other = ctx.orm.session()
    const author = await other.get('authors', a2.id)
    const book = await other.get('books', b2.id)
    author!.books.add(book!)
    author!.coauthored.remove(await other.get('books', b3.id) as never)
    await other.commit()
    expect(await bookRows()).toEqual([
      { id: b1.id, title: 'B1', author_id: a1.id },
      { id: b2.id, title: 'B2', author_id: a2.id },
      { id: b3.id, title: 'B3', author_id: a1.id },
      { id: b4.id, title: 'B4', author_id: a1.id },
    ])
    expect(await links()).toEqual([[b1.id, a1.id]])
    expect([...(await author!.books.load())]).toEqual([book])
    expect([...(await author!.coauthored.load())]).toEqual([])
  })

  test('an object moved away while its old parent\'s collection is unloaded is not in it when it loads', async () => {
    const { session, a1, a2, b2 } = await seed()
    b2.author = a2
    const books = await a1.books.load()
    expect(books.map((b) => b.title)).toEqual(['B1', 'B3'])
    expect([...(await a2.books.load())]).toEqual([b2])
    await session.commit()
    expect((await bookRows()).map((r) => r.author_id)).toEqual([a1.id, a2.id, a1.id])
  })

  test('collections only take objects of their target table', async () => {
    const { a1, b1 } = await seed()
    await a1.books.load()
    expect(() => a1.books.add(a1 as never)).toThrow(new RelataError("authors.books takes objects of 'books', got an object of 'authors'"))
    expect(() => b1.coauthors.add({} as never)).toThrow(/books\.coauthors takes objects of 'authors', got object/)
    expect(() => {
      ;(b1 as { author: unknown }).author = b1
    }).toThrow(/books\.author takes objects of 'authors', got an object of 'books'/)
    expect(() => {
      ;(b1 as { author: unknown }).author = undefined
    }).toThrow(/assign an object or null/)
    expect(() => a1.books.add(b1, { role: 'x' } as never)).toThrow(/only a many-to-many link takes values/)
  })
})
