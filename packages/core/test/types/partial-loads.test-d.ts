/** Types of paged and filtered relation loads: `limit()` / `offset()` on to-many relation queries only, nested specs kept, `isPartial`. */
import { describe, expectTypeOf, test } from 'vitest'
import { schema } from '@relata/test-kit/chinook'
import type { CollectionQuery, Loaded, RelationQuery, Session } from '../../src/index.js'

type S = typeof schema

declare const session: Session<S>

describe('per-parent pages', () => {
  test('a to-many relation query pages: limit() and offset() keep the nested spec', async () => {
    const artists = await session
      .query('artists')
      .with({ albums: (q) => q.orderBy('title', 'desc').offset(1).limit(3).with({ tracks: (t) => t.limit(2) }) })
      .all()
    expectTypeOf(artists[0]!.albums[0]!).toEqualTypeOf<Loaded<S, 'albums', { tracks: {} }>>()
    expectTypeOf(artists[0]!.albums[0]!.tracks[0]!.name).toEqualTypeOf<string>()
    // Many-to-many too.
    await session.query('playlists').with({ tracks: (q) => q.limit(10) }).all()
  })

  test('the callback of a to-many relation gets a CollectionQuery, of a to-one a RelationQuery', () => {
    session.query('artists').with({
      albums: (q) => {
        expectTypeOf(q).toEqualTypeOf<CollectionQuery<S, 'albums', {}>>()
        return q
      },
    })
    session.query('albums').with({
      artist: (q) => {
        expectTypeOf(q).toEqualTypeOf<RelationQuery<S, 'artists', {}>>()
        return q
      },
    })
  })

  test('a helper written over RelationQuery still fits a to-many relation, and keeps its nested spec', async () => {
    const longest = (q: RelationQuery<S, 'tracks', {}>) => q.orderBy('milliseconds', 'desc').with({ genre: true })
    const [album] = await session.query('albums').with({ tracks: longest }).all()
    expectTypeOf(album!.tracks[0]!).toEqualTypeOf<Loaded<S, 'tracks', { genre: true }>>()
  })

  test('limit() and offset() on a to-one relation are type errors', () => {
    // @ts-expect-error a to-one relation has no page
    session.query('albums').with({ artist: (q) => q.limit(1) })
    // @ts-expect-error a to-one relation has no page
    session.query('tracks').with({ album: (q) => q.where('title', 'like', 'A%').offset(1) })
  })

  test('isPartial() takes one relation name of the object', async () => {
    const artist = await session.query('artists').with({ albums: (q) => q.limit(1) }).one()
    expectTypeOf(session.isPartial(artist, 'albums')).toEqualTypeOf<boolean>()
    // @ts-expect-error not a relation of artists
    session.isPartial(artist, 'tracks')
  })
})
