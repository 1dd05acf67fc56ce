/**
 * The one-to-many seed scenario: SQLAlchemy's `relationship(back_populates=...)` with Relata.
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

// Create an author with two books: assigning book.author puts the book in author.books.
const session = orm.session()
const john = session.create('authors', { name: 'John Doe' })
const gatsby = session.create('books', { title: 'The Great Gatsby', author: john })
const mockingbird = session.create('books', { title: 'To Kill a Mockingbird', author: john })
console.log(`Created ${john.name} with ${john.books.length} books in memory: ${john.books.map((b) => b.title).join(', ')}`)
await session.commit()
console.log(`Committed: author id ${john.id}, book ids ${gatsby.id} and ${mockingbird.id}`)

// A new session reads them back: query(Author).filter_by(name="John Doe").first().books
const reader = orm.session()
const author = await reader.query('authors').where({ name: 'John Doe' }).first()
if (author === undefined) throw new Error('John Doe was not found')
const hisBooks = await author.books.load()
console.log(`Books by ${author.name}: ${hisBooks.map((b) => b.title).join(', ')}`)

// query(Book).filter_by(title="The Great Gatsby").first().author
const book = await reader.query('books').where({ title: 'The Great Gatsby' }).first()
if (book === undefined) throw new Error('The Great Gatsby was not found')
const writer = await book.author.load()
console.log(`Author of ${book.title}: ${writer.name}`)
console.log(`Same object through both paths (identity map): ${writer === author}`)

await orm.dropTables()
await orm.destroy()
