/** Types of association objects: `add(item, values)` typed from the link table, `linkOf()`, `via.` in orders and relation filters. */
import { describe, expectTypeOf, test } from 'vitest'
import { defineSchema, type Entity, type LinkOf, type LinkShape, type Loaded, type Session } from '../../src/index.js'
import { playlistTrack, playlists, schema, tracks } from '../fixtures/link-objects.js'
import { schema as books } from '../fixtures/books.js'
import { schema as chinook } from '@relata/test-kit/chinook'

type S = typeof schema
type Playlist = Entity<S, 'playlists'>
type Track = Entity<S, 'tracks'>
declare const session: Session<S>
declare const playlist: Playlist
declare const track: Track
declare const rock: Playlist
declare const loaded: Loaded<S, 'playlists', { tracks: true }>

describe('add(item, values)', () => {
  test('the link table\'s own columns, required where NOT NULL without a default', () => {
    type Slot = LinkOf<S, 'playlists', S['$infer']['relations']['playlists']['tracks']>
    expectTypeOf<Slot>().toEqualTypeOf<
      LinkShape<{ position: number; note: string | null; starred: boolean }, { position: number; note?: string | null; starred?: boolean }>
    >()
    playlist.tracks.add(track, { position: 1 })
    playlist.tracks.add(track, { position: 1, note: null, starred: true })
    track.playlists.add(playlist, { position: 2, note: 'x' })
  })

  test('a misspelt column, a key column, a wrong value or a missing required one is a compile error', () => {
    // @ts-expect-error 'positon' is not a column of the link table
    playlist.tracks.add(track, { positon: 1 })
    // @ts-expect-error the key columns are the link's ends, not values
    playlist.tracks.add(track, { position: 1, trackId: 2 })
    // @ts-expect-error position is a number
    playlist.tracks.add(track, { position: '1' })
    // @ts-expect-error position is required: a new link's insert needs it
    playlist.tracks.add(track, { note: 'x' })
    // @ts-expect-error position is required: add without values is no call
    playlist.tracks.add(track)
  })

  test('a link table without required columns: add() without values stays; values typed from it', () => {
    type B = typeof books
    const book = {} as Entity<B, 'books'>
    const author = {} as Entity<B, 'authors'>
    book.coauthors.add(author)
    book.coauthors.add(author, { role: 'editor' })
    // @ts-expect-error 'rol' is not a column of bookAuthor
    book.coauthors.add(author, { rol: 'editor' })
    // @ts-expect-error a one-to-many has no link row
    author.books.add(book, { role: 'x' })
  })

  test('a link table with no own columns: no values', () => {
    const music = {} as Entity<typeof chinook, 'playlists'>
    const song = {} as Entity<typeof chinook, 'tracks'>
    music.tracks.add(song)
    // @ts-expect-error playlist_track has no columns besides its keys
    music.tracks.add(song, {})
  })
})

describe('linkOf(item)', () => {
  test('a loaded many-to-many gives each member\'s link row, readable and assignable', () => {
    const link = loaded.tracks.linkOf(loaded.tracks[0]!)
    expectTypeOf(link).toEqualTypeOf<{ position: number; note: string | null; starred: boolean }>()
    link.position = 3
    link.note = null
    // @ts-expect-error position is NOT NULL
    link.position = null
    // @ts-expect-error not a column of the link table
    link.postion = 1
  })

  test('only on a loaded collection with a link row', () => {
    // @ts-expect-error not loaded: load it first
    playlist.tracks.linkOf(track)
    const authors = {} as Loaded<typeof books, 'authors', { books: true }>
    // @ts-expect-error a one-to-many has no link row
    authors.books.linkOf(authors.books[0]!)
  })
})

describe('via. in orders and relation filters', () => {
  test('orderBy names the link table\'s columns behind via.', () => {
    session.query('playlists').with({ tracks: (q) => q.orderBy('via.position', 'desc').limit(3) })
    session.query('playlists').with({ tracks: (q) => q.where({ title: 'x' }).orderBy('via.starred').orderBy('title') })
    // @ts-expect-error not a column of the link table
    session.query('playlists').with({ tracks: (q) => q.orderBy('via.positon') })
    // @ts-expect-error a root query loads no link rows
    session.query('playlists').orderBy('via.position')
  })

  test('relation filters take the link table\'s columns under via', () => {
    session.query('playlists').where({ tracks: { some: { via: { position: 1 } } } })
    session.query('tracks').where({ playlists: { every: { name: 'Rock', via: { starred: true } }, none: { via: { note: null } } } })
    // @ts-expect-error not a column of the link table
    session.query('playlists').where({ tracks: { some: { via: { positon: 1 } } } })
    // @ts-expect-error position is a number
    session.query('playlists').where({ tracks: { some: { via: { position: 'x' } } } })
    const authors = {} as Session<typeof books>
    // @ts-expect-error a one-to-many has no link table
    authors.query('authors').where({ books: { some: { via: { role: 'x' } } } })
  })

  test('a declared orderBy names link columns behind via.', () => {
    defineSchema({ playlists, tracks, playlistTrack }, ({ manyToMany }) => ({
      playlists: { tracks: manyToMany('tracks', { via: 'playlistTrack', orderBy: [['via.position', 'desc'], 'title'] }) },
    }))
    defineSchema({ playlists, tracks, playlistTrack }, ({ manyToMany }) => ({
      // @ts-expect-error orderBy 'via.positon' is not a column
      playlists: { tracks: manyToMany('tracks', { via: 'playlistTrack', orderBy: ['via.positon'] }) },
    }))
  })
})

test('the README example', async () => {
  rock.tracks.add(track, { position: 1, note: 'opener' })
  const mix = await session.query('playlists').with({ tracks: true }).one()
  const position: number = mix.tracks.linkOf(track).position
  mix.tracks.linkOf(track).position = 2
  await session.query('playlists').with({ tracks: (q) => q.orderBy('via.position', 'desc').limit(3) }).all()
  await session.query('playlists').where({ tracks: { some: { title: 'Intro', via: { position: 1 } } } }).all()
  expectTypeOf(position).toBeNumber()
})
