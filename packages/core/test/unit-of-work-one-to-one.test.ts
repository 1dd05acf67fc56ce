/** One-to-one, both sides: an object taken by another owner leaves its previous one, the replaced object gives up its unique key before the new one takes it, and a re-parented object is not an orphan. */
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { schema } from './fixtures/relation-sync.js'
import { emptyTables, normalizeSql, returningClause } from './fixtures/unit-of-work.js'

describeEachDialect('unit of work: one-to-one', (target) => {
  const ctx = target.setup(schema)
  const ret = returningClause(target)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const addressRows = () => ctx.orm.db.selectFrom('addresses').select(['id', 'street', 'user_id']).orderBy('id').execute()
  const passportRows = () => ctx.orm.db.selectFrom('passports').select(['id', 'number', 'holder_id']).orderBy('id').execute()
  /** Statements that write, in order (reads of relations the flush needs are left out). */
  const writes = () => normalizeSql(ctx.recorder.sql).filter((s) => !s.startsWith('select'))

  /** U1 lives at One, U2 at Two; each holds a passport (P1, P2). Read back in a fresh session, nothing loaded. */
  async function seed() {
    const s = ctx.orm.session()
    const u1 = s.create('people', { name: 'U1' })
    const u2 = s.create('people', { name: 'U2' })
    s.create('addresses', { street: 'One', user: u1 })
    s.create('addresses', { street: 'Two', user: u2 })
    s.create('passports', { number: 'P1', holder: u1 })
    s.create('passports', { number: 'P2', holder: u2 })
    await s.commit()
    const session = ctx.orm.session()
    const [x1, x2] = await session.query('people').orderBy('id').all()
    ctx.recorder.clear()
    return { session, u1: x1!, u2: x2! }
  }

  for (const loaded of [true, false]) {
    const how = loaded ? 'loaded' : 'not loaded'
    test(`assigning from the inverse side moves the object from its previous owner, and the replaced object's key is set to NULL first (owners ${how})`, async () => {
      const { session, u1, u2 } = await seed()
      const [a1, a2] = await session.query('addresses').orderBy('id').all()
      if (loaded) await Promise.all([session.load(u1, 'address'), session.load(u2, 'address')])
      ctx.recorder.clear()

      u2.address = a1!
      expect(a1!.user).toBe(u2)
      if (loaded) {
        expect(session.isLoaded(u1, 'address') && u1.address).toBeNull()
        expect(session.isLoaded(a2!, 'user') && a2!.user).toBeNull()
      }
      await session.commit()
      expect(writes()).toEqual([
        'update "addresses" set "user_id" = ? where "id" in (?)',
        'update "addresses" set "user_id" = ? where "id" in (?)',
      ])
      expect(await addressRows()).toEqual([
        { id: a1!.id, street: 'One', user_id: u2.id },
        { id: a2!.id, street: 'Two', user_id: null },
      ])
      expect((await session.load(u1, 'address')).address).toBeNull()
      expect((await session.load(u2, 'address')).address).toBe(a1)
      expect(a2!.userId).toBeNull()
    })

    test(`assigning from the owning side moves the object, and the owner's previous object gives up the unique key before the new row takes it (owners ${how})`, async () => {
      const { session, u1, u2 } = await seed()
      const [a1, a2] = await session.query('addresses').orderBy('id').all()
      if (loaded) await Promise.all([session.load(u1, 'address'), session.load(u2, 'address')])
      ctx.recorder.clear()

      a2!.user = u1
      if (loaded) {
        expect(u1.address).toBe(a2)
        expect(u2.address).toBeNull()
        expect(session.isLoaded(a1!, 'user') && a1!.user).toBeNull()
      }
      await session.commit()
      expect(writes()).toEqual(['update "addresses" set "user_id" = ? where "id" in (?)', 'update "addresses" set "user_id" = ? where "id" in (?)'])
      expect(await addressRows()).toEqual([
        { id: a1!.id, street: 'One', user_id: null },
        { id: a2!.id, street: 'Two', user_id: u1.id },
      ])
      expect(a1!.userId).toBeNull()
      expect((await session.load(u1, 'address')).address).toBe(a2)
      expect((await session.load(u2, 'address')).address).toBeNull()

      // A new row takes the key: the previous one gives it up first.
      ctx.recorder.clear()
      const a3 = session.create('addresses', { street: 'Three', user: u1 })
      expect(u1.address).toBe(a3)
      expect(session.isLoaded(a2!, 'user') && a2!.user).toBeNull()
      await session.commit()
      expect(writes()).toEqual(['update "addresses" set "user_id" = ? where "id" in (?)', `insert into "addresses" ("street", "user_id") values (?, ?)${ret('id')}`])
      expect(await addressRows()).toEqual([
        { id: a1!.id, street: 'One', user_id: null },
        { id: a2!.id, street: 'Two', user_id: null },
        { id: a3.id, street: 'Three', user_id: u1.id },
      ])
    })

    test(`under delete-orphan the replaced object is deleted before the new row takes its key (owners ${how})`, async () => {
      const { session, u1 } = await seed()
      if (loaded) await session.load(u1, 'passport')
      ctx.recorder.clear()
      const p3 = session.create('passports', { number: 'P3', holder: u1 })
      await session.commit()
      expect(writes()).toEqual([`delete from "passports" where "id" in (?)${ret('id')}`, `insert into "passports" ("number", "holder_id") values (?, ?)${ret('id')}`])
      expect((await passportRows()).map((r) => [r.number, r.holder_id])).toEqual([
        ['P2', (await passportRows())[0]!.holder_id],
        ['P3', u1.id],
      ])
      expect((await session.load(u1, 'passport')).passport).toBe(p3)
    })
  }

  test('delete(p1); p2.passport = c1 under delete-orphan moves c1 instead of deleting it, and p2\'s own passport goes first', async () => {
    const { session, u1, u2 } = await seed()
    const [c1, c2] = await session.query('passports').orderBy('id').all()
    ctx.recorder.clear()
    session.delete(u1)
    u2.passport = c1!
    await session.commit()
    expect(writes()).toEqual([
      `delete from "passports" where "id" in (?)${ret('id')}`,
      'update "passports" set "holder_id" = ? where "id" in (?)',
      'update "addresses" set "user_id" = ? where "user_id" in (?)',
      `delete from "people" where "id" in (?)${ret('id')}`,
    ])
    expect(await passportRows()).toEqual([{ id: c1!.id, number: 'P1', holder_id: u2.id }])
    expect(await session.get('passports', c2!.id)).toBeUndefined()
    expect(u2.passport).toBe(c1)
    expect(c1!.holderId).toBe(u2.id)
  })
})
