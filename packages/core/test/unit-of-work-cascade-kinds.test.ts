/** Cascades on every relation kind (many-to-one, one-to-one, many-to-many), single parents, and cascades that go all the way down a tree. */
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { RelataError } from '../src/index.js'
import { stateOf } from '../src/tracking/entity-state.js'
import { schema } from './fixtures/cascade-kinds.js'
import { emptyTables, normalizeSql, returningClause } from './fixtures/unit-of-work.js'

describeEachDialect('unit of work: cascades per relation kind', (target) => {
  const ctx = target.setup(schema)
  const ret = returningClause(target)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const ids = async (table: 'prefs' | 'profiles' | 'photos' | 'albums' | 'nodes') =>
    (await ctx.orm.db.selectFrom(table as 'prefs').select('id').orderBy('id').execute()).map((r) => r.id)
  const userRows = () => ctx.orm.db.selectFrom('users').select(['id', 'pref_id', 'profile_id']).orderBy('id').execute()
  const links = async () =>
    (await ctx.orm.db.selectFrom('album_photos').select(['album_id', 'photo_id']).orderBy('album_id').orderBy('photo_id').execute()).map((r) => [r.album_id, r.photo_id])
  const writes = () => normalizeSql(ctx.recorder.sql).filter((s) => !s.startsWith('select'))
  const status = (entity: object) => stateOf(entity)!.status

  /** Jack and Jill, each with a pref and a profile; committed, then read in a fresh session with nothing loaded. */
  async function seedUsers() {
    const s = ctx.orm.session()
    for (const name of ['jack', 'jill']) {
      s.create('users', { name, pref: s.create('prefs', { theme: `${name}'s theme` }), profile: s.create('profiles', { bio: `${name}'s bio` }) })
    }
    await s.commit()
    const session = ctx.orm.session()
    const [jack, jill] = await session.query('users').orderBy('id').all()
    ctx.recorder.clear()
    return { session, jack: jack!, jill: jill! }
  }

  test('many-to-one delete-orphan: a pref set to null is deleted after its user row is updated, read first when not loaded', async () => {
    const { session, jack, jill } = await seedUsers()
    const prefId = jack.prefId!
    jack.pref = null
    expect(await session.plan()).toEqual([
      { operation: 'update', table: 'users', rows: 1, columns: ['pref_id'] },
      { operation: 'delete', table: 'prefs', rows: 1 },
    ])
    // The pref it pointed at was not loaded: planning read it (its own cascades need the object).
    expect(normalizeSql(ctx.recorder.sql)).toEqual([expect.stringMatching(/^select .* from "prefs" as "t0" where "t0"."id" = \? limit \?$/)])
    ctx.recorder.clear()
    await session.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual(['update "users" set "pref_id" = ? where "id" in (?)', `delete from "prefs" where "id" in (?)${ret('id')}`])
    expect(await ids('prefs')).toEqual([jill.prefId])
    expect(await userRows()).toEqual([
      { id: jack.id, pref_id: null, profile_id: jack.profileId },
      { id: jill.id, pref_id: jill.prefId, profile_id: jill.profileId },
    ])
    expect(await session.get('prefs', prefId)).toBeUndefined()
  })

  test('many-to-one delete-orphan: a pref moved to another user is kept; giving one pref to two users fails before any SQL', async () => {
    const { session, jack, jill } = await seedUsers()
    const jackPref = (await jack.pref!.load())!
    const jillPref = (await jill.pref!.load())!
    jill.pref = jackPref
    ctx.recorder.clear()
    const twoParents = new RelataError(
      'users.pref allows a single parent: this prefs object would belong to two users objects; set pref of the other to null (or to another object) first',
    )
    await expect(session.plan()).rejects.toThrow(twoParents)
    await expect(session.flush()).rejects.toThrow(twoParents)
    expect(ctx.recorder.sql).toEqual([])

    // Moved: jack lets go of it in the same flush; jill's former pref is the orphan.
    jack.pref = null
    expect(await session.plan()).toEqual([
      { operation: 'update', table: 'users', rows: 2, columns: ['pref_id'] },
      { operation: 'delete', table: 'prefs', rows: 1 },
    ])
    await session.commit()
    expect(await ids('prefs')).toEqual([jackPref.id])
    expect(await userRows()).toEqual([
      { id: jack.id, pref_id: null, profile_id: jack.profileId },
      { id: jill.id, pref_id: jackPref.id, profile_id: jill.profileId },
    ])
    expect(status(jillPref)).toBe('detached')
    expect(status(jackPref)).toBe('persistent')
  })

  test('many-to-one delete: deleting a user deletes its pref, after the user row', async () => {
    const { session, jack, jill } = await seedUsers()
    session.delete(jack)
    expect(await session.plan()).toEqual([
      { operation: 'delete', table: 'users', rows: 1 },
      { operation: 'delete', table: 'profiles', rows: 1 },
      { operation: 'delete', table: 'prefs', rows: 1 },
    ])
    ctx.recorder.clear()
    await session.commit()
    expect(writes()).toEqual([`delete from "users" where "id" in (?)${ret('id')}`, `delete from "profiles" where "id" in (?)${ret('id')}`, `delete from "prefs" where "id" in (?)${ret('id')}`])
    expect(await ids('prefs')).toEqual([jill.prefId])
    expect(await ids('profiles')).toEqual([jill.profileId])
    expect(await userRows()).toEqual([{ id: jill.id, pref_id: jill.prefId, profile_id: jill.profileId }])
  })

  test('one-to-one holding the key: the profile it is pointed away from is deleted; the new one is inserted first', async () => {
    const { session, jack, jill } = await seedUsers()
    const old = (await jack.profile!.load())!
    const fresh = session.create('profiles', { bio: 'new bio' })
    jack.profile = fresh
    expect(await session.plan()).toEqual([
      { operation: 'insert', table: 'profiles', rows: 1 },
      { operation: 'update', table: 'users', rows: 1, columns: ['profile_id'] },
      { operation: 'delete', table: 'profiles', rows: 1 },
    ])
    ctx.recorder.clear()
    await session.commit()
    expect(writes()).toEqual([
      `insert into "profiles" ("bio") values (?)${ret('id')}`,
      'update "users" set "profile_id" = ? where "id" in (?)',
      `delete from "profiles" where "id" in (?)${ret('id')}`,
    ])
    expect(await ids('profiles')).toEqual([jill.profileId, fresh.id])
    expect(status(old)).toBe('detached')
    expect(jack.profileId).toBe(fresh.id)
  })

  /** Two albums; the first with photos p1 and p2, the second with p3; committed, read in a fresh session with nothing loaded. */
  async function seedAlbums() {
    const s = ctx.orm.session()
    const [a1, a2] = [s.create('albums', { title: 'a1' }), s.create('albums', { title: 'a2' })]
    const [p1, p2, p3] = ['p1', 'p2', 'p3'].map((caption) => s.create('photos', { caption }))
    a1.photos.add(p1!)
    a1.photos.add(p2!)
    a2.photos.add(p3!)
    await s.commit()
    const session = ctx.orm.session()
    const [x1, x2] = await session.query('albums').orderBy('id').all()
    const [y1, y2, y3] = await session.query('photos').orderBy('id').all()
    ctx.recorder.clear()
    return { session, a1: x1!, a2: x2!, p1: y1!, p2: y2!, p3: y3! }
  }

  test('many-to-many delete-orphan: a photo removed from its album is deleted with its link row, loaded or not', async () => {
    const { session, a1, a2, p1, p2, p3 } = await seedAlbums()
    a1.photos.remove(p1)
    expect(await session.plan()).toEqual([
      { operation: 'purgeLinks', table: 'album_photos', rows: 1 },
      { operation: 'delete', table: 'photos', rows: 1 },
    ])
    ctx.recorder.clear()
    await session.commit()
    expect(writes()).toEqual(['delete from "album_photos" where "photo_id" in (?)', `delete from "photos" where "id" in (?)${ret('id')}`])
    expect(await ids('photos')).toEqual([p2.id, p3.id])
    expect(await links()).toEqual([
      [a1.id, p2.id],
      [a2.id, p3.id],
    ])
    expect(status(p1)).toBe('detached')

    // Moved to another album in the same flush: not an orphan.
    a1.photos.remove(p2)
    a2.photos.add(p2)
    expect(await session.plan()).toEqual([
      { operation: 'insertLinks', table: 'album_photos', rows: 1 },
      { operation: 'deleteLinks', table: 'album_photos', rows: 1 },
    ])
    await session.commit()
    expect(await ids('photos')).toEqual([p2.id, p3.id])
    expect(await links()).toEqual([
      [a2.id, p2.id],
      [a2.id, p3.id],
    ])
  })

  test('many-to-many delete: deleting an album loads its photos and deletes them and every link row', async () => {
    const { session, a1, a2, p3 } = await seedAlbums()
    session.delete(a1)
    const plan = await session.plan()
    expect(normalizeSql(ctx.recorder.sql)).toEqual([expect.stringMatching(/^select .* from "photos" .*"album_photos"/)])
    expect(plan).toEqual([
      { operation: 'purgeLinks', table: 'album_photos', rows: 2 },
      { operation: 'purgeLinks', table: 'album_photos', rows: 1 },
      { operation: 'delete', table: 'photos', rows: 2 },
      { operation: 'delete', table: 'albums', rows: 1 },
    ])
    ctx.recorder.clear()
    await session.commit()
    expect(writes()).toEqual([
      'delete from "album_photos" where "photo_id" in (?, ?)',
      'delete from "album_photos" where "album_id" in (?)',
      `delete from "photos" where "id" in (?, ?)${ret('id')}`,
      `delete from "albums" where "id" in (?)${ret('id')}`,
    ])
    expect(await ids('albums')).toEqual([a2.id])
    expect(await ids('photos')).toEqual([p3.id])
    expect(await links()).toEqual([[a2.id, p3.id]])
  })

  test('many-to-many single parent: linking a photo to a second album fails before any SQL', async () => {
    const { session, a2, p1 } = await seedAlbums()
    await p1.albums.load()
    a2.photos.add(p1)
    ctx.recorder.clear()
    await expect(session.flush()).rejects.toThrow(
      new RelataError('albums.photos allows a single parent: this photos object would be linked to two albums objects; remove it from the other first'),
    )
    expect(ctx.recorder.sql).toEqual([])
    expect(await links()).toHaveLength(3)
  })

  /** n1 → n2, n3; n3 → n4 → n5; committed, read in a fresh session with nothing loaded. */
  async function seedTree() {
    const s = ctx.orm.session()
    const n1 = s.create('nodes', { name: 'n1' })
    const n2 = s.create('nodes', { name: 'n2', parent: n1 })
    const n3 = s.create('nodes', { name: 'n3', parent: n1 })
    const n4 = s.create('nodes', { name: 'n4', parent: n3 })
    s.create('nodes', { name: 'n5', parent: n4 })
    await s.commit()
    const session = ctx.orm.session()
    const all = await session.query('nodes').orderBy('id').all()
    ctx.recorder.clear()
    return { session, n: all }
  }

  test('an orphan cascades in turn: n3 removed from n1 takes n4 and n5 with it, loaded level by level', async () => {
    const { session, n } = await seedTree()
    const [n1, n2, n3, n4, n5] = n as [typeof n[0], typeof n[0], typeof n[0], typeof n[0], typeof n[0]]
    await n1.children.load()
    ctx.recorder.clear()
    n1.children.remove(n3)
    const plan = await session.plan()
    // n3's children, then n4's, then n5's (none): one read per level.
    expect(normalizeSql(ctx.recorder.sql).map((s) => s.replace(/^select .* from "nodes" as "t1" where "t1"."parent_id" in \(\?\).*$/, 'children'))).toEqual([
      'children',
      'children',
      'children',
    ])
    expect(plan).toEqual([
      { operation: 'unsetKeys', table: 'nodes', rows: 2, columns: ['parent_id'] },
      { operation: 'delete', table: 'nodes', rows: 3 },
    ])
    ctx.recorder.clear()
    await session.commit()
    expect(writes()).toEqual(['update "nodes" set "parent_id" = ? where "id" in (?, ?)', `delete from "nodes" where "id" in (?, ?, ?)${ret('id')}`])
    expect(await ids('nodes')).toEqual([n1.id, n2.id])
    expect([n3, n4, n5].map(status)).toEqual(['detached', 'detached', 'detached'])
    expect([...(await n1.children.load())]).toEqual([n2])
  })

  test('a pending orphan: neither it nor the new children under it are inserted', async () => {
    const { session, n } = await seedTree()
    const n1 = n[0]!
    await n1.children.load()
    const fresh = session.create('nodes', { name: 'fresh', parent: n1 })
    const child = session.create('nodes', { name: 'fresh child', parent: fresh })
    session.create('nodes', { name: 'grandchild', parent: child })
    n1.children.remove(fresh)
    ctx.recorder.clear()
    expect(await session.plan()).toEqual([])
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
    expect(await ids('nodes')).toHaveLength(5)
  })

  test('deleting the root of an unloaded tree deletes it to any depth', async () => {
    const { session, n } = await seedTree()
    session.delete(n[0]!)
    await session.commit()
    expect(await ids('nodes')).toEqual([])
    expect(n.map(status)).toEqual(['detached', 'detached', 'detached', 'detached', 'detached'])
  })
})
