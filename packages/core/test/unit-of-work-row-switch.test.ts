/**
 * The replace pattern: deleting an object and creating one with its primary key in the same flush
 * is one UPDATE of that row (SQLAlchemy's row switch), not an INSERT that meets the old key.
 */
import type { Kysely } from 'kysely'
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { StaleObjectError } from '../src/index.js'
import { stateOf } from '../src/tracking/entity-state.js'
import { schema } from './fixtures/keys.js'
import { emptyTables, normalizeSql, returningClause } from './fixtures/unit-of-work.js'
import { failure, inside } from './support/session-state.js'

describeEachDialect('unit of work: row switch', (target) => {
  const ctx = target.setup(schema)
  const rows = (name: 'users' | 'addresses' | 'user_tags' | 'items' | 'parts' | 'codes' | 'orders', order = 'id'): Promise<Record<string, any>[]> =>
    (ctx.orm.db as unknown as Kysely<any>).selectFrom(name).selectAll().orderBy(order).execute()
  const statements = () => normalizeSql(ctx.recorder.sql)
  const returning = returningClause(target)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  test('delete and create with the same key: one UPDATE of what differs, the old version checked; the new object takes the identity', async () => {
    const session = ctx.orm.session()
    const old = session.create('items', { id: 1, name: 'one', note: 'first' })
    const kept = session.create('items', { id: 2, name: 'two' })
    await session.commit()
    ctx.recorder.clear()
    session.delete(old)
    const replacement = session.create('items', { id: 1, name: 'uno' })
    expect(await session.plan()).toEqual([{ operation: 'update', table: 'items', rows: 1, columns: ['name', 'note'] }])
    await session.commit()
    expect(statements()).toEqual(['update "items" set "name" = ?, "note" = ?, "version" = "version" + 1 where ("id" = ? and "version" = ?)'])
    // The note the new object left out is NULL, as its INSERT would have written.
    expect(ctx.recorder.queries[0]!.parameters).toEqual(['uno', null, 1, 1])
    expect(await rows('items')).toEqual([
      { id: 1, name: 'uno', note: null, version: 2 },
      { id: 2, name: 'two', note: null, version: 1 },
    ])
    expect({ ...replacement }).toEqual({ id: 1, name: 'uno', note: null, version: 2 })
    expect(inside(replacement).status).toBe('persistent')
    expect(inside(old).status).toBe('detached')
    ctx.recorder.clear()
    expect(await session.get('items', 1)).toBe(replacement)
    expect(await session.get('items', 2)).toBe(kept)
    expect(statements()).toEqual([])
    await session.commit()
    expect(statements()).toEqual([])
    replacement.name = 'eins'
    await session.commit()
    expect((await rows('items'))[0]).toEqual({ id: 1, name: 'eins', note: null, version: 3 })
  })

  test('the replaced row was changed by someone else: StaleObjectError, nothing written, the session as before', async () => {
    const session = ctx.orm.session()
    const old = session.create('items', { id: 1, name: 'one' })
    await session.commit()
    await ctx.orm.db.updateTable('items').set({ name: 'theirs', version: 2 }).execute()
    session.delete(old)
    const replacement = session.create('items', { id: 1, name: 'uno' })
    const before = [old, replacement].map(inside)
    const error = await failure(session.flush())
    expect(error).toBeInstanceOf(StaleObjectError)
    expect([old, replacement].map(inside)).toEqual(before)
    expect(await rows('items')).toEqual([{ id: 1, name: 'theirs', note: null, version: 2 }])
    expect(await session.get('items', 1)).toBe(old)
  })

  test('children of the replaced object: a delete cascade deletes them (a passive one too), others are unlinked; the new object\'s children stay', async () => {
    const writer = ctx.orm.session()
    const jack = writer.create('users', { username: 'jack', fullname: 'Jack' })
    writer.create('addresses', { email: 'old address', user: jack })
    writer.create('orders', { item: 'old order', user: jack })
    const item = writer.create('items', { id: 7, name: 'seven' })
    writer.create('parts', { name: 'old part', item })
    await writer.commit()

    const session = ctx.orm.session()
    const oldJack = (await session.get('users', 'jack'))!
    const oldItem = (await session.get('items', 7))!
    session.delete(oldJack)
    session.delete(oldItem)
    const newJack = session.create('users', { username: 'jack', fullname: 'Jack II' })
    const address = session.create('addresses', { email: 'new address', user: newJack })
    const newItem = session.create('items', { id: 7, name: 'seven' })
    const part = session.create('parts', { name: 'new part', item: newItem })
    ctx.recorder.clear()
    await session.commit()
    // The row is not deleted, so the database's ON DELETE does nothing: the old object's relations
    // are loaded (its parts' passive cascade too) and handled as for a delete.
    expect(statements()).toEqual([
      'select "t1"."id", "t1"."email", "t1"."username" from "addresses" as "t1" where "t1"."username" in (?) order by "t1"."id" asc',
      'select "t1"."id", "t1"."item", "t1"."username" from "orders" as "t1" where "t1"."username" in (?) order by "t1"."id" asc',
      'select "t1"."id", "t1"."name", "t1"."item_id" from "parts" as "t1" where "t1"."item_id" in (?) order by "t1"."id" asc',
      'delete from "user_tags" where "username" in (?)',
      `insert into "addresses" ("email", "username") values (?, ?)${returning('id')}`,
      `insert into "parts" ("name", "item_id") values (?, ?)${returning('id')}`,
      'update "users" set "fullname" = ? where "username" in (?)',
      'update "orders" set "username" = ? where "id" in (?)',
      'update "items" set "version" = "version" + 1 where ("id" = ? and "version" = ?)',
      `delete from "parts" where "id" in (?)${returning('id')}`,
      `delete from "addresses" where "id" in (?)${returning('id')}`,
    ])
    expect((await rows('addresses')).map((r) => [r.email, r.username])).toEqual([['new address', 'jack']])
    expect((await rows('orders')).map((r) => [r.item, r.username])).toEqual([['old order', null]])
    expect((await rows('parts')).map((r) => [r.name, r.item_id])).toEqual([['new part', 7]])
    expect([...newJack.addresses]).toEqual([address])
    expect([...newItem.parts]).toEqual([part])
    expect(await session.get('users', 'jack')).toBe(newJack)
    expect(await session.get('items', 7)).toBe(newItem)
  })

  test('many-to-many links of the replaced object are deleted before the new object\'s are written', async () => {
    const session = ctx.orm.session()
    const jack = session.create('users', { username: 'jack', fullname: 'Jack' })
    const [t1, t2] = ['t1', 't2'].map((name) => session.create('tags', { name }))
    jack.tags.add(t1!)
    jack.tags.add(t2!)
    await session.commit()
    await session.load(t1!, 'users')
    ctx.recorder.clear()
    session.delete(jack)
    const newJack = session.create('users', { username: 'jack', fullname: 'Jack' })
    newJack.tags.add(t2!)
    await session.commit()
    expect(statements()).toEqual(['delete from "user_tags" where "username" in (?)', 'insert into "user_tags" ("username", "tag_id") values (?, ?)'])
    expect((await rows('user_tags', 'tag_id')).map((r) => [r.username, r.tag_id])).toEqual([['jack', t2!.id]])
    expect([...t1!.users]).toEqual([])
    expect([...t2!.users]).toEqual([newJack])
  })

  test('a composite key: the new object takes the row', async () => {
    const session = ctx.orm.session()
    const old = session.create('codes', { region: 'eu', code: 1, label: 'one' })
    await session.commit()
    session.delete(old)
    const replacement = session.create('codes', { region: 'eu', code: 1, label: 'uno' })
    ctx.recorder.clear()
    await session.commit()
    expect(statements()).toEqual(['update "codes" set "label" = ? where ("region" = ? and "code" = ?)'])
    expect(await rows('codes', 'code')).toEqual([{ region: 'eu', code: 1, label: 'uno' }])
    expect(await session.get('codes', { region: 'eu', code: 1 })).toBe(replacement)
  })

  test('a rolled-back transaction gives the row back to the old object; the new one leaves the session', async () => {
    const session = ctx.orm.session()
    const old = session.create('items', { id: 1, name: 'one' })
    await session.commit()
    let replacement: typeof old | undefined
    const failed = session.transaction(async () => {
      session.delete(old)
      replacement = session.create('items', { id: 1, name: 'uno' })
      await session.flush()
      expect(await session.get('items', 1)).toBe(replacement)
      throw new Error('undo')
    })
    expect((await failure(failed)).message).toBe('undo')
    expect(inside(old).status).toBe('persistent')
    expect(stateOf(replacement!)!.status).toBe('transient')
    ctx.recorder.clear()
    expect(await session.get('items', 1)).toBe(old)
    expect(statements()).toEqual([])
    expect(await rows('items')).toEqual([{ id: 1, name: 'one', note: null, version: 1 }])
  })

  test('nothing differs: no statement, the identity moves to the new object', async () => {
    const session = ctx.orm.session()
    const old = session.create('codes', { region: 'eu', code: 1, label: 'one' })
    await session.commit()
    session.delete(old)
    const replacement = session.create('codes', { region: 'eu', code: 1, label: 'one' })
    expect(await session.plan()).toEqual([])
    ctx.recorder.clear()
    await session.commit()
    expect(statements()).toEqual([])
    expect(await session.get('codes', { region: 'eu', code: 1 })).toBe(replacement)
    expect(inside(old).status).toBe('detached')
    expect(inside(replacement)).toMatchObject({ status: 'persistent', values: { region: 'eu', code: 1, label: 'one' } })
  })
})
