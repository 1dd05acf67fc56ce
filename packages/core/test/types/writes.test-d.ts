/** Types of `session.upsert()` (conflict targets known from the schema: the primary key or a `.unique()` column) and of `updateMany()` / `deleteMany()`. */
import { describe, expectTypeOf, test } from 'vitest'
import type { BulkDelete, BulkUpdate, Entity, Session, UpsertConflict } from '../../src/index.js'
import { schema } from '../fixtures/writes.js'

type S = typeof schema
declare const session: Session<S>

describe('upsert()', () => {
  test('returns the entity, relations not loaded (the row may exist with related rows)', () => {
    expectTypeOf(session.upsert('tags', { name: 'jazz', color: 'blue' }, { conflict: ['name'] })).toEqualTypeOf<Entity<S, 'tags'>>()
    expectTypeOf(session.upsert('settings', { owner: 1, key: 'k', value: 'v' }, { conflict: ['owner', 'key'] })).toEqualTypeOf<Entity<S, 'settings'>>()
    expectTypeOf(session.upsert('albums', { id: 1, title: 'Blue' }, { conflict: ['id'] })).toEqualTypeOf<Entity<S, 'albums'>>()
    const album = session.upsert('albums', { id: 1, title: 'Blue' }, { conflict: ['id'] })
    // @ts-expect-error tracks is not loaded
    void album.tracks.length
  })

  test('a conflict target is the primary key or one unique column', () => {
    expectTypeOf<['name']>().toMatchTypeOf<UpsertConflict<S, 'tags'>>()
    expectTypeOf<['id']>().toMatchTypeOf<UpsertConflict<S, 'tags'>>()
    expectTypeOf<['handle']>().toMatchTypeOf<UpsertConflict<S, 'users'>>()
    // @ts-expect-error color is neither unique nor the key
    session.upsert('tags', { name: 'x', color: 'c' }, { conflict: ['color'] })
    // @ts-expect-error misspelt column
    session.upsert('tags', { name: 'x' }, { conflict: ['nmae'] })
    // Several columns may be a table's unique constraint (its uniques are not in its type): checked when it runs.
    session.upsert('users', { email: 'a', handle: 'b', name: 'c' }, { conflict: ['email', 'handle'] })
    // @ts-expect-error misspelt column among several
    session.upsert('users', { email: 'a', handle: 'b', name: 'c' }, { conflict: ['email', 'handel'] })
    // @ts-expect-error conflict is required
    session.upsert('tags', { name: 'x' }, {})
  })

  test('values are the insert type; update names columns outside the key', () => {
    session.upsert('tags', { name: 'x', uses: 2 }, { conflict: ['name'], update: ['uses', 'color'] })
    // @ts-expect-error name is required
    session.upsert('tags', { color: 'c' }, { conflict: ['id'] })
    // @ts-expect-error misspelt value
    session.upsert('tags', { name: 'x', colour: 'c' }, { conflict: ['name'] })
    // @ts-expect-error a value of the wrong type
    session.upsert('tags', { name: 'x', uses: '2' }, { conflict: ['name'] })
    // @ts-expect-error the primary key is never updated
    session.upsert('tags', { name: 'x' }, { conflict: ['name'], update: ['id'] })
    // @ts-expect-error misspelt update column
    session.upsert('tags', { name: 'x' }, { conflict: ['name'], update: ['colr'] })
  })
})

describe('updateMany() / deleteMany()', () => {
  test('builders typed from the table; execute() resolves to the row count', () => {
    expectTypeOf(session.updateMany('tracks')).toEqualTypeOf<BulkUpdate<S, 'tracks'>>()
    expectTypeOf(session.updateMany('tracks').where({ albumId: 1 }).set({ price: '0.99' })).toEqualTypeOf<BulkUpdate<S, 'tracks'>>()
    expectTypeOf(session.updateMany('tracks').where('seconds', '>', 60).set({ albumId: null }).execute()).toEqualTypeOf<Promise<number>>()
    expectTypeOf(session.deleteMany('tracks').where((eb) => eb('title', 'like', 'A%'))).toEqualTypeOf<BulkDelete<S, 'tracks'>>()
    expectTypeOf(session.deleteMany('tracks').where('id', 'in', [1, 2]).execute()).toEqualTypeOf<Promise<number>>()
  })

  test('misspelt tables, columns and wrong values are compile errors', () => {
    // @ts-expect-error misspelt table
    session.updateMany('trakcs')
    // @ts-expect-error misspelt filter column
    session.updateMany('tracks').where({ albumID: 1 })
    // @ts-expect-error misspelt set column
    session.updateMany('tracks').where({}).set({ secs: 1 })
    // @ts-expect-error a value of the wrong type
    session.updateMany('tracks').where({}).set({ seconds: 'long' })
    // @ts-expect-error the primary key is not set by a bulk UPDATE
    session.updateMany('tracks').where({}).set({ id: 2 })
    // @ts-expect-error null where the column is not nullable
    session.updateMany('tracks').where({}).set({ title: null })
    // @ts-expect-error deleteMany has no set()
    session.deleteMany('tracks').set({ title: 'x' })
    // @ts-expect-error misspelt filter column
    session.deleteMany('tracks').where('titel', '=', 'x')
  })
})
