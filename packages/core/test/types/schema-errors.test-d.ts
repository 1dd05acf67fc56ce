/** Schema mistakes that must fail to compile, where TypeScript reports them, each beside a correct twin. */
import { describe, expectTypeOf, test } from 'vitest'
import { defineSchema, t, table, type RelationHelpers, type Row } from '../../src/index.js'
import type { CheckRelations } from '../../src/schema/check-relations.js'
import { authors, bookAuthor, books } from '../fixtures/books.js'

const tables = { authors, books, bookAuthor }
type Tables = typeof tables
declare const h: RelationHelpers<keyof Tables & string>
/** The message (or `unknown` when sound) that `defineSchema` gives relation `N` of table `K`: asserted beside each error. */
type MessageOf<R, K extends keyof R, N extends keyof R[K]> = CheckRelations<Tables, R>[K][N & keyof CheckRelations<Tables, R>[K]]

describe('relation targets and association tables', () => {
  test('a misspelt target table', () => {
    defineSchema(tables, ({ oneToMany, manyToOne }) => ({
      authors: { books: oneToMany('books', { backPopulates: 'author' }) },
      books: { author: manyToOne('authors', { backPopulates: 'books' }) },
    }))
    defineSchema(tables, ({ oneToMany, manyToOne }) => ({
      // @ts-expect-error Argument of type '"boks"' is not assignable to parameter of type '"authors" | "books" | "bookAuthor"'
      authors: { books: oneToMany('boks', { backPopulates: 'author' }) },
      books: { author: manyToOne('authors', { backPopulates: 'books' }) },
    }))
  })

  test('a misspelt association table', () => {
    defineSchema(tables, ({ manyToMany }) => ({
      authors: { coauthored: manyToMany('books', { via: 'bookAuthor', backPopulates: 'coauthors' }) },
      books: { coauthors: manyToMany('authors', { via: 'bookAuthor', backPopulates: 'coauthored' }) },
    }))
    defineSchema(tables, ({ manyToMany }) => ({
      // @ts-expect-error Type '"bookAuthr"' is not assignable to type '"authors" | "books" | "bookAuthor"'. Did you mean '"bookAuthor"'?
      authors: { coauthored: manyToMany('books', { via: 'bookAuthr', backPopulates: 'coauthors' }) },
      books: { coauthors: manyToMany('authors', { via: 'bookAuthor', backPopulates: 'coauthored' }) },
    }))
  })

  test('relations declared for a table that is not in the schema', () => {
    defineSchema(tables, ({ manyToOne }) => ({
      books: { writer: manyToOne('authors') },
    }))
    defineSchema(tables, ({ manyToOne }) => ({
      // @ts-expect-error 'book' is not a table of this schema
      book: { writer: manyToOne('authors') },
    }))
    const bad = { book: { writer: h.manyToOne('authors') } }
    expectTypeOf<CheckRelations<Tables, typeof bad>['book']>().toEqualTypeOf<"'book' is not a table of this schema">()
  })

  test('a relation named like a column', () => {
    defineSchema(tables, ({ manyToOne }) => ({
      books: { author: manyToOne('authors') },
    }))
    defineSchema(tables, ({ manyToOne }) => ({
      // @ts-expect-error 'books.authorId' is both a column and a relation
      books: { authorId: manyToOne('authors') },
    }))
    const bad = { books: { authorId: h.manyToOne('authors') } }
    expectTypeOf<MessageOf<typeof bad, 'books', 'authorId'>>().toEqualTypeOf<"'books.authorId' is both a column and a relation">()
  })
})

describe('backPopulates', () => {
  test('a misspelt backPopulates name is reported on its own relation only', () => {
    defineSchema(tables, ({ oneToMany, manyToOne }) => ({
      authors: { books: oneToMany('books', { backPopulates: 'author' }) },
      books: { author: manyToOne('authors', { backPopulates: 'books' }) },
    }))
    defineSchema(tables, ({ oneToMany, manyToOne }) => ({
      // @ts-expect-error backPopulates: 'books' has no relation 'autor'
      authors: { books: oneToMany('books', { backPopulates: 'autor' }) },
      books: { author: manyToOne('authors', { backPopulates: 'books' }) },
    }))
    const bad = {
      authors: { books: h.oneToMany('books', { backPopulates: 'autor' }) },
      books: { author: h.manyToOne('authors', { backPopulates: 'books' }) },
    }
    expectTypeOf<MessageOf<typeof bad, 'authors', 'books'>>().toEqualTypeOf<"backPopulates: 'books' has no relation 'autor'">()
    expectTypeOf<MessageOf<typeof bad, 'books', 'author'>>().toBeUnknown()
  })

  test('a backPopulates whose relation points at another table', () => {
    defineSchema(tables, ({ oneToMany, manyToOne }) => ({
      authors: { books: oneToMany('books', { backPopulates: 'author' }), links: oneToMany('bookAuthor') },
      books: { author: manyToOne('authors', { backPopulates: 'books' }) },
    }))
    defineSchema(tables, ({ oneToMany, manyToOne }) => ({
      authors: { books: oneToMany('books'), links: oneToMany('bookAuthor') },
      // @ts-expect-error backPopulates: 'authors.links' points to 'bookAuthor', not back to 'books'
      books: { author: manyToOne('authors', { backPopulates: 'links' }) },
    }))
    const bad = {
      authors: { links: h.oneToMany('bookAuthor') },
      books: { author: h.manyToOne('authors', { backPopulates: 'links' }) },
    }
    expectTypeOf<MessageOf<typeof bad, 'books', 'author'>>().toEqualTypeOf<"backPopulates: 'authors.links' points to 'bookAuthor', not back to 'books'">()
  })

  test('a mirror of the wrong kind: one-to-many mirrored by one-to-many', () => {
    defineSchema(tables, ({ oneToMany, manyToOne }) => ({
      authors: { books: oneToMany('books', { backPopulates: 'author' }) },
      books: { author: manyToOne('authors', { backPopulates: 'books' }) },
    }))
    defineSchema(tables, ({ oneToMany }) => ({
      // @ts-expect-error backPopulates: 'books.author' is a oneToMany; the mirror of a oneToMany must be a manyToOne
      authors: { books: oneToMany('books', { backPopulates: 'author' }) },
      books: { author: oneToMany('authors') },
    }))
    // When both sides name each other, each is the other's wrong mirror, and both are reported.
    defineSchema(tables, ({ oneToMany }) => ({
      // @ts-expect-error backPopulates: 'books.author' is a oneToMany; the mirror of a oneToMany must be a manyToOne
      authors: { books: oneToMany('books', { backPopulates: 'author' }) },
      // @ts-expect-error backPopulates: 'authors.books' is a oneToMany; the mirror of a oneToMany must be a manyToOne
      books: { author: oneToMany('authors', { backPopulates: 'books' }) },
    }))
    const bad = {
      authors: { books: h.oneToMany('books', { backPopulates: 'author' }) },
      books: { author: h.oneToMany('authors') },
    }
    expectTypeOf<MessageOf<typeof bad, 'authors', 'books'>>().toEqualTypeOf<"backPopulates: 'books.author' is a oneToMany; the mirror of a oneToMany must be a manyToOne">()
  })

  test('a mirror whose own backPopulates names a different relation', () => {
    defineSchema(tables, ({ oneToMany, manyToOne }) => ({
      authors: { books: oneToMany('books', { backPopulates: 'author' }), written: oneToMany('books') },
      books: { author: manyToOne('authors', { backPopulates: 'books' }) },
    }))
    defineSchema(tables, ({ oneToMany, manyToOne }) => ({
      authors: {
        books: oneToMany('books', { backPopulates: 'author' }),
        // @ts-expect-error backPopulates: 'books.author' back-populates 'books', not 'written'
        written: oneToMany('books', { backPopulates: 'author' }),
      },
      books: { author: manyToOne('authors', { backPopulates: 'books' }) },
    }))
    const bad = {
      authors: { books: h.oneToMany('books', { backPopulates: 'author' }), written: h.oneToMany('books', { backPopulates: 'author' }) },
      books: { author: h.manyToOne('authors', { backPopulates: 'books' }) },
    }
    expectTypeOf<MessageOf<typeof bad, 'authors', 'written'>>().toEqualTypeOf<"backPopulates: 'books.author' back-populates 'books', not 'written'">()
    expectTypeOf<MessageOf<typeof bad, 'authors', 'books'>>().toBeUnknown()
    expectTypeOf<MessageOf<typeof bad, 'books', 'author'>>().toBeUnknown()
  })
})

describe('key options', () => {
  test('foreignKey naming a column that does not exist', () => {
    defineSchema(tables, ({ oneToMany, manyToOne }) => ({
      authors: { books: oneToMany('books', { foreignKey: 'authorId' }) },
      books: { author: manyToOne('authors', { foreignKey: 'authorId' }) },
    }))
    defineSchema(tables, ({ oneToMany, manyToOne }) => ({
      // @ts-expect-error foreignKey 'autorId' is not a column of 'books'
      authors: { books: oneToMany('books', { foreignKey: 'autorId' }) },
      // @ts-expect-error foreignKey 'author' is not a column of 'books'
      books: { author: manyToOne('authors', { foreignKey: ['author'] }) },
    }))
    const bad = {
      authors: { books: h.oneToMany('books', { foreignKey: 'autorId' }) },
      books: { author: h.manyToOne('authors', { foreignKey: ['author'] }) },
    }
    expectTypeOf<MessageOf<typeof bad, 'authors', 'books'>>().toEqualTypeOf<"foreignKey 'autorId' is not a column of 'books'">()
    expectTypeOf<MessageOf<typeof bad, 'books', 'author'>>().toEqualTypeOf<"foreignKey 'author' is not a column of 'books'">()
  })

  test('sourceKey and targetKey name columns of the association table', () => {
    defineSchema(tables, ({ manyToMany }) => ({
      authors: { coauthored: manyToMany('books', { via: 'bookAuthor', sourceKey: 'authorId', targetKey: 'bookId' }) },
    }))
    defineSchema(tables, ({ manyToMany }) => ({
      // @ts-expect-error sourceKey 'id' is not a column of 'bookAuthor'
      authors: { coauthored: manyToMany('books', { via: 'bookAuthor', sourceKey: 'id', targetKey: 'bookId' }) },
    }))
  })
})

describe('columns', () => {
  test('t.enum: the value type is the union of its values', () => {
    const kinds = table('kinds', { id: t.serial().primaryKey(), kind: t.enum(['audio', 'video']).default('audio') })
    const s = defineSchema({ kinds })
    expectTypeOf<Row<typeof s, 'kinds'>['kind']>().toEqualTypeOf<'audio' | 'video'>()
    // @ts-expect-error Argument of type '"vinyl"' is not assignable to parameter of type '"audio" | "video" | Expression<unknown>'
    t.enum(['audio', 'video']).default('vinyl')
    // @ts-expect-error an enum needs at least one value
    t.enum([])
  })

  test('.version() only on a NOT NULL number column', () => {
    t.integer().version()
    // @ts-expect-error The 'this' context of type 'Column<string, ...>' is not assignable to method's 'this' of type 'Column<number, true, ...>'
    t.text().version()
    // @ts-expect-error a nullable column cannot be a version
    t.integer().nullable().version()
    // @ts-expect-error a timestamp is not a counter
    t.timestamp().version()
  })
})
