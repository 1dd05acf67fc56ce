/**
 * Untracked queries and memory: results the session does not keep, bytes per loaded entity for a
 * session holding 100,000 rows, and memory given back by `clear()` and by dropping untracked results.
 */
import { beforeAll, describe, expect, test } from 'vitest'
import { setupChinook } from '@relata/test-kit/chinook-suite'
import { describeEachDialect } from '@relata/test-kit/targets'
import { heapUsed, insertGeneratedItems } from './support/memory.js'
import { defineSchema, RelataError, t, table } from '../src/index.js'

describeEachDialect('untracked queries', (target) => {
  const ctx = setupChinook(target)

  test('return the same values as a tracked query, one object per row within the result, and nothing stays in the session', async () => {
    const session = ctx.orm.session()
    const query = session.query('albums').where('albumId', 'in', [1, 4]).with({ artist: 'join', tracks: true }).orderBy('albumId')
    const loose = await query.untracked().all()
    expect(loose.map((a) => a.title)).toEqual(['For Those About To Rock We Salute You', 'Let There Be Rock'])
    // Both albums are AC/DC's: one artist object within the result.
    expect(loose[0]!.artist).toBe(loose[1]!.artist)
    expect(loose[1]!.tracks.map((t) => t.trackId)).toEqual([15, 16, 17, 18, 19, 20, 21, 22])

    // Nothing entered the identity map: get() goes to the database and returns another object.
    ctx.recorder.clear()
    const album = await session.get('albums', 1)
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(album).not.toBe(loose[0])

    // A tracked query with the same loads gives equal data.
    const tracked = await query.all()
    expect(JSON.parse(JSON.stringify(loose))).toEqual(JSON.parse(JSON.stringify(tracked)))
    expect(tracked[0]).toBe(album)
  })

  test('cannot load more later, refuse relation changes, and are never written', async () => {
    const session = ctx.orm.session()
    const track = (await session.query('tracks').where({ trackId: 1 }).untracked().one())
    await expect(track.album!.load()).rejects.toThrow(RelataError)
    await expect(track.album!.load()).rejects.toThrow(/tracks\(trackId=1\) is detached .*name album in the query's \.with\(\)/)
    const other = await session.query('playlists').where({ playlistId: 1 }).one()
    expect(() => track.playlists.add(other)).toThrow(/tracks\.playlists: the 'tracks' object is detached/)

    track.name = 'Changed'
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
    const row = await ctx.orm.db.selectFrom('track').select('name').where('track_id', '=', 1).executeTakeFirstOrThrow()
    expect(row.name).toBe('For Those About To Rock (We Salute You)')
  })

  test('inside a transaction, see its uncommitted rows', async () => {
    await expect(
      ctx.orm.transaction(async (session) => {
        session.create('artists', { name: 'Untracked Band' })
        await session.flush()
        const found = await session.query('artists').where({ name: 'Untracked Band' }).untracked().all()
        expect(found).toHaveLength(1)
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    expect(await ctx.orm.session().query('artists').where({ name: 'Untracked Band' }).count()).toBe(0)
  })
})

/** A typical row: six columns of the common types. */
const items = table('items', {
  id: t.serial().primaryKey(),
  name: t.varchar(100),
  price: t.numeric(10, 2),
  createdAt: t.timestamp(),
  active: t.boolean(),
  groupId: t.integer(),
})
const memorySchema = defineSchema({ items }, () => ({}), { casing: 'snake_case' })

const ROWS = 100_000

describeEachDialect('memory', (target) => {
  const ctx = target.setup(memorySchema)

  beforeAll(async () => {
    await insertGeneratedItems(ctx.orm.db, target.family, 'items', ROWS)
  })

  describe(`a session holding ${ROWS.toLocaleString('en-US')} rows`, () => {
    test('bytes per entity, tracked and untracked; clear() and dropping results give the memory back', async () => {
      const figures: Record<string, number> = {}
      // Warm up: compiled hydrators, driver buffers, connection; and the raw rows, for comparison.
      await ctx.orm.session().query('items').limit(10).all()
      let raw: unknown[] | undefined = await ctx.orm.db.selectFrom('items').selectAll().execute()
      expect(raw).toHaveLength(ROWS)
      const base0 = await heapUsed()
      raw = undefined
      const base = await heapUsed()
      figures.rawRows = (base0 - base) / ROWS

      let session: ReturnType<typeof ctx.orm.session> | undefined = ctx.orm.session()
      let tracked: unknown[] | undefined = await session.query('items').all()
      expect(tracked).toHaveLength(ROWS)
      figures.tracked = (await heapUsed() - base) / ROWS
      session.clear()
      tracked = undefined
      session = undefined
      figures.afterClear = (await heapUsed() - base) / ROWS

      let loose: unknown[] | undefined = await ctx.orm.session().query('items').untracked().all()
      expect(loose).toHaveLength(ROWS)
      figures.untracked = (await heapUsed() - base) / ROWS
      loose = undefined
      figures.afterDrop = (await heapUsed() - base) / ROWS

      console.info(`[memory] ${target.name}: bytes per entity (100k rows of 6 columns): ${JSON.stringify(Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(v)])))}`)
      // What a tracked row costs (object, state, snapshot, identity-map entry, result array slot)
      // stays under 1 KiB here; the untracked result saves at least the snapshot and the map entry.
      expect(figures.tracked).toBeLessThan(1024)
      expect(figures.untracked).toBeLessThan(figures.tracked! * 0.85)
      // Back to where it started, within 5% of what the tracked result held.
      expect(figures.afterClear).toBeLessThan(figures.tracked! * 0.05)
      expect(figures.afterDrop).toBeLessThan(figures.tracked! * 0.05)
    })
  })
})
