/** Rows made only of database defaults insert on every database; a version the user assigns is written as given. */
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect, type TargetDialectOptions, type TestTarget } from '@relata/test-kit/targets'
import { StaleObjectError } from '../src/index.js'
import { schema } from './fixtures/row-counts.js'
import { emptyTables, normalizeSql, returningClause } from './fixtures/unit-of-work.js'
import { failure } from './support/session-state.js'

function defaultRowsSuite(target: TestTarget, dialect: Omit<TargetDialectOptions, 'database'> = {}) {
  const ctx = target.setup(schema, { dialect })
  const returning = returningClause(dialect.returning === false ? { family: 'mysql', name: 'mysql8' } : target)
  const postgres = target.family === 'postgres'

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const markRows = () => ctx.orm.db.selectFrom('rc_mark').selectAll().orderBy('id').execute()

  test('a new row with only database defaults inserts: DEFAULT VALUES on PostgreSQL, () VALUES () on MariaDB', async () => {
    const session = ctx.orm.session()
    const mark = session.create('marks', {})
    await session.commit()
    const insert = normalizeSql(ctx.recorder.sql).find((s) => s.startsWith('insert'))
    expect(insert).toBe(postgres ? `insert into "rc_mark" default values${returning('id', 'seen', 'note')}` : `insert into "rc_mark" () values ()${returning('id', 'seen', 'note')}`)
    expect(await markRows()).toEqual([{ id: mark.id, seen: false, note: null }])
    expect(mark).toMatchObject({ seen: false, note: null })
    expect(typeof mark.id).toBe('number')
  })

  test('several rows of defaults in one batch, each object given its generated key', async () => {
    const session = ctx.orm.session()
    const marks = [session.create('marks', {}), session.create('marks', {}), session.create('marks', {})]
    await session.commit()
    const inserts = normalizeSql(ctx.recorder.sql).filter((s) => s.startsWith('insert'))
    expect(inserts).toEqual([
      postgres
        ? `insert into "rc_mark" ("id") values (default), (default), (default)${returning('id', 'seen', 'note')}`
        : `insert into "rc_mark" () values (), (), ()${returning('id', 'seen', 'note')}`,
    ])
    const rows = await markRows()
    expect(rows.map((r) => r.id)).toEqual(marks.map((m) => m.id))
    expect(new Set(marks.map((m) => m.id)).size).toBe(3)
    expect(rows.every((r) => r.seen === false && r.note === null)).toBe(true)
  })

  test('rows of defaults mixed with rows that have values, in one batch', async () => {
    const session = ctx.orm.session()
    const plain = session.create('marks', {})
    const noted = session.create('marks', { note: 'n' })
    await session.commit()
    expect(await markRows()).toEqual([
      { id: plain.id, seen: false, note: null },
      { id: noted.id, seen: false, note: 'n' },
    ])
  })

  test('a version the user assigns is written as given, and the loaded version is still checked', async () => {
    const setup = ctx.orm.session()
    setup.create('forms', { body: 'f1' })
    await setup.commit()
    const session = ctx.orm.session()
    const f1 = (await session.query('forms').one())!
    expect(f1.version).toBe(1)
    f1.version = 4
    f1.body = 'edited'
    ctx.recorder.clear()
    await session.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual(['update "rc_form" set "body" = ?, "version" = ? where ("id" = ? and "version" = ?)'])
    expect(ctx.recorder.queries[0]!.parameters).toEqual(['edited', 4, f1.id, 1])
    expect(f1.version).toBe(4)
    expect(await ctx.orm.db.selectFrom('rc_form').select(['body', 'version']).execute()).toEqual([{ body: 'edited', version: 4 }])

    // Counting goes on from the assigned value.
    f1.body = 'again'
    await session.commit()
    expect(f1.version).toBe(5)

    // An assigned version does not skip the check against the version loaded.
    await ctx.orm.db.updateTable('rc_form').set({ version: 9 }).execute()
    f1.version = 20
    const error = await failure(session.flush())
    expect(error).toBeInstanceOf(StaleObjectError)
    expect(error.message).toBe(
      `forms: 1 of 1 row(s) to update were changed or deleted by someone else since they were loaded (version check on rc_form.version): rc_form id=${f1.id}; nothing of this flush was written`,
    )
    expect(f1.version).toBe(20)
    expect(await ctx.orm.db.selectFrom('rc_form').select(['body', 'version']).execute()).toEqual([{ body: 'again', version: 9 }])
  })
}

describeEachDialect('unit of work: rows of defaults, assigned versions', (target) => defaultRowsSuite(target))
describeEachDialect('unit of work: rows of defaults, MySQL 8 path (no RETURNING)', (target) => defaultRowsSuite(target, { returning: false }), { only: ['mariadb'] })
