/** Declarations pulled from a PostgreSQL database by @relata/migrate. Written by relata pull: review the relation names, then import this schema. */
// README's "An existing database" quotes this file: `relata pull` run on a database holding
// `authors (id serial primary key, name varchar(100) not null)` and
// `books (id serial primary key, title text not null, author_id integer not null references authors, published boolean not null default false)`
// with an index on books(title). The type check proves the pulled source compiles.
import { defineSchema, t, table } from '@relata/core'

export const authors = table('authors', {
  id: t.serial().primaryKey(),
  name: t.varchar(100),
})

export const books = table('books', {
  id: t.serial().primaryKey(),
  title: t.text(),
  authorId: t.integer().references(() => authors.id),
  published: t.boolean().default(false),
}, {
  indexes: [{ columns: ['title'] }],
})

export const schema = defineSchema(
  { authors, books },
  ({ manyToOne, oneToMany }) => ({
    authors: {
      books: oneToMany('books', { backPopulates: 'author' }),
    },
    books: {
      author: manyToOne('authors', { backPopulates: 'books' }),
    },
  }),
  { casing: 'snake_case' },
)
