/**
 * README.md's "Filtering by relation" and "Read-only relations" blocks: type-checked here with the
 * rest of the examples (examples/support/test/readme.test.ts checks that the README quotes it).
 */
import { defineSchema, t, table, type Session } from '@relata/core'

const authors = table('authors', { id: t.serial().primaryKey(), name: t.text() })
const books = table('books', {
  id: t.serial().primaryKey(),
  title: t.text(),
  year: t.integer().nullable(),
  published: t.boolean(),
  authorId: t.integer().nullable().references(() => authors.id),
})
const reviews = table('reviews', { id: t.serial().primaryKey(), bookId: t.integer().references(() => books.id), stars: t.integer() })

export const schema = defineSchema({ authors, books, reviews }, ({ oneToMany, manyToOne }) => ({
  authors: {
    books: oneToMany('books', { backPopulates: 'author' }),
    // Read-only: loads and filters only the published books; add/remove/assign through it throw.
    publishedBooks: oneToMany('books', { where: { published: true }, viewOnly: true }),
  },
  books: {
    author: manyToOne('authors', { backPopulates: 'books' }),
    reviews: oneToMany('reviews', { backPopulates: 'book' }),
  },
  reviews: { book: manyToOne('books', { backPopulates: 'reviews' }) },
}))

/** "Filtering by relation": some / every / none, nested, to-one paths and null, callbacks, inside .with() and count(). */
export async function relationFilters(session: Session<typeof schema>): Promise<unknown> {
  const withDune = await session.query('authors').where({ books: { some: { title: 'Dune' } } }).all()
  const allPublished = await session.query('authors').where({ books: { every: { published: true } } }).all()
  const withoutBooks = await session.query('authors').where({ books: { none: {} } }).count()
  const praised = await session.query('authors').where({ books: { some: { reviews: { some: { stars: 5 } } } } }).all()
  const recent = await session.query('authors').where({ books: { some: (q) => q.where('year', '>', 2000) } }).all()
  const sameAsRecent = await session.query('authors').whereRelated('books', (q) => q.where('year', '>', 2000)).all()
  const byAnn = await session.query('books').where({ author: { name: 'Ann' } }).all()
  const orphans = await session.query('books').where({ author: null }).all()
  const loaded = await session.query('authors').with({ books: (q) => q.where({ reviews: { some: { stars: 5 } } }) }).all()
  const published = await session.query('authors').with({ publishedBooks: true }).all()
  return { withDune, allPublished, withoutBooks, praised, recent, sameAsRecent, byAnn, orphans, loaded, published }
}
