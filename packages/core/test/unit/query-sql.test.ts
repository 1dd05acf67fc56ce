/** Entity queries offline: filters and operators, long IN lists, order, pages, count, get, first and one, as each family's exact SQL. */
import { sql, type SqlBool } from 'kysely'
import { describe, expect, test } from 'vitest'
import { MultipleResultsError, NotFoundError, RelataError } from '../../src/index.js'
import { schema as books } from '../fixtures/books.js'
import { schema } from '../fixtures/query-inputs.js'
import { offlineOrm, offlineTargets, spelled } from './support/offline.js'

const ITEM = 'select "t0"."id", "t0"."folder_id", "t0"."name", "t0"."label", "t0"."kind", "t0"."price", "t0"."big", "t0"."at", "t0"."token", "t0"."doc" from "qi_items" as "t0"'
const BOOK = 'select "t0"."id", "t0"."title", "t0"."author_id" from "books" as "t0"'
const placeholders = (target: string, count: number) => Array.from({ length: count }, (_, i) => (target === 'postgres' ? `$${i + 1}` : '?')).join(', ')

describe.each(offlineTargets)('entity queries [%s]', (target) => {
  const q = (text: string, parameters: unknown[] = []) => ({ sql: spelled(target, text), parameters })
  const items = () => {
    const db = offlineOrm(schema, target)
    return { db, session: db.orm.session() }
  }

  test('where(): comparisons joined with AND, values encoded for their columns', async () => {
    const { db, session } = items()
    await session.query('items').where('name', 'not like', '%x%').where('big', '>=', 5n).where('price', '<', '1.50').where({ kind: 'odd', folderId: 3 }).all()
    expect(db.take()).toEqual([
      q(`${ITEM} where ("t0"."name" not like $1 and "t0"."big" >= $2 and "t0"."price" < $3 and "t0"."kind" = $4 and "t0"."folder_id" = $5)`, ['%x%', 5n, '1.50', 'odd', 3]),
    ])
  })

  test('null: = and <> become IS NULL and IS NOT NULL', async () => {
    const { db, session } = items()
    await session.query('items').where('name', 'is not', null).where({ label: null }).where('kind', '<>', null).all()
    expect(db.take()).toEqual([q(`${ITEM} where ("t0"."name" is not null and "t0"."label" is null and "t0"."kind" is not null)`)])
  })

  test('a date: a UTC literal on PostgreSQL, the Date itself for mysql2 (which writes it in the pool\'s time zone)', async () => {
    const { db, session } = items()
    const at = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))
    await session.query('items').where('at', '>=', at).all()
    expect(db.take()).toEqual([q(`${ITEM} where "t0"."at" >= $1`, [target === 'postgres' ? '2024-01-02T03:04:05.006+00:00' : at])])
  })

  test('a JSON document is compared as its JSON text', async () => {
    const { db, session } = items()
    await session.query('items').where('doc', '=', { a: [1, 'b'] }).all()
    expect(db.take()).toEqual([q(`${ITEM} where "t0"."doc" = $1`, ['{"a":[1,"b"]}'])])
  })

  test('in: a null in the list means IS NULL; an empty list matches nothing, an empty not in everything', async () => {
    const { db, session } = items()
    await session.query('items').where('folderId', 'in', [1, null]).where('id', 'in', []).where('label', 'not in', []).all()
    expect(db.take()).toEqual([q(`${ITEM} where (("t0"."folder_id" in ($1) or "t0"."folder_id" is null) and 1 = 0 and 1 = 1)`, [1])])
  })

  test('in: up to 1,000 values, one parameter each', async () => {
    const { db, session } = items()
    const ids = Array.from({ length: 1000 }, (_, i) => i)
    await session.query('items').where('id', 'in', ids).all()
    expect(db.take()).toEqual([{ sql: spelled(target, `${ITEM} where "t0"."id" in (${placeholders(target, 1000)})`), parameters: ids }])
  })

  test('in: past 1,000 values, PostgreSQL sends one array parameter (= any), MySQL a parameter each', async () => {
    const { db, session } = items()
    const labels = Array.from({ length: 1001 }, (_, i) => `l${i}`)
    await session.query('items').where('label', 'in', labels).all()
    expect(db.take()).toEqual([
      target === 'postgres'
        ? { sql: `${ITEM} where "t0"."label" = any(cast($1 as text[]))`, parameters: [labels] }
        : { sql: spelled(target, `${ITEM} where "t0"."label" in (${placeholders(target, 1001)})`), parameters: labels },
    ])
  })

  test('not in: past 1,000 values with a null, PostgreSQL writes <> all(...) and IS NOT NULL', async () => {
    const { db, session } = items()
    const ids = Array.from({ length: 1001 }, (_, i) => i)
    await session.query('items').where('folderId', 'not in', [...ids, null]).all()
    expect(db.take()).toEqual([
      target === 'postgres'
        ? { sql: `${ITEM} where ("t0"."folder_id" <> all(cast($1 as integer[])) and "t0"."folder_id" is not null)`, parameters: [ids] }
        : { sql: spelled(target, `${ITEM} where ("t0"."folder_id" not in (${placeholders(target, 1001)}) and "t0"."folder_id" is not null)`), parameters: ids },
    ])
  })

  test('a callback over property names: renamed to SQL columns of the query\'s alias', async () => {
    const { db, session } = items()
    await session.query('items').where((eb) => eb.or([eb('folderId', '=', 1), eb('label', 'like', 'a%')])).all()
    expect(db.take()).toEqual([q(`${ITEM} where ("t0"."folder_id" = $1 or "t0"."label" like $2)`, [1, 'a%'])])
  })

  test('a raw sql callback is parenthesised before it is ANDed with other filters', async () => {
    const { db, session } = items()
    await session.query('items').where(() => sql<SqlBool>`${sql.ref('folderId')} = ${1} or ${sql.ref('label')} like ${'a%'}`).where('kind', '=', 'odd').all()
    expect(db.take()).toEqual([q(`${ITEM} where (("t0"."folder_id" = $1 or "t0"."label" like $2) and "t0"."kind" = $3)`, [1, 'a%', 'odd'])])
  })

  test('ilike: PostgreSQL only; refused on MySQL and MariaDB before any SQL', async () => {
    const { db, session } = items()
    if (target === 'postgres') {
      await session.query('items').where('name', 'ilike', 'x%').all()
      expect(db.take()).toEqual([q(`${ITEM} where "t0"."name" ilike $1`, ['x%'])])
    } else {
      expect(() => session.query('items').where('name', 'ilike', 'x%')).toThrow(RelataError)
      expect(db.take()).toEqual([])
    }
  })

  test('orderBy in call order, limit and offset as parameters', async () => {
    const { db, session } = items()
    await session.query('items').orderBy('name', 'desc').orderBy('id', 'desc').orderBy('label').limit(10).offset(20).all()
    expect(db.take()).toEqual([q(`${ITEM} order by "t0"."name" desc, "t0"."id" desc, "t0"."label" asc limit $1 offset $2`, [10, 20])])
  })

  test('orderBy on a composite key: both key columns break ties', async () => {
    const { db, session } = items()
    await session.query('tags').orderBy('tag', 'desc').all()
    expect(db.take()).toEqual([q('select "t0"."item_id", "t0"."tag" from "qi_tags" as "t0" order by "t0"."tag" desc, "t0"."item_id" asc')])
  })

  test('offset without limit: MySQL needs a LIMIT, so the largest safe integer is written in', async () => {
    const { db, session } = items()
    await session.query('items').offset(5).all()
    expect(db.take()).toEqual([q(target === 'postgres' ? `${ITEM} offset $1` : `${ITEM} limit 9007199254740991 offset $1`, [5])])
  })

  test('count(): count(*) with the filters', async () => {
    const { db, session } = items()
    db.answer({ rows: [{ count: target === 'postgres' ? '3' : 3 }] })
    expect(await session.query('items').where({ folderId: 2 }).count()).toBe(3)
    expect(db.take()).toEqual([q('select count(*) as "count" from "qi_items" as "t0" where "t0"."folder_id" = $1', [2])])
  })

  test('count() of a page: counted over the page as a subquery (at most limit rows)', async () => {
    const { db, session } = items()
    db.answer({ rows: [{ count: 2 }] }, { rows: [{ count: 7 }] })
    expect(await session.query('items').where('name', 'like', 'a%').limit(2).offset(4).count()).toBe(2)
    expect(await session.query('items').offset(4).count()).toBe(7)
    expect(db.take()).toEqual([
      q('select count(*) as "count" from (select 1 as "one" from "qi_items" as "t0" where "t0"."name" like $1 limit $2 offset $3) as "page"', ['a%', 2, 4]),
      q(
        target === 'postgres'
          ? 'select count(*) as "count" from (select 1 as "one" from "qi_items" as "t0" offset $1) as "page"'
          : 'select count(*) as "count" from (select 1 as "one" from "qi_items" as "t0" limit 9007199254740991 offset $1) as "page"',
        [4],
      ),
    ])
  })

  test('get(): one statement by primary key, then the identity map answers without SQL', async () => {
    const db = offlineOrm(books, target)
    const session = db.orm.session()
    db.answer({ rows: [{ id: 3, title: 'T', author_id: null }] })
    const book = await session.get('books', 3)
    expect(await session.get('books', 3)).toBe(book)
    expect(db.take()).toEqual([q(`${BOOK} where "t0"."id" = $1 limit $2`, [3, 1])])
  })

  test('get() on a composite key: one equality per key column; an unknown row is undefined', async () => {
    const { db, session } = items()
    expect(await session.get('tags', { itemId: 3, tag: 'x' })).toBeUndefined()
    expect(db.take()).toEqual([q('select "t0"."item_id", "t0"."tag" from "qi_tags" as "t0" where ("t0"."item_id" = $1 and "t0"."tag" = $2) limit $3', [3, 'x', 1])])
  })

  test('first() reads one row, one() two, to tell one from many', async () => {
    const db = offlineOrm(books, target)
    const session = db.orm.session()
    db.answer({ rows: [{ id: 1, title: 'T', author_id: null }] }, { rows: [] }, { rows: [{ id: 1, title: 'T', author_id: null }, { id: 2, title: 'T', author_id: null }] })
    expect((await session.query('books').where({ title: 'T' }).first())?.id).toBe(1)
    await expect(session.query('books').where({ title: 'T' }).one()).rejects.toThrow(NotFoundError)
    await expect(session.query('books').where({ title: 'T' }).one()).rejects.toThrow(MultipleResultsError)
    const statement = q(`${BOOK} where "t0"."title" = $1 limit $2`, ['T', 2])
    expect(db.take()).toEqual([q(`${BOOK} where "t0"."title" = $1 limit $2`, ['T', 1]), statement, statement])
  })

  test('invalid filters fail before any SQL', async () => {
    const { db, session } = items()
    expect(() => session.query('items').where({ id: undefined as never })).toThrow("where({ id: undefined }) on 'items': a filter value cannot be undefined")
    expect(() => session.query('items').where('id', 'between' as never, 1)).toThrow('"between" is not a comparison operator')
    expect(() => session.query('items').where('id', 'in', [1, undefined as never])).toThrow("where('id', 'in', ...) on 'items': the value at index 1 is undefined")
    expect(() => session.query('items').limit(-1)).toThrow("limit() on 'items': expects a non-negative integer")
    expect(db.take()).toEqual([])
  })
})
