/** Authors and their books: one-to-many, back-populated both ways. */
import { defineSchema, t, table } from '@relata/core'

export const authors = table('authors', {
  id: t.serial().primaryKey(),
  name: t.varchar(100),
})

export const books = table('books', {
  id: t.serial().primaryKey(),
  title: t.varchar(200),
  authorId: t.integer().references(() => authors.id),
})

const librarySchema = defineSchema(
  { authors, books },
  ({ oneToMany, manyToOne }) => ({
    authors: { books: oneToMany('books', { backPopulates: 'author' }) },
    books: { author: manyToOne('authors', { backPopulates: 'books' }) },
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
