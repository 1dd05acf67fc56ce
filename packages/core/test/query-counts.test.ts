/**
 * Counts of related rows: `withCount()` counts each result's collections in the same statement
 * (a correlated `select count(*)`, many-to-many through the link table) without loading them, and
 * `collection.count()` counts one collection: from memory when loaded whole, else one statement
 * after the autoflush a load would do.
 */
import { beforeEach, describe, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { RelataError } from '../src/index.js'
import { schema } from './fixtures/counts.js'
import { emptyTables, normalizeSql } from './fixtures/unit-of-work.js'

describeEachDialect('relation counts', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
  })

  /** Ann has no book, Bob one (B1), Cy three (C1..C3); C1 is tagged t1 and t2, C2 t1. Committed, then a fresh session. */
  async function seed(options?: { autoflush?: boolean }) {
    const s = ctx.orm.session()
    const ann = s.create('authors', { name: 'Ann' })
    const bob = s.create('authors', { name: 'Bob' })
    const cy = s.create('authors', { name: 'Cy' })
    const t1 = s.create('tags', { name: 't1' })
    const t2 = s.create('tags', { name: 't2' })
    s.create('books', { title: 'B1', year: 1999, price: '10.00', author: bob })
    s.create('books', { title: 'C1', year: 2001, price: '11.50', author: cy, tags: [t1, t2] })
    s.create('books', { title: 'C2', year: 2002, price: '12.00', author: cy, tags: [t1] })
    s.create('books', { title: 'C3', year: 2003, price: '13.25', author: cy })
    await s.commit()
    ctx.recorder.clear()
    return { session: ctx.orm.session(options), ids: { ann: ann.id, bob: bob.id, cy: cy.id, t1: t1.id, t2: t2.id } }
  }

  describe('withCount()', () => {
    test('counts each result\'s books in the same statement, without loading them', async () => {
      const { session } = await seed()
      const authors = await session.query('authors').withCount('books').orderBy('name').all()
      expect(authors.map((a) => [a.name, a.$counts.books])).toEqual([
        ['Ann', 0],
        ['Bob', 1],
        ['Cy', 3],
      ])
      expect(ctx.recorder.sql).toHaveLength(1)
      expect(normalizeSql(ctx.recorder.sql)[0]).toBe(
        'select "t0"."id", "t0"."name", (select count(*) as "count" from "books" as "t1" where "t1"."author_id" = "t0"."id") as "__c_books" from "authors" as "t0" order by "t0"."name" asc, "t0"."id" asc',
      )
      expect(session.isLoaded(authors[2]!, 'books')).toBe(false)
      // Not a column: not spread, not serialised, not written.
      expect(Object.keys(authors[2]!)).toEqual(['id', 'name'])
      expect(JSON.stringify(authors[2])).not.toContain('$counts')
      expect({ ...authors[2] }).not.toHaveProperty('$counts')
    })

    test('a many-to-many counts its link rows; several relations and a filtered count in one statement', async () => {
      const { session } = await seed()
      const books = await session.query('books').withCount('tags').orderBy('title').all()
      expect(books.map((b) => [b.title, b.$counts.tags])).toEqual([
        ['B1', 0],
        ['C1', 2],
        ['C2', 1],
        ['C3', 0],
      ])
      expect(normalizeSql(ctx.recorder.sql)[0]).toContain('(select count(*) as "count" from "book_tag" as "t2" where "t2"."book_id" = "t0"."id") as "__c_tags"')

      ctx.recorder.clear()
      const tags = await session.query('tags').withCount({ books: (q) => q.where('year', '>', 2001) }).orderBy('name').all()
      expect(tags.map((t) => [t.name, t.$counts.books])).toEqual([
        ['t1', 1],
        ['t2', 0],
      ])
      expect(normalizeSql(ctx.recorder.sql)[0]).toContain(
        '(select count(*) as "count" from "book_tag" as "t2" inner join "books" as "t1" on "t2"."book_id" = "t1"."id" where "t2"."tag_id" = "t0"."id" and "t1"."year" > ?) as "__c_books"',
      )
    })

    test('counts beside loaded relations, the counted objects are the session\'s, later counts merge', async () => {
      const { session } = await seed()
      const cy = await session.query('authors').where({ name: 'Cy' }).with({ books: true }).withCount('books').one()
      expect(cy.$counts.books).toBe(cy.books.length)
      const again = await session.query('authors').where({ name: 'Cy' }).withCount({ books: (q) => q.where('title', '=', 'C1') }).one()
      expect(again).toBe(cy)
      expect(again.$counts.books).toBe(1)
      // A count is a snapshot of its query: a change in memory does not move it.
      cy.books.remove(cy.books[0]!)
      expect(cy.$counts.books).toBe(1)
    })

    test('autoflushes the pending changes to the counted table first; off, counts the database', async () => {
      const { session, ids } = await seed()
      const cy = await session.get('authors', ids.cy)
      session.create('books', { title: 'C4', year: 2004, price: '1.00', author: cy! })
      const [counted] = await session.query('authors').where({ id: ids.cy }).withCount('books').all()
      expect(counted!.$counts.books).toBe(4)
      expect(ctx.recorder.sql.some((s) => /^insert into/.test(s))).toBe(true)

      const off = ctx.orm.session({ autoflush: false })
      const cy2 = await off.get('authors', ids.cy)
      off.create('books', { title: 'C5', year: 2005, price: '1.00', author: cy2! })
      expect((await off.query('authors').where({ id: ids.cy }).withCount('books').one()).$counts.books).toBe(4)
    })

    test('untracked results carry their counts too', async () => {
      const { session } = await seed()
      const authors = await session.query('authors').untracked().withCount('books').orderBy('name').all()
      expect(authors.map((a) => a.$counts.books)).toEqual([0, 1, 3])
    })

    test('a to-one relation, an unknown relation and a count inside with() are refused, naming them', async () => {
      const { session } = await seed()
      const untyped = session.query('books') as unknown as { withCount(...a: unknown[]): unknown }
      expect(() => untyped.withCount('author')).toThrow(new RelataError('withCount(): books.author is a to-one relation; counts are of collections (one-to-many or many-to-many)'))
      expect(() => untyped.withCount('nope')).toThrow(/withCount\(\): 'nope' is not a relation of 'books' \(relations: author, tags\)/)
      expect(() => untyped.withCount({ tags: (q: { orderBy(c: string): unknown }) => q.orderBy('name') })).toThrow(
        "withCount(): the callback for 'books.tags' may only filter the related rows (where)",
      )
      const nested = session.query('authors') as unknown as { with(spec: unknown): unknown }
      expect(() => nested.with({ books: (q: { withCount(n: string): unknown }) => q.withCount('tags') })).toThrow(
        "with(): 'authors.books' cannot count relations: withCount() applies to the query's own rows",
      )
    })
  })

  describe('collection.count()', () => {
    test('an unloaded collection: one select count(*), the collection stays unloaded; a many-to-many counts link rows', async () => {
      const { session, ids } = await seed()
      const cy = (await session.get('authors', ids.cy))!
      ctx.recorder.clear()
      expect(await cy.books.count()).toBe(3)
      expect(normalizeSql(ctx.recorder.sql)).toEqual(['select count(*) as "count" from "books" as "t1" where "t1"."author_id" = ?'])
      expect(session.isLoaded(cy, 'books')).toBe(false)

      const t1 = (await session.get('tags', ids.t1))!
      ctx.recorder.clear()
      expect(await t1.books.count()).toBe(2)
      expect(normalizeSql(ctx.recorder.sql)).toEqual(['select count(*) as "count" from "book_tag" as "t1" where "t1"."tag_id" = ?'])
    })

    test('a loaded collection answers from memory, unflushed adds and removes included, without SQL', async () => {
      const { session, ids } = await seed()
      const cy = await session.query('authors').where({ id: ids.cy }).with({ books: true }).one()
      cy.books.remove(cy.books[0]!)
      session.create('books', { title: 'C4', year: 2004, price: '1.00', author: cy })
      session.create('books', { title: 'C5', year: 2005, price: '1.00', author: cy })
      ctx.recorder.clear()
      expect(await cy.books.count()).toBe(4)
      expect(ctx.recorder.sql).toEqual([])
      // A new object's collection is loaded (empty) from the start.
      const dan = session.create('authors', { name: 'Dan' })
      expect(await dan.books.count()).toBe(0)
    })

    test('unloaded with pending changes to the counted table: autoflushes first (as a load would); off, counts the database', async () => {
      const { session, ids } = await seed()
      const cy = (await session.get('authors', ids.cy))!
      session.create('books', { title: 'C4', year: 2004, price: '1.00', author: cy })
      ctx.recorder.clear()
      expect(await cy.books.count()).toBe(4)
      expect(ctx.recorder.sql.filter((s) => /^insert/.test(s))).toHaveLength(1)

      const off = ctx.orm.session({ autoflush: false })
      const cy2 = (await off.get('authors', ids.cy))!
      off.create('books', { title: 'C5', year: 2005, price: '1.00', author: cy2 })
      expect(await cy2.books.count()).toBe(4)
    })

    test('a partial collection counts the database; a detached object is refused, naming the relation', async () => {
      const { session, ids } = await seed()
      const cy = await session.query('authors').where({ id: ids.cy }).with({ books: (q) => q.where('year', '>', 2002) }).one()
      expect(cy.books.length).toBe(1)
      expect(await cy.books.count()).toBe(3)

      const [loose] = await session.query('authors').where({ id: ids.bob }).untracked().all()
      await expect(loose!.books.count()).rejects.toThrow(/authors\.books\.count\(\): authors \(id \d+\) is detached/)
    })
  })
})
