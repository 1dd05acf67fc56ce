/**
 * session.updateMany() / deleteMany() on real databases: one statement by criteria, after an
 * autoflush, its row count; the objects the session holds for the rows it wrote follow (values and
 * snapshots, loaded relations, the identity map), keys by RETURNING or a locked read first.
 */
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect, type TargetDialectOptions, type TestTarget } from '@relata/test-kit/targets'
import { RelataError } from '../src/index.js'
import { stateOf } from '../src/tracking/entity-state.js'
import { schema } from './fixtures/writes.js'
import { emptyTables, normalizeSql } from './fixtures/unit-of-work.js'
import { failure, inside } from './support/session-state.js'

function bulkSuite(target: TestTarget, dialect: Omit<TargetDialectOptions, 'database'> = {}) {
  const ctx = target.setup(schema, { dialect })
  const postgres = target.family === 'postgres'
  const deleteReturning = postgres || dialect.returning !== false

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const statements = () => normalizeSql(ctx.recorder.sql)
  const trackRows = async () =>
    (await ctx.orm.db.selectFrom('wr_track').select(['title', 'album_id', 'price', 'seconds']).orderBy('title').execute()).map((r) => [r.title, r.album_id, String(Number(r.price)), r.seconds])

  /** Two albums of two tracks each, and a session holding album 1 with its tracks loaded. */
  async function seed() {
    const setup = ctx.orm.session()
    const blue = setup.create('albums', { title: 'Blue' })
    const red = setup.create('albums', { title: 'Red' })
    setup.create('tracks', { title: 'a', album: blue, price: '0.99', seconds: 100 })
    setup.create('tracks', { title: 'b', album: blue, price: '0.99', seconds: 200 })
    setup.create('tracks', { title: 'c', album: red, price: '1.29', seconds: 300 })
    setup.create('tracks', { title: 'd', album: red, price: '1.29', seconds: 400 })
    await setup.commit()
    const session = ctx.orm.session()
    const album = (await session.query('albums').where({ title: 'Blue' }).with({ tracks: true }).one())!
    const [a, b] = [...album.tracks].sort((x, y) => x.title.localeCompare(y.title))
    ctx.recorder.clear()
    return { session, album, a: a!, b: b!, blueId: blue.id, redId: red.id }
  }

  test('updateMany: one UPDATE, its row count; held objects take the values and their snapshots, so the next flush writes nothing', async () => {
    const { session, a, b, blueId } = await seed()
    const count = await session.updateMany('tracks').where({ albumId: blueId }).set({ price: '1.49' }).execute()
    expect(count).toBe(2)
    const update = 'update "wr_track" set "price" = ? where "wr_track"."album_id" = ?'
    expect(statements()).toEqual(
      postgres ? [`${update} returning "id"`] : ['select "id" from "wr_track" where "wr_track"."album_id" = ? for update', update],
    )
    expect([a.price, b.price].map(Number)).toEqual([1.49, 1.49])
    expect(await session.plan()).toEqual([])
    expect(await trackRows()).toEqual([
      ['a', blueId, '1.49', 100],
      ['b', blueId, '1.49', 200],
      ['c', expect.any(Number), '1.29', 300],
      ['d', expect.any(Number), '1.29', 400],
    ])
  })

  test('updateMany: a held object with an unflushed change to the column keeps it (written by the next flush) when autoflush is off', async () => {
    const setup = ctx.orm.session()
    setup.create('tracks', { title: 'a', price: '0.99', seconds: 100 })
    await setup.commit()
    const session = ctx.orm.session({ autoflush: false })
    const a = (await session.query('tracks').one())!
    a.seconds = 111
    await session.updateMany('tracks').where('seconds', '<', 1000).set({ seconds: 999, price: '2.00' }).execute()
    expect(a.seconds).toBe(111)
    expect(Number(a.price)).toBe(2)
    ctx.recorder.clear()
    await session.flush()
    expect(statements()).toEqual(['update "wr_track" set "seconds" = ? where "id" in (?)'])
    expect(await trackRows()).toEqual([['a', null, '2', 111]])
  })

  test('autoflush: pending changes to the table are written first, so the statement sees them', async () => {
    const { session, a, blueId } = await seed()
    a.seconds = 5
    const fresh = session.create('tracks', { title: 'e', albumId: blueId, price: '0.10', seconds: 6 })
    const count = await session.updateMany('tracks').where('seconds', '<', 10).set({ title: 'short' }).execute()
    expect(count).toBe(2)
    expect([a.title, fresh.title]).toEqual(['short', 'short'])
    expect(await session.plan()).toEqual([])
  })

  test('updateMany of a foreign key: loaded collections of the old and new parents follow', async () => {
    const { session, album, a, redId } = await seed()
    const red = (await session.query('albums').where({ id: redId }).with({ tracks: true }).one())!
    expect(red.tracks).toHaveLength(2)
    await session.updateMany('tracks').where({ title: 'a' }).set({ albumId: redId }).execute()
    expect(a.albumId).toBe(redId)
    expect(album.tracks.map((t) => t.title)).toEqual(['b'])
    // The new parent's collection reads again, with the track.
    expect(session.isLoaded(red, 'tracks')).toBe(false)
    expect((await red.tracks.load()).map((t) => t.title).sort()).toEqual(['a', 'c', 'd'])
    expect(await a.album!.load()).toBe(red)
  })

  test('deleteMany: one DELETE, its row count; held objects leave the identity map and the loaded collections, detached', async () => {
    const { session, album, a, b } = await seed()
    const count = await session.deleteMany('tracks').where('seconds', '<=', 100).execute()
    expect(count).toBe(1)
    const del = 'delete from "wr_track" where "wr_track"."seconds" <= ?'
    expect(statements()).toEqual(deleteReturning ? [`${del} returning "id"`] : ['select "id" from "wr_track" where "wr_track"."seconds" <= ? for update', del])
    expect(stateOf(a)!.status).toBe('detached')
    expect(stateOf(b)!.status).toBe('persistent')
    expect(album.tracks).toEqual([b])
    ctx.recorder.clear()
    expect(await session.get('tracks', a.id)).toBeUndefined()
    expect((await trackRows()).map((r) => r[0])).toEqual(['b', 'c', 'd'])
    expect(await session.plan()).toEqual([])
  })

  test('deleteMany of parents: the database sets the children\'s keys to NULL; held children unload their album', async () => {
    const { session, a, blueId } = await seed()
    await a.album!.load()
    expect(await session.deleteMany('albums').where({ id: blueId }).execute()).toBe(1)
    expect(session.isLoaded(a, 'album')).toBe(false)
    expect((await trackRows()).filter((r) => r[1] === null).map((r) => r[0])).toEqual(['a', 'b'])
  })

  test('inside a transaction that rolls back, the held objects are as before the statement', async () => {
    const { session, a, b } = await seed()
    const before = [a, b].map(inside)
    await expect(
      session.transaction(async () => {
        await session.updateMany('tracks').where({ title: 'a' }).set({ seconds: 1 }).execute()
        await session.deleteMany('tracks').where({ title: 'b' }).execute()
        expect(a.seconds).toBe(1)
        throw new Error('undo')
      }),
    ).rejects.toThrow('undo')
    expect([a, b].map(inside)).toEqual(before)
    expect(await session.get('tracks', b.id)).toBe(b)
    expect((await trackRows()).map((r) => [r[0], r[3]])).toEqual([
      ['a', 100],
      ['b', 200],
      ['c', 300],
      ['d', 400],
    ])
  })

  test('a failed statement leaves the session as it was', async () => {
    const { session, a, b } = await seed()
    const before = [a, b].map(inside)
    const error = await failure(session.updateMany('tracks').where({ title: 'a' }).set({ albumId: 999999 }).execute())
    expect(error).not.toBeInstanceOf(RelataError)
    expect([a, b].map(inside)).toEqual(before)
    expect((await trackRows())[0]![1]).toBe(b.albumId)
  })

  test('refused before any SQL: no where(), no set(), a key, a misspelt column, a value the column cannot hold', async () => {
    const session = ctx.orm.session()
    await expect(session.updateMany('tracks').set({ seconds: 1 }).execute()).rejects.toThrow("session.updateMany('tracks'): call where() before execute() (where({}) matches every row)")
    await expect(session.updateMany('tracks').where({}).execute()).rejects.toThrow('call set() with the values to write')
    expect(() => session.updateMany('tracks').set({ id: 3 } as never)).toThrow("'id' is part of the primary key")
    expect(() => session.updateMany('tracks').set({ secs: 3 } as never)).toThrow("'secs' is not a column of 'tracks'")
    expect(() => session.updateMany('tracks').set({ seconds: 'x' as never })).toThrow(RelataError)
    expect(() => session.deleteMany('tracks').where({ titel: 'x' } as never)).toThrow("'titel' is not a column of 'tracks'")
    expect(ctx.recorder.sql).toEqual([])
  })
}

describeEachDialect('session: updateMany / deleteMany', (target) => bulkSuite(target))
describeEachDialect('session: updateMany / deleteMany, MySQL 8 path (keys read locked first)', (target) => bulkSuite(target, { returning: false }), { only: ['mariadb'] })
