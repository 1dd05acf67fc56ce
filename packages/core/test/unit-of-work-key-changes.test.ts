/**
 * Primary-key changes (natural keys): the row is found by its old key, the identity map and loaded
 * children follow the new one (`ON UPDATE CASCADE`), relation edits around a rename write the new
 * key, keys that swap move through a temporary key, and rollbacks restore the old keys.
 */
import type { Kysely } from 'kysely'
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { FlushError } from '../src/index.js'
import { stateOf } from '../src/tracking/entity-state.js'
import { schema } from './fixtures/keys.js'
import { emptyTables, normalizeSql } from './fixtures/unit-of-work.js'
import { failure, inside } from './support/session-state.js'

describeEachDialect('unit of work: primary-key changes', (target) => {
  const ctx = target.setup(schema)
  const rows = (name: 'users' | 'addresses' | 'user_tags' | 'items' | 'parts' | 'codes' | 'orders', order = 'id'): Promise<Record<string, any>[]> =>
    (ctx.orm.db as unknown as Kysely<any>).selectFrom(name).selectAll().orderBy(order).execute()
  const statements = () => normalizeSql(ctx.recorder.sql)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  /** jack with two addresses, wendy with one; every object loaded in a fresh session (addresses first). */
  async function seed() {
    const writer = ctx.orm.session()
    const jack = writer.create('users', { username: 'jack', fullname: 'Jack' })
    const wendy = writer.create('users', { username: 'wendy', fullname: 'Wendy' })
    writer.create('addresses', { email: 'jack1', user: jack })
    writer.create('addresses', { email: 'jack2', user: jack })
    writer.create('addresses', { email: 'wendy1', user: wendy })
    await writer.commit()
    const session = ctx.orm.session()
    const [a1, a2, a3] = await session.query('addresses').orderBy('id').all()
    const [u1, u2] = await session.query('users').with({ addresses: true }).orderBy('username').all()
    ctx.recorder.clear()
    return { session, jack: u1!, wendy: u2!, a1: a1!, a2: a2!, a3: a3! }
  }

  test('a renamed key is one UPDATE by the old key; the identity map and loaded children follow without SQL', async () => {
    const { session, jack, a1, a2, a3 } = await seed()
    jack.username = 'ed'
    await session.commit()
    expect(statements()).toEqual(['update "users" set "username" = ? where "username" in (?)'])
    expect(ctx.recorder.queries[0]!.parameters).toEqual(['ed', 'jack'])
    // The database cascaded the key; the session's copies of the children say so, and are not dirty.
    expect([a1.username, a2.username, a3.username]).toEqual(['ed', 'ed', 'wendy'])
    expect(inside(a1).snapshot).toEqual([a1.id, 'jack1', 'ed'])
    ctx.recorder.clear()
    expect(await session.get('users', 'ed')).toBe(jack)
    expect(statements()).toEqual([])
    expect(await session.get('users', 'jack')).toBeUndefined()
    expect(statements()).toHaveLength(1)
    ctx.recorder.clear()
    await session.commit()
    expect(statements()).toEqual([])
    expect((await rows('addresses')).map((r) => r.username)).toEqual(['ed', 'ed', 'wendy'])
    expect(await session.query('addresses').where({ username: 'ed' }).orderBy('id').all()).toEqual([a1, a2])
    expect((await session.query('addresses').where({ username: 'ed' }).orderBy('id').all())[0]).toBe(a1)
  })

  test('relation edits made before and after a rename, and new children, are written with the new key', async () => {
    const { session, jack, wendy, a1, a2, a3 } = await seed()
    jack.addresses.remove(a1)
    jack.username = 'ed'
    jack.addresses.add(a3)
    const a4 = session.create('addresses', { email: 'ed1', user: jack })
    expect(await session.plan()).toEqual([
      { operation: 'update', table: 'users', rows: 1, columns: ['username'] },
      { operation: 'insert', table: 'addresses', rows: 1 },
      { operation: 'update', table: 'addresses', rows: 2, columns: ['username'] },
    ])
    await session.commit()
    expect(statements().map((s) => /^(update|insert into) "\w+"/.exec(s)?.[0])).toEqual(['update "users"', 'insert into "addresses"', 'update "addresses"'])
    expect((await rows('addresses')).map((r) => [r.email, r.username])).toEqual([
      ['jack1', null],
      ['jack2', 'ed'],
      ['wendy1', 'ed'],
      ['ed1', 'ed'],
    ])
    expect([a1.username, a2.username, a3.username, a4.username]).toEqual([null, 'ed', 'ed', 'ed'])
    expect([...jack.addresses]).toEqual([a2, a3, a4])
    expect([...wendy.addresses]).toEqual([])
    ctx.recorder.clear()
    await session.commit()
    expect(statements()).toEqual([])

    // SQLAlchemy's case: the collection emptied, then the key changed.
    jack.addresses.set([])
    jack.username = 'fred'
    await session.commit()
    expect((await rows('addresses')).map((r) => r.username)).toEqual([null, null, null, null])
    expect((await rows('users', 'username')).map((r) => r.username)).toEqual(['fred', 'wendy'])
    expect(await session.get('users', 'fred')).toBe(jack)
  })

  test('a new object may take the key another object gives up in the same flush', async () => {
    const { session, jack, a1 } = await seed()
    jack.username = 'ed'
    const newcomer = session.create('users', { username: 'jack', fullname: 'Another Jack' })
    await session.commit()
    expect(statements().map((s) => s.split(' (')[0])).toEqual(['update "users" set "username" = ? where "username" in', 'insert into "users"'])
    expect((await rows('users', 'username')).map((r) => [r.username, r.fullname])).toEqual([
      ['ed', 'Jack'],
      ['jack', 'Another Jack'],
      ['wendy', 'Wendy'],
    ])
    expect(await session.get('users', 'jack')).toBe(newcomer)
    expect(await session.get('users', 'ed')).toBe(jack)
    expect(a1.username).toBe('ed')
  })

  test('keys that swap move through a temporary key, row by row; versions are checked, children follow', async () => {
    const writer = ctx.orm.session()
    const one = writer.create('items', { id: 1, name: 'one' })
    const two = writer.create('items', { id: 2, name: 'two' })
    const p1 = writer.create('parts', { name: 'p1', item: one })
    const p2 = writer.create('parts', { name: 'p2', item: two })
    await writer.commit()
    ctx.recorder.clear()
    one.id = 2
    two.id = 1
    expect(await writer.plan()).toEqual([
      { operation: 'update', table: 'items', rows: 1, columns: ['id'] },
      { operation: 'update', table: 'items', rows: 1, columns: ['id'] },
      { operation: 'update', table: 'items', rows: 1, columns: ['id'] },
    ])
    await writer.commit()
    expect(statements()).toEqual([
      'select min("id") as low from "items"',
      'update "items" set "id" = ? where "id" in (?)',
      'update "items" set "id" = ?, "version" = "version" + 1 where ("id" = ? and "version" = ?)',
      'update "items" set "id" = ?, "version" = "version" + 1 where ("id" = ? and "version" = ?)',
    ])
    expect(ctx.recorder.queries.slice(1).map((q) => q.parameters)).toEqual([
      [-1, 1],
      [1, 2, 1],
      [2, -1, 1],
    ])
    expect((await rows('items')).map((r) => [r.id, r.name, r.version])).toEqual([
      [1, 'two', 2],
      [2, 'one', 2],
    ])
    expect((await rows('parts')).map((r) => [r.name, r.item_id])).toEqual([
      ['p1', 2],
      ['p2', 1],
    ])
    expect([p1.itemId, p2.itemId]).toEqual([2, 1])
    ctx.recorder.clear()
    expect(await writer.get('items', 1)).toBe(two)
    expect(await writer.get('items', 2)).toBe(one)
    expect(statements()).toEqual([])

    // A chain without a cycle needs no temporary key: the row whose new key is free goes first.
    one.id = 3
    two.id = 2
    await writer.commit()
    expect(statements()).toEqual([
      'update "items" set "id" = ?, "version" = "version" + 1 where ("id" = ? and "version" = ?)',
      'update "items" set "id" = ?, "version" = "version" + 1 where ("id" = ? and "version" = ?)',
    ])
    expect(ctx.recorder.queries.map((q) => q.parameters)).toEqual([
      [3, 2, 2],
      [2, 1, 2],
    ])
    expect((await rows('parts')).map((r) => [r.name, r.item_id])).toEqual([
      ['p1', 3],
      ['p2', 2],
    ])
    expect(await writer.get('items', 3)).toBe(one)
  })

  test('text keys swap through a temporary key; link rows and children follow', async () => {
    const { session, jack, wendy, a1, a3 } = await seed()
    const tag = session.create('tags', { name: 't' })
    jack.tags.add(tag)
    await session.commit()
    ctx.recorder.clear()
    jack.username = 'wendy'
    wendy.username = 'jack'
    await session.commit()
    expect(statements()).toEqual([
      'update "users" set "username" = ? where "username" in (?)',
      'update "users" set "username" = ? where "username" in (?)',
      'update "users" set "username" = ? where "username" in (?)',
    ])
    const temporary = ctx.recorder.queries[0]!.parameters[0] as string
    expect(temporary).toMatch(/^~[0-9a-f]{32}$/)
    expect(ctx.recorder.queries.map((q) => q.parameters)).toEqual([
      [temporary, 'jack'],
      ['jack', 'wendy'],
      ['wendy', temporary],
    ])
    expect((await rows('addresses')).map((r) => r.username)).toEqual(['wendy', 'wendy', 'jack'])
    expect((await rows('user_tags', 'tag_id')).map((r) => r.username)).toEqual(['wendy'])
    expect([a1.username, a3.username]).toEqual(['wendy', 'jack'])
    expect(await session.get('users', 'wendy')).toBe(jack)
    expect(await session.get('users', 'jack')).toBe(wendy)
  })

  test('a composite key change re-keys the identity map', async () => {
    const session = ctx.orm.session()
    const code = session.create('codes', { region: 'eu', code: 1, label: 'one' })
    await session.commit()
    code.code = 2
    await session.commit()
    expect(await rows('codes', 'code')).toEqual([{ region: 'eu', code: 2, label: 'one' }])
    ctx.recorder.clear()
    expect(await session.get('codes', { region: 'eu', code: 2 })).toBe(code)
    expect(statements()).toEqual([])
    expect(await session.get('codes', { region: 'eu', code: 1 })).toBeUndefined()
  })

  test('many-to-many links follow a renamed object; links added and removed after the rename use the new key', async () => {
    const { session, jack } = await seed()
    const [t1, t2, t3] = ['t1', 't2', 't3'].map((name) => session.create('tags', { name }))
    jack.tags.add(t1!)
    jack.tags.add(t2!)
    await session.commit()
    ctx.recorder.clear()
    jack.username = 'ed'
    jack.tags.remove(t1!)
    jack.tags.add(t3!)
    await session.commit()
    expect(statements().map((s) => s.split(' (')[0])).toEqual(['update "users" set "username" = ? where "username" in', 'insert into "user_tags"', 'delete from "user_tags" where'])
    expect((await rows('user_tags', 'tag_id')).map((r) => [r.username, r.tag_id])).toEqual([
      ['ed', t2!.id],
      ['ed', t3!.id],
    ])
    expect([...t2!.users]).toEqual([jack])
  })

  test('without ON UPDATE CASCADE the database refuses to rename a referenced key (nothing written, the session as before); rows moved away in the same flush go first', async () => {
    const { session, jack, a1 } = await seed()
    const order = session.create('orders', { item: 'book', user: jack })
    await session.commit()
    jack.username = 'ed'
    const before = [jack, a1, order].map(inside)
    const error = await failure(session.flush())
    expect(error).toBeInstanceOf(FlushError)
    expect(error).toMatchObject({ table: 'users' })
    expect(error.message).toContain('orders_username_fkey')
    expect([jack, a1, order].map(inside)).toEqual(before)
    expect((await rows('users', 'username')).map((r) => r.username)).toEqual(['jack', 'wendy'])
    ctx.recorder.clear()
    expect(await session.get('users', 'jack')).toBe(jack)
    expect(statements()).toEqual([])
    // Rows moved away from it in the same flush are written first, so the rename goes through.
    order.user = null
    ctx.recorder.clear()
    await session.flush()
    expect(statements()).toEqual(['update "orders" set "username" = ? where "id" in (?)', 'update "users" set "username" = ? where "username" in (?)'])
    expect(await session.get('users', 'ed')).toBe(jack)
    expect((await rows('orders')).map((r) => r.username)).toEqual([null])
  })

  test('a rolled-back transaction restores the old keys in the identity map, and the children\'s', async () => {
    const { jack, a1 } = await seed()
    const failed = ctx.orm.transaction(async (session) => {
      const user = (await session.get('users', 'jack'))!
      const [address] = await session.query('addresses').where({ username: 'jack' }).orderBy('id').all()
      user.username = 'ed'
      await session.flush()
      expect(address!.username).toBe('ed')
      expect(await session.get('users', 'ed')).toBe(user)
      // Inside a savepoint too.
      await session
        .transaction(async () => {
          user.username = 'fred'
          await session.flush()
          expect(await session.get('users', 'fred')).toBe(user)
          throw new Error('inner')
        })
        .catch(() => undefined)
      expect(user.username).toBe('ed')
      ctx.recorder.clear()
      expect(await session.get('users', 'ed')).toBe(user)
      expect(statements()).toEqual([])
      throw Object.assign(new Error('undo'), { user, address })
    })
    const error = (await failure(failed)) as Error & { user: typeof jack; address: typeof a1 }
    expect(error.message).toBe('undo')
    const { user, address } = error
    expect(user.username).toBe('jack')
    expect(address.username).toBe('jack')
    expect(stateOf(user)!.identityKey).toBe('jack')
    expect(stateOf(address)!.snapshot).toEqual([address.id, 'jack1', 'jack'])
    expect((await rows('users', 'username')).map((r) => r.username)).toEqual(['jack', 'wendy'])
  })

  test('session.rollback() forgets an unflushed rename; the identity map never moved', async () => {
    const { session, jack } = await seed()
    jack.username = 'ed'
    await session.rollback()
    expect(jack.username).toBe('jack')
    expect(await session.get('users', 'jack')).toBe(jack)
    expect(statements()).toEqual([])
  })
})
