/** Types of counts, aggregates and declared collection order: `$counts` typed per counted relation, plain aggregate rows typed per column, misspelt names refused. */
import { describe, expectTypeOf, test } from 'vitest'
import { schema } from '@relata/test-kit/chinook'
import { defineSchema, t, table, type Entity, type NumericString, type Session, type WithCounts } from '../../src/index.js'
import { schema as counts } from '../fixtures/counts.js'

type S = typeof schema

declare const session: Session<S>
declare const bookSession: Session<typeof counts>

describe('withCount()', () => {
  test('$counts holds a number per counted relation, beside loaded relations', async () => {
    const artists = await session.query('artists').withCount('albums').all()
    expectTypeOf(artists[0]!.$counts).toEqualTypeOf<{ readonly albums: number }>()
    expectTypeOf(artists[0]!).toMatchTypeOf<WithCounts<Entity<S, 'artists'>, 'albums'>>()

    const tracks = await session.query('tracks').withCount('playlists', 'invoiceLines').with({ album: true }).first()
    expectTypeOf(tracks!.$counts).toEqualTypeOf<{ readonly playlists: number; readonly invoiceLines: number }>()
    expectTypeOf(tracks!.album!.title).toEqualTypeOf<string>()

    const filtered = await session.query('albums').withCount({ tracks: (q) => q.where('milliseconds', '>', 600_000) }).withCount('tracks').one()
    expectTypeOf(filtered.$counts.tracks).toEqualTypeOf<number>()
  })

  test('a query without withCount has no $counts', async () => {
    const [artist] = await session.query('artists').all()
    // @ts-expect-error nothing was counted
    artist!.$counts
  })

  test('misspelt, to-one and uncounted relations are compile errors', () => {
    // @ts-expect-error not a relation of artists
    session.query('artists').withCount('albumz')
    // @ts-expect-error a to-one relation is not counted
    session.query('albums').withCount('artist')
    // @ts-expect-error not a relation of albums
    session.query('albums').withCount({ trackz: true })
    // @ts-expect-error a count's callback filters only
    session.query('albums').withCount({ tracks: (q) => q.orderBy('name') })
    // @ts-expect-error not a column of tracks
    session.query('albums').withCount({ tracks: (q) => q.where('minutes', '>', 1) })
    // @ts-expect-error at least one relation
    session.query('albums').withCount()
  })

  test('reading a count that was not asked for is a compile error', async () => {
    const [track] = await session.query('tracks').withCount('playlists').all()
    // @ts-expect-error invoiceLines was not counted
    track!.$counts.invoiceLines
  })
})

describe('collection.count()', () => {
  test('a collection counts, loaded or not; a reference does not', async () => {
    const artist = (await session.get('artists', 1))!
    expectTypeOf(artist.albums.count()).toEqualTypeOf<Promise<number>>()
    const loaded = await session.query('artists').with({ albums: true }).one()
    expectTypeOf(loaded.albums.count()).toEqualTypeOf<Promise<number>>()
    const album = (await session.get('albums', 1))!
    // @ts-expect-error a to-one relation has no count()
    album.artist.count()
  })
})

describe('aggregates', () => {
  test('grouped rows: the grouped columns as declared, counts numbers, sums and averages per column type', async () => {
    const rows = await bookSession
      .query('books')
      .groupBy('authorId')
      .aggregate((fn) => ({
        n: fn.count(),
        years: fn.sum('year'),
        price: fn.sum('price'),
        words: fn.sum('words'),
        meanYear: fn.avg('year'),
        meanWords: fn.avg('words'),
        first: fn.min('title'),
        latest: fn.max('publishedAt'),
        rating: fn.max('rating'),
      }))
      .having('n', '>', 1)
      .orderBy('price', 'desc')
      .all()
    expectTypeOf(rows[0]!).toEqualTypeOf<{
      authorId: number | null
      n: number
      years: number | null
      price: NumericString | null
      words: bigint | null
      meanYear: number | null
      meanWords: NumericString | null
      first: string | null
      latest: Date | null
      rating: number | null
    }>()
  })

  test('without groupBy: one row of aggregates; groupBy without aggregates: the groups', async () => {
    const [total] = await session.query('tracks').aggregate((fn) => ({ n: fn.count(), ms: fn.sum('milliseconds') })).all()
    expectTypeOf(total!).toEqualTypeOf<{ n: number; ms: number | null }>()
    const groups = await session.query('tracks').groupBy('albumId', 'genreId').aggregate().all()
    expectTypeOf(groups[0]!).toEqualTypeOf<{ albumId: number | null; genreId: number | null }>()
  })

  test('misspelt columns, sums of text, having and orderBy on names not in the result are compile errors', () => {
    // @ts-expect-error not a column of tracks
    session.query('tracks').groupBy('album')
    // @ts-expect-error text has no sum
    session.query('tracks').aggregate((fn) => ({ s: fn.sum('name') }))
    // @ts-expect-error text has no average
    session.query('tracks').aggregate((fn) => ({ s: fn.avg('composer') }))
    // @ts-expect-error not a column of tracks
    session.query('tracks').aggregate((fn) => ({ s: fn.max('length') }))
    const agg = session.query('tracks').groupBy('albumId').aggregate((fn) => ({ n: fn.count() }))
    // @ts-expect-error not in the result
    agg.having('m', '>', 1)
    // @ts-expect-error a count compares with a number
    agg.having('n', '>', '1')
    // @ts-expect-error not a comparison having takes
    agg.having('n', 'like', 1)
    // @ts-expect-error not in the result
    agg.orderBy('milliseconds')
  })
})

describe('declared collection order', () => {
  const authors = table('authors', { id: t.serial().primaryKey(), name: t.text() })
  const books = table('books', { id: t.serial().primaryKey(), title: t.text(), year: t.integer(), authorId: t.integer().references(() => authors.id) })

  test('columns of the target, each with a direction or ascending', () => {
    defineSchema({ authors, books }, ({ oneToMany }) => ({ authors: { books: oneToMany('books', { orderBy: [['year', 'desc'], 'title'] }) } }))
  })

  test('a misspelt column, a bad direction, an order on a to-one are compile errors', () => {
    defineSchema({ authors, books }, ({ oneToMany }) => ({
      // @ts-expect-error orderBy 'titel' is not a column of 'books'
      authors: { books: oneToMany('books', { orderBy: ['titel'] }) },
    }))
    defineSchema({ authors, books }, ({ oneToMany }) => ({
      // @ts-expect-error direction must be asc or desc
      authors: { books: oneToMany('books', { orderBy: [['year', 'down']] }) },
    }))
    defineSchema({ authors, books }, ({ manyToOne }) => ({
      // @ts-expect-error a to-one relation has no order
      books: { author: manyToOne('authors', { orderBy: ['name'] }) },
    }))
  })
})
