/**
 * Counts, aggregates and declared collection order offline: each family's exact SQL for
 * `withCount()`, `collection.count()`, `groupBy()` / `aggregate()` / `having()`, and a lazy load
 * in declared order; the declared order's checks at `defineSchema`.
 */
import { describe, expect, test } from 'vitest'
import { defineSchema, SchemaError } from '../../src/index.js'
import { authors, books, bookTag, schema, tags } from '../fixtures/counts.js'
import { offlineOrm, offlineTargets, spelled } from './support/offline.js'

const AUTHOR = 'select "t0"."id", "t0"."name"'

describe.each(offlineTargets)('counts and aggregates [%s]', (target) => {
  const q = (text: string, parameters: unknown[] = []) => ({ sql: spelled(target, text), parameters })

  test('withCount(): a correlated count per relation; a many-to-many counts its link rows, joined to the target when filtered', async () => {
    const db = offlineOrm(schema, target)
    await db.orm.session().query('authors').withCount('books').all()
    await db.orm.session().query('tags').withCount({ books: (b) => b.where('year', '>', 2000) }).where({ name: 'x' }).all()
    await db.orm.session().query('books').withCount('tags').limit(2).all()
    expect(db.take()).toEqual([
      q(`${AUTHOR}, (select count(*) as "count" from "books" as "t1" where "t1"."author_id" = "t0"."id") as "__c_books" from "authors" as "t0"`),
      q(
        `${AUTHOR}, (select count(*) as "count" from "book_tag" as "t2" inner join "books" as "t1" on "t2"."book_id" = "t1"."id" where "t2"."tag_id" = "t0"."id" and "t1"."year" > $1) as "__c_books" from "tags" as "t0" where "t0"."name" = $2`,
        [2000, 'x'],
      ),
      q(
        'select "t0"."id", "t0"."title", "t0"."year", "t0"."price", "t0"."words", "t0"."rating", "t0"."published_at", "t0"."author_id", (select count(*) as "count" from "book_tag" as "t2" where "t2"."book_id" = "t0"."id") as "__c_tags" from "books" as "t0" limit $1',
        [2],
      ),
    ])
  })

  test('collection.count() of an unloaded collection: one count of the rows (or link rows) pointing at the object', async () => {
    const db = offlineOrm(schema, target)
    db.answer({ rows: [{ id: 7, name: 'Cy' }] }, { rows: [{ count: target === 'postgres' ? '3' : 3 }] })
    const session = db.orm.session()
    const cy = (await session.get('authors', 7))!
    expect(await cy.books.count()).toBe(3)
    expect(db.take().at(-1)).toEqual(q('select count(*) as "count" from "books" as "t1" where "t1"."author_id" = $1', [7]))
  })

  test('groupBy() / aggregate() / having() / orderBy() / limit(): one statement, the groups breaking ties', async () => {
    const db = offlineOrm(schema, target)
    await db.orm
      .session()
      .query('books')
      .where('year', '>', 2000)
      .groupBy('authorId')
      .aggregate((fn) => ({ n: fn.count(), total: fn.sum('price'), tags: fn.countDistinct('title') }))
      .having('n', '>=', 2)
      .orderBy('total', 'desc')
      .limit(5)
      .all()
    expect(db.take()).toEqual([
      q(
        'select "t0"."author_id" as "__g0", count(*) as "__a0", sum("t0"."price") as "__a1", count(distinct "t0"."title") as "__a2" from "books" as "t0" where "t0"."year" > $1 group by "t0"."author_id" having count(*) >= $2 order by sum("t0"."price") desc, "t0"."author_id" asc limit $3',
        [2000, 2, 5],
      ),
    ])
  })

  test('a lazy load in the declared order: its columns, then the primary key', async () => {
    const db = offlineOrm(schema, target)
    db.answer({ rows: [{ id: 7, name: 'Cy' }] })
    const session = db.orm.session()
    const cy = (await session.get('authors', 7))!
    await cy.books.load()
    expect(db.take().at(-1)!.sql).toBe(
      spelled(
        target,
        'select "t1"."id", "t1"."title", "t1"."year", "t1"."price", "t1"."words", "t1"."rating", "t1"."published_at", "t1"."author_id" from "books" as "t1" where "t1"."author_id" in ($1) order by "t1"."year" desc, "t1"."title" asc, "t1"."id" asc',
      ),
    )
  })
})

describe('declared order: checked at defineSchema', () => {
  const untyped = defineSchema as unknown as (tables: object, relations: (h: Record<string, (...a: unknown[]) => unknown>) => object) => unknown
  test('a column the target does not have, a bad direction, an order on a to-one: SchemaErrors naming the relation', () => {
    expect(() => untyped({ authors, books }, ({ oneToMany }) => ({ authors: { books: oneToMany!('books', { orderBy: ['titel'] }) } }))).toThrow(
      new SchemaError("Relation 'authors.books': orderBy names \"titel\", which is not a column of 'books' (columns: id, title, year, price, words, rating, publishedAt, authorId)"),
    )
    expect(() => untyped({ authors, books }, ({ oneToMany }) => ({ authors: { books: oneToMany!('books', { orderBy: [['year', 'down']] }) } }))).toThrow(
      new SchemaError("Relation 'authors.books': orderBy 'year': direction must be 'asc' or 'desc', got down"),
    )
    expect(() => untyped({ authors, books }, ({ oneToMany }) => ({ authors: { books: oneToMany!('books', { orderBy: 'title' }) } }))).toThrow(
      /Relation 'authors\.books': orderBy must be an array of columns of 'books'/,
    )
    expect(() => untyped({ authors, books }, ({ manyToOne }) => ({ books: { author: manyToOne!('authors', { orderBy: ['name'] }) } }))).toThrow(
      /Relation 'books\.author': 'orderBy' is not an option of manyToOne/,
    )
    expect(() => untyped({ authors, books, tags, bookTag }, ({ manyToMany }) => ({ books: { tags: manyToMany!('tags', { via: 'bookTag', orderBy: ['title'] }) } }))).toThrow(
      /Relation 'books\.tags': orderBy names "title", which is not a column of 'tags'/,
    )
  })
})
