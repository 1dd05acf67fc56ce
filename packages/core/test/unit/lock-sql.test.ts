/** Locking reads offline: `forUpdate()`, `forShare()`, their wait options and a locked `get()`, as each family's exact SQL; eager loads of a locked query stay unlocked. */
import { describe, expect, test } from 'vitest'
import { RelataError } from '../../src/index.js'
import { lockWaits } from '../../src/dialect/mysql/mysql-server.js'
import { schema } from '../fixtures/books.js'
import { offlineOrm, offlineTargets, per, spelled } from './support/offline.js'

const BOOK = 'select "t0"."id", "t0"."title", "t0"."author_id" from "books" as "t0"'

describe.each(offlineTargets)('locking reads [%s]', (target) => {
  const setup = () => {
    const db = offlineOrm(schema, target)
    return { db, orm: db.orm }
  }
  /** The statements of a transaction, without its BEGIN / COMMIT (which Kysely's dummy driver does not record). */
  const lockClause = (mode: 'update' | 'share', wait = '') =>
    per(target, {
      postgres: `for ${mode} of "t0"${wait === '' ? '' : ` ${wait}`}`,
      mariadb: `${mode === 'update' ? 'for update' : 'lock in share mode'}${wait === '' ? '' : ` ${wait}`}`,
      // MySQL 8 takes NOWAIT / SKIP LOCKED only after FOR SHARE.
      mysql: `for ${mode}${wait === '' ? '' : ` ${wait}`}`,
    })

  test.each([
    ['forUpdate()', (q: any) => q.forUpdate(), 'update', ''],
    ['forShare()', (q: any) => q.forShare(), 'share', ''],
    ['forUpdate({ skipLocked: true })', (q: any) => q.forUpdate({ skipLocked: true }), 'update', 'skip locked'],
    ['forUpdate({ noWait: true })', (q: any) => q.forUpdate({ noWait: true }), 'update', 'nowait'],
    ['forShare({ skipLocked: true })', (q: any) => q.forShare({ skipLocked: true }), 'share', 'skip locked'],
    ['forShare({ noWait: true })', (q: any) => q.forShare({ noWait: true }), 'share', 'nowait'],
  ] as const)('%s: the clause after WHERE, ORDER BY and LIMIT', async (_, lock, mode, wait) => {
    const { db, orm } = setup()
    await orm.transaction(async (session) => {
      await lock(session.query('books').where({ title: 'A' }).orderBy('title').limit(5)).all()
    })
    expect(db.take().map((q) => q.sql)).toEqual([spelled(target, `${BOOK} where "t0"."title" = $1 order by "t0"."title" asc, "t0"."id" asc limit $2 `) + lockClause(mode, wait)])
  })

  test("get(table, key, { lock: 'update' }): one statement even when the object is known; without a lock, none", async () => {
    const { db, orm } = setup()
    db.answer({ rows: [{ id: 1, title: 'A', author_id: null }] }, { rows: [{ id: 1, title: 'A', author_id: null }] }, { rows: [{ id: 1, title: 'A', author_id: null }] })
    await orm.transaction(async (session) => {
      const book = await session.get('books', 1)
      expect(await session.get('books', 1)).toBe(book)
      expect(await session.get('books', 1, { lock: 'update' })).toBe(book)
      expect(await session.get('books', 1, { lock: 'share' })).toBe(book)
    })
    const get = spelled(target, `${BOOK} where "t0"."id" = $1 limit $2`)
    expect(db.take().map((q) => q.sql)).toEqual([get, `${get} ${lockClause('update')}`, `${get} ${lockClause('share')}`])
  })

  test('a join-loaded many-to-one: PostgreSQL locks the root alias only (OF "t0"); the MySQL family, which cannot name it, loads the relation apart, unlocked', async () => {
    const { db, orm } = setup()
    db.answer({ rows: [per(target, { postgres: { id: 1, title: 'A', author_id: 7, t1__id: 7, t1__name: 'Ann' }, mariadb: { id: 1, title: 'A', author_id: 7 } })] }, { rows: [{ id: 7, name: 'Ann' }] })
    await orm.transaction(async (session) => {
      const [book] = await session.query('books').with({ author: 'join' }).forUpdate().all()
      expect(book!.author!.name).toBe('Ann')
    })
    expect(db.take().map((q) => q.sql)).toEqual(
      per(target, {
        postgres: [
          'select "t0"."id", "t0"."title", "t0"."author_id", "t1"."id" as "t1__id", "t1"."name" as "t1__name" from "books" as "t0" left join "authors" as "t1" on "t1"."id" = "t0"."author_id" for update of "t0"',
        ],
        mariadb: [`${spelled(target, BOOK)} for update`, 'select `t1`.`id`, `t1`.`name` from `authors` as `t1` where `t1`.`id` in (?) order by `t1`.`id` asc'],
      }),
    )
  })

  test('a join-loaded collection of a locked query: PostgreSQL embeds it (subqueries in the select list are not locked); MariaDB loads it apart', async () => {
    const { db, orm } = setup()
    await orm.transaction(async (session) => {
      await session.query('authors').with({ books: 'join' }).forShare().all()
    })
    const statements = db.take().map((q) => q.sql)
    if (target === 'postgres') {
      expect(statements).toHaveLength(1)
      expect(statements[0]).toMatch(/^select "t0"\."id", "t0"\."name", \(select coalesce\(json_agg.* from "authors" as "t0" for share of "t0"$/)
    } else {
      expect(statements).toEqual([`select \`t0\`.\`id\`, \`t0\`.\`name\` from \`authors\` as \`t0\` ${per(target, { postgres: '', mariadb: 'lock in share mode', mysql: 'for share' })}`])
    }
  })

  test('selectIn relations of a locked query are read without a lock', async () => {
    const { db, orm } = setup()
    db.answer({ rows: [{ id: 7, name: 'Ann' }] })
    await orm.transaction(async (session) => {
      await session.query('authors').with({ books: 'selectIn' }).where({ id: 7 }).forUpdate().all()
    })
    const [root, books] = db.take().map((q) => q.sql)
    expect(root).toMatch(/for update( of "t0")?$/)
    expect(books).toBe(spelled(target, `${BOOK.replaceAll('t0', 't1')} where "t1"."author_id" in ($1) order by "t1"."id" asc`))
  })

  test('outside a transaction: refused before any SQL, naming the table and saying to open a transaction', async () => {
    const { db, orm } = setup()
    const session = orm.session()
    await expect(session.query('books').forUpdate().all()).rejects.toThrow(
      new RelataError(
        "forUpdate() on 'books' outside a transaction: a lock lasts until its transaction ends, and here the statement would commit on its own. Run it inside orm.transaction(async (session) => ...) or session.transaction(async () => ...)",
      ),
    )
    await expect(session.query('books').forShare().first()).rejects.toThrow(/forShare\(\) on 'books' outside a transaction/)
    await expect(session.get('books', 1, { lock: 'update' })).rejects.toThrow(/forUpdate\(\) on 'books' outside a transaction/)
    await expect(session.query('books').forUpdate().untracked().all()).rejects.toThrow(/outside a transaction/)
    expect(db.take()).toEqual([])
  })

  test('wrong options: both waits, unknown options and lock values, a lock inside with(), count() of a locked query', async () => {
    const { orm } = setup()
    const session = orm.session()
    // @ts-expect-error skipLocked and noWait exclude each other
    expect(() => session.query('books').forUpdate({ skipLocked: true, noWait: true })).toThrow("forUpdate() on 'books': skipLocked and noWait cannot be combined (skip the locked rows, or fail on them)")
    // @ts-expect-error not an option
    expect(() => session.query('books').forShare({ wait: 5 })).toThrow("forShare() on 'books': unknown option 'wait' (options: skipLocked, noWait)")
    // @ts-expect-error not a lock
    await expect(session.get('books', 1, { lock: 'exclusive' })).rejects.toThrow(`get('books', key, { lock }): lock must be 'update' or 'share', got "exclusive"`)
    expect(() => session.query('authors').with({ books: (q: any) => q.forUpdate() } as never)).toThrow(
      "with(): 'authors.books' cannot be locked: a lock applies to the rows of the query's own table; lock the related rows with a query of 'books'",
    )
    expect(() => session.query('books').forUpdate().count()).toThrow(/count\(\) on 'books': a locked query cannot be counted/)
  })
})

describe('MariaDB versions', () => {
  test('NOWAIT from 10.3, SKIP LOCKED from 10.6; MySQL 8 and an unknown version have both', () => {
    expect(lockWaits({ kind: 'mariadb', version: [10, 2] })).toEqual({ noWait: false, skipLocked: false })
    expect(lockWaits({ kind: 'mariadb', version: [10, 5] })).toEqual({ noWait: true, skipLocked: false })
    expect(lockWaits({ kind: 'mariadb', version: [10, 6] })).toEqual({ noWait: true, skipLocked: true })
    expect(lockWaits({ kind: 'mariadb', version: [11, 0] })).toEqual({ noWait: true, skipLocked: true })
    expect(lockWaits({ kind: 'mysql', version: [8, 0] })).toEqual({ noWait: true, skipLocked: true })
    expect(lockWaits(undefined)).toEqual({ noWait: true, skipLocked: true })
  })
})
