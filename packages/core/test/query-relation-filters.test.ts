/**
 * Filtering by relation: `where({ books: { some | every | none } })`, to-one paths and `null`,
 * nested and through many-to-many, in callbacks, inside `.with()` and in `count()`: one statement
 * with `EXISTS` subqueries, each parent once; and on Chinook, playlists with no track by an artist.
 */
import { beforeAll, describe, expect, test } from 'vitest'
import { setupChinook } from '@relata/test-kit/chinook-suite'
import { describeEachDialect } from '@relata/test-kit/targets'
import { RelataError } from '../src/index.js'
import { schema, seedRelationFilters } from './fixtures/relation-filters.js'

const names = (items: readonly { name: string }[]) => items.map((a) => a.name)
const titles = (items: readonly { title: string }[]) => items.map((b) => b.title)

describeEachDialect('relation filters', (target) => {
  const ctx = target.setup(schema)

  beforeAll(async () => {
    await seedRelationFilters(ctx.orm)
  })

  const authors = () => {
    ctx.recorder.clear()
    return ctx.orm.session().query('authors').orderBy('name')
  }

  test('some: the authors with a matching book, each once however many books match, in one statement', async () => {
    expect(names(await authors().where({ books: { some: { title: 'Dune' } } }).all())).toEqual(['Ann'])
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(ctx.recorder.sql[0]).toMatch(/where exists \(select 1 as .one. from .books. as .t0r. where /)
    // Ann has two books: still one Ann.
    expect(names(await authors().where({ books: { some: {} } }).all())).toEqual(['Ann', 'Bob', 'Dee'])
    expect(names(await authors().where({ books: { some: { published: true, year: null } } }).all())).toEqual([])
    expect(names(await authors().where({ books: { some: { published: false, year: null } } }).all())).toEqual(['Ann'])
  })

  test('none and every (Prisma semantics: every is vacuously true, a NULL condition fails)', async () => {
    expect(names(await authors().where({ books: { none: {} } }).all())).toEqual(['Cy'])
    expect(names(await authors().where({ books: { none: { published: true } } }).all())).toEqual(['Cy'])
    expect(names(await authors().where({ books: { every: { published: true } } }).all())).toEqual(['Bob', 'Cy', 'Dee'])
    // Draft's year is NULL: Ann's books are not all after 1900.
    expect(names(await authors().where({ books: { every: (q) => q.where('year', '>', 1900) } }).all())).toEqual(['Cy', 'Dee'])
    expect(names(await authors().where({ books: { every: {} } }).all())).toEqual(['Ann', 'Bob', 'Cy', 'Dee'])
    // Several quantifiers on one relation are ANDed.
    expect(names(await authors().where({ books: { some: {}, every: { published: true } } }).all())).toEqual(['Bob', 'Dee'])
  })

  test('nested through several relations, combined with column filters and the other where forms', async () => {
    expect(names(await authors().where({ books: { some: { reviews: { some: { stars: 5 } } } } }).all())).toEqual(['Ann', 'Dee'])
    expect(names(await authors().where({ books: { every: { reviews: { some: {} } } } }).all())).toEqual(['Bob', 'Cy', 'Dee'])
    expect(names(await authors().where({ active: true, books: { some: { reviews: { some: { stars: 5 } } } } }).all())).toEqual(['Ann'])
    const q = authors().where('name', '<>', 'Ann').where({ books: { some: (b) => b.where('year', '>=', 1800).where({ reviews: { none: { stars: 1 } } }) } })
    expect(names(await q.all())).toEqual(['Bob', 'Dee'])
    expect(names(await authors().where((eb) => eb('name', 'like', '%e%')).where({ books: { some: { tags: { some: { name: 'sf' } } } } }).all())).toEqual(['Dee'])
  })

  test('through a many-to-many (its link table) and back', async () => {
    const books = () => ctx.orm.session().query('books').orderBy('title')
    expect(titles(await books().where({ tags: { some: { name: 'sf' } } }).all())).toEqual(['Dune', 'Zoo'])
    expect(titles(await books().where({ published: true, tags: { none: { name: 'classic' } } }).all())).toEqual(['Anon', 'Zoo'])
    expect(titles(await books().where({ tags: { every: { featured: true } } }).all())).toEqual(['Anon', 'Draft', 'Zoo'])
    const tags = await ctx.orm.session().query('tags').where({ books: { some: { author: { name: 'Bob' } } } }).orderBy('name').all()
    expect(names(tags)).toEqual(['classic', 'old'])
  })

  test('a to-one path: the related row matches; null: there is none', async () => {
    const books = () => ctx.orm.session().query('books').orderBy('title')
    expect(titles(await books().where({ author: { name: 'Ann' } }).all())).toEqual(['Draft', 'Dune'])
    expect(titles(await books().where({ author: null }).all())).toEqual(['Anon'])
    expect(titles(await books().where({ author: (q) => q.where('name', 'in', ['Bob', 'Dee']) }).all())).toEqual(['Emma', 'Zoo'])
    const reviews = await ctx.orm.session().query('reviews').where({ book: { author: { active: true } } }).orderBy('stars').all()
    expect(reviews.map((r) => r.stars)).toEqual([2, 4, 5])
  })

  test('whereRelated: a callback on a relation, as some (a collection) or the related row (a to-one)', async () => {
    expect(names(await authors().whereRelated('books', (q) => q.where('year', '<', 1900)).all())).toEqual(['Bob'])
    expect(names(await authors().whereRelated('books', (q) => q.whereRelated('reviews', (r) => r.where('stars', '>=', 5))).all())).toEqual(['Ann', 'Dee'])
    const books = await ctx.orm.session().query('books').whereRelated('author', (q) => q.where('active', '=', false)).orderBy('title').all()
    expect(titles(books)).toEqual(['Zoo'])
  })

  test('in count(), within limit and offset', async () => {
    expect(await authors().where({ books: { some: {} } }).count()).toBe(3)
    expect(await authors().where({ books: { some: {} } }).limit(2).count()).toBe(2)
    expect(await authors().where({ books: { none: {} } }).count()).toBe(1)
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(ctx.recorder.sql[0]).toMatch(/^select count\(\*\) as .count. from .authors. as .t0. where not exists/)
  })

  test.each(['join', 'selectIn'] as const)('inside .with(): a relation query filters by its own relations [%s]', async (strategy) => {
    const session = ctx.orm.session()
    ctx.recorder.clear()
    const found = await session.query('authors').with({ books: (q) => q.strategy(strategy).where({ reviews: { some: { stars: 5 } } }) }).orderBy('name').all()
    expect(found.map((a) => [a.name, titles(a.books)])).toEqual([['Ann', ['Dune']], ['Bob', []], ['Cy', []], ['Dee', ['Zoo']]])
    expect(session.isPartial(found[0]!, 'books')).toBe(true)
    expect(ctx.recorder.sql).toHaveLength(strategy === 'join' ? 1 : 2)
    // A to-one loaded with a filter through its own relation.
    const books = await session.query('books').with({ author: (q) => q.strategy(strategy).where({ books: { some: { title: 'Emma' } } }) }).orderBy('title').all()
    expect(books.map((b) => [b.title, b.author?.name ?? null])).toEqual([['Anon', null], ['Draft', null], ['Dune', null], ['Emma', 'Bob'], ['Zoo', null]])
  })

  test('the parents are the session\'s objects (identity map) and the values are read as they are written', async () => {
    const session = ctx.orm.session()
    const ann = await session.query('authors').where({ name: 'Ann' }).one()
    const again = await session.query('authors').where({ books: { some: { title: 'Draft' } } }).one()
    expect(again).toBe(ann)
  })

  test('autoflush: pending changes to a table a relation filter reads are flushed first', async () => {
    await ctx.orm.transaction(async (session) => {
      const cy = await session.query('authors').where({ name: 'Cy' }).one()
      session.create('books', { title: 'New', year: 2024, published: false, author: cy })
      ctx.recorder.clear()
      expect(names(await session.query('authors').where({ books: { none: {} } }).all())).toEqual([])
      expect(ctx.recorder.sql[0]).toMatch(/^insert into .books./)
      throw new Error('roll back')
    }).catch((error: Error) => expect(error.message).toBe('roll back'))
    expect(names(await authors().where({ books: { none: {} } }).all())).toEqual(['Cy'])
  })

  test('misspelt relations, columns and quantifiers reached through any are errors naming the table', async () => {
    const q = ctx.orm.session().query('authors') as any
    ctx.recorder.clear()
    expect(() => q.where({ bokks: { some: {} } })).toThrow(RelataError)
    expect(() => q.where({ bokks: { some: {} } })).toThrow(/where\(\): 'bokks' is not a column of 'authors' \(columns: id, name, active\)/)
    expect(() => q.where({ books: { some: { titel: 'x' } } })).toThrow(/'titel' is not a column of 'books'/)
    expect(() => q.where({ books: { any: {} } })).toThrow(/where\(\{ books: \.\.\. \}\) on 'authors': 'any' is not a relation filter of the collection 'books' \(some, every, none\)/)
    expect(() => q.where({ books: { title: 'x' } })).toThrow(/'title' is not a relation filter/)
    expect(() => q.where({ books: null })).toThrow(/'books' is a collection: filter it with \{ some \}, \{ every \} or \{ none \}/)
    expect(() => q.where({ books: { some: undefined } })).toThrow(/some is undefined/)
    expect(() => q.where({ books: { some: 'Dune' } })).toThrow(/books.some expects a filter object of 'books' or a callback, got string/)
    expect(() => q.where({ books: { some: (b: any) => b.orderBy('title') } })).toThrow(/only filters/)
    expect(() => q.where({ books: { some: { title: undefined } } })).toThrow(/undefined/)
    expect(() => q.whereRelated('bokks', (b: any) => b)).toThrow(/whereRelated\(\): 'bokks' is not a relation of 'authors' \(relations: books, publishedBooks\)/)
    expect(() => q.whereRelated('books', { title: 'x' })).toThrow(/whereRelated\('books'\) on 'authors': expects a callback/)
    expect(ctx.recorder.sql).toEqual([])
  })
})

describeEachDialect('relation filters on Chinook', (target) => {
  const ctx = setupChinook(target)

  test('playlists with no track by a given artist (none through a many-to-many, then two to-one steps)', async () => {
    const db = ctx.orm.db
    const withMaiden = db
      .selectFrom('playlist_track as pt')
      .innerJoin('track as t', 't.track_id', 'pt.track_id')
      .innerJoin('album as al', 'al.album_id', 't.album_id')
      .innerJoin('artist as ar', 'ar.artist_id', 'al.artist_id')
      .where('ar.name', '=', 'Iron Maiden')
      .select('pt.playlist_id')
    const expected = await db.selectFrom('playlist').select('playlist_id').where('playlist_id', 'not in', withMaiden).orderBy('playlist_id').execute()
    expect(expected.length).toBeGreaterThan(3)
    ctx.recorder.clear()
    const playlists = await ctx.orm.session().query('playlists').where({ tracks: { none: { album: { artist: { name: 'Iron Maiden' } } } } }).orderBy('playlistId').all()
    expect(playlists.map((p) => p.playlistId)).toEqual(expected.map((r) => r.playlist_id))
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(ctx.recorder.sql[0]).toMatch(/not exists/)
  })

  test('artists having an album with a track longer than ten minutes, counted and loaded', async () => {
    const db = ctx.orm.db
    const expected = await db
      .selectFrom('artist as ar')
      .select('ar.artist_id')
      .where(({ exists, selectFrom }) =>
        exists(selectFrom('album as al').innerJoin('track as t', 't.album_id', 'al.album_id').whereRef('al.artist_id', '=', 'ar.artist_id').where('t.milliseconds', '>', 600_000).select('al.album_id')),
      )
      .orderBy('ar.artist_id')
      .execute()
    const query = ctx.orm.session().query('artists').where({ albums: { some: { tracks: { some: (q) => q.where('milliseconds', '>', 600_000) } } } })
    expect(await query.count()).toBe(expected.length)
    expect((await query.orderBy('artistId').all()).map((a) => a.artistId)).toEqual(expected.map((r) => r.artist_id))
  })
})
