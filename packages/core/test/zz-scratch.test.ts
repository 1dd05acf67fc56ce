import { PGlite } from '@electric-sql/pglite'
import { Kysely, PGliteDialect, sql } from 'kysely'
import { expect, test } from 'vitest'
import { SessionImpl } from '../src/session/session.js'
import { schema } from './fixtures/books.js'

const caps = { family: 'postgres', returning: true, maxParameters: 65535, transactionalDdl: true, jsonAggregation: 'postgres' } as const

test('scratch', async () => {
  const log: string[] = []
  const db = new Kysely<any>({ dialect: new PGliteDialect({ pglite: new PGlite() }), log: (e) => { log.push(e.query.sql + " " + JSON.stringify(e.query.parameters)) } })
  await sql`create table authors (id serial primary key, name text not null)`.execute(db)
  await sql`create table books (id serial primary key, title text not null, author_id int references authors(id))`.execute(db)
  await sql`create table book_author (book_id int references books(id), author_id int references authors(id), role text, primary key (book_id, author_id))`.execute(db)
  const conn = { db, capabilities: async () => caps }
  const session = new SessionImpl(schema, conn, 'postgres') as any
  const book1 = session.create('books', { title: 'Book 1' })
  const book2 = session.create('books', { title: 'Book 2' })
  const author1 = session.create('authors', { name: 'Author 1' })
  const author2 = session.create('authors', { name: 'Author 2' })
  book1.coauthors.add(author1)
  book1.coauthors.add(author2, { role: 'editor' })
  book2.coauthors.add(author2)
  book1.author = author1
  expect(author2.coauthored).toEqual([book1, book2])
  expect(author1.books).toEqual([book1])
  console.log(await session.plan())
  log.length = 0
  await session.commit()
  console.log(log)
  expect(book1.id).toBeTypeOf('number')
  const s2 = new SessionImpl(schema, conn, 'postgres') as any
  const b = await s2.query('books').where({ title: 'Book 1' }).first()
  const coauthors = await b.coauthors.load()
  expect(coauthors.map((a: any) => a.name)).toEqual(['Author 1', 'Author 2'])
  const a2 = coauthors[1]
  b.coauthors.remove(a2)
  b.title = 'Book One'
  log.length = 0
  console.log(await s2.plan())
  await s2.commit()
  console.log(log)
  expect((await db.selectFrom('book_author').selectAll().execute()).length).toBe(2)
  await db.destroy()
})
