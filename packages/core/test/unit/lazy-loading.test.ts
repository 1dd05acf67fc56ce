/** Lazy loads offline: the statement one `load()` sends, loads of one tick batched into one statement, and the loads that need none. */
import { describe, expect, test } from 'vitest'
import { schema as books } from '../fixtures/books.js'
import { schema as keys } from '../fixtures/keys.js'
import { offlineOrm, offlineTargets, spelled } from './support/offline.js'

const BOOKS_OF = 'select "t1"."id", "t1"."title", "t1"."author_id" from "books" as "t1" where "t1"."author_id" in'

describe.each(offlineTargets)('lazy loading [%s]', (target) => {
  const q = (text: string, parameters: unknown[] = []) => ({ sql: spelled(target, text), parameters })

  /** A session holding authors 1..n (read by one scripted query), the recorder cleared. */
  async function withAuthors(n: number) {
    const db = offlineOrm(books, target)
    const session = db.orm.session()
    db.answer({ rows: Array.from({ length: n }, (_, i) => ({ id: i + 1, name: `a${i + 1}` })) })
    const authors = await session.query('authors').orderBy('id').all()
    db.take()
    return { db, session, authors }
  }

  test('a collection: one statement keyed on the object, none once loaded', async () => {
    const { db, session, authors } = await withAuthors(1)
    const ann = authors[0]!
    db.answer({ rows: [{ id: 10, title: 'T', author_id: 1 }] })
    const loaded = await ann.books.load()
    expect(loaded.map((b) => b.title)).toEqual(['T'])
    expect(await ann.books.load()).toBe(loaded)
    expect(await session.load(ann, 'books')).toBe(ann)
    expect(db.take()).toEqual([q(`${BOOKS_OF} ($1) order by "t1"."id" asc`, [1])])
  })

  test('loads started in one tick: one statement for all their objects', async () => {
    const { db, authors } = await withAuthors(3)
    db.answer({ rows: [{ id: 10, title: 'T', author_id: 3 }] })
    const lists = await Promise.all(authors.map((author) => author.books.load()))
    expect(lists.map((list) => list.length)).toEqual([0, 0, 1])
    expect(db.take()).toEqual([q(`${BOOKS_OF} ($1, $2, $3) order by "t1"."id" asc`, [1, 2, 3])])
  })

  test('session.load() of several relations of several objects: one statement per relation', async () => {
    const { db, session, authors } = await withAuthors(2)
    await Promise.all(authors.map((author) => session.load(author, 'books', 'coauthored')))
    expect(db.take()).toEqual([
      q(`${BOOKS_OF} ($1, $2) order by "t1"."id" asc`, [1, 2]),
      q(
        'select "t1"."id", "t1"."title", "t1"."author_id", "t2"."author_id" as "__k0", "t2"."role" as "__v0" from "books" as "t1" inner join "book_author" as "t2" on "t2"."book_id" = "t1"."id" ' +
          'where "t2"."author_id" in ($1, $2) order by "t1"."id" asc',
        [1, 2],
      ),
    ])
    expect(authors.every((author) => session.isLoaded(author, 'books', 'coauthored'))).toBe(true)
  })

  test('a many-to-one whose target is in the identity map: no statement', async () => {
    const { db, session, authors } = await withAuthors(2)
    db.answer({ rows: [{ id: 10, title: 'T', author_id: 2 }] })
    const book = (await session.get('books', 10))!
    db.take()
    expect(await book.author!.load()).toBe(authors[1])
    expect(db.take()).toEqual([])
  })

  test('a many-to-one whose target is not: one statement by its key', async () => {
    const db = offlineOrm(books, target)
    const session = db.orm.session()
    db.answer({ rows: [{ id: 10, title: 'T', author_id: 2 }] }, { rows: [{ id: 2, name: 'Bob' }] })
    const book = (await session.get('books', 10))!
    const bob = await book.author!.load()
    expect(bob?.name).toBe('Bob')
    expect(await session.get('authors', 2)).toBe(bob)
    expect(db.take().slice(1)).toEqual([q('select "t1"."id", "t1"."name" from "authors" as "t1" where "t1"."id" in ($1) order by "t1"."id" asc', [2])])
  })

  test('a new object\'s relations start loaded and empty: nothing to read', async () => {
    const db = offlineOrm(books, target)
    const session = db.orm.session()
    const author = session.create('authors', { name: 'New' })
    expect(session.isLoaded(author, 'books', 'coauthored')).toBe(true)
    expect([...(await author.books.load())]).toEqual([])
    expect(db.take()).toEqual([])
  })

  test('the suggested variable is the singular of the table key: address for addresses, category for categories', async () => {
    const db = offlineOrm(keys, target)
    db.answer({ rows: [{ id: 7, email: 'ann@example.com', username: 'ann' }] })
    const [address] = await db.orm.session().query('addresses').all()
    expect(() => (address!.user as unknown as { username: string }).username).toThrow("addresses.user is not loaded on addresses(id=7) (read 'username'): load it with `await address.user.load()`")
  })

  test('an unloaded relation is refused with a message that says how to load it', async () => {
    const { authors } = await withAuthors(1)
    expect(() => (authors[0]!.books as unknown as unknown[]).length).toThrow("authors.books is not loaded on authors(id=1) (read 'length'): load it with `await author.books.load()`")
  })
})
