/**
 * `session.fromQuery()`: hand-written Kysely selects mapped to tracked objects through the identity
 * map (Chinook's tracks of a playlist through a join), unflushed changes and populateExisting,
 * autoflush, the session's transaction, and the errors for rows that are not a table's.
 */
import { beforeEach, expect, test } from 'vitest'
import { setupChinook } from '@relata/test-kit/chinook-suite'
import { describeEachDialect } from '@relata/test-kit/targets'
import { RelataError } from '../src/index.js'
import { schema } from './fixtures/books.js'
import { emptyTables } from './fixtures/unit-of-work.js'

describeEachDialect('session.fromQuery() on Chinook', (target) => {
  const ctx = setupChinook(target)

  test("a join's rows become tracked tracks: one statement, the identity map's objects, relations loading as usual", async () => {
    const session = ctx.orm.session()
    const held = (await session.get('tracks', 3390))!
    ctx.recorder.clear()
    const tracks = await session.fromQuery(
      session.db
        .selectFrom('track')
        .innerJoin('playlist_track', 'playlist_track.track_id', 'track.track_id')
        .where('playlist_track.playlist_id', '=', 1)
        .where('track.genre_id', '=', 1)
        .selectAll('track')
        .orderBy('track.track_id')
        .limit(5),
    )
    expect(ctx.recorder.sql).toHaveLength(1)
    const expected = await ctx.orm.db
      .selectFrom('track')
      .innerJoin('playlist_track', 'playlist_track.track_id', 'track.track_id')
      .where('playlist_track.playlist_id', '=', 1)
      .where('track.genre_id', '=', 1)
      .select(['track.track_id', 'track.unit_price'])
      .orderBy('track.track_id')
      .limit(5)
      .execute()
    expect(tracks.map((t) => t.trackId)).toEqual(expected.map((r) => r.track_id))
    // Values decoded as a query decodes them (numeric as text).
    expect(tracks[0]!.unitPrice).toBe('0.99')
    ctx.recorder.clear()
    expect(await session.get('tracks', tracks[0]!.trackId)).toBe(tracks[0])
    expect(ctx.recorder.sql).toEqual([])
    const album = await tracks[0]!.album!.load()
    expect(album!.albumId).toBe(tracks[0]!.albumId)
    // A track the session held before is the same object.
    const again = await session.fromQuery(session.db.selectFrom('track').selectAll().where('track_id', '=', 3390))
    expect(again).toEqual([held])
    expect(again[0]).toBe(held)
  })

  test('the table named: extra columns ignored; missing columns, a bare select * over a join, and rows of no single table are errors', async () => {
    const session = ctx.orm.session()
    const albums = await session.fromQuery(
      'albums',
      session.db.selectFrom('album').innerJoin('artist', 'artist.artist_id', 'album.artist_id').selectAll('album').select('artist.name as artist_name').where('artist.name', '=', 'AC/DC'),
    )
    expect(albums.map((a) => a.albumId).sort((a, b) => a - b)).toEqual([1, 4])
    expect(Object.keys(albums[0]!)).toEqual(['albumId', 'title', 'artistId'])

    ctx.recorder.clear()
    await expect(session.fromQuery('albums', session.db.selectFrom('album').select(['album_id', 'title']) as never)).rejects.toThrow(
      "session.fromQuery('albums', ...): the rows lack column artist_id of 'albums' (album); select them, e.g. selectAll('album')",
    )
    await expect(session.fromQuery(session.db.selectFrom('album').innerJoin('artist', 'artist.artist_id', 'album.artist_id').selectAll() as never)).rejects.toThrow(
      /selectAll\(\) over joined tables mixes their same-named columns/,
    )
    expect(ctx.recorder.sql).toHaveLength(1)
    await expect(session.fromQuery(session.db.selectFrom('album').select(['album_id', 'title']) as never)).rejects.toThrow(
      /the rows' columns \(album_id, title\) are no table's columns exactly; name the table/,
    )
    await expect(session.fromQuery('albums', session.db.selectFrom('album').innerJoin('artist', 'artist.artist_id', 'album.artist_id').selectAll('album').select('artist.name as artist_name').where('artist.name', '=', 'nobody'))).resolves.toEqual([])
    await expect(session.fromQuery('albums', session.db.selectFrom('artist').leftJoin('album', 'album.artist_id', 'artist.artist_id').selectAll('album'))).rejects.toThrow(
      "session.fromQuery('albums', ...): a row has no 'albums' (its album_id is null): an outer join's missing side cannot be an object",
    )
    await expect(session.fromQuery(session.db.deleteFrom('album').where('album_id', '=', -1) as never)).rejects.toThrow(/expects a select query, got DeleteQueryNode/)
    await expect(session.fromQuery('albums', 'select * from album' as never)).rejects.toThrow(RelataError)
  })
})

describeEachDialect('session.fromQuery() with changes', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    const session = ctx.orm.session()
    const ann = session.create('authors', { name: 'Ann' })
    session.create('books', { title: 'One', author: ann })
    session.create('books', { title: 'Two', author: ann })
    session.create('books', { title: 'Three', author: session.create('authors', { name: 'Bob' }) })
    await session.commit()
    ctx.recorder.clear()
  })

  const annsBooks = (session: ReturnType<typeof ctx.orm.session>) =>
    session.db.selectFrom('books').innerJoin('authors', 'authors.id', 'books.author_id').where('authors.name', '=', 'Ann').selectAll('books').orderBy('books.id')

  test('an unflushed change wins over the row; populateExisting overwrites it', async () => {
    const session = ctx.orm.session({ autoflush: false })
    const [one] = await session.fromQuery(annsBooks(session))
    one!.title = 'Changed'
    const [same] = await session.fromQuery(annsBooks(session))
    expect(same).toBe(one)
    expect(same!.title).toBe('Changed')
    const [overwritten] = await session.fromQuery(annsBooks(session), { populateExisting: true })
    expect(overwritten).toBe(one)
    expect(overwritten!.title).toBe('One')
    await session.commit()
    expect(ctx.recorder.sql.filter((s) => s.startsWith('update'))).toEqual([])
  })

  test('autoflush: pending changes are written before the statement, which may read any table', async () => {
    const session = ctx.orm.session()
    const bob = (await session.query('authors').where({ name: 'Bob' }).one())
    bob.name = 'Ann'
    ctx.recorder.clear()
    const books = await session.fromQuery(annsBooks(session))
    expect(ctx.recorder.sql.map((s) => s.split(' ')[0])).toEqual(['update', 'select'])
    expect(books.map((b) => b.title)).toEqual(['One', 'Two', 'Three'])
  })

  test("inside a transaction it reads the transaction's rows", async () => {
    await expect(
      ctx.orm.transaction(async (session) => {
        const ann = (await session.query('authors').where({ name: 'Ann' }).one())
        session.create('books', { title: 'Four', author: ann })
        await session.flush()
        const books = await session.fromQuery(annsBooks(session))
        expect(books.map((b) => b.title)).toEqual(['One', 'Two', 'Four'])
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
  })
})
