/** Unit of work on the seed schema: the two SQLAlchemy scenarios, create/add/update/delete, flush, commit, rollback, plan. */
import { beforeEach, expect, test, vi } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { RelataError } from '../src/index.js'
import { schema } from './fixtures/books.js'
import { emptyTables, normalizeSql, returningClause, usesReturning } from './fixtures/unit-of-work.js'

describeEachDialect('unit of work: basics', (target) => {
  const ctx = target.setup(schema)
  const returning = usesReturning(target)
  const ret = returningClause(target)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const authorRows = () => ctx.orm.db.selectFrom('authors').selectAll().orderBy('id').execute()
  const bookRows = () => ctx.orm.db.selectFrom('books').selectAll().orderBy('id').execute()
  const linkRows = () => ctx.orm.db.selectFrom('book_author').selectAll().orderBy('book_id').orderBy('author_id').execute()

  test('seed scenario 1: authors with their books, back-populated, committed and read back', async () => {
    const session = ctx.orm.session()
    const john = session.create('authors', { name: 'John Doe' })
    const jane = session.create('authors', { name: 'Jane Roe' })
    const gatsby = session.create('books', { title: 'The Great Gatsby' })
    const ulysses = session.create('books', { title: 'Ulysses' })
    const emma = session.create('books', { title: 'Emma', author: jane })

    john.books.add(gatsby)
    ulysses.author = john
    // Back-populated in memory, before any SQL.
    expect([...john.books]).toEqual([gatsby, ulysses])
    expect(gatsby.author).toBe(john)
    expect([...jane.books]).toEqual([emma])
    expect(ctx.recorder.sql).toEqual([])

    await session.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual([
      `insert into "authors" ("name") values (?), (?)${ret('id')}`,
      `insert into "books" ("title", "author_id") values (?, ?), (?, ?), (?, ?)${ret('id')}`,
    ])
    expect(ctx.recorder.queries[0]!.parameters).toEqual(['John Doe', 'Jane Roe'])
    expect(ctx.recorder.queries[1]!.parameters).toEqual(['The Great Gatsby', john.id, 'Ulysses', john.id, 'Emma', jane.id])
    expect(john.id).toBeTypeOf('number')
    expect(jane.id).toBe(john.id + 1)
    expect(await authorRows()).toEqual([
      { id: john.id, name: 'John Doe' },
      { id: jane.id, name: 'Jane Roe' },
    ])
    expect(await bookRows()).toEqual([
      { id: gatsby.id, title: 'The Great Gatsby', author_id: john.id },
      { id: ulysses.id, title: 'Ulysses', author_id: john.id },
      { id: emma.id, title: 'Emma', author_id: jane.id },
    ])

    // Same session: the identity map answers, loaded relations stay loaded.
    ctx.recorder.clear()
    expect(await session.get('authors', john.id)).toBe(john)
    expect(await session.query('authors').where({ name: 'John Doe' }).first()).toBe(john)
    expect(ctx.recorder.sql).toHaveLength(1)

    // A new session reads what was committed.
    const reader = ctx.orm.session()
    const author = await reader.query('authors').where({ name: 'John Doe' }).first()
    expect(author).not.toBe(john)
    const books = await author!.books.load()
    expect(books.map((b) => b.title)).toEqual(['The Great Gatsby', 'Ulysses'])
    const book = await reader.query('books').where({ title: 'The Great Gatsby' }).first()
    expect(book).toBe(books[0])
    expect(await book!.author?.load()).toBe(author)
  })

  test('seed scenario 2: books and authors many-to-many, then one link removed', async () => {
    const session = ctx.orm.session()
    const book1 = session.create('books', { title: 'Book 1' })
    const book2 = session.create('books', { title: 'Book 2' })
    const author1 = session.create('authors', { name: 'Author 1' })
    const author2 = session.create('authors', { name: 'Author 2' })
    book1.coauthors.add(author1)
    book1.coauthors.add(author2)
    book2.coauthors.add(author2)
    session.addAll([book1, book2, author1, author2])
    expect([...author2.coauthored]).toEqual([book1, book2])
    expect([...author1.coauthored]).toEqual([book1])

    await session.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual([
      `insert into "authors" ("name") values (?), (?)${ret('id')}`,
      `insert into "books" ("title") values (?), (?)${ret('id', 'author_id')}`,
      'insert into "book_author" ("book_id", "author_id") values (?, ?), (?, ?), (?, ?)',
    ])
    expect(await linkRows()).toEqual([
      { book_id: book1.id, author_id: author1.id, role: null },
      { book_id: book1.id, author_id: author2.id, role: null },
      { book_id: book2.id, author_id: author2.id, role: null },
    ])

    const reader = ctx.orm.session()
    const book = await reader.query('books').where({ title: 'Book 1' }).first()
    const coauthors = await book!.coauthors.load()
    expect(coauthors.map((a) => a.name)).toEqual(['Author 1', 'Author 2'])
    const a2 = await reader.query('authors').where({ name: 'Author 2' }).first()
    expect(a2).toBe(coauthors[1])
    const coauthored = await a2!.coauthored.load()
    const books = [...coauthored]
    expect(books.map((b) => b.title)).toEqual(['Book 1', 'Book 2'])
    expect(books[0]).toBe(book)

    ctx.recorder.clear()
    book!.coauthors.remove(a2!)
    expect([...coauthored]).toEqual([books[1]])
    await reader.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual([`delete from "book_author" where ("book_id" = ? and "author_id" = ?)${ret('book_id', 'author_id')}`])
    expect(ctx.recorder.queries[0]!.parameters).toEqual([book1.id, author2.id])
    expect(await linkRows()).toEqual([
      { book_id: book1.id, author_id: author1.id, role: null },
      { book_id: book2.id, author_id: author2.id, role: null },
    ])
  })

  test('orm.build() objects are added with add()/addAll(), with the new objects they reach', async () => {
    const author = ctx.orm.build('authors', { name: 'Built' })
    const book = ctx.orm.build('books', { title: 'Built book' })
    const other = ctx.orm.build('books', { title: 'Other built book' })
    // Relations of objects outside a session work in memory and are back-populated.
    book.author = author
    expect([...author.books]).toEqual([book])
    author.coauthored.add(other)
    expect([...other.coauthors]).toEqual([author])

    const session = ctx.orm.session()
    session.add(author)
    // book and other were reached through author.books / author.coauthored (cascade save).
    await session.commit()
    expect(author.id).toBeTypeOf('number')
    expect(book.id).toBeTypeOf('number')
    expect(other.id).toBeTypeOf('number')
    expect(await bookRows()).toEqual([
      { id: book.id, title: 'Built book', author_id: author.id },
      { id: other.id, title: 'Other built book', author_id: null },
    ])
    expect(await linkRows()).toEqual([{ book_id: other.id, author_id: author.id, role: null }])
    expect(await session.get('books', book.id)).toBe(book)

    // addAll of several unrelated objects.
    const many = ['A', 'B', 'C'].map((name) => ctx.orm.build('authors', { name }))
    session.addAll(many)
    session.addAll(many) // adding twice changes nothing
    ctx.recorder.clear()
    await session.flush()
    expect(ctx.recorder.sql).toHaveLength(returning ? 1 : 3)
    expect((await authorRows()).map((r) => r.name)).toEqual(['Built', 'A', 'B', 'C'])

    // An object built with a relation to an object of the session stays out of it until added
    // (no cascade through the other side, as in SQLAlchemy 2).
    const later = ctx.orm.build('books', { title: 'Later', author })
    expect([...author.books]).toEqual([book, later])
    later.coauthors.add(author)
    ctx.recorder.clear()
    expect(await session.plan()).toEqual([])
    session.add(later)
    expect(await session.plan()).toEqual([
      { operation: 'insert', table: 'books', rows: 1 },
      { operation: 'insertLinks', table: 'book_author', rows: 1 },
    ])
    await session.commit()
    expect((await bookRows()).at(-1)).toEqual({ id: later.id, title: 'Later', author_id: author.id })
    expect((await linkRows()).filter((l) => l.book_id === later.id)).toEqual([{ book_id: later.id, author_id: author.id, role: null }])

    // An object of another session cannot be added.
    const foreign = ctx.orm.session().create('authors', { name: 'Foreign' })
    expect(() => session.add(foreign)).toThrow(/belongs to another session/)
    expect(() => session.add({} as never)).toThrow(RelataError)
  })

  test('attribute changes: only the changed columns are updated, one statement per column set', async () => {
    const session = ctx.orm.session()
    const a = session.create('authors', { name: 'A' })
    const b1 = session.create('books', { title: 'B1', author: a })
    const b2 = session.create('books', { title: 'B2', author: a })
    const b3 = session.create('books', { title: 'B3' })
    await session.commit()
    ctx.recorder.clear()

    b1.title = 'B1 revised'
    b2.title = 'B2 revised'
    b3.author = a
    a.name = 'A'  // same value: not a change
    await session.flush()
    expect(normalizeSql(ctx.recorder.sql)).toEqual([
      target.family === 'postgres'
        ? 'update "books" set "title" = "relata_v"."c0" from (values (cast(? as integer), cast(? as text)), (?, ?)) as relata_v("k0", "c0") where "books"."id" = "relata_v"."k0"'
        : 'update "books" join (select ? as "k0", ? as "c0" union all select ?, ?) as relata_v on "books"."id" = "relata_v"."k0" set "title" = "relata_v"."c0"',
      'update "books" set "author_id" = ? where "id" in (?)',
    ])
    expect(ctx.recorder.queries[0]!.parameters).toEqual([b1.id, 'B1 revised', b2.id, 'B2 revised'])
    expect(ctx.recorder.queries[1]!.parameters).toEqual([a.id, b3.id])
    expect(await bookRows()).toEqual([
      { id: b1.id, title: 'B1 revised', author_id: a.id },
      { id: b2.id, title: 'B2 revised', author_id: a.id },
      { id: b3.id, title: 'B3', author_id: a.id },
    ])

    // Snapshots took the written values: nothing more to write.
    ctx.recorder.clear()
    await session.flush()
    expect(ctx.recorder.sql).toEqual([])

    // Setting a many-to-one to null writes NULL; a loaded object in another session sees its change by key.
    b3.author = null
    expect([...a.books]).toEqual([b1, b2])
    await session.flush()
    expect(normalizeSql(ctx.recorder.sql)).toEqual(['update "books" set "author_id" = ? where "id" in (?)'])
    expect(ctx.recorder.queries[0]!.parameters).toEqual([null, b3.id])

    // An update made on a loaded object of another session.
    const other = ctx.orm.session()
    const loaded = await other.get('books', b2.id)
    loaded!.title = 'B2 again'
    ctx.recorder.clear()
    await other.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual(['update "books" set "title" = ? where "id" in (?)'])
    expect((await bookRows())[1]).toEqual({ id: b2.id, title: 'B2 again', author_id: a.id })
  })

  test('nothing to write: no transaction and no SQL', async () => {
    const session = ctx.orm.session()
    const transaction = vi.spyOn(ctx.orm.db, 'transaction')
    const startTransaction = vi.spyOn(ctx.orm.db, 'startTransaction')
    try {
      await session.flush()
      await session.commit()
      expect(await session.plan()).toEqual([])
      expect(ctx.recorder.sql).toEqual([])

      const a = session.create('authors', { name: 'A' })
      const b = session.create('books', { title: 'B' })
      b.coauthors.add(a)
      await session.commit()
      // One transaction opened, by whichever Kysely API.
      const opened = () => transaction.mock.calls.length + startTransaction.mock.calls.length
      expect(opened()).toBe(1)
      ctx.recorder.clear()

      // Loaded, read, changed and changed back, linked and unlinked: still nothing to write.
      const reader = ctx.orm.session()
      const book = await reader.get('books', b.id)
      const coauthors = await book!.coauthors.load()
      book!.title = 'changed'
      book!.title = 'B'
      const author = coauthors[0]!
      book!.coauthors.remove(author)
      book!.coauthors.add(author)
      const extra = reader.create('authors', { name: 'dropped' })
      reader.delete(extra)
      ctx.recorder.clear()
      expect(await reader.plan()).toEqual([])
      await reader.flush()
      await reader.commit()
      expect(ctx.recorder.sql).toEqual([])
      expect(opened()).toBe(1)
      expect(extra.id).toBeUndefined()
    } finally {
      transaction.mockRestore()
      startTransaction.mockRestore()
    }
  })

  test('delete: a persistent object is deleted with its link rows; a pending one is never inserted', async () => {
    const session = ctx.orm.session()
    const a = session.create('authors', { name: 'A' })
    const b = session.create('authors', { name: 'B' })
    const book = session.create('books', { title: 'T', author: a })
    book.coauthors.add(a)
    book.coauthors.add(b)
    await session.commit()
    ctx.recorder.clear()

    const pending = session.create('books', { title: 'never' })
    session.delete(pending)
    session.delete(book)
    expect(await session.plan()).toEqual([
      { operation: 'purgeLinks', table: 'book_author', rows: 1 },
      { operation: 'delete', table: 'books', rows: 1 },
    ])
    await session.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual([
      'delete from "book_author" where "book_id" in (?)',
      `delete from "books" where "id" in (?)${ret('id')}`,
    ])
    expect(await bookRows()).toEqual([])
    expect(await linkRows()).toEqual([])
    // Gone from memory: the identity map and the loaded collections that held it.
    expect([...a.books]).toEqual([])
    expect([...a.coauthored]).toEqual([])
    expect([...b.coauthored]).toEqual([])
    ctx.recorder.clear()
    expect(await session.get('books', book.id)).toBeUndefined()
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(pending.id).toBeUndefined()

    // Deleting an author whose books are not loaded sets their key to NULL in one statement.
    const other = ctx.orm.session()
    const book2 = other.create('books', { title: 'T2', author: (await other.get('authors', b.id))! })
    await other.commit()
    const reader = ctx.orm.session()
    const author = await reader.get('authors', b.id)
    const loadedBook = (await reader.get('books', book2.id))!
    reader.delete(author!)
    ctx.recorder.clear()
    await reader.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual([
      'delete from "book_author" where "author_id" in (?)',
      'update "books" set "author_id" = ? where "author_id" in (?)',
      `delete from "authors" where "id" in (?)${ret('id')}`,
    ])
    expect(await bookRows()).toEqual([{ id: book2.id, title: 'T2', author_id: null }])
    // The loaded child follows, and has nothing left to write.
    expect(loadedBook.authorId).toBeNull()
    expect(await reader.plan()).toEqual([])
    expect(() => reader.delete({} as never)).toThrow(RelataError)
    expect(() => ctx.orm.session().delete(book2)).toThrow(/does not belong to this session/)
  })

  test('rollback() forgets unflushed changes: new objects, values, relations, deletions', async () => {
    const session = ctx.orm.session()
    const a = session.create('authors', { name: 'A' })
    const b = session.create('authors', { name: 'B' })
    const book = session.create('books', { title: 'T', author: a })
    await session.commit()

    const fresh = session.create('books', { title: 'fresh', author: a })
    book.title = 'changed'
    book.author = b
    book.coauthors.add(b)
    session.delete(a)
    await session.rollback()

    expect(book.title).toBe('T')
    expect(fresh.id).toBeUndefined()
    // Relations edited in memory load again from the database.
    // A new object's type says its relations are loaded; after rollback() they are not: read it as an entity.
    const reread = await session.get('books', book.id)
    expect(reread).toBe(book)
    expect(session.isLoaded(reread!, 'author')).toBe(false)
    expect(await reread!.author?.load()).toBe(a)
    expect([...(await reread!.coauthors.load())]).toEqual([])
    expect([...(await session.load(a, 'books')).books]).toEqual([book])
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
    expect(await authorRows()).toEqual([
      { id: a.id, name: 'A' },
      { id: b.id, name: 'B' },
    ])
    expect(await bookRows()).toEqual([{ id: book.id, title: 'T', author_id: a.id }])
  })

  test('plan() lists the statements of the next flush in order, without running them', async () => {
    const session = ctx.orm.session()
    const a = session.create('authors', { name: 'A' })
    const b = session.create('authors', { name: 'B' })
    const keep = session.create('books', { title: 'keep', author: a })
    const drop = session.create('books', { title: 'drop', author: a })
    drop.coauthors.add(b)
    keep.coauthors.add(b)
    await session.commit()

    const c = session.create('authors', { name: 'C' })
    const n1 = session.create('books', { title: 'n1', author: c })
    n1.coauthors.add(a)
    keep.title = 'kept'
    keep.coauthors.remove(b)
    keep.coauthors.add(a, { role: 'editor' })
    session.delete(drop)
    ctx.recorder.clear()
    const plan = await session.plan()
    expect(ctx.recorder.sql).toEqual([])
    expect(plan).toEqual([
      { operation: 'insert', table: 'authors', rows: 1 },
      { operation: 'insert', table: 'books', rows: 1 },
      { operation: 'update', table: 'books', rows: 1, columns: ['title'] },
      { operation: 'insertLinks', table: 'book_author', rows: 2 },
      { operation: 'deleteLinks', table: 'book_author', rows: 1 },
      { operation: 'purgeLinks', table: 'book_author', rows: 1 },
      { operation: 'delete', table: 'books', rows: 1 },
    ])
    // Planning twice gives the same plan; the flush runs it, one statement per planned step here.
    expect(await session.plan()).toEqual(plan)
    await session.flush()
    expect(ctx.recorder.sql).toHaveLength(returning ? plan.length : plan.length + 3)
    expect(await linkRows()).toEqual(
      [
        { book_id: keep.id, author_id: a.id, role: 'editor' },
        { book_id: n1.id, author_id: a.id, role: null },
      ].sort((x, y) => x.book_id - y.book_id),
    )
    expect((await bookRows()).map((r) => r.title)).toEqual(['kept', 'n1'])
  })

  test('association objects: link values, link updates, and the association table as an entity', async () => {
    const session = ctx.orm.session()
    const book = session.create('books', { title: 'Book' })
    const a1 = session.create('authors', { name: 'A1' })
    const a2 = session.create('authors', { name: 'A2' })
    book.coauthors.add(a1, { role: 'editor' })
    a2.coauthored.add(book)
    await session.commit()
    expect(await linkRows()).toEqual([
      { book_id: book.id, author_id: a1.id, role: 'editor' },
      { book_id: book.id, author_id: a2.id, role: null },
    ])

    // Link values are checked when given (untyped code: a typed call is a compile error, test/types/links.test-d.ts).
    const untyped = book.coauthors as unknown as { add(item: object, values: Record<string, unknown>): void }
    expect(() => untyped.add(a2, { rol: 'x' })).toThrow(
      new RelataError("books.coauthors: 'rol' is not a column a link sets in 'bookAuthor' (columns: role)"),
    )
    expect(() => untyped.add(a2, { bookId: 1 })).toThrow(/'bookId' is not a column a link sets in 'bookAuthor'/)
    expect(() => untyped.add(a2, { role: 5 })).toThrow(new RelataError('bookAuthor.role (book_author.role) expects a string, got 5'))
    expect(await session.plan()).toEqual([])

    // Adding a linked object again with values updates its link row only.
    ctx.recorder.clear()
    book.coauthors.add(a2, { role: 'translator' })
    expect([...book.coauthors]).toEqual([a1, a2])
    await session.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual(['update "book_author" set "role" = ? where ("book_id" = ? and "author_id" = ?)'])
    expect((await linkRows())[1]).toEqual({ book_id: book.id, author_id: a2.id, role: 'translator' })

    // The association table is an entity of its own.
    const reader = ctx.orm.session()
    const editors = await reader.query('bookAuthor').where({ role: 'editor' }).all()
    expect(editors).toEqual([{ bookId: book.id, authorId: a1.id, role: 'editor' }])
    editors[0]!.role = 'co-editor'
    const direct = reader.create('bookAuthor', { bookId: book.id, authorId: (await reader.query('authors').where({ name: 'A2' }).one()).id + 0, role: null })
    expect(direct.bookId).toBe(book.id)
    reader.delete(direct)
    const a3 = reader.create('authors', { name: 'A3' })
    await reader.commit()
    const link = reader.create('bookAuthor', { bookId: book.id, authorId: a3.id, role: 'foreword' })
    ctx.recorder.clear()
    await reader.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual([`insert into "book_author" ("book_id", "author_id", "role") values (?, ?, ?)${ret('book_id', 'author_id')}`])
    expect(await reader.get('bookAuthor', { bookId: book.id, authorId: a3.id })).toBe(link)
    expect(await linkRows()).toEqual([
      { book_id: book.id, author_id: a1.id, role: 'co-editor' },
      { book_id: book.id, author_id: a2.id, role: 'translator' },
      { book_id: book.id, author_id: a3.id, role: 'foreword' },
    ])

    // Rows of a composite key, each with its own value: one statement, matched on both key columns.
    const all = await reader.query('bookAuthor').orderBy('authorId').all()
    all.forEach((row, i) => (row.role = `role ${i}`))
    ctx.recorder.clear()
    await reader.commit()
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(normalizeSql(ctx.recorder.sql)[0]).toContain('"book_author"."book_id" = "relata_v"."k0" and "book_author"."author_id" = "relata_v"."k1"')
    expect((await linkRows()).map((r) => r.role)).toEqual(['role 0', 'role 1', 'role 2'])
  })

  test('the identity map holds across flushes; new objects join it with their generated keys', async () => {
    const session = ctx.orm.session()
    const authors = Array.from({ length: 25 }, (_, i) => session.create('authors', { name: `Author ${i}` }))
    await session.flush()
    expect(ctx.recorder.sql).toHaveLength(returning ? 1 : 3)
    const ids = authors.map((a) => a.id)
    expect(new Set(ids).size).toBe(25)
    expect(ids).toEqual([...ids].sort((x, y) => x - y))
    expect((await authorRows()).map((r) => [r.id, r.name])).toEqual(authors.map((a) => [a.id, a.name]))
    ctx.recorder.clear()
    for (const author of authors) expect(await session.get('authors', author.id)).toBe(author)
    expect(ctx.recorder.sql).toEqual([])
    const all = await session.query('authors').orderBy('id').all()
    expect(all).toEqual(authors)
    all.forEach((a, i) => expect(a).toBe(authors[i]))
  })
})
