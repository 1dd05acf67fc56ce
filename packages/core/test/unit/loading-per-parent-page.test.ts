/** `limit()` / `offset()` inside `.with()` offline: a `row_number()` window per parent, in the `selectIn` statement and in the join-loaded subquery, per family. */
import { describe, expect, test } from 'vitest'
import { RelataError } from '../../src/index.js'
import { schema as books } from '../fixtures/books.js'
import { offlineOrm, offlineTargets, per, spelled } from './support/offline.js'

const authorRows = [
  { id: 1, name: 'Ann' },
  { id: 2, name: 'Bob' },
]

describe.each(offlineTargets)('per-parent page [%s]', (target) => {
  const q = (text: string, parameters: unknown[] = []) => ({ sql: spelled(target, text), parameters })

  test('selectIn, one-to-many: the page numbers the parents\' rows only (their keys twice), by the order then the primary key', async () => {
    const db = offlineOrm(books, target)
    db.answer({ rows: authorRows }, { rows: [{ id: 12, title: 'Z', author_id: 2 }, { id: 11, title: 'Y', author_id: 2 }] })
    const authors = await db.orm
      .session()
      .query('authors')
      .where('name', 'like', '%')
      .with({ books: (b) => b.strategy('selectIn').orderBy('title', 'desc').offset(1).limit(2) })
      .all()
    expect(db.take()).toEqual([
      q('select "t0"."id", "t0"."name" from "authors" as "t0" where "t0"."name" like $1', ['%']),
      q(
        'select "t1"."id", "t1"."title", "t1"."author_id" from "books" as "t1" where ("t1"."id") in (select "t5"."__k0" from ' +
          '(select "t3"."id" as "__k0", row_number() over (partition by "t3"."author_id" order by "t3"."title" desc, "t3"."id" asc) as "__rn" ' +
          'from "books" as "t3" where "t3"."author_id" in ($1, $2)) as "t5" where "t5"."__rn" > 1 and "t5"."__rn" <= 3) ' +
          'and "t1"."author_id" in ($3, $4) order by "t1"."title" desc, "t1"."id" asc',
        [1, 2, 1, 2],
      ),
    ])
    expect(authors.map((a) => a.books.map((b) => b.title))).toEqual([[], ['Z', 'Y']])
  })

  test('selectIn, many-to-many under every parent: the pair (parent key, primary key) is kept; offset alone has no upper bound', async () => {
    const db = offlineOrm(books, target)
    db.answer({ rows: authorRows }, { rows: [{ id: 10, title: 'T', author_id: null, __k0: 1 }] })
    await db.orm.session().query('authors').with({ coauthored: (b) => b.strategy('selectIn').offset(2) }).all()
    expect(db.take()[1]).toEqual(
      q(
        'select "t1"."id", "t1"."title", "t1"."author_id", "t2"."author_id" as "__k0", "t2"."role" as "__v0" from "books" as "t1" inner join "book_author" as "t2" on "t2"."book_id" = "t1"."id" ' +
          'where ("t2"."author_id", "t1"."id") in (select "t5"."__p0", "t5"."__k0" from (select "t4"."author_id" as "__p0", "t3"."id" as "__k0", ' +
          'row_number() over (partition by "t4"."author_id" order by "t3"."id" asc) as "__rn" from "books" as "t3" inner join "book_author" as "t4" on "t4"."book_id" = "t3"."id" ' +
          'where "t4"."author_id" is not null) as "t5" where "t5"."__rn" > 2) and "t2"."author_id" is not null order by "t1"."id" asc',
      ),
    )
  })

  // (MySQL 8 loads collections with selectIn: it cannot order JSON_ARRAYAGG.)
  test.skipIf(target === 'mysql')('join, one-to-many: the same window (not correlated) inside the per-parent JSON subquery, after the filters', async () => {
    const db = offlineOrm(books, target)
    db.answer({ rows: [{ id: 1, name: 'Ann', __r_books: [] }] })
    await db.orm.session().query('authors').with({ books: (b) => b.strategy('join').where('title', '<>', 'x').limit(2) }).all()
    const window =
      '("t1"."id") in (select "t5"."__k0" from (select "t3"."id" as "__k0", row_number() over (partition by "t3"."author_id" order by "t3"."id" asc) as "__rn" ' +
      'from "books" as "t3" where "t3"."title" <> $2) as "t5" where "t5"."__rn" > 0 and "t5"."__rn" <= 2)'
    expect(db.take()).toEqual([
      q(
        per(target, {
          postgres:
            'select "t0"."id", "t0"."name", (select coalesce(json_agg("t6" order by "t6"."id" asc), \'[]\'::json) from ((select "t1"."id" as "id", "t1"."title" as "title", "t1"."author_id" as "author_id" ' +
            `from "books" as "t1" where "t1"."title" <> $1 and ${window} and "t1"."author_id" = "t0"."id")) as "t6") as "__r_books" from "authors" as "t0"`,
          mariadb:
            'select "t0"."id", "t0"."name", ((select coalesce(json_arrayagg(json_object(\'id\', "t1"."id", \'title\', "t1"."title", \'author_id\', "t1"."author_id") order by "t1"."id" asc), json_array()) as "j" ' +
            `from "books" as "t1" where "t1"."title" <> $1 and ${window} and "t1"."author_id" = "t0"."id")) as "__r_books" from "authors" as "t0"`,
        }),
        ['x', 'x'],
      ),
    ])
  })

  test('a relation named in two with() calls keeps the page of the one that set it', async () => {
    const db = offlineOrm(books, target)
    db.answer({ rows: authorRows }, { rows: [] }, { rows: [] })
    await db.orm.session().query('authors').with({ books: (b) => b.strategy('selectIn').limit(1) }).with({ books: { coauthors: true } }).all()
    expect(db.take()[1]!.sql).toMatch(/row_number\(\) over \(partition by .* where .t5.\..__rn. > 0 and .t5.\..__rn. <= 1\)/)
  })

  test('a page on a to-one relation is refused before any SQL, naming it', async () => {
    const db = offlineOrm(books, target)
    const query = db.orm.session().query('books').with({ author: (a) => (a as unknown as { limit(n: number): typeof a }).limit(1) })
    await expect(query.all()).rejects.toThrow(RelataError)
    await expect(query.all()).rejects.toThrow("with(): books.author is a to-one relation: limit() and offset() page a collection (one-to-many or many-to-many), per parent")
    expect(db.take()).toEqual([])
  })
})
