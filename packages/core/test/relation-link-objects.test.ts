/**
 * Association objects: a many-to-many's link row has its own columns (playlist_track.position,
 * note, starred), given to `add(item, values)`, read and changed through `linkOf(item)`, loaded with
 * the collection in the same statement, and named in relation filters and orders as `via.<column>`.
 */
import { beforeEach, describe, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { RelataError } from '../src/index.js'
import { schema } from './fixtures/link-objects.js'
import { emptyTables, normalizeSql } from './fixtures/unit-of-work.js'

describeEachDialect('association objects (link rows with their own columns)', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const linkRows = async () =>
    (await ctx.orm.db.selectFrom('playlist_track').select(['playlist_id', 'track_id', 'position', 'note', 'starred']).orderBy('playlist_id').orderBy('track_id').execute()).map((r) => [
      r.playlist_id,
      r.track_id,
      r.position,
      r.note,
      Boolean(r.starred),
    ])

  /** Rock: t1 (3), t2 (1, 'opener'), t3 (2). Jazz: t2 (2), t3 (1). Read back in a fresh session, nothing loaded. */
  async function seed() {
    const s = ctx.orm.session()
    const rock = s.create('playlists', { name: 'Rock' })
    const jazz = s.create('playlists', { name: 'Jazz' })
    const [t1, t2, t3] = ['T1', 'T2', 'T3'].map((title) => s.create('tracks', { title }))
    rock.tracks.add(t1!, { position: 3 })
    rock.tracks.add(t2!, { position: 1, note: 'opener', starred: true })
    rock.tracks.add(t3!, { position: 2 })
    jazz.tracks.add(t2!, { position: 2 })
    t3!.playlists.add(jazz, { position: 1 })
    await s.commit()
    const ids = { rock: rock.id, jazz: jazz.id, t1: t1!.id, t2: t2!.id, t3: t3!.id }
    ctx.recorder.clear()
    return { session: ctx.orm.session(), ids }
  }

  test('add(item, values) writes the link row with its own columns; a column not given takes its default', async () => {
    const { ids } = await seed()
    expect(await linkRows()).toEqual([
      [ids.rock, ids.t1, 3, null, false],
      [ids.rock, ids.t2, 1, 'opener', true],
      [ids.rock, ids.t3, 2, null, false],
      [ids.jazz, ids.t2, 2, null, false],
      [ids.jazz, ids.t3, 1, null, false],
    ])
  })

  test('a new link without a required column is refused before any SQL, whichever side adds it', async () => {
    const { session, ids } = await seed()
    const [rock, t1] = [(await session.get('playlists', ids.rock))!, (await session.get('tracks', ids.t1))!]
    const untyped = (c: unknown) => c as { add(...items: unknown[]): void; set(items: unknown[]): void }
    const jazz = (await session.get('playlists', ids.jazz))!
    ctx.recorder.clear()
    const message = "playlists.tracks: a new link needs 'position' (NOT NULL without a default in 'playlistTrack'): add(item, { position: ... })"
    expect(() => untyped(jazz.tracks).add(t1)).toThrow(new RelataError(message))
    expect(() => untyped(jazz.tracks).add(t1, { note: 'x' })).toThrow(new RelataError(message))
    expect(() => untyped(t1.playlists).add(jazz)).toThrow(/tracks\.playlists: a new link needs 'position'/)
    expect(ctx.recorder.sql).toEqual([])
    expect(await session.plan()).toEqual([])
    // Already a member of a loaded collection: no new link, nothing required.
    await rock.tracks.load()
    expect(() => untyped(rock.tracks).add(t1)).not.toThrow()
    expect(await session.plan()).toEqual([])
  })

  test('linkOf() reads the link row of each member, loaded with the collection in one statement', async () => {
    const { session, ids } = await seed()
    const playlists = await session.query('playlists').with({ tracks: true }).orderBy('id').all()
    // The playlists, then their tracks with their link columns: no statement per member.
    expect(ctx.recorder.sql).toHaveLength(2)
    expect(ctx.recorder.sql[1]).toMatch(/[`"]t2[`"]\.[`"]position[`"] as [`"]__v0[`"]/)
    const [rock, jazz] = playlists
    const t2 = rock!.tracks.find((t) => t.id === ids.t2)!
    // One object per track in the session; each link has its own values.
    expect(jazz!.tracks.find((t) => t.id === ids.t2)).toBe(t2)
    expect({ ...rock!.tracks.linkOf(t2) }).toEqual({ position: 1, note: 'opener', starred: true })
    expect({ ...jazz!.tracks.linkOf(t2) }).toEqual({ position: 2, note: null, starred: false })
    const count = ctx.recorder.sql.length
    // Lazily loaded from the other side: the same link rows.
    const lists = await t2.playlists.load()
    expect(ctx.recorder.sql.length).toBe(count + 1)
    expect(lists.linkOf(rock!).position).toBe(1)
    expect(lists.linkOf(jazz!).note).toBeNull()
  })

  test('a collection loaded with the join strategy holds no link values: linkOf() says how to read them', async () => {
    const { session, ids } = await seed()
    const rock = await session.query('playlists').where({ id: ids.rock }).with({ tracks: (q) => q.strategy('join').orderBy('title') }).one()
    expect(rock.tracks.map((t) => t.title)).toEqual(['T1', 'T2', 'T3'])
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(() => rock.tracks.linkOf(rock.tracks[0]!).position).toThrow(
      new RelataError(
        `playlists.tracks.linkOf(tracks (id ${ids.t1})).position: the value of playlistTrack.position is not known (the collection was loaded with the join strategy, or the database filled it): load the collection with selectIn, or again after the flush`,
      ),
    )
  })

  test('assigning a link column writes one UPDATE of that link row; both sides see the new value', async () => {
    const { session, ids } = await seed()
    const rock = await session.query('playlists').where({ id: ids.rock }).with({ tracks: true }).one()
    const t1 = rock.tracks.find((t) => t.id === ids.t1)!
    const link = rock.tracks.linkOf(t1)
    link.position = 7
    link.note = 'closer'
    expect(link.position).toBe(7)
    expect(await session.plan()).toEqual([expect.objectContaining({ operation: 'updateLinks', table: 'playlist_track', rows: 1 })])
    ctx.recorder.clear()
    await session.flush()
    expect(normalizeSql(ctx.recorder.sql).filter((s) => !/^(begin|commit|start transaction)/i.test(s))).toEqual([
      'update "playlist_track" set "position" = ?, "note" = ? where ("playlist_id" = ? and "track_id" = ?)',
    ])
    expect((await linkRows()).filter((r) => r[0] === ids.rock && r[1] === ids.t1)).toEqual([[ids.rock, ids.t1, 7, 'closer', false]])
    const lists = await t1.playlists.load()
    expect(lists.linkOf(rock).position).toBe(7)
    // A wrong value is refused when assigned, naming the column.
    expect(() => {
      ;(link as Record<string, unknown>).position = 'x'
    }).toThrow(/playlistTrack\.position \(playlist_track\.position\) expects/)
    expect(() => {
      ;(link as Record<string, unknown>).position = null
    }).toThrow(/cannot be null/)
    // A misspelt column is no property of the link.
    expect(() => {
      ;(link as Record<string, unknown>).postion = 1
    }).toThrow(TypeError)
    expect(await session.plan()).toEqual([])
  })

  test('linkOf() of an object that is not linked names the relation; removing the link deletes its row', async () => {
    const { session, ids } = await seed()
    const jazz = await session.query('playlists').where({ id: ids.jazz }).with({ tracks: true }).one()
    const t1 = (await session.get('tracks', ids.t1))!
    expect(() => jazz.tracks.linkOf(t1)).toThrow(new RelataError(`playlists.tracks.linkOf(): tracks (id ${ids.t1}) is not linked to playlists (id ${ids.jazz}) (add it first: tracks.add(item, values))`))
    const t3 = jazz.tracks.find((t) => t.id === ids.t3)!
    jazz.tracks.remove(t3)
    expect(() => jazz.tracks.linkOf(t3)).toThrow(/is not linked to/)
    await session.flush()
    expect((await linkRows()).filter((r) => r[0] === ids.jazz)).toEqual([[ids.jazz, ids.t2, 2, null, false]])
    // Linked again with new values: a new row.
    jazz.tracks.add(t3, { position: 5 })
    expect({ ...jazz.tracks.linkOf(t3) }).toEqual({ position: 5, note: null, starred: false })
    await session.flush()
    expect((await linkRows()).filter((r) => r[0] === ids.jazz)).toEqual([
      [ids.jazz, ids.t2, 2, null, false],
      [ids.jazz, ids.t3, 5, null, false],
    ])
  })

  test('links of a new object given values before it joins the session are written with them', async () => {
    const { session, ids } = await seed()
    const t1 = (await session.get('tracks', ids.t1))!
    const mix = ctx.orm.build('playlists', { name: 'Mix' })
    mix.tracks.add(t1, { position: 4, note: 'first' })
    session.add(mix)
    await session.flush()
    expect((await linkRows()).filter((r) => r[0] === mix.id)).toEqual([[mix.id, ids.t1, 4, 'first', false]])
  })

  describe('order by a link column (via.position)', () => {
    const titles = (items: readonly { title: string }[]) => items.map((t) => t.title)

    test('the declared order: lazy loads and with() follow the link position', async () => {
      const { session, ids } = await seed()
      const rock = (await session.get('playlists', ids.rock))!
      expect(titles(await rock.tracks.load())).toEqual(['T2', 'T3', 'T1'])
      const other = ctx.orm.session()
      const lists = await other.query('playlists').with({ tracks: 'selectIn' }).orderBy('id').all()
      expect(lists.map((p) => titles(p.tracks))).toEqual([
        ['T2', 'T3', 'T1'],
        ['T3', 'T2'],
      ])
    })

    test('a with() callback orders by the link and pages each parent by it', async () => {
      const { session } = await seed()
      const lists = await session.query('playlists').with({ tracks: (q) => q.orderBy('via.position', 'desc').limit(2) }).orderBy('id').all()
      expect(lists.map((p) => titles(p.tracks))).toEqual([
        ['T1', 'T3'],
        ['T2', 'T3'],
      ])
      expect(lists[0]!.tracks.linkOf(lists[0]!.tracks[0]!).position).toBe(3)
    })

    test('the join strategy cannot order by a link column: an error names the relation', async () => {
      const { session } = await seed()
      await expect(session.query('playlists').with({ tracks: 'join' }).all()).rejects.toThrow(
        new RelataError('playlists.tracks is ordered by via.position, a column of its link table: the join strategy embeds the related rows without their link rows; load it with selectIn'),
      )
    })

    test('orderBy("via.x") on a query that loads no many-to-many is an error', async () => {
      const { session } = await seed()
      expect(() => (session.query('tracks') as unknown as { orderBy(c: string): unknown }).orderBy('via.position')).toThrow(/'via\.position' is not a column of 'tracks'/)
      expect(() =>
        session.query('playlists').with({
          // @ts-expect-error not a column of the link table
          tracks: (q) => q.orderBy('via.positon'),
        }),
      ).toThrow(/'positon' is not a column of 'playlistTrack'/)
    })
  })

  describe('relation filters on link columns (via)', () => {
    const names = (items: readonly { name: string }[]) => items.map((p) => p.name)

    test('some / none / every through the link table, with and without target columns', async () => {
      const { session } = await seed()
      const q = () => session.query('playlists').orderBy('id')
      expect(names(await q().where({ tracks: { some: { via: { note: 'opener' } } } }).all())).toEqual(['Rock'])
      expect(names(await q().where({ tracks: { some: { title: 'T3', via: { position: 1 } } } }).all())).toEqual(['Jazz'])
      expect(names(await q().where({ tracks: { none: { via: { starred: true } } } }).all())).toEqual(['Jazz'])
      expect(names(await q().where({ tracks: { every: { via: { starred: false } } } }).all())).toEqual(['Jazz'])
      const tracks = await session.query('tracks').where({ playlists: { some: { name: 'Rock', via: { position: 2 } } } }).all()
      expect(tracks.map((t) => t.title)).toEqual(['T3'])
      const sql = ctx.recorder.sql.at(-1)!
      expect(normalizeSql([sql])[0]).toContain('inner join "playlist_track" as "t0l"')
      expect(normalizeSql([sql])[0]).toContain('"t0l"."position" = ?')
    })
  })
})
