/** Types of pessimistic locks and `session.db`: lock options, a lock only on the query's own table, Kysely typed from the schema. */
import type { Kysely } from 'kysely'
import { describe, expectTypeOf, test } from 'vitest'
import type { Database, Entity, EntityQuery, LockOptions, Session } from '../../src/index.js'
import { schema } from '../fixtures/books.js'

type S = typeof schema
declare const session: Session<S>

describe('forUpdate() / forShare()', () => {
  test('return the same query type, with its loaded relations', () => {
    expectTypeOf(session.query('books').forUpdate()).toEqualTypeOf<EntityQuery<S, 'books'>>()
    expectTypeOf(session.query('books').forShare({ skipLocked: true })).toEqualTypeOf<EntityQuery<S, 'books'>>()
    const books = session.query('books').with({ author: true }).forUpdate({ noWait: true }).all()
    expectTypeOf(books).resolves.items.toHaveProperty('author')
  })

  test('skipLocked and noWait: true, one at a time', () => {
    const options: LockOptions[] = [{}, { skipLocked: true }, { noWait: true }]
    void options
    // @ts-expect-error both at once
    session.query('books').forUpdate({ skipLocked: true, noWait: true })
    // @ts-expect-error not an option
    session.query('books').forShare({ wait: 5 })
    // @ts-expect-error a boolean other than true is not an option value
    session.query('books').forUpdate({ noWait: 'yes' })
  })

  test('a relation query inside .with() has no lock', () => {
    // @ts-expect-error relations of a locked query are not locked: a relation query cannot be
    session.query('authors').with({ books: (q) => q.forUpdate() })
    // @ts-expect-error nor share-locked
    session.query('authors').with({ books: (q) => q.forShare() })
  })
})

describe("get(table, key, { lock })", () => {
  test("lock is 'update' or 'share'", () => {
    expectTypeOf(session.get('books', 1, { lock: 'update' })).toEqualTypeOf<Promise<Entity<S, 'books'> | undefined>>()
    void session.get('books', 1, { lock: 'share' })
    void session.get('books', 1, {})
    // @ts-expect-error not a lock mode
    void session.get('books', 1, { lock: 'exclusive' })
    // @ts-expect-error not an option of get()
    void session.get('books', 1, { populate: true })
  })
})

describe('session.db', () => {
  test('Kysely typed from the schema by SQL names, as orm.db is', () => {
    expectTypeOf(session.db).toEqualTypeOf<Kysely<Database<S>>>()
    void session.db.selectFrom('book_author').select(['book_id', 'author_id', 'role'])
    // @ts-expect-error property names are not SQL names
    void session.db.selectFrom('book_author').select('bookId')
    // @ts-expect-error no such table
    void session.db.selectFrom('bookAuthor')
  })
})
