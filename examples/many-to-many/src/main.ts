/**
 * The many-to-many seed scenario: SQLAlchemy's `secondary=` association table with Relata.
 * `npm start` runs it on PGlite; DATABASE_URL=postgres://… or mysql://… runs it on a server;
 * RELATA_ECHO=1 prints the SQL.
 */
import { createOrm } from '@relata/core'
import { dialectFromEnv, echo } from '@relata-examples/support'
import { schema } from './schema.js'

const { dialect, label } = await dialectFromEnv()
const orm = createOrm({ schema, dialect, log: echo() })
console.log(`Database: ${label}`)
await orm.dropTables({ ifExists: true })
await orm.createTables()

// book1.authors.append(author1) ... session.add_all([...]); session.commit()
const session = orm.session()
const book1 = orm.build('books', { title: 'Book 1' })
const book2 = orm.build('books', { title: 'Book 2' })
const author1 = orm.build('authors', { name: 'Author 1' })
const author2 = orm.build('authors', { name: 'Author 2' })
book1.authors.add(author1)
book1.authors.add(author2)
book2.authors.add(author2)
session.addAll([book1, book2, author1, author2])
await session.commit()
console.log(`Committed 2 books, 2 authors and ${await countLinks()} book_author rows`)

// Read back in a new session, both ways.
const reader = orm.session()
const book = await reader.query('books').where({ title: 'Book 1' }).with({ authors: true }).first()
console.log(`Authors of ${book?.title}: ${book?.authors.map((a) => a.name).join(', ')}`)
const author = await reader.query('authors').where({ name: 'Author 2' }).with({ books: (q) => q.orderBy('title') }).first()
console.log(`Books of ${author?.name}: ${author?.books.map((b) => b.title).join(', ')}`)

// book.authors.remove(author2); session.commit(): exactly one association row goes.
const second = book!.authors.find((a) => a.name === 'Author 2')!
book!.authors.remove(second)
await reader.commit()
console.log(`Removed Author 2 from Book 1: ${await countLinks()} book_author rows left`)
// The identity map made `second` and `author` one object, so its loaded books changed too.
console.log(`Book 1 now has: ${book!.authors.map((a) => a.name).join(', ')}; Author 2 now has: ${author!.books.map((b) => b.title).join(', ')}`)

await orm.dropTables()
await orm.destroy()

async function countLinks(): Promise<number> {
  const row = await orm.db.selectFrom('book_author').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}
