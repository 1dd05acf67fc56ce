/** Types of column subsets: `select()` / `omit()` / `undefer()` results have the loaded columns only, deferred columns are left out, `obj.load('column')` adds them, misspelt and combined subsets refused. */
import { describe, expectTypeOf, test } from 'vitest'
import { schema as chinook } from '@relata/test-kit/chinook'
import type { ColumnsEntry, DeferredColumn, Entity, Loaded, LoadedColumns, Session } from '../../src/index.js'
import { schema } from '../fixtures/column-subsets.js'

type S = typeof schema

declare const session: Session<S>
declare const chinookSession: Session<typeof chinook>

describe('select() and omit()', () => {
  test('select() keeps the named columns and the primary key', async () => {
    const book = await session.query('books').select('title').one()
    expectTypeOf(book.id).toEqualTypeOf<number>()
    expectTypeOf(book.title).toEqualTypeOf<string>()
    // @ts-expect-error year was not loaded
    book.year
    // @ts-expect-error summary was not loaded
    book.summary
    // Relations stay: a partial entity is still an entity.
    expectTypeOf(book.author).not.toBeAny()
    const all = await session.query('books').select('title', 'year').orderBy('year').limit(2).all()
    expectTypeOf(all[0]!.year).toEqualTypeOf<number>()
    const first = await session.query('books').select('year').first()
    expectTypeOf(first).toEqualTypeOf<Loaded<S, 'books', ColumnsEntry<'id' | 'year'>> | undefined>()
  })

  test('omit() keeps every default column but the omitted ones', async () => {
    const book = await session.query('books').omit('summary', 'year').one()
    expectTypeOf(book.title).toEqualTypeOf<string>()
    expectTypeOf(book.authorId).toEqualTypeOf<number | null>()
    // @ts-expect-error summary was omitted
    book.summary
    // @ts-expect-error body is deferred
    book.body
  })

  test('misspelt names, the key omitted, and combined subsets are compile errors', () => {
    // @ts-expect-error not a column of books
    session.query('books').select('titel')
    // @ts-expect-error a relation is loaded with .with(), not selected
    session.query('books').select('author')
    // @ts-expect-error the primary key is always loaded
    session.query('books').omit('id')
    // @ts-expect-error not a column of books
    session.query('books').omit('nope')
    // @ts-expect-error the columns are chosen already
    session.query('books').select('title').omit('year')
    // @ts-expect-error the columns are chosen already
    session.query('books').omit('year').select('title')
    // @ts-expect-error at least one column
    session.query('books').select()
  })

  test('select() combines with .with(), withCount and relation queries', async () => {
    const [author] = await session
      .query('authors')
      .select('name')
      .with({ books: (q) => q.select('title').orderBy('title') })
      .withCount('books')
      .all()
    expectTypeOf(author!.name).toEqualTypeOf<string>()
    expectTypeOf(author!.$counts.books).toEqualTypeOf<number>()
    expectTypeOf(author!.books[0]!.title).toEqualTypeOf<string>()
    // @ts-expect-error bio was not loaded
    author!.bio
    // @ts-expect-error year of the related books was not loaded
    author!.books[0]!.year
    // @ts-expect-error not a column of books
    session.query('authors').with({ books: (q) => q.select('titel') })
  })
})

describe('deferred columns', () => {
  test('a deferred column is not in the default entity type; undefer() and select() load it', async () => {
    expectTypeOf<DeferredColumn<S, 'books'>>().toEqualTypeOf<'body' | 'meta'>()
    const book = await session.query('books').one()
    expectTypeOf(book.title).toEqualTypeOf<string>()
    // @ts-expect-error body is deferred
    book.body
    const got = await session.get('books', 1)
    // @ts-expect-error body is deferred
    got!.body
    const undeferred = await session.query('books').undefer('body').one()
    expectTypeOf(undeferred.body).toEqualTypeOf<string>()
    expectTypeOf(undeferred.title).toEqualTypeOf<string>()
    // @ts-expect-error meta stays deferred
    undeferred.meta
    const selected = await session.query('books').select('meta').one()
    expectTypeOf(selected.meta).toEqualTypeOf<{ pages: number } | null>()
    // @ts-expect-error title is not deferred
    session.query('books').undefer('title')
    expectTypeOf<LoadedColumns<S, 'authors', {}>>().toEqualTypeOf<{ id: number; name: string; bio: string | null }>()
  })

  test('obj.load(...columns) resolves to the object with those columns', async () => {
    const book = await session.query('books').select('title').one()
    const loaded = await book.load('body', 'year')
    expectTypeOf(loaded.body).toEqualTypeOf<string>()
    expectTypeOf(loaded.year).toEqualTypeOf<number>()
    expectTypeOf(loaded.title).toEqualTypeOf<string>()
    const itself = await book.load()
    expectTypeOf(itself.title).toEqualTypeOf<string>()
    // @ts-expect-error not a column of books
    await book.load('bodyy')
    const entity = {} as Entity<S, 'books'>
    expectTypeOf((await entity.load('meta')).meta).toEqualTypeOf<{ pages: number } | null>()
  })
})

describe('README', () => {
  test('the column subsets block', async () => {
    const titles = await session.query('books').select('title').all()
    const light = await session.query('books').omit('summary').all()
    const book = await titles[0]!.load('year', 'body')
    const full = await session.query('books').undefer('body').one()
    const authors = await session.query('authors').with({ books: (q) => q.select('title') }).all()
    // @ts-expect-error not loaded
    titles[0]!.year
    expectTypeOf([book.year, book.body, full.body, light[0]!.title, authors[0]!.books[0]!.title]).toEqualTypeOf<(string | number)[]>()
  })
})

describe('on Chinook', () => {
  test('tracks with names and lengths only', async () => {
    const tracks = await chinookSession.query('tracks').select('name', 'milliseconds').with({ album: true }).all()
    expectTypeOf(tracks[0]!.trackId).toEqualTypeOf<number>()
    expectTypeOf(tracks[0]!.milliseconds).toEqualTypeOf<number>()
    expectTypeOf(tracks[0]!.album!.title).toEqualTypeOf<string>()
    // @ts-expect-error composer was not loaded
    tracks[0]!.composer
  })
})
