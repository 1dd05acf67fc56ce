/** Types inferred from the seed scenario's schema (authors, books, book_author with an extra column). */
import type { Kysely } from 'kysely'
import { expectTypeOf, test } from 'vitest'
import type { Collection, ColumnsOnly, Database, Entity, Insertable, LinkCollection, LinkShape, PrimaryKey, Reference, Row, UnloadedHandle, Updateable } from '../../src/index.js'
import { schema } from '../fixtures/books.js'

type S = typeof schema
type DB = Database<S>
type Author = Entity<S, 'authors'>
type Book = Entity<S, 'books'>

test('Row, Insertable and Updateable of each table', () => {
  expectTypeOf<Row<S, 'authors'>>().toEqualTypeOf<{ id: number; name: string }>()
  expectTypeOf<Row<S, 'bookAuthor'>>().toEqualTypeOf<{ bookId: number; authorId: number; role: string | null }>()
  expectTypeOf<Insertable<S, 'books'>>().toEqualTypeOf<{ title: string; id?: number; authorId?: number | null }>()
  expectTypeOf<Insertable<S, 'bookAuthor'>>().toEqualTypeOf<{ bookId: number; authorId: number; role?: string | null }>()
  expectTypeOf<Updateable<S, 'books'>>().toEqualTypeOf<{ id?: number; title?: string; authorId?: number | null }>()
})

test('an insert missing a required column is rejected', () => {
  const insert = (_values: Insertable<S, 'books'>) => {}
  insert({ title: 'Book 1' })
  insert({ title: 'Book 1', authorId: null })
  // @ts-expect-error title is required
  insert({ authorId: 1 })
  // @ts-expect-error title is a string
  insert({ title: 1 })
})

test('PrimaryKey: single and composite', () => {
  expectTypeOf<PrimaryKey<S, 'books'>>().toEqualTypeOf<number>()
  expectTypeOf<PrimaryKey<S, 'bookAuthor'>>().toEqualTypeOf<{ bookId: number; authorId: number }>()
})

test('Database: SQL names from snake_case casing', () => {
  expectTypeOf<keyof DB>().toEqualTypeOf<'authors' | 'books' | 'book_author'>()
  expectTypeOf<keyof DB['book_author']>().toEqualTypeOf<'book_id' | 'author_id' | 'role'>()
  expectTypeOf<DB['books']['author_id']>().toEqualTypeOf<number | null>()
  const db = {} as Kysely<DB>
  expectTypeOf(db.selectFrom('book_author').select(['book_id', 'role']).execute()).resolves.toEqualTypeOf<
    { book_id: number; role: string | null }[]
  >()
  // @ts-expect-error the SQL name is book_id
  db.selectFrom('book_author').select(['bookId'])
})

test('Entity: relation handles, both directions', () => {
  expectTypeOf<Author['books']>().toEqualTypeOf<UnloadedHandle<'books', Collection<Book>>>()
  // A many-to-many's collection carries its link row's own columns (test/types/links.test-d.ts).
  type Credit = LinkShape<{ role: string | null }, { role?: string | null }>
  expectTypeOf<Author['coauthored']>().toEqualTypeOf<UnloadedHandle<'coauthored', LinkCollection<Book, ColumnsOnly<Book>, Credit>>>()
  expectTypeOf<Book['coauthors']>().toEqualTypeOf<UnloadedHandle<'coauthors', LinkCollection<Author, ColumnsOnly<Author>, Credit>>>()
  expectTypeOf<Book['author']>().toEqualTypeOf<UnloadedHandle<'author', Reference<Author, true> | null>>()
  expectTypeOf<Omit<Book, 'author' | 'coauthors' | 'load' | 'toJSON'>>().toEqualTypeOf<Row<S, 'books'>>()
})
