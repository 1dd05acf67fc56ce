/** Every UPDATE and DELETE by key checks its row count: rows deleted or changed behind the session's back fail the flush with StaleObjectError. */
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { createPool } from 'mysql2'
import { mariadbTestServer } from '@relata/test-kit/servers'
import { describeEachDialect, type TargetDialectOptions, type TestTarget } from '@relata/test-kit/targets'
import { createOrm, StaleObjectError, type Orm } from '../src/index.js'
import { mysql } from '../src/dialect/mysql/mysql.js'
import { schema } from './fixtures/row-counts.js'
import { emptyTables, normalizeSql } from './fixtures/unit-of-work.js'
import { failure, inside } from './support/session-state.js'

const stale = (error: Error) => {
  expect(error).toBeInstanceOf(StaleObjectError)
  const { table, keys } = error as StaleObjectError
  return { message: error.message, table, keys }
}

function rowCountSuite(target: TestTarget, dialect: Omit<TargetDialectOptions, 'database'> = {}) {
  const ctx = target.setup(schema, { dialect })
  const returning = target.family === 'postgres' || dialect.returning !== false

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const itemRows = () => ctx.orm.db.selectFrom('rc_item').select(['id', 'label']).orderBy('id').execute()
  const linkRows = async () =>
    (await ctx.orm.db.selectFrom('rc_post_tag').select(['post_id', 'tag_id', 'role']).orderBy('post_id').orderBy('tag_id').execute()).map((r) => [r.post_id, r.tag_id, r.role])
  const verbs = () => normalizeSql(ctx.recorder.sql).map((s) => s.split(' ')[0])

  async function seedItems() {
    const setup = ctx.orm.session()
    for (const label of ['a', 'b', 'c']) setup.create('items', { label })
    await setup.commit()
    const session = ctx.orm.session()
    const [x, y, z] = await session.query('items').orderBy('id').all()
    return { session, x: x!, y: y!, z: z! }
  }

  test('an UPDATE (one value for every row) of a row deleted behind the session fails, names it, and writes nothing', async () => {
    const { session, x, y, z } = await seedItems()
    await ctx.orm.db.deleteFrom('rc_item').where('id', '=', y.id).execute()
    x.label = 'same'
    y.label = 'same'
    const fresh = session.create('items', { label: 'new' })
    const memory = [x, y, z, fresh].map(inside)
    ctx.recorder.clear()
    const error = stale(await failure(session.flush()))
    expect(error).toEqual({
      message: `items: 1 of 2 row(s) to update were changed or deleted by someone else since they were loaded: rc_item id=${y.id}; nothing of this flush was written`,
      table: 'rc_item',
      keys: [{ id: y.id }],
    })
    // The insert (MySQL 8: read back), the update that fell short, the look-up of the rows missing.
    expect(verbs()).toEqual(returning ? ['insert', 'update', 'select'] : ['select', 'insert', 'select', 'update', 'select'])
    expect([x, y, z, fresh].map(inside)).toEqual(memory)
    expect(await itemRows()).toEqual([
      { id: x.id, label: 'a' },
      { id: z.id, label: 'c' },
    ])
  })

  test('a batched UPDATE with values per row (VALUES / UNION ALL) of rows deleted behind the session fails and names them', async () => {
    const { session, x, y, z } = await seedItems()
    await ctx.orm.db.deleteFrom('rc_item').where('id', 'in', [x.id, z.id]).execute()
    x.label = 'x2'
    y.label = 'y2'
    z.label = 'z2'
    const error = stale(await failure(session.flush()))
    expect(error.message).toBe(
      `items: 2 of 3 row(s) to update were changed or deleted by someone else since they were loaded: rc_item id=${x.id}, id=${z.id}; nothing of this flush was written`,
    )
    expect(error.keys).toEqual([{ id: x.id }, { id: z.id }])
    expect(await itemRows()).toEqual([{ id: y.id, label: 'b' }])
    // A fresh session writes what is still there.
    const again = ctx.orm.session()
    const left = (await again.get('items', y.id))!
    left.label = 'y2'
    await again.commit()
    expect(await itemRows()).toEqual([{ id: y.id, label: 'y2' }])
  })

  test('a DELETE of a row already deleted behind the session fails and names it', async () => {
    const { session, x, y, z } = await seedItems()
    await ctx.orm.db.deleteFrom('rc_item').where('id', '=', z.id).execute()
    x.label = 'edited'
    session.delete(y)
    session.delete(z)
    const memory = [x, y, z].map(inside)
    const error = stale(await failure(session.flush()))
    const named = returning ? `rc_item id=${z.id}` : 'rc_item the database cannot tell which'
    expect(error.message).toBe(`items: 1 of 2 row(s) to delete were changed or deleted by someone else since they were loaded: ${named}; nothing of this flush was written`)
    expect(error.keys).toEqual(returning ? [{ id: z.id }] : [])
    expect([x, y, z].map(inside)).toEqual(memory)
    expect(await itemRows()).toEqual([
      { id: x.id, label: 'a' },
      { id: y.id, label: 'b' },
    ])
  })

  test('keys unset before deleting rows of a self-referencing table: a row gone behind the session fails the flush', async () => {
    const setup = ctx.orm.session()
    const root = setup.create('nodes', { name: 'root' })
    setup.create('nodes', { name: 'leaf', parent: root })
    await setup.commit()
    const session = ctx.orm.session()
    const [r, l] = await session.query('nodes').orderBy('id').with({ children: true }).all()
    await ctx.orm.db.deleteFrom('rc_node').where('id', '=', l!.id).execute()
    session.delete(r!)
    session.delete(l!)
    ctx.recorder.clear()
    const error = stale(await failure(session.flush()))
    expect(error.message).toBe(
      `nodes: 1 of 1 row(s) to update were changed or deleted by someone else since they were loaded: rc_node id=${l!.id}; nothing of this flush was written`,
    )
    expect(normalizeSql(ctx.recorder.sql)[0]).toBe('update "rc_node" set "parent_id" = ? where "id" in (?)')
    expect(await ctx.orm.db.selectFrom('rc_node').select('name').execute()).toEqual([{ name: 'root' }])
  })

  async function seedPost() {
    const setup = ctx.orm.session()
    const p = setup.create('posts', { title: 'P' })
    const t1 = setup.create('tags', { name: 't1' })
    const t2 = setup.create('tags', { name: 't2' })
    p.tags.add(t1)
    p.tags.add(t2, { role: 'main' })
    await setup.commit()
    return { ids: { p: p.id, t1: t1.id, t2: t2.id } }
  }

  test('removing a link from a loaded collection whose row is already gone fails, as SQLAlchemy\'s many-to-many does', async () => {
    const { ids } = await seedPost()
    const session = ctx.orm.session()
    const post = await session.query('posts').with({ tags: (q) => q.orderBy('id') }).one()
    const [t1, t2] = post.tags
    await ctx.orm.db.deleteFrom('rc_post_tag').where('tag_id', '=', ids.t1).execute()
    post.tags.remove(t1!)
    post.tags.remove(t2!)
    post.title = 'P2'
    const error = stale(await failure(session.flush()))
    const named = returning ? `rc_post_tag (post_id=${ids.p}, tag_id=${ids.t1})` : 'rc_post_tag the database cannot tell which'
    expect(error.message).toBe(`postTags: 1 of 2 link row(s) to delete were changed or deleted by someone else since they were loaded: ${named}; nothing of this flush was written`)
    expect(error.keys).toEqual(returning ? [{ post_id: ids.p, tag_id: ids.t1 }] : [])
    expect(await linkRows()).toEqual([[ids.p, ids.t2, 'main']])
    expect(await ctx.orm.db.selectFrom('rc_post').select('title').execute()).toEqual([{ title: 'P' }])
  })

  test('removing a link through an unloaded collection deletes the row if there is one, and is no error if there is none', async () => {
    const { ids } = await seedPost()
    await ctx.orm.db.deleteFrom('rc_post_tag').where('tag_id', '=', ids.t1).execute()
    const session = ctx.orm.session()
    const post = (await session.get('posts', ids.p))!
    const [t1, t2] = await session.query('tags').orderBy('id').all()
    post.tags.remove(t1!)
    post.tags.remove(t2!)
    await session.commit()
    expect(await linkRows()).toEqual([])
  })

  test('updating the values of a link whose row is gone fails and names it', async () => {
    const { ids } = await seedPost()
    const session = ctx.orm.session()
    const post = await session.query('posts').with({ tags: (q) => q.orderBy('id') }).one()
    await ctx.orm.db.deleteFrom('rc_post_tag').where('tag_id', '=', ids.t2).execute()
    post.tags.add(post.tags[1]!, { role: 'second' })
    const error = stale(await failure(session.flush()))
    expect(error.message).toBe(
      `postTags: 1 of 1 link row(s) to update were changed or deleted by someone else since they were loaded: rc_post_tag (post_id=${ids.p}, tag_id=${ids.t2}); nothing of this flush was written`,
    )
    expect(await linkRows()).toEqual([[ids.p, ids.t1, null]])
  })

  test('a version-checked UPDATE names the rows deleted or changed since they were loaded', async () => {
    const setup = ctx.orm.session()
    for (const body of ['f1', 'f2', 'f3']) setup.create('forms', { body })
    await setup.commit()
    const session = ctx.orm.session()
    const [f1, f2, f3] = await session.query('forms').orderBy('id').all()
    await ctx.orm.db.deleteFrom('rc_form').where('id', '=', f1!.id).execute()
    await ctx.orm.db.updateTable('rc_form').set({ body: 'other', version: 7 }).where('id', '=', f3!.id).execute()
    for (const f of [f1!, f2!, f3!]) f.body = `${f.body}!`
    const error = stale(await failure(session.flush()))
    expect(error.message).toBe(
      `forms: 2 of 3 row(s) to update were changed or deleted by someone else since they were loaded (version check on rc_form.version): rc_form id=${f1!.id}, id=${f3!.id}; nothing of this flush was written`,
    )
  })
}

describeEachDialect('unit of work: row counts', (target) => rowCountSuite(target))
describeEachDialect('unit of work: row counts, MySQL 8 path (no RETURNING)', (target) => rowCountSuite(target, { returning: false }), { only: ['mariadb'] })

describeEachDialect(
  'unit of work: MariaDB UPDATE row counts are matched rows, not changed rows',
  (target) => {
    /** A row set to the value it already holds is matched but not changed: the flush must not call it stale. */
    async function sameValueUpdates(orm: Orm<typeof schema>) {
      await emptyTables(orm)
      const setup = orm.session()
      for (const label of ['a', 'b']) setup.create('items', { label })
      await setup.commit()
      const session = orm.session()
      const [x, y] = await session.query('items').orderBy('id').all()
      await orm.db.updateTable('rc_item').set({ label: 'same' }).execute()
      x!.label = 'same'
      y!.label = 'same'
      await session.commit()
      await orm.db.updateTable('rc_item').set({ label: 'x' }).where('id', '=', x!.id).execute()
      x!.label = 'x'
      y!.label = 'y'
      await session.commit()
      expect(await orm.db.selectFrom('rc_item').select('label').orderBy('id').execute()).toEqual([{ label: 'x' }, { label: 'y' }])
    }

    let database: string
    beforeAll(async () => {
      database = await mariadbTestServer.createDatabase()
    })
    afterAll(async () => {
      await mariadbTestServer.dropDatabase(database)
    })

    test('on a pool Relata creates, even when the options given turn FOUND_ROWS off', async () => {
      const orm = createOrm({ schema, dialect: mysql({ uri: mariadbTestServer.url(database), flags: ['-FOUND_ROWS'] }) })
      try {
        await orm.createTables()
        await sameValueUpdates(orm)
      } finally {
        await orm.dropTables()
        await orm.destroy()
      }
    })

    test('on a pool passed in without FOUND_ROWS (read from the server\'s "Rows matched")', async () => {
      const pool = createPool({ uri: mariadbTestServer.url(database), flags: ['-FOUND_ROWS'] })
      const orm = createOrm({ schema, dialect: mysql(pool) })
      try {
        await orm.createTables()
        await sameValueUpdates(orm)
      } finally {
        await orm.dropTables()
        await orm.destroy()
      }
    })
  },
  { only: ['mariadb'] },
)
