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

export const schema = defineSchema(
  { books, authors, bookAuthor },
  ({ manyToMany }) => ({
    books: { authors: manyToMany('authors', { via: 'bookAuthor', backPopulates: 'books' }) },
    authors: { books: manyToMany('books', { via: 'bookAuthor', backPopulates: 'authors' }) },
  }),
  { casing: 'snake_case' },
)
