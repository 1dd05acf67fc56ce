/**
 * `query.stream()`: every track of Chinook in keyset batches with their albums, the session letting
 * go of each batch once read past; objects held before stay; changed objects stay until flushed;
 * leaving the loop early; orders, limit and offset; refused orders.
 */
import { beforeEach, describe, expect, test } from 'vitest'
import { setupChinook } from '@relata/test-kit/chinook-suite'
import { describeEachDialect } from '@relata/test-kit/targets'
import { RelataError } from '../src/index.js'
import { schema } from './fixtures/keyset.js'
import { emptyTables } from './fixtures/unit-of-work.js'

describeEachDialect('query.stream() on Chinook', (target) => {
  const ctx = setupChinook(target)

  test('streaming every track with its album: keyset batches of 1000, each with its albums, in primary key order', async () => {
    const session = ctx.orm.session()
    const seen: number[] = []
    const albums = new Set<string>()
    for await (const track of session.query('tracks').with({ album: true }).stream({ batchSize: 1000 })) {
      seen.push(track.trackId)
      if (track.album) albums.add(track.album.title)
    }
    const expected = await ctx.orm.db.selectFrom('track').select('track_id').orderBy('track_id').execute()
    expect(seen).toEqual(expected.map((r) => r.track_id))
    expect(seen).toHaveLength(3503)
    expect(albums.size).toBe(347)
    // Four batches: the first without a keyset, each next one after the previous batch's last key.
    const roots = ctx.recorder.queries.filter((q) => /from "track" as "t0"|from `track` as `t0`/.test(q.sql) && !/ in \(/.test(q.sql))
    expect(roots).toHaveLength(4)
    expect(roots.map((q) => q.parameters.at(-2))).toEqual([undefined, 1000, 2000, 3000])
    expect(roots[1]!.sql).toMatch(/where [`"]t0[`"]\.[`"]track_id[`"] > (\$1|\?) order by [`"]t0[`"]\.[`"]track_id[`"] asc limit/)
  })

  test('each finished batch leaves the session: its tracks and albums are detached and read anew', async () => {
    const session = ctx.orm.session()
    let first: object | undefined
    let firstAlbum: object | null | undefined
    for await (const track of session.query('tracks').with({ album: true }).stream({ batchSize: 500 })) {
      first ??= track
      firstAlbum ??= track.album
    }
    ctx.recorder.clear()
    const again = await session.get('tracks', 1)
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(again).not.toBe(first)
    const album = await session.get('albums', 1)
    expect(ctx.recorder.sql).toHaveLength(2)
    expect(album).not.toBe(firstAlbum)
    // A released object keeps its values and refuses to load more.
    expect((first as { name: string }).name).toBe('For Those About To Rock (We Salute You)')
    await expect((first as { genre: { load(): Promise<unknown> } }).genre.load()).rejects.toThrow(/detached/)
  })

  test('objects the session held before the stream keep their identity and stay', async () => {
    const session = ctx.orm.session()
    const held = (await session.get('tracks', 1200))!
    let yielded: object | undefined
    for await (const track of session.query('tracks').stream({ batchSize: 1000 })) if (track.trackId === 1200) yielded = track
    expect(yielded).toBe(held)
    ctx.recorder.clear()
    expect(await session.get('tracks', 1200)).toBe(held)
    expect(ctx.recorder.sql).toEqual([])
  })

  test('untracked(): batches of objects the session never holds', async () => {
    const session = ctx.orm.session()
    let count = 0
    let first: object | undefined
    for await (const album of session.query('albums').with({ artist: true }).untracked().stream({ batchSize: 100 })) {
      first ??= album
      count++
    }
    expect(count).toBe(347)
    ctx.recorder.clear()
    expect(await session.get('albums', 1)).not.toBe(first)
    expect(ctx.recorder.sql).toHaveLength(1)
  })

  test('breaking out of the loop ends the stream and lets go of the batch being read', async () => {
    const session = ctx.orm.session()
    let count = 0
    let last: object | undefined
    for await (const track of session.query('tracks').stream({ batchSize: 100 })) {
      last = track
      if (++count === 150) break
    }
    expect(ctx.recorder.sql).toHaveLength(2)
    ctx.recorder.clear()
    expect(await session.get('tracks', 150)).not.toBe(last)
    expect(ctx.recorder.sql).toHaveLength(1)
  })

  test("the query's order, with the primary key breaking ties; limit and offset over the whole stream", async () => {
    const session = ctx.orm.session()
    const query = session.query('tracks').where('milliseconds', '<', 300_000).orderBy('milliseconds', 'desc')
    const all = (await query.all()).map((t) => t.trackId)
    const streamed: number[] = []
    for await (const track of query.stream({ batchSize: 250 })) streamed.push(track.trackId)
    expect(streamed).toEqual(all)
    const page = (await query.offset(10).limit(1200).all()).map((t) => t.trackId)
    const streamedPage: number[] = []
    for await (const track of query.offset(10).limit(1200).stream({ batchSize: 500 })) streamedPage.push(track.trackId)
    expect(streamedPage).toEqual(page)
  })

  test('refused: a nullable order column unless its nulls are filtered out, a batch size that is not a positive integer', async () => {
    const session = ctx.orm.session()
    const drain = async (stream: AsyncIterable<unknown>) => {
      for await (const _ of stream) void _
    }
    await expect(drain(session.query('tracks').orderBy('composer').stream())).rejects.toThrow(
      /stream\(\) on 'tracks' ordered by 'composer': the column is nullable.*where\('composer', 'is not', null\)/,
    )
    await drain(session.query('tracks').where('composer', 'is not', null).orderBy('composer').stream({ batchSize: 2000 }))
    expect(() => session.query('tracks').stream({ batchSize: 0 })).toThrow(RelataError)
    expect(() => session.query('tracks').stream({ batchSize: 1.5 })).toThrow(/batchSize must be a positive integer/)
    // @ts-expect-error unknown option
    expect(() => session.query('tracks').stream({ size: 10 })).toThrow(/unknown option 'size'/)
  })
})

describeEachDialect('query.stream() and changes', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    const session = ctx.orm.session()
    const feed = session.create('feeds', { name: 'Main' })
    for (let i = 1; i <= 25; i++) session.create('events', { feed, title: `E${i}`, at: new Date(Date.UTC(2024, 0, 1, 0, 0, i)), score: i, big: BigInt(i) })
    await session.commit()
    ctx.recorder.clear()
  })

  test('autoflush on: a change made to a streamed object is written before the next batch is read, then the object leaves', async () => {
    const session = ctx.orm.session()
    let changed: { id: number; title: string } | undefined
    for await (const event of session.query('events').stream({ batchSize: 10 })) {
      if (event.title === 'E3') {
        event.title = 'E3 changed'
        changed = event
      }
    }
    const statements = ctx.recorder.sql.map((s) => s.split(' ')[0])
    // select (batch 1), the autoflush's update, select (batch 2), select (batch 3)
    expect(statements).toEqual(['select', 'update', 'select', 'select'])
    ctx.recorder.clear()
    const again = await session.get('events', changed!.id)
    expect(again).not.toBe(changed)
    expect(again!.title).toBe('E3 changed')
  })

  test('autoflush off: a changed object stays in the session after its batch, its change written by the next flush, never dropped', async () => {
    const session = ctx.orm.session({ autoflush: false })
    let changed: { id: number; title: string } | undefined
    let unchanged: object | undefined
    for await (const event of session.query('events').stream({ batchSize: 10 })) {
      if (event.title === 'E4') {
        event.title = 'E4 changed'
        changed = event
      }
      if (event.title === 'E5') unchanged = event
    }
    expect(ctx.recorder.sql.every((s) => s.startsWith('select'))).toBe(true)
    ctx.recorder.clear()
    expect(await session.get('events', changed!.id)).toBe(changed)
    expect(ctx.recorder.sql).toEqual([])
    expect(await session.get('events', (unchanged as { id: number }).id)).not.toBe(unchanged)
    await session.commit()
    const row = await ctx.orm.db.selectFrom('ks_events').select('title').where('id', '=', changed!.id).executeTakeFirstOrThrow()
    expect(row.title).toBe('E4 changed')
  })

  test('a deleted object and the feed an object points at stay until flushed; a new object made from a streamed one keeps it', async () => {
    const session = ctx.orm.session({ autoflush: false })
    let deleted: { id: number } | undefined
    for await (const event of session.query('events').with({ feed: true }).stream({ batchSize: 10 })) {
      if (event.title === 'E1') {
        session.delete(event)
        deleted = event
      }
      if (event.title === 'E2') session.create('events', { feed: event.feed, title: 'New', at: new Date(0), big: 0n })
    }
    await session.commit()
    expect(await ctx.orm.db.selectFrom('ks_events').select('id').where('id', '=', deleted!.id).execute()).toEqual([])
    const fresh = await ctx.orm.db.selectFrom('ks_events').select('feed_id').where('title', '=', 'New').executeTakeFirstOrThrow()
    expect(fresh.feed_id).toBeGreaterThan(0)
  })

  describe('orders a keyset can resume from', () => {
    test('a millisecond timestamp and a bigint, descending', async () => {
      const session = ctx.orm.session()
      const byAt: string[] = []
      for await (const event of session.query('events').orderBy('at', 'desc').stream({ batchSize: 7 })) byAt.push(event.title)
      expect(byAt).toEqual(Array.from({ length: 25 }, (_, i) => `E${25 - i}`))
      const byBig: bigint[] = []
      for await (const event of session.query('events').orderBy('big', 'desc').stream({ batchSize: 4 })) byBig.push(event.big)
      expect(byBig).toEqual(Array.from({ length: 25 }, (_, i) => BigInt(25 - i)))
    })

    test('refused: a timestamp finer than milliseconds', async () => {
      const stream = ctx.orm.session().query('events').where('loggedAt', 'is not', null).orderBy('loggedAt').stream()
      await expect(stream.next()).rejects.toThrow(/ordered by 'loggedAt': the timestamp may hold sub-millisecond values.*precision: 3/)
    })
  })
})
