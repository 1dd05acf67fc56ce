/** Types of relation filters (some / every / none, to-one paths, null, callbacks) and of read-only relations. */
import { describe, expectTypeOf, test } from 'vitest'
import { schema as chinook } from '@relata/test-kit/chinook'
import { defineSchema, t, table, type Collection, type Entity, type LoadedViewCollection, type RelationFilterQuery, type Session, type UnloadedHandle, type ViewCollection, type WhereInput } from '../../src/index.js'
import { schema } from '../fixtures/relation-filters.js'

type S = typeof schema
declare const session: Session<S>
declare const music: Session<typeof chinook>

describe('relation filters', () => {
  test('some, every and none on collections, nested, through many-to-many, beside columns', () => {
    session.query('authors').where({ books: { some: { title: 'Dune' } } })
    session.query('authors').where({ name: 'Ann', books: { every: { published: true }, none: { year: null } } })
    session.query('authors').where({ books: { some: { reviews: { some: { stars: 5 } }, tags: { none: { name: 'x' } } } } })
    session.query('authors').where({ books: { some: {} } })
    music.query('playlists').where({ tracks: { none: { album: { artist: { name: 'Iron Maiden' } } } } })
    expectTypeOf(session.query('authors').where({ books: { some: { title: 'Dune' } } }).all()).resolves.items.toEqualTypeOf<Entity<S, 'authors'>>()
  })

  test('a to-one path takes the related filter, or null when the relation may be absent', () => {
    session.query('books').where({ author: { name: 'Ann' } })
    session.query('books').where({ author: null })
    session.query('reviews').where({ book: { author: { active: true } } })
    // @ts-expect-error reviews.book cannot be absent (book_id is NOT NULL)
    session.query('reviews').where({ book: null })
  })

  test('callbacks get the related table\'s where, with its operators', () => {
    session.query('authors').where({
      books: {
        some: (q) => {
          expectTypeOf(q).toEqualTypeOf<RelationFilterQuery<S, 'books'>>()
          return q.where('year', '>', 1900).where({ reviews: { none: {} } })
        },
      },
    })
    session.query('books').where({ author: (q) => q.where('name', 'in', ['Ann', 'Bob']) })
    // @ts-expect-error a relation filter's query only filters
    session.query('authors').where({ books: { some: (q) => q.orderBy('title') } })
    // @ts-expect-error 'titel' is not a column of books
    session.query('authors').where({ books: { some: (q) => q.where('titel', '=', 'x') } })
  })

  test('whereRelated: a callback on a relation, typed by its target', () => {
    session.query('authors').whereRelated('books', (q) => q.where('year', '>', 1900).whereRelated('reviews', (r) => r.where({ stars: 5 })))
    session.query('books').whereRelated('author', (q) => q.where({ name: 'Ann' }))
    session.query('authors').with({ books: (q) => q.whereRelated('tags', (t) => t.where('name', '=', 'sf')) })
    // @ts-expect-error 'bokks' is not a relation of authors
    session.query('authors').whereRelated('bokks', (q) => q)
    // @ts-expect-error 'name' is not a column of books
    session.query('authors').whereRelated('books', (q) => q.where('name', '=', 'x'))
  })

  test('inside .with() and on relation queries', () => {
    session.query('authors').with({ books: (q) => q.where({ reviews: { some: { stars: 5 } } }) })
    // @ts-expect-error 'reveiws' is not a relation of books
    session.query('authors').with({ books: (q) => q.where({ reveiws: { some: { stars: 5 } } }) })
  })

  test('misspelt relations, columns, quantifiers and values are compile errors', () => {
    // @ts-expect-error 'bokks' is neither a column nor a relation of authors
    session.query('authors').where({ bokks: { some: {} } })
    // @ts-expect-error 'titel' is not a column of books
    session.query('authors').where({ books: { some: { titel: 'Dune' } } })
    // @ts-expect-error 'any' is not a quantifier (some, every, none)
    session.query('authors').where({ books: { any: { title: 'Dune' } } })
    // @ts-expect-error a collection is filtered through a quantifier, not directly
    session.query('authors').where({ books: { title: 'Dune' } })
    // @ts-expect-error stars is a number
    session.query('authors').where({ books: { some: { reviews: { some: { stars: 'five' } } } } })
    // @ts-expect-error 'nmae' is not a column of authors
    session.query('books').where({ author: { nmae: 'Ann' } })
    // @ts-expect-error a collection cannot be null
    session.query('authors').where({ books: null })
    // @ts-expect-error a to-one takes no quantifier
    session.query('books').where({ author: { some: { name: 'Ann' } } })
  })

  test('undefined is refused at every depth', () => {
    const maybe = undefined as string | undefined
    // @ts-expect-error may be undefined
    session.query('authors').where({ books: { some: { title: maybe } } })
    // @ts-expect-error may be undefined
    session.query('books').where({ author: { name: maybe } })
  })

  test('WhereInput types a filter object written ahead', () => {
    const filter = { books: { some: { title: 'Dune' } } } satisfies WhereInput<S, 'authors'>
    session.query('authors').where(filter)
    // @ts-expect-error 'titel' is not a column of books
    const wrong: WhereInput<S, 'authors'> = { books: { some: { titel: 'Dune' } } }
    void wrong
  })
})

describe('read-only relations', () => {
  test('they load and filter like others', async () => {
    const author = await session.query('authors').with({ publishedBooks: true }).one()
    expectTypeOf(author.publishedBooks[0]!.title).toEqualTypeOf<string>()
    session.query('authors').where({ publishedBooks: { none: {} } })
    session.query('books').where({ activeAuthor: null, featuredTags: { some: { featured: true } } })
  })

  test('a read-only collection loads and reads, and has no change methods', async () => {
    const author = await session.query('authors').with({ publishedBooks: true }).one()
    expectTypeOf(author.publishedBooks).toEqualTypeOf<LoadedViewCollection<Entity<S, 'books'>>>()
    const book = author.publishedBooks[0]!
    // @ts-expect-error a read-only collection has no add()
    author.publishedBooks.add(book)
    // @ts-expect-error nor remove()
    author.publishedBooks.remove(book)
    const plain = await session.query('authors').one()
    expectTypeOf(plain.publishedBooks).toEqualTypeOf<UnloadedHandle<'publishedBooks', ViewCollection<Entity<S, 'books'>>>>()
    // @ts-expect-error nor set() before it is loaded
    plain.publishedBooks.set([])
    expectTypeOf(await plain.publishedBooks.load()).toEqualTypeOf<LoadedViewCollection<Entity<S, 'books'>>>()
    const loaded = await session.load(plain, 'publishedBooks')
    expectTypeOf(loaded.publishedBooks).toEqualTypeOf<LoadedViewCollection<Entity<S, 'books'>>>()
    expectTypeOf(author.toJSON().publishedBooks).toExtend<readonly unknown[]>()
    // The writable relation beside it keeps its methods.
    expectTypeOf((await session.query('authors').with({ books: true }).one()).books).toExtend<Collection<any, any>>()
    // @ts-expect-error create() takes no value for a read-only relation
    session.create('authors', { name: 'Eve', active: true, publishedBooks: [] })
  })

  const authors = table('authors', { id: t.serial().primaryKey(), name: t.text() })
  const books = table('books', { id: t.serial().primaryKey(), published: t.boolean(), authorId: t.integer().references(() => authors.id) })

  test('a where needs viewOnly, names columns of the target with their values; viewOnly takes no backPopulates or cascade', () => {
    defineSchema({ authors, books }, ({ oneToMany }) => ({ authors: { published: oneToMany('books', { where: { published: true }, viewOnly: true }) } }))
    defineSchema({ authors, books }, ({ oneToMany }) => ({
      // @ts-expect-error a relation with a where condition must be viewOnly: true
      authors: { published: oneToMany('books', { where: { published: true } }) },
    }))
    defineSchema({ authors, books }, ({ oneToMany }) => ({
      // @ts-expect-error where 'publishd' is not a column of 'books'
      authors: { published: oneToMany('books', { where: { publishd: true }, viewOnly: true }) },
    }))
    defineSchema({ authors, books }, ({ oneToMany }) => ({
      // @ts-expect-error where 'published' takes a value of the column
      authors: { published: oneToMany('books', { where: { published: 'yes' }, viewOnly: true }) },
    }))
    defineSchema({ authors, books }, ({ oneToMany, manyToOne }) => ({
      // @ts-expect-error a viewOnly relation takes no backPopulates
      authors: { published: oneToMany('books', { viewOnly: true, backPopulates: 'author' }) },
      books: { author: manyToOne('authors', { backPopulates: 'published' }) },
    }))
    defineSchema({ authors, books }, ({ oneToMany }) => ({
      // @ts-expect-error a viewOnly relation takes no cascade
      authors: { published: oneToMany('books', { viewOnly: true, cascade: { delete: true } }) },
    }))
  })
})
