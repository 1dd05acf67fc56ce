/**
 * session.upsert() on real databases: the next flush writes INSERT ... ON CONFLICT DO UPDATE
 * (MariaDB: ON DUPLICATE KEY UPDATE), one statement per table and shape, and the object takes the
 * row's key and values; an object already held is the one returned; duplicates and rows held by
 * another object fail the flush and leave the session as it was.
 */
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect, type TargetDialectOptions, type TestTarget } from '@relata/test-kit/targets'
import { RelataError, SchemaError } from '../src/index.js'
import { stateOf } from '../src/tracking/entity-state.js'
import { schema } from './fixtures/writes.js'
import { emptyTables, normalizeSql } from './fixtures/unit-of-work.js'
import { failure, inside } from './support/session-state.js'

function upsertSuite(target: TestTarget, dialect: Omit<TargetDialectOptions, 'database'> = {}) {
  const ctx = target.setup(schema, { dialect })
  const postgres = target.family === 'postgres'
  const returning = postgres || dialect.returning !== false

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const tagRows = () => ctx.orm.db.selectFrom('wr_tag').select(['id', 'name', 'color', 'uses']).orderBy('name').execute()
  const statements = () => normalizeSql(ctx.recorder.sql)

  async function seedTag(name: string, color: string | null, uses = 0): Promise<number> {
    const row = await ctx.orm.db.insertInto('wr_tag').values({ name, color, uses }).executeTakeFirst()
    if (row.insertId !== undefined) return Number(row.insertId)
    return (await ctx.orm.db.selectFrom('wr_tag').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id
  }

  test('one statement per table: a new row is inserted, an existing one updated; each object takes its row key and values', async () => {
    const jazzId = await seedTag('jazz', 'red', 7)
    const session = ctx.orm.session()
    const jazz = session.upsert('tags', { name: 'jazz', color: 'blue' }, { conflict: ['name'] })
    const rock = session.upsert('tags', { name: 'rock', color: 'black' }, { conflict: ['name'] })
    expect(jazz.id).toBeUndefined()
    ctx.recorder.clear()
    await session.flush()
    const sent = statements()
    const upsert = postgres
      ? 'insert into "wr_tag" ("name", "color") values (?, ?), (?, ?) on conflict ("name") do update set "color" = "excluded"."color" returning "id", "name", "color", "uses"'
      : `insert into "wr_tag" ("name", "color") values (?, ?), (?, ?) on duplicate key update "color" = values("color")${returning ? ' returning "id", "name", "color", "uses"' : ''}`
    expect(sent[0]).toBe(upsert)
    expect(sent).toHaveLength(returning ? 1 : 2)
    if (!returning) expect(sent[1]).toBe('select * from "wr_tag" where "name" in (?, ?) lock in share mode')
    // The existing row kept its key and the column not given; the new row took its default.
    expect({ ...jazz }).toEqual({ id: jazzId, name: 'jazz', color: 'blue', uses: 7 })
    expect(rock).toMatchObject({ name: 'rock', color: 'black', uses: 0 })
    expect(rock.id).toEqual(expect.any(Number))
    expect(await tagRows()).toEqual([
      { id: jazzId, name: 'jazz', color: 'blue', uses: 7 },
      { id: rock.id, name: 'rock', color: 'black', uses: 0 },
    ])
    // In the identity map, tracked: a get answers without SQL, a change is one UPDATE.
    ctx.recorder.clear()
    expect(await session.get('tags', jazzId)).toBe(jazz)
    expect(ctx.recorder.sql).toEqual([])
    jazz.uses = 8
    await session.flush()
    expect(statements()).toEqual(['update "wr_tag" set "uses" = ? where "id" in (?)'])
  })

  test('a thousand upserts, half of rows that exist and are held: one statement, each object its own row', async () => {
    const setup = ctx.orm.session()
    for (let i = 0; i < 500; i++) setup.create('tags', { name: `t${i}`, uses: i })
    await setup.commit()
    const session = ctx.orm.session()
    const held = await session.query('tags').all()
    // Held objects are found by their unique value, so those upserts are UPDATEs of them.
    const upserted = Array.from({ length: 1000 }, (_, i) => session.upsert('tags', { name: `t${i}`, color: 'c' }, { conflict: ['name'] }))
    expect(upserted.slice(0, 500).every((tag) => held.includes(tag))).toBe(true)
    ctx.recorder.clear()
    await session.flush()
    expect(statements().filter((s) => s.startsWith('insert'))).toHaveLength(1)
    expect(new Set(upserted.map((tag) => tag.id)).size).toBe(1000)
    expect((await ctx.orm.db.selectFrom('wr_tag').select('id').where('color', '=', 'c').execute()).length).toBe(1000)
  })

  test('update narrows the columns an existing row takes; update: [] keeps the row as it is and still reads it', async () => {
    await seedTag('jazz', 'red', 7)
    await seedTag('soul', 'gold', 3)
    const session = ctx.orm.session()
    const jazz = session.upsert('tags', { name: 'jazz', color: 'blue', uses: 1 }, { conflict: ['name'], update: ['uses'] })
    const soul = session.upsert('tags', { name: 'soul', color: 'green' }, { conflict: ['name'], update: [] })
    await session.flush()
    expect(jazz).toMatchObject({ name: 'jazz', color: 'red', uses: 1 })
    expect(soul).toMatchObject({ name: 'soul', color: 'gold', uses: 3 })
    expect((await tagRows()).map((r) => [r.name, r.color, r.uses])).toEqual([
      ['jazz', 'red', 1],
      ['soul', 'gold', 3],
    ])
    // The snapshot is the row's: nothing to write.
    expect(await session.plan()).toEqual([])
  })

  test('different columns given make different statements (a VALUES row would otherwise write defaults over the row)', async () => {
    await seedTag('jazz', 'red', 7)
    const session = ctx.orm.session()
    session.upsert('tags', { name: 'jazz', color: 'blue' }, { conflict: ['name'] })
    session.upsert('tags', { name: 'pop', uses: 2 }, { conflict: ['name'] })
    ctx.recorder.clear()
    await session.flush()
    expect(statements().filter((s) => s.startsWith('insert'))).toHaveLength(2)
    expect((await tagRows()).map((r) => [r.name, r.color, r.uses])).toEqual([
      ['jazz', 'blue', 7],
      ['pop', null, 2],
    ])
  })

  test('on a composite primary key, and a version column incremented when an existing row is updated', async () => {
    await ctx.orm.db.insertInto('wr_setting').values({ owner: 1, key: 'theme', value: 'dark' }).execute()
    await ctx.orm.db.insertInto('wr_counter').values({ code: 'a', hits: 1 }).execute()
    const session = ctx.orm.session()
    const theme = session.upsert('settings', { owner: 1, key: 'theme', value: 'light' }, { conflict: ['owner', 'key'] })
    const lang = session.upsert('settings', { owner: 1, key: 'lang', value: 'fr' }, { conflict: ['key', 'owner'] })
    const a = session.upsert('counters', { code: 'a', hits: 5 }, { conflict: ['code'] })
    const b = session.upsert('counters', { code: 'b', hits: 1 }, { conflict: ['code'] })
    await session.flush()
    expect({ ...theme }).toEqual({ owner: 1, key: 'theme', value: 'light' })
    expect({ ...lang }).toEqual({ owner: 1, key: 'lang', value: 'fr' })
    expect(a).toMatchObject({ code: 'a', hits: 5, version: 2 })
    expect(b).toMatchObject({ code: 'b', hits: 1, version: 1 })
    // The version read back is the row's: an update of it checks and increments it.
    a.hits = 6
    await session.flush()
    expect(await ctx.orm.db.selectFrom('wr_counter').select(['code', 'hits', 'version']).orderBy('code').execute()).toEqual([
      { code: 'a', hits: 6, version: 3 },
      { code: 'b', hits: 1, version: 1 },
    ])
  })

  test('on a unique constraint of two columns declared in the table\'s uniques', async () => {
    await ctx.orm.db.insertInto('wr_slot').values({ day: 1, hour: 9, who: 'Ann' }).execute()
    const session = ctx.orm.session()
    const nine = session.upsert('slots', { day: 1, hour: 9, who: 'Bob' }, { conflict: ['hour', 'day'] })
    const ten = session.upsert('slots', { day: 1, hour: 10, who: 'Cy' }, { conflict: ['day', 'hour'] })
    await session.flush()
    expect([nine.who, ten.who]).toEqual(['Bob', 'Cy'])
    expect(await ctx.orm.db.selectFrom('wr_slot').select(['id', 'day', 'hour', 'who']).orderBy('hour').execute()).toEqual([
      { id: nine.id, day: 1, hour: 9, who: 'Bob' },
      { id: ten.id, day: 1, hour: 10, who: 'Cy' },
    ])
    expect(() => session.upsert('slots', { day: 1, hour: 9, who: 'x' }, { conflict: ['day'] } as never)).toThrow(
      "session.upsert('slots', ...): conflict on day of 'slots' is neither its primary key (id) nor a unique constraint ((day, hour))",
    )
  })

  test('an object the session holds with those values is returned, the values assigned: one row, one object', async () => {
    const jazzId = await seedTag('jazz', 'red', 7)
    const session = ctx.orm.session()
    const held = (await session.get('tags', jazzId))!
    const again = session.upsert('tags', { name: 'jazz', color: 'blue', uses: 9 }, { conflict: ['name'], update: ['color'] })
    expect(again).toBe(held)
    expect(held).toMatchObject({ color: 'blue', uses: 7 })
    // By primary key too (MariaDB refuses values that could meet another unique key first).
    const byKey = () => session.upsert('tags', { id: jazzId, name: 'jazz', color: 'green' }, { conflict: ['id'] })
    if (postgres) expect(byKey()).toBe(held)
    else expect(byKey).toThrow(SchemaError)
    ctx.recorder.clear()
    await session.flush()
    expect(statements()).toEqual(['update "wr_tag" set "color" = ? where "id" in (?)'])
    expect((await tagRows())[0]).toEqual({ id: jazzId, name: 'jazz', color: postgres ? 'green' : 'blue', uses: 7 })
  })

  test('a new object with the same conflict values already pending is refused when upserted; two with the same values at flush fail it', async () => {
    const session = ctx.orm.session()
    const first = session.upsert('tags', { name: 'jazz' }, { conflict: ['name'] })
    expect(() => session.upsert('tags', { name: 'jazz', color: 'x' }, { conflict: ['name'] })).toThrow(
      "session.upsert('tags', ...): a new tags object with name = \"jazz\" is already new in this session; change that object instead",
    )
    const second = session.upsert('tags', { name: 'soul' }, { conflict: ['name'] })
    second.name = 'jazz'
    const before = [first, second].map(inside)
    ctx.recorder.clear()
    const error = await failure(session.flush())
    expect(error).toBeInstanceOf(RelataError)
    expect(error.message).toBe(
      "session.upsert('tags', ...): two new objects of this flush have name = \"jazz\"; one row cannot be written twice by one flush: change the object the first upsert returned instead. Nothing of this flush was written",
    )
    expect(ctx.recorder.sql).toEqual([])
    expect([first, second].map(inside)).toEqual(before)
    expect(await tagRows()).toEqual([])
    // Fixed, the same objects flush.
    second.name = 'soul'
    await session.flush()
    expect((await tagRows()).map((r) => r.name)).toEqual(['jazz', 'soul'])
  })

  test('an upsert that meets a row another held object holds (renamed since it was read) fails the flush, nothing written', async () => {
    const jazzId = await seedTag('jazz', 'red')
    const session = ctx.orm.session()
    const held = (await session.get('tags', jazzId))!
    // Renamed behind the session: the held object still says 'jazz'.
    await ctx.orm.db.updateTable('wr_tag').set({ name: 'bebop' }).where('id', '=', jazzId).execute()
    const bebop = session.upsert('tags', { name: 'bebop', color: 'blue' }, { conflict: ['name'] })
    const other = session.create('tags', { name: 'funk' })
    const before = [held, bebop, other].map(inside)
    const error = await failure(session.flush())
    expect(error.message).toBe(
      `session.upsert('tags', ...) met the row id = ${jazzId}, which tags (id ${jazzId}) of this session already holds; one row cannot be two objects: change that object instead. Nothing of this flush was written`,
    )
    expect([held, bebop, other].map(inside)).toEqual(before)
    expect(stateOf(bebop)!.status).toBe('pending')
    expect(await tagRows()).toEqual([{ id: jazzId, name: 'bebop', color: 'red', uses: 0 }])
  })

  test('a failed statement (a foreign key) leaves the session as it was; inside a transaction that rolls back, the object is new again', async () => {
    const session = ctx.orm.session()
    const bad = session.upsert('tracks', { id: 1, title: 'Lost', albumId: 999999, price: '1.00', seconds: 1 }, { conflict: ['id'] })
    const good = session.upsert('tags', { name: 'ok' }, { conflict: ['name'] })
    const before = [bad, good].map(inside)
    const error = await failure(session.flush())
    expect(error.message).toMatch(/^Flush failed while inserting 1 'tracks' row\(s\) in table wr_track/)
    expect([bad, good].map(inside)).toEqual(before)
    expect(await tagRows()).toEqual([])

    await expect(
      ctx.orm.transaction(async (tx) => {
        const tag = tx.upsert('tags', { name: 'jazz' }, { conflict: ['name'] })
        await tx.flush()
        expect(stateOf(tag)!.status).toBe('persistent')
        throw new Error('undo')
      }),
    ).rejects.toThrow('undo')
    expect(await tagRows()).toEqual([])
  })

  test('the conflict target must be the primary key or a unique column; on MariaDB another unique key the values could meet is refused', () => {
    const session = ctx.orm.session()
    expect(() => session.upsert('tags', { name: 'x', color: 'y' }, { conflict: ['color'] } as never)).toThrow(SchemaError)
    expect(() => session.upsert('tags', { name: 'x', color: 'y' }, { conflict: ['color'] } as never)).toThrow(
      "session.upsert('tags', ...): conflict on color of 'tags' is neither its primary key (id) nor a unique constraint ((name)): the database finds a conflict only on a unique index; declare it (.unique(), or the table's uniques) or name the key",
    )
    expect(() => session.upsert('settings', { owner: 1, key: 'k', value: 'v' }, { conflict: ['owner'] })).toThrow(SchemaError)
    expect(() => session.upsert('tags', { name: 'x' }, { conflict: ['nmae'] } as never)).toThrow("conflict names 'nmae', not a column of 'tags'")
    expect(() => session.upsert('tags', { name: 'x' }, { conflict: ['name'], update: ['color'] })).toThrow("update names 'color', which is not given a value")
    expect(() => session.upsert('tags', { name: 'x', color: 'c' }, { conflict: ['name'], update: ['name'] } as never)).toThrow("update names 'name', a conflict column")
    expect(() => session.upsert('tracks', { title: 't', album: null, price: '1', seconds: 1 } as never, { conflict: ['id'] })).toThrow("'album' is a relation")
    const both = () => session.upsert('users', { email: 'a@x', handle: 'ann', name: 'Ann' }, { conflict: ['email'] })
    if (postgres) {
      expect(both).not.toThrow()
    } else {
      expect(both).toThrow(SchemaError)
      expect(both).toThrow(
        "session.upsert('users', ...): on this database an upsert fires on a conflict with any unique key of 'wr_user' (ON DUPLICATE KEY UPDATE takes no target), and these values could also meet the key handle, besides the conflict target email",
      )
      // Without the other key's value (nullable, no default), it cannot meet it.
      expect(() => session.upsert('users', { email: 'b@x', name: 'Bea' }, { conflict: ['email'] })).not.toThrow()
    }
  })

  test('relations of an upserted object start unloaded: the row may have related rows', async () => {
    await ctx.orm.db.insertInto('wr_album').values({ title: 'Kind of Blue' }).execute()
    const albumId = (await ctx.orm.db.selectFrom('wr_album').select('id').executeTakeFirstOrThrow()).id
    await ctx.orm.db.insertInto('wr_track').values({ title: 'So What', album_id: albumId, price: '0.99', seconds: 545 }).execute()
    const session = ctx.orm.session()
    const album = session.upsert('albums', { id: albumId, title: 'Kind of Blue (Legacy)' }, { conflict: ['id'] })
    await session.flush()
    expect(session.isLoaded(album, 'tracks')).toBe(false)
    const tracks = await album.tracks.load()
    expect(tracks.map((t) => t.title)).toEqual(['So What'])
  })
}

describeEachDialect('session: upsert', (target) => upsertSuite(target))
describeEachDialect('session: upsert, MySQL 8 path (no RETURNING: read back by the conflict columns)', (target) => upsertSuite(target, { returning: false }), { only: ['mariadb'] })
