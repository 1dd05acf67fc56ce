/** Types of keyset reads: `stream()` yields the query's loaded objects, `paginate()` orders by the table's columns, `fromQuery()` maps a selection that is one table's row. */
import { describe, expectTypeOf, test } from 'vitest'
import type { Entity, Loaded, Page, Session } from '../../src/index.js'
import { schema } from '../fixtures/books.js'

type S = typeof schema
declare const session: Session<S>

describe('stream()', () => {
  test("yields the query's objects, with the relations of with()", async () => {
    for await (const book of session.query('books').with({ author: true }).stream({ batchSize: 500 })) {
      expectTypeOf(book).toEqualTypeOf<Loaded<S, 'books', { author: true }>>()
      expectTypeOf(book.author).toEqualTypeOf<Entity<S, 'authors'> | null>()
    }
    expectTypeOf(session.query('authors').stream()).toEqualTypeOf<AsyncGenerator<Entity<S, 'authors'>, void, undefined>>()
  })

  test('batchSize is a number; nothing else is an option', () => {
    // @ts-expect-error a string
    session.query('books').stream({ batchSize: '10' })
    // @ts-expect-error not an option
    session.query('books').stream({ chunk: 10 })
  })
})

describe('paginate()', () => {
  test("a page of the query's objects; orderBy names the table's columns, with a direction", () => {
    expectTypeOf(session.query('books').with({ author: true }).paginate({ first: 20 })).toEqualTypeOf<Promise<Page<Loaded<S, 'books', { author: true }>>>>()
    void session.query('books').paginate({ first: 20, after: null, orderBy: ['title', ['id', 'desc']] })
    void session.query('books').paginate({ last: 20, before: 'abc', orderBy: [['authorId', 'asc']] })
  })

  test('misspelt columns, bad directions, first with before, last with after are errors', () => {
    // @ts-expect-error not a column of books
    void session.query('books').paginate({ first: 20, orderBy: ['name'] })
    // @ts-expect-error not a direction
    void session.query('books').paginate({ first: 20, orderBy: [['title', 'up']] })
    // @ts-expect-error before goes with last
    void session.query('books').paginate({ first: 20, before: 'abc' })
    // @ts-expect-error after goes with first
    void session.query('books').paginate({ last: 20, after: 'abc' })
    // @ts-expect-error first or last is needed
    void session.query('books').paginate({ after: 'abc' })
  })

  test("pageInfo's cursors are strings or null", async () => {
    const page = await session.query('books').paginate({ first: 1 })
    expectTypeOf(page.pageInfo.endCursor).toEqualTypeOf<string | null>()
    expectTypeOf(page.items).toEqualTypeOf<Entity<S, 'books'>[]>()
  })
})

describe('fromQuery()', () => {
  test("a selection of one table's columns gives that table's entities, whatever the query joins", () => {
    const query = session.db.selectFrom('books').innerJoin('authors', 'authors.id', 'books.author_id').where('authors.name', '=', 'Ann').selectAll('books')
    expectTypeOf(session.fromQuery(query)).toEqualTypeOf<Promise<Entity<S, 'books'>[]>>()
    expectTypeOf(session.fromQuery(session.db.selectFrom('authors').selectAll(), { populateExisting: true })).toEqualTypeOf<Promise<Entity<S, 'authors'>[]>>()
  })

  test('with the table named, any selection holding its columns', () => {
    const query = session.db.selectFrom('books').innerJoin('authors', 'authors.id', 'books.author_id').selectAll('books').select('authors.name as author_name')
    expectTypeOf(session.fromQuery('books', query)).toEqualTypeOf<Promise<Entity<S, 'books'>[]>>()
  })

  test("a selection that is no table's row, lacks a column, or a misspelt table is an error", () => {
    // @ts-expect-error some columns only: no table's row
    void session.fromQuery(session.db.selectFrom('books').select(['id', 'title']))
    // @ts-expect-error extra columns: name the table
    void session.fromQuery(session.db.selectFrom('books').innerJoin('authors', 'authors.id', 'books.author_id').selectAll('books').select('authors.name as author_name'))
    // @ts-expect-error author_id missing
    void session.fromQuery('books', session.db.selectFrom('books').select(['id', 'title']))
    // @ts-expect-error not a table
    void session.fromQuery('book', session.db.selectFrom('books').selectAll())
    // @ts-expect-error not an option
    void session.fromQuery(session.db.selectFrom('books').selectAll(), { refresh: true })
  })
})
