/** Foreign-key columns and relations agree: a key written directly moves the object between loaded relations; a relation assignment wins over a key written in the same flush; keys to a unique non-primary column. */
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { schema } from './fixtures/relation-sync.js'
import { emptyTables, normalizeSql, returningClause } from './fixtures/unit-of-work.js'

describeEachDialect('unit of work: foreign-key columns and relations', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const rows = (table: string, columns: string[]) =>
    (ctx.orm.db as any).selectFrom(table).select(columns).orderBy(columns[0]).execute() as Promise<Record<string, unknown>[]>

  /** Ann with two pets, Bob with none; read back in a fresh session. */
  async function seedPets() {
    const s = ctx.orm.session()
    const ann = s.create('people', { name: 'Ann' })
    s.create('people', { name: 'Bob' })
    s.create('pets', { name: 'Rex', owner: ann })
    s.create('pets', { name: 'Tom', owner: ann })
    await s.commit()
    const session = ctx.orm.session()
    const [a, b] = await session.query('people').orderBy('id').all()
    const [rex, tom] = await session.query('pets').orderBy('id').all()
    ctx.recorder.clear()
    return { session, ann: a!, bob: b!, rex: rex!, tom: tom! }
  }

  test('a foreign key written directly moves the object between loaded collections, and a cascade delete of the old parent leaves it', async () => {
    const seeded = await seedPets()
    const { session, rex, tom } = seeded
    const [ann, bob] = await Promise.all([session.load(seeded.ann, 'pets'), session.load(seeded.bob, 'pets')])
    await session.load(rex, 'owner')
    expect([...ann.pets]).toEqual([rex, tom])
    ctx.recorder.clear()

    rex.ownerId = bob.id
    session.delete(ann)
    await session.commit()
    // (Ann's passport is loaded for its delete cascade; her address, if any, is unlinked.)
    expect(normalizeSql(ctx.recorder.sql).filter((s) => !/passports|addresses/.test(s))).toEqual([
      'update "pets" set "owner_id" = ? where "id" in (?)',
      `delete from "pets" where "id" in (?)${returningClause(target)('id')}`,
      `delete from "people" where "id" in (?)${returningClause(target)('id')}`,
    ])
    expect(await rows('pets', ['id', 'name', 'owner_id'])).toEqual([{ id: rex.id, name: 'Rex', owner_id: bob.id }])
    expect([...bob.pets]).toEqual([rex])
    expect(session.isLoaded(rex, 'owner') && rex.owner).toBe(bob)
    expect(rex.ownerId).toBe(bob.id)
  })

  test('a foreign key written directly: unloaded collections follow too, and a cascade delete that loads the old parent\'s collection leaves the object', async () => {
    const { session, ann, bob, rex, tom } = await seedPets()
    rex.ownerId = bob.id
    session.delete(ann)
    await session.commit()
    expect(await rows('pets', ['id', 'owner_id'])).toEqual([{ id: rex.id, owner_id: bob.id }])
    expect(session.isLoaded(tom, 'owner')).toBe(false)
    expect([...(await bob.pets.load())]).toEqual([rex])
    expect(await rex.owner.load()).toBe(bob)
  })

  test('the collections agree with a key written directly as soon as the flush is planned', async () => {
    const seeded = await seedPets()
    const { session, rex } = seeded
    const [ann, bob] = await Promise.all([session.load(seeded.ann, 'pets'), session.load(seeded.bob, 'pets')])
    rex.ownerId = bob.id
    expect(await session.plan()).toEqual([{ operation: 'update', table: 'pets', rows: 1, columns: ['owner_id'] }])
    expect([...ann.pets]).toEqual([seeded.tom])
    expect([...bob.pets]).toEqual([rex])
    await session.commit()
    expect([...ann.pets]).toEqual([seeded.tom])
    expect([...bob.pets]).toEqual([rex])
  })

  test('one-to-one: a key written directly moves the object between both owners\' references', async () => {
    const s = ctx.orm.session()
    const u1 = s.create('people', { name: 'U1' })
    const u2 = s.create('people', { name: 'U2' })
    s.create('addresses', { street: 'Main', user: u1 })
    await s.commit()
    const session = ctx.orm.session()
    const [x1, x2] = await session.query('people').orderBy('id').with({ address: true }).all()
    const a1 = x1!.address!
    expect(a1).not.toBeNull()
    expect(x2!.address).toBeNull()
    a1.userId = u2.id
    await session.commit()
    expect(x1!.address).toBeNull()
    expect(x2!.address).toBe(a1)
    expect(await a1.user?.load()).toBe(x2)
    expect(await rows('addresses', ['id', 'user_id'])).toEqual([{ id: a1.id, user_id: u2.id }])
  })

  test('composite foreign key: columns written directly move the object between loaded collections', async () => {
    const s = ctx.orm.session()
    const s1 = s.create('shelves', { room: 'hall', position: 1 })
    s.create('shelves', { room: 'attic', position: 2 })
    s.create('boxes', { label: 'B', shelf: s1 })
    await s.commit()
    const session = ctx.orm.session()
    const shelves = await session.query('shelves').orderBy('position').with({ boxes: true }).all()
    const [hall, attic] = shelves
    const box = hall!.boxes[0]!
    await session.load(box, 'shelf')
    box.shelfRoom = 'attic'
    box.shelfPosition = 2
    await session.commit()
    expect([...hall!.boxes]).toEqual([])
    expect([...attic!.boxes]).toEqual([box])
    expect(session.isLoaded(box, 'shelf') && box.shelf).toBe(attic)
    expect(await rows('boxes', ['id', 'shelf_room', 'shelf_position'])).toEqual([{ id: box.id, shelf_room: 'attic', shelf_position: 2 }])
  })

  test('a relation assigned after its key was written wins, as in SQLAlchemy: the key is written as the relation says, in the database and in memory', async () => {
    const s = ctx.orm.session()
    const u1 = s.create('people', { name: 'U1' })
    const u2 = s.create('people', { name: 'U2' })
    s.create('addresses', { street: 'One', user: u1 })
    s.create('addresses', { street: 'Two' })
    await s.commit()
    const session = ctx.orm.session()
    const [a1, a2] = await session.query('addresses').orderBy('id').all()
    a1!.userId = u2.id
    a1!.user = null
    a2!.userId = u2.id
    a2!.user = null
    await session.commit()
    expect(await rows('addresses', ['id', 'user_id'])).toEqual([
      { id: a1!.id, user_id: null },
      { id: a2!.id, user_id: null },
    ])
    expect(a1!.userId).toBeNull()
    expect(a2!.userId).toBeNull()
  })

  test('a key written after its relation was assigned in the same flush loses to the relation, as SQLAlchemy\'s flush does', async () => {
    const s = ctx.orm.session()
    const u1 = s.create('people', { name: 'U1' })
    const u2 = s.create('people', { name: 'U2' })
    s.create('addresses', { street: 'One', user: u1 })
    await s.commit()
    const session = ctx.orm.session()
    const a1 = (await session.query('addresses').one())
    a1.user = null
    a1.userId = u2.id
    await session.commit()
    expect(await rows('addresses', ['id', 'user_id'])).toEqual([{ id: a1.id, user_id: null }])
    expect(a1.userId).toBeNull()
    expect(session.isLoaded(a1, 'user') && a1.user).toBeNull()
  })

  test('a foreign key to a unique non-primary column: children move between loaded parents and are written with the new parent\'s code', async () => {
    const s = ctx.orm.session()
    const ta = s.create('teams', { code: 'A' })
    s.create('teams', { code: 'B' })
    s.create('players', { name: 'P1', team: ta })
    s.create('players', { name: 'P2', team: ta })
    s.create('players', { name: 'P3', team: ta })
    await s.commit()
    const session = ctx.orm.session()
    const [a, b] = await session.query('teams').orderBy('code').with({ players: true }).all()
    const [p1, p2, p3] = await session.query('players').orderBy('id').all()
    expect([...a!.players]).toEqual([p1, p2, p3])

    b!.players.add(p1!)
    expect([...a!.players]).toEqual([p2, p3])
    expect(p1!.team).toBe(b)
    a!.players.remove(p2!)
    expect([...a!.players]).toEqual([p3])
    expect(p2!.team).toBeNull()
    p3!.team = b!
    expect([...a!.players]).toEqual([])
    expect([...b!.players]).toEqual([p1, p3])
    await session.commit()
    expect(await rows('players', ['name', 'team_code'])).toEqual([
      { name: 'P1', team_code: 'B' },
      { name: 'P2', team_code: null },
      { name: 'P3', team_code: 'B' },
    ])
    expect([p1!.teamCode, p2!.teamCode, p3!.teamCode]).toEqual(['B', null, 'B'])
  })

  test('a foreign key to a unique non-primary column written directly moves the child between loaded parents', async () => {
    const s = ctx.orm.session()
    const ta = s.create('teams', { code: 'A' })
    s.create('teams', { code: 'B' })
    s.create('players', { name: 'P1', team: ta })
    await s.commit()
    const session = ctx.orm.session()
    const [a, b] = await session.query('teams').orderBy('code').with({ players: true }).all()
    const p1 = a!.players[0]!
    p1.teamCode = 'B'
    await session.commit()
    expect([...a!.players]).toEqual([])
    expect([...b!.players]).toEqual([p1])
    expect(await rows('players', ['name', 'team_code'])).toEqual([{ name: 'P1', team_code: 'B' }])
  })
})
