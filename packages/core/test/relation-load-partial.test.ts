/**
 * Filtered and limited relation loads are honest: a collection loaded by a filtered or limited
 * `.with()` is partial (read whole by a later unfiltered load, refused by changes that need the
 * whole, read whole by delete cascades), and `limit()` / `offset()` page each parent's collection
 * in one statement per level, through both strategies.
 */
import { beforeEach, describe, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { RelataError } from '../src/index.js'
import { schema as books } from './fixtures/books.js'
import { schema } from './fixtures/partial-loads.js'
import { emptyTables } from './fixtures/unit-of-work.js'

const strategies = ['join', 'selectIn'] as const

describeEachDialect('partial relation loads', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
  })

  const bookRows = () => ctx.orm.db.selectFrom('books').select(['title', 'author_id']).orderBy('title').execute()
  const linkRows = async () =>
    (await ctx.orm.db.selectFrom('book_tag').innerJoin('books', 'books.id', 'book_tag.book_id').innerJoin('tags', 'tags.id', 'book_tag.tag_id').select(['books.title', 'tags.name']).execute())
      .map((r) => `${r.title}:${r.name}`)
      .sort()

  /**
   * Ann has no book, Bob one (B1, 1999), Cy five (C1..C5, 2001..2005). C1 is tagged t1, t2, t3; C2
   * t1; B1 t2. Committed, then a fresh session.
   */
  async function seed() {
    const s = ctx.orm.session()
    const ann = s.create('authors', { name: 'Ann' })
    const bob = s.create('authors', { name: 'Bob' })
    const cy = s.create('authors', { name: 'Cy' })
    const [t1, t2, t3] = ['t1', 't2', 't3'].map((name) => s.create('tags', { name }))
    s.create('books', { title: 'B1', year: 1999, author: bob, tags: [t2!] })
    for (let i = 1; i <= 5; i++) s.create('books', { title: `C${i}`, year: 2000 + i, author: cy, tags: i === 1 ? [t1!, t2!, t3!] : i === 2 ? [t1!] : [] })
    await s.commit()
    ctx.recorder.clear()
    return { session: ctx.orm.session(), ids: { ann: ann.id, bob: bob.id, cy: cy.id } }
  }

  const titles = (items: readonly { title: string }[]) => items.map((b) => b.title)

  describe.each(strategies)('partial collections [%s]', (strategy) => {
    test('a filtered with() fills a partial collection; an unfiltered with() reads it whole, into the same array', async () => {
      const { session } = await seed()
      const [, , cy] = await session.query('authors').with({ books: (q) => q.strategy(strategy).where('year', '>', 2003).orderBy('title') }).orderBy('name').all()
      expect(titles(cy!.books)).toEqual(['C4', 'C5'])
      expect(session.isLoaded(cy!, 'books')).toBe(true)
      expect(session.isPartial(cy!, 'books')).toBe(true)
      const subset = cy!.books

      const [, , again] = await session.query('authors').with({ books: (q) => q.strategy(strategy).orderBy('title') }).orderBy('name').all()
      expect(again).toBe(cy)
      expect(titles(again!.books)).toEqual(['C1', 'C2', 'C3', 'C4', 'C5'])
      expect(again!.books).toBe(subset)
      expect(session.isPartial(cy!, 'books')).toBe(false)
    })

    test('another filter replaces the subset; a collection loaded whole stays whole under a filtered with()', async () => {
      const { session } = await seed()
      const cy = await session.query('authors').where({ name: 'Cy' }).with({ books: (q) => q.strategy(strategy).where('year', '>', 2003) }).one()
      expect(titles(cy.books)).toEqual(['C4', 'C5'])
      await session.query('authors').where({ name: 'Cy' }).with({ books: (q) => q.strategy(strategy).where('year', '<', 2003) }).one()
      expect(titles(cy.books)).toEqual(['C1', 'C2'])
      await session.load(cy, 'books')
      expect(titles(cy.books)).toEqual(['C1', 'C2', 'C3', 'C4', 'C5'])
      ctx.recorder.clear()
      // Loaded whole: kept (it may hold unflushed changes), as SQLAlchemy keeps a loaded collection.
      await session.query('authors').where({ name: 'Cy' }).with({ books: (q) => q.strategy(strategy).where('year', '>', 2004) }).one()
      expect(titles(cy.books)).toEqual(['C1', 'C2', 'C3', 'C4', 'C5'])
      expect(session.isPartial(cy, 'books')).toBe(false)
    })
  })

  test('session.load() and collection.load() read a partial collection whole', async () => {
    const { session } = await seed()
    const cy = await session.query('authors').where({ name: 'Cy' }).with({ books: (q) => q.where('title', '=', 'C3') }).one()
    expect(titles(cy.books)).toEqual(['C3'])
    ctx.recorder.clear()
    const books = await cy.books.load()
    expect(books).toBe(cy.books)
    expect(titles(cy.books).sort()).toEqual(['C1', 'C2', 'C3', 'C4', 'C5'])
    expect(ctx.recorder.sql).toHaveLength(1)
    ctx.recorder.clear()
    await session.load(cy, 'books')
    expect(ctx.recorder.sql).toHaveLength(0)
  })

  test('clear(), set() and assigning an array refuse a partial collection, naming it; after load() clear() unlinks every book', async () => {
    const { session, ids } = await seed()
    const cy = await session.query('authors').where({ name: 'Cy' }).with({ books: (q) => q.where('year', '>', 2003) }).one()
    expect(() => cy.books.clear()).toThrow(RelataError)
    expect(() => cy.books.clear()).toThrow(/authors\.books was loaded partially .*await session\.load\(obj, 'books'\)/)
    expect(() => cy.books.set([])).toThrow(/authors\.books was loaded partially/)
    expect(() => {
      ;(cy as { books: unknown }).books = []
    }).toThrow(/authors\.books was loaded partially/)
    expect(titles(cy.books)).toEqual(['C4', 'C5'])
    expect(await session.plan()).toEqual([])

    await session.load(cy, 'books')
    cy.books.clear()
    await session.commit()
    expect(await bookRows()).toEqual([
      { title: 'B1', author_id: ids.bob },
      ...['C1', 'C2', 'C3', 'C4', 'C5'].map((title) => ({ title, author_id: null })),
    ])
  })

  test('add() and remove() on a partial collection are deltas: written, and kept when the collection is read whole', async () => {
    const { session, ids } = await seed()
    const [bob, cy] = await session.query('authors').where('name', 'in', ['Bob', 'Cy']).with({ books: (q) => q.where('year', '>', 2003) }).orderBy('name').all()
    const b1 = await session.query('books').where({ title: 'B1' }).one()
    const c4 = cy!.books.find((b) => b.title === 'C4')!
    cy!.books.add(b1)
    cy!.books.remove(c4)
    expect(titles(cy!.books)).toEqual(['C5', 'B1'])
    expect(titles(bob!.books)).toEqual([])
    // Read whole before the flush: the database's books, with the changes made since.
    await session.load(cy!, 'books')
    expect(titles(cy!.books).sort()).toEqual(['B1', 'C1', 'C2', 'C3', 'C5'])
    await session.commit()
    expect(await bookRows()).toEqual([
      { title: 'B1', author_id: ids.cy },
      ...['C1', 'C2', 'C3'].map((title) => ({ title, author_id: ids.cy })),
      { title: 'C4', author_id: null },
      { title: 'C5', author_id: ids.cy },
    ])
  })

  test('the back-populated side: a book moved to another author leaves the partial collection, in memory and when read whole', async () => {
    const { session, ids } = await seed()
    const [bob, cy] = await session.query('authors').where('name', 'in', ['Bob', 'Cy']).with({ books: (q) => q.where('year', '>', 2003).orderBy('title') }).orderBy('name').all()
    const [c1, c5] = await session.query('books').where('title', 'in', ['C1', 'C5']).orderBy('title').all()
    // One in the subset, one outside it.
    c5!.author = bob!
    c1!.author = bob!
    expect(titles(cy!.books)).toEqual(['C4'])
    // Bob's subset (none of his books matched) shows the books he gained.
    expect(titles(bob!.books)).toEqual(['C5', 'C1'])
    await cy!.books.load()
    expect(titles(cy!.books).sort()).toEqual(['C2', 'C3', 'C4'])
    expect(session.isPartial(cy!, 'books')).toBe(false)
    await session.commit()
    expect(await bookRows()).toEqual([
      { title: 'B1', author_id: ids.bob },
      { title: 'C1', author_id: ids.bob },
      ...['C2', 'C3', 'C4'].map((title) => ({ title, author_id: ids.cy })),
      { title: 'C5', author_id: ids.bob },
    ])
  })

  test("deleting a parent whose collection was loaded partially deletes every child (cascade: { delete: true })", async () => {
    const { session, ids } = await seed()
    const cy = await session.query('authors').where({ name: 'Cy' }).with({ books: (q) => q.orderBy('year', 'desc').limit(1) }).one()
    expect(titles(cy.books)).toEqual(['C5'])
    session.delete(cy)
    await session.commit()
    expect(await bookRows()).toEqual([{ title: 'B1', author_id: ids.bob }])
    expect(await linkRows()).toEqual(['B1:t2'])
    expect(await ctx.orm.db.selectFrom('authors').select('name').orderBy('name').execute()).toEqual([{ name: 'Ann' }, { name: 'Bob' }])
  })

  test('many-to-many: a partial collection refuses clear(); an add of a book linked but outside the subset writes no second link', async () => {
    const { session } = await seed()
    const t1 = await session.query('tags').where({ name: 't1' }).with({ books: (q) => q.where('title', '=', 'C2') }).one()
    expect(titles(t1.books)).toEqual(['C2'])
    expect(() => t1.books.clear()).toThrow(/tags\.books was loaded partially/)
    const c1 = await session.query('books').where({ title: 'C1' }).one()
    t1.books.add(c1)
    await session.commit()
    expect(await linkRows()).toEqual(['B1:t2', 'C1:t1', 'C1:t2', 'C1:t3', 'C2:t1'])

    const again = ctx.orm.session()
    const tag = await again.query('tags').where({ name: 't1' }).with({ books: (q) => q.limit(1) }).one()
    expect(again.isPartial(tag, 'books')).toBe(true)
    await tag.books.load()
    tag.books.clear()
    await again.commit()
    expect(await linkRows()).toEqual(['B1:t2', 'C1:t2', 'C1:t3'])
  })

  describe.each(strategies)('limit and offset per parent [%s]', (strategy) => {
    test('limit(2) with order desc: each author their two latest books, one statement per level', async () => {
      await seed()
      const session = ctx.orm.session()
      ctx.recorder.clear()
      const authors = await session.query('authors').with({ books: (q) => q.strategy(strategy).orderBy('year', 'desc').limit(2) }).orderBy('name').all()
      expect(authors.map((a) => [a.name, titles(a.books)])).toEqual([
        ['Ann', []],
        ['Bob', ['B1']],
        ['Cy', ['C5', 'C4']],
      ])
      expect(ctx.recorder.sql).toHaveLength(strategy === 'join' ? 1 : 2)
      expect(ctx.recorder.sql.join('\n')).toMatch(/row_number\(\) over \(partition by/)
      expect(authors.every((a) => session.isPartial(a, 'books'))).toBe(true)
    })

    test('offset(1).limit(2), and offset alone, under a filtered root', async () => {
      const { ids } = await seed()
      const session = ctx.orm.session()
      const [bob, cy] = await session
        .query('authors')
        .where('id', 'in', [ids.bob, ids.cy])
        .with({ books: (q) => q.strategy(strategy).orderBy('year', 'desc').offset(1).limit(2) })
        .orderBy('name')
        .all()
      expect(titles(bob!.books)).toEqual([])
      expect(titles(cy!.books)).toEqual(['C4', 'C3'])
      const other = ctx.orm.session()
      const [, , cy2] = await other.query('authors').with({ books: (q) => q.strategy(strategy).offset(3) }).orderBy('name').all()
      // Without an order: by the primary key.
      expect(titles(cy2!.books)).toEqual(['C4', 'C5'])
    })

    test('a filter and a limit: the page is of the matching rows', async () => {
      await seed()
      const session = ctx.orm.session()
      const [, , cy] = await session.query('authors').with({ books: (q) => q.strategy(strategy).where('year', '<', 2005).orderBy('year', 'desc').limit(2) }).orderBy('name').all()
      expect(titles(cy!.books)).toEqual(['C4', 'C3'])
    })

    test('many-to-many limited per parent, nested under a limited collection', async () => {
      await seed()
      const session = ctx.orm.session()
      ctx.recorder.clear()
      const tags = await session.query('tags').with({ books: (q) => q.strategy(strategy).orderBy('title', 'desc').limit(1) }).orderBy('name').all()
      expect(tags.map((t) => [t.name, titles(t.books)])).toEqual([
        ['t1', ['C2']],
        ['t2', ['C1']],
        ['t3', ['C1']],
      ])
      expect(ctx.recorder.sql).toHaveLength(strategy === 'join' ? 1 : 2)
      ctx.recorder.clear()
      const authors = await session
        .query('authors')
        .with({ books: (q) => q.strategy(strategy).orderBy('year').limit(1).with({ tags: (t) => t.strategy(strategy).orderBy('name', 'desc').limit(2) }) })
        .orderBy('name')
        .all()
      expect(authors.map((a) => a.books.map((b) => [b.title, b.tags.map((t) => t.name)]))).toEqual([[], [['B1', ['t2']]], [['C1', ['t3', 't2']]]])
      // One statement per level: the authors, their books, the books' tags.
      expect(ctx.recorder.sql).toHaveLength(strategy === 'join' ? 1 : 3)
    })
  })

  test('limit() on a to-one relation is an error naming it', async () => {
    const session = ctx.orm.session()
    await expect(session.query('books').with({ author: (q) => (q as any).limit(1) }).all()).rejects.toThrow(/books\.author is a to-one relation: limit\(\) and offset\(\)/)
  })

  describe('a one-to-many without cascading deletes', () => {
    const plain = target.setup(books)

    test("deleting a parent whose collection was loaded partially unlinks every child, not only the loaded ones", async () => {
      await emptyTables(plain.orm)
      const s = plain.orm.session()
      const ann = s.create('authors', { name: 'Ann' })
      for (const title of ['B1', 'B2', 'B3']) s.create('books', { title, author: ann })
      await s.commit()
      const session = plain.orm.session()
      const author = await session.query('authors').with({ books: (q) => q.where('title', '=', 'B2') }).one()
      expect(author.books.map((b) => b.title)).toEqual(['B2'])
      session.delete(author)
      await session.commit()
      expect(await plain.orm.db.selectFrom('books').select(['title', 'author_id']).orderBy('title').execute()).toEqual(
        ['B1', 'B2', 'B3'].map((title) => ({ title, author_id: null })),
      )
      expect(await plain.orm.db.selectFrom('authors').selectAll().execute()).toEqual([])
    })
  })
})
