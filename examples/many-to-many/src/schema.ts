/** Books and authors: many-to-many through the association table book_author. */
import { defineSchema, t, table } from '@relata/core'

export const books = table('book', {
  id: t.serial().primaryKey(),
  title: t.varchar(200),
})

export const authors = table('author', {
  id: t.serial().primaryKey(),
  name: t.varchar(100),
})

export const bookAuthor = table('book_author', {
  bookId: t.integer().primaryKey().references(() => books.id, { onDelete: 'cascade' }),
  authorId: t.integer().primaryKey().references(() => authors.id, { onDelete: 'cascade' }),
})

const librarySchema = defineSchema(
  { books, authors, bookAuthor },
  ({ manyToMany }) => ({
    books: { authors: manyToMany('authors', { via: 'bookAuthor', backPopulates: 'books' }) },
    authors: { books: manyToMany('books', { via: 'bookAuthor', backPopulates: 'authors' }) },
  }),
  { casing: 'snake_case' },
)

/**
 * The schema's type under one name: hovers, type errors and emitted declarations then say
 * `Library` instead of spelling out every table and column.
 */
export interface Library extends LibraryInferred {}
type LibraryInferred = typeof librarySchema
export const schema: Library = librarySchema
