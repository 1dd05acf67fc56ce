/** Types of the unit of work: what create()/build() take and return, relation assignment, the session's write methods. */
import { describe, expectTypeOf, test } from 'vitest'
import { schema as chinook } from '@relata/test-kit/chinook'
import type { CreateValues, Entity, LoadedCollection, NewEntity, NumericString, Orm, PlannedStatement, Session } from '../../src/index.js'
import { schema as books } from '../fixtures/books.js'

type B = typeof books
type C = typeof chinook
declare const session: Session<B>
declare const orm: Orm<B>
declare const music: Session<C>

describe('create() and build(): values typed by the insert type', () => {
  test('required columns are required; generated, defaulted and nullable ones optional', () => {
    session.create('authors', { name: 'Ann' })
    session.create('authors', { id: 7, name: 'Ann' })
    session.create('books', { title: 'T' })
    session.create('books', { title: 'T', authorId: null })
    session.create('bookAuthor', { bookId: 1, authorId: 2 })
    // @ts-expect-error name is required
    session.create('authors', {})
    // @ts-expect-error title is required
    session.create('books', { authorId: 1 })
    // @ts-expect-error title is required
    orm.build('books', {})
    music.create('tracks', { name: 'T', milliseconds: 1, unitPrice: '0.99', mediaTypeId: 1 })
    // @ts-expect-error milliseconds is required
    music.create('tracks', { name: 'T', unitPrice: '0.99', mediaTypeId: 1 })
  })

  test('an unknown property is rejected', () => {
    // @ts-expect-error 'nme' is not a column or relation of authors
    session.create('authors', { name: 'Ann', nme: 'Ann' })
    // @ts-expect-error 'writer' is not a column or relation of books
    orm.build('books', { title: 'T', writer: null })
    // @ts-expect-error 'nope' is not a table
    session.create('nope', {})
  })

  test('a value of the wrong type is rejected', () => {
    // @ts-expect-error name is a string
    session.create('authors', { name: 1 })
    // @ts-expect-error name cannot be null
    session.create('authors', { name: null })
    // @ts-expect-error authorId is a number
    session.create('books', { title: 'T', authorId: '1' })
    // @ts-expect-error unitPrice is a decimal string, not a number
    music.create('tracks', { name: 'T', milliseconds: 1, unitPrice: 0.99, mediaTypeId: 1 })
  })

  test('relations may be given as objects: to-one (null where the key is nullable) and to-many', () => {
    const author = session.create('authors', { name: 'Ann' })
    const loaded = {} as Entity<B, 'authors'>
    session.create('books', { title: 'T', author })
    session.create('books', { title: 'T', author: loaded })
    session.create('books', { title: 'T', author: null })
    session.create('authors', { name: 'Bo', books: [session.create('books', { title: 'T' })] })
    // @ts-expect-error author takes an authors object
    session.create('books', { title: 'T', author: session.create('books', { title: 'U' }) })
    // @ts-expect-error books takes an array
    session.create('authors', { name: 'Bo', books: session.create('books', { title: 'T' }) })
    const artist = music.create('artists', { name: 'A' })
    music.create('albums', { title: 'A', artist })
    // @ts-expect-error album.artist is NOT NULL
    music.create('albums', { title: 'A', artist: null })
    expectTypeOf<CreateValues<B, 'books'>>().toHaveProperty('author')
    // A to-one takes any object of the target table, whatever it has loaded: a new one, a loaded one.
    expectTypeOf(author).toMatchTypeOf<NonNullable<CreateValues<B, 'books'>['author']>>()
    expectTypeOf(loaded).toMatchTypeOf<NonNullable<CreateValues<B, 'books'>['author']>>()
  })
})

describe('new objects: relations loaded', () => {
  test('create() and build() return the table\'s columns with every relation loaded', () => {
    const author = session.create('authors', { name: 'Ann' })
    const book = orm.build('books', { title: 'T' })
    expectTypeOf(author).toEqualTypeOf<NewEntity<B, 'authors'>>()
    expectTypeOf(book).toEqualTypeOf<NewEntity<B, 'books'>>()
    expectTypeOf(author.id).toEqualTypeOf<number>()
    expectTypeOf(book.authorId).toEqualTypeOf<number | null>()
    // To-many: arrays (read synchronously), with the change methods.
    expectTypeOf(author.books).toMatchTypeOf<LoadedCollection<Entity<B, 'books'>>>()
    expectTypeOf(author.books[0]!.title).toEqualTypeOf<string>()
    expectTypeOf(author.books.map((b) => b.id)).toEqualTypeOf<number[]>()
    expectTypeOf(book.coauthors.length).toEqualTypeOf<number>()
    // To-one: the object itself, or null where the key is nullable.
    expectTypeOf(book.author).toEqualTypeOf<Entity<B, 'authors'> | null>()
    const album = music.create('albums', { title: 'A', artist: music.create('artists', { name: 'X' }) })
    expectTypeOf(album.artist).toEqualTypeOf<Entity<C, 'artists'>>()
    expectTypeOf(music.create('tracks', { name: 'T', milliseconds: 1, unitPrice: '0.99' as NumericString, mediaTypeId: 1 }).album).toEqualTypeOf<Entity<C, 'albums'> | null>()
  })

  test('collections change through add/remove/set/clear, with link values for a many-to-many', () => {
    const book = session.create('books', { title: 'T' })
    const author = session.create('authors', { name: 'Ann' })
    book.coauthors.add(author)
    book.coauthors.add(author, { role: 'editor' })
    book.coauthors.remove(author)
    book.coauthors.set([author])
    book.coauthors.clear()
    author.books.add(book)
    // @ts-expect-error a book is not an author
    book.coauthors.add(book)
    // @ts-expect-error a loaded collection is read-only as an array
    book.coauthors.push(author)
  })
})

describe('assigning a to-one relation', () => {
  test('book.author = a, or null: the foreign key is nullable', () => {
    const book = session.create('books', { title: 'T' })
    const author = session.create('authors', { name: 'Ann' })
    const loaded = {} as Entity<B, 'authors'>
    book.author = author
    book.author = loaded
    book.author = null
    // @ts-expect-error a book is not an author
    book.author = book
  })

  test('album.artist = null is rejected: the foreign key is NOT NULL', () => {
    const album = music.create('albums', { title: 'A', artist: music.create('artists', { name: 'X' }) })
    album.artist = {} as Entity<C, 'artists'>
    // @ts-expect-error album.artist cannot be null
    album.artist = null
    const track = music.create('tracks', { name: 'T', milliseconds: 1, unitPrice: '0.99', mediaTypeId: 1 })
    track.album = null
    track.genre = null
    // @ts-expect-error track.mediaType cannot be null
    track.mediaType = null
  })

  test('an unloaded reference is assigned the same way, null only where nullable', () => {
    const book = {} as Entity<B, 'books'>
    const album = {} as Entity<C, 'albums'>
    book.author = null
    book.author = {} as Entity<B, 'authors'>
    book.author = session.create('authors', { name: 'Ann' })
    album.artist = {} as Entity<C, 'artists'>
    album.artist = music.create('artists', { name: 'X' })
    // @ts-expect-error album.artist cannot be null
    album.artist = null
    // @ts-expect-error an album is not an artist
    album.artist = album
  })

  test('a new object is assignable to the to-one of another new object (a foreign-key cycle built in memory)', () => {
    const album = music.create('albums', { title: 'A', artist: music.create('artists', { name: 'X' }) })
    const track = music.create('tracks', { name: 'T', milliseconds: 1, unitPrice: '0.99', mediaTypeId: 1, album })
    track.album = album
    const employee = music.create('employees', { firstName: 'A', lastName: 'B' })
    const boss = music.create('employees', { firstName: 'C', lastName: 'D', reportsTo: employee })
    employee.reportsTo = boss
  })
})

describe('the session\'s unit-of-work methods', () => {
  test('add, addAll, delete, flush, commit, rollback, plan, transaction', () => {
    const built = orm.build('authors', { name: 'Ann' })
    session.add(built)
    session.add(built, orm.build('books', { title: 'T' }))
    session.addAll([built])
    session.delete(built)
    expectTypeOf(session.flush()).toEqualTypeOf<Promise<void>>()
    expectTypeOf(session.commit()).toEqualTypeOf<Promise<void>>()
    expectTypeOf(session.rollback()).toEqualTypeOf<Promise<void>>()
    expectTypeOf(session.plan()).toEqualTypeOf<Promise<PlannedStatement[]>>()
    expectTypeOf<PlannedStatement['operation']>().toEqualTypeOf<
      'insert' | 'postUpdate' | 'update' | 'insertLinks' | 'updateLinks' | 'deleteLinks' | 'purgeLinks' | 'nullKeys' | 'unsetKeys' | 'delete'
    >()
    expectTypeOf(orm.transaction(async (s) => s.create('authors', { name: 'A' }).id)).toEqualTypeOf<Promise<number>>()
    expectTypeOf(session.transaction(async (s) => {
      expectTypeOf(s).toEqualTypeOf<Session<B>>()
      return 'x' as const
    })).toEqualTypeOf<Promise<'x'>>()
  })
})
