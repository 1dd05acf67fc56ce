/** Relation filters and read-only relations offline: the EXISTS subqueries and filtered loads each family is sent. */
import { describe, expect, test } from 'vitest'
import { schema } from '../fixtures/relation-filters.js'
import { offlineOrm, offlineTargets, spelled } from './support/offline.js'

const AUTHOR = 'select "t0"."id", "t0"."name", "t0"."active" from "authors" as "t0"'
const BOOK = 'select "t0"."id", "t0"."title", "t0"."year", "t0"."published", "t0"."author_id" from "books" as "t0"'

describe.each(offlineTargets)('relation filters [%s]', (target) => {
  const q = (text: string, parameters: unknown[] = []) => ({ sql: spelled(target, text), parameters })
  const open = () => {
    const db = offlineOrm(schema, target)
    return { db, session: db.orm.session() }
  }

  test('some: a correlated EXISTS on the foreign key, the nested filter beside it', async () => {
    const { db, session } = open()
    await session.query('authors').where({ books: { some: { title: 'Dune' } } }).all()
    expect(db.take()).toEqual([q(`${AUTHOR} where exists (select 1 as "one" from "books" as "t0r" where ("t0r"."author_id" = "t0"."id" and "t0r"."title" = $1))`, ['Dune'])])
  })

  test('every: NOT EXISTS a related row whose condition is not true (NULL fails it); none: NOT EXISTS', async () => {
    const { db, session } = open()
    await session.query('authors').where({ books: { every: { published: true } } }).all()
    db.answer({ rows: [{ count: 1 }] })
    await session.query('authors').where({ books: { none: {} } }).count()
    expect(db.take()).toEqual([
      q(`${AUTHOR} where not exists (select 1 as "one" from "books" as "t0r" where ("t0r"."author_id" = "t0"."id" and ("t0r"."published" = $1) is not true))`, [true]),
      q('select count(*) as "count" from "authors" as "t0" where not exists (select 1 as "one" from "books" as "t0r" where "t0r"."author_id" = "t0"."id")'),
    ])
  })

  test('a to-one path, null, and a many-to-many through its link table', async () => {
    const { db, session } = open()
    await session.query('books').where({ author: { name: 'Ann' }, tags: { some: { name: 'sf' } } }).all()
    await session.query('books').where({ author: null }).all()
    expect(db.take()).toEqual([
      q(
        `${BOOK} where (exists (select 1 as "one" from "authors" as "t0r" where ("t0r"."id" = "t0"."author_id" and "t0r"."name" = $1)) and ` +
          `exists (select 1 as "one" from "tags" as "t0r" inner join "book_tag" as "t0l" on "t0l"."tag_id" = "t0r"."id" where ("t0l"."book_id" = "t0"."id" and "t0r"."name" = $2)))`,
        ['Ann', 'sf'],
      ),
      q(`${BOOK} where not exists (select 1 as "one" from "authors" as "t0r" where "t0r"."id" = "t0"."author_id")`),
    ])
  })

  test('nested: each level aliased apart (t0r, t0rr), correlated to the level above', async () => {
    const { db, session } = open()
    await session.query('authors').where({ books: { some: { reviews: { some: { stars: 5 } } } } }).all()
    expect(db.take()).toEqual([
      q(
        `${AUTHOR} where exists (select 1 as "one" from "books" as "t0r" where ("t0r"."author_id" = "t0"."id" and ` +
          `exists (select 1 as "one" from "reviews" as "t0rr" where ("t0rr"."book_id" = "t0r"."id" and "t0rr"."stars" = $1))))`,
        [5],
      ),
    ])
  })

  test("a read-only relation's condition: in its filters (every looks among its rows) and in its loads", async () => {
    const { db, session } = open()
    await session.query('authors').where({ publishedBooks: { every: (b) => b.where('year', '>', 1900) } }).all()
    await session.query('books').with({ activeAuthor: 'join' }).all()
    expect(db.take()).toEqual([
      q(`${AUTHOR} where not exists (select 1 as "one" from "books" as "t0r" where ("t0r"."author_id" = "t0"."id" and "t0r"."published" = $1 and ("t0r"."year" > $2) is not true))`, [true, 1900]),
      q(
        `${BOOK.replace(' from', ', "t1"."id" as "t1__id", "t1"."name" as "t1__name", "t1"."active" as "t1__active" from')} left join "authors" as "t1" on ("t1"."id" = "t0"."author_id" and "t1"."active" = $1)`,
        [true],
      ),
    ])
  })

  test('a read-only many-to-many loaded by selectIn: the condition beside the key list', async () => {
    const { db, session } = open()
    db.answer({ rows: [{ id: 1, title: 'Dune', year: 1965, published: true, author_id: null }] })
    await session.query('books').where({ title: 'Dune' }).with({ featuredTags: 'selectIn' }).all()
    const [, load] = db.take()
    expect(load!.sql).toBe(
      spelled(
        target,
        'select "t1"."id", "t1"."name", "t1"."featured", "t2"."book_id" as "__k0" from "tags" as "t1" inner join "book_tag" as "t2" on "t2"."tag_id" = "t1"."id" where "t1"."featured" = $1 and "t2"."book_id" in ($2) order by "t1"."id" asc',
      ),
    )
    expect(load!.parameters).toEqual([true, 1])
  })
})
