/** `JSON.stringify(entity)`: columns (bigint as strings, dates as ISO text), loaded relations, cycles cut by keys, unloaded relations left out. */
import { beforeAll, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { defineSchema, t, table } from '../src/index.js'

const authors = table('authors', {
  id: t.serial().primaryKey(),
  name: t.text(),
  followers: t.bigint(),
  born: t.timestamp().nullable(),
})
const books = table('books', {
  id: t.serial().primaryKey(),
  title: t.text(),
  authorId: t.integer().references(() => authors.id),
})
/** A composite key, in a back-populated cycle with its items. */
const shelves = table('shelves', {
  room: t.varchar(10).primaryKey(),
  slot: t.integer().primaryKey(),
})
const items = table('items', {
  id: t.serial().primaryKey(),
  label: t.text(),
  room: t.varchar(10).references(() => shelves.room),
  slot: t.integer().references(() => shelves.slot),
})

const schema = defineSchema(
  { authors, books, shelves, items },
  ({ oneToMany, manyToOne }) => ({
    authors: { books: oneToMany('books', { backPopulates: 'author' }) },
    books: { author: manyToOne('authors', { backPopulates: 'books' }) },
    shelves: { items: oneToMany('items', { backPopulates: 'shelf' }) },
    items: { shelf: manyToOne('shelves', { backPopulates: 'items' }) },
  }),
  { casing: 'snake_case' },
)

const BIG = 9007199254740993n
const BORN = new Date('1920-01-02T03:04:05.000Z')

describeEachDialect('entities as JSON', (target) => {
  const ctx = target.setup(schema)
  let annId: number

  beforeAll(async () => {
    const session = ctx.orm.session()
    const ann = session.create('authors', { name: 'Ann', followers: BIG, born: BORN })
    session.create('books', { title: 'A', author: ann })
    session.create('books', { title: 'B', author: ann })
    const shelf = session.create('shelves', { room: 'r1', slot: 2 })
    session.create('items', { label: 'cup', shelf })
    await session.commit()
    annId = ann.id
  })

  test('a new object: bigint as decimal text, dates as JSON writes them, its (empty) relations; toJSON is no column', () => {
    const built = ctx.orm.build('authors', { name: 'Bo', followers: 12n, born: BORN })
    expect(JSON.parse(JSON.stringify(built))).toEqual({ name: 'Bo', followers: '12', born: '1920-01-02T03:04:05.000Z', books: [] })
    expect(Object.keys(built)).not.toContain('toJSON')
    expect({ ...built }).not.toHaveProperty('toJSON')
    expect(built.toJSON()).toEqual({ id: undefined, name: 'Bo', followers: '12', born: BORN, books: [] })
  })

  test('a tracked object: unloaded relations left out, loaded ones nested, a back-reference on the path written as its key', async () => {
    const session = ctx.orm.session()
    const plain = (await session.get('authors', annId))!
    expect(JSON.parse(JSON.stringify(plain))).toEqual({ id: annId, name: 'Ann', followers: BIG.toString(), born: BORN.toISOString() })

    const ann = await session.query('authors').where({ id: annId }).with({ books: { author: true } }).one()
    expect(ann).toBe(plain)
    const json = JSON.parse(JSON.stringify(ann))
    expect(json.books.map((b: { title: string }) => b.title).sort()).toEqual(['A', 'B'])
    for (const book of json.books) expect(book).toEqual({ id: expect.any(Number), title: book.title, authorId: annId, author: annId })

    // From the book's side: the author, whose books lead back to the book (by key) and to its sibling (in full).
    const book = ann.books.find((b) => b.title === 'A')!
    const fromBook = JSON.parse(JSON.stringify(book))
    expect(fromBook.author.books).toContainEqual(book.id)
    expect(fromBook.author.books).toContainEqual(expect.objectContaining({ title: 'B', author: annId }))
  })

  test('a composite key on the path is written as an object of its columns', async () => {
    const session = ctx.orm.session()
    const shelf = await session.query('shelves').with({ items: { shelf: true } }).one()
    expect(JSON.parse(JSON.stringify(shelf))).toEqual({ room: 'r1', slot: 2, items: [{ id: expect.any(Number), label: 'cup', room: 'r1', slot: 2, shelf: { room: 'r1', slot: 2 } }] })
  })

  test('untracked and detached objects write what they loaded', async () => {
    const session = ctx.orm.session()
    const loose = await session.query('authors').where({ id: annId }).with({ books: true }).untracked().one()
    expect(JSON.parse(JSON.stringify(loose)).books).toHaveLength(2)
    const tracked = await session.query('authors').where({ id: annId }).with({ books: true }).one()
    session.clear()
    expect(JSON.parse(JSON.stringify(tracked))).toEqual(JSON.parse(JSON.stringify(loose)))
    expect(JSON.parse(JSON.stringify(tracked)).followers).toBe(BIG.toString())
  })
})
