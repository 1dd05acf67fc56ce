/** Types of refresh(), expire(), expireAll() and populateExisting(): names checked against the entity, results keep their type. */
import { describe, expectTypeOf, test } from 'vitest'
import type { Entity, EntityQuery, Loaded, RefreshOptions, Session } from '../../src/index.js'
import { schema } from '../fixtures/books.js'

type B = typeof schema
type Author = Entity<B, 'authors'>
type Book = Entity<B, 'books'>
declare const session: Session<B>
declare const author: Author
declare const book: Book

describe('session.refresh()', () => {
  test('resolves to the object, typed as given (loaded relations included)', async () => {
    expectTypeOf(await session.refresh(author)).toEqualTypeOf<Author>()
    const loaded = await session.query('authors').with({ books: true }).one()
    expectTypeOf(await session.refresh(loaded, { relations: ['books'] })).toEqualTypeOf<Loaded<B, 'authors', { books: true }>>()
    expectTypeOf(await session.refresh(book, { relations: true })).toEqualTypeOf<Book>()
  })

  test('relations are relation names of the entity', async () => {
    await session.refresh(author, { relations: ['books', 'coauthored'] })
    await session.refresh(book, { relations: ['author'] })
    // @ts-expect-error misspelt relation
    await session.refresh(author, { relations: ['bokos'] })
    // @ts-expect-error a column is not a relation
    await session.refresh(author, { relations: ['name'] })
    // @ts-expect-error false is not an option
    await session.refresh(author, { relations: false })
    expectTypeOf<RefreshOptions<'books'>['relations']>().toEqualTypeOf<true | readonly 'books'[] | undefined>()
  })

  test("lock is 'update' or 'share'", async () => {
    await session.refresh(author, { lock: 'update' })
    await session.refresh(author, { lock: 'share', relations: ['books'] })
    // @ts-expect-error not a lock mode
    await session.refresh(author, { lock: 'exclusive' })
  })
})

describe('session.expire() and expireAll()', () => {
  test('columns and relations of the entity, any number of them', () => {
    session.expire(author)
    session.expire(author, 'name')
    session.expire(author, 'name', 'books')
    session.expire(book, 'title', 'authorId', 'author', 'coauthors')
    expectTypeOf(session.expire(book)).toEqualTypeOf<void>()
    expectTypeOf(session.expireAll()).toEqualTypeOf<void>()
  })

  test('a misspelt name is a compile error', () => {
    // @ts-expect-error not a column or relation of authors
    session.expire(author, 'nmae')
    // @ts-expect-error title is a column of books, not authors
    session.expire(author, 'title')
    // @ts-expect-error expireAll takes no object
    session.expireAll(author)
  })
})

describe('query.populateExisting()', () => {
  test('returns the same query type, loads included', async () => {
    expectTypeOf(session.query('authors').populateExisting()).toEqualTypeOf<EntityQuery<B, 'authors', {}>>()
    const query = session.query('authors').with({ books: true }).populateExisting()
    expectTypeOf(query).toEqualTypeOf<EntityQuery<B, 'authors', { books: true }>>()
    expectTypeOf(await query.one()).toEqualTypeOf<Loaded<B, 'authors', { books: true }>>()
  })
})
