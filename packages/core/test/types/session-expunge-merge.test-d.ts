/** Types of `session.expunge()`, `session.merge()` and entities' `toJSON()`. */
import { describe, expectTypeOf, test } from 'vitest'
import { defineSchema, t, table } from '../../src/index.js'
import type { Entity, EntityJson, EntityKeyJson, Loaded, NewEntity, Orm, Row, Session } from '../../src/index.js'
import { schema as books } from '../fixtures/books.js'

type B = typeof books
declare const session: Session<B>
declare const orm: Orm<B>
declare const author: Entity<B, 'authors'>
declare const withBooks: Loaded<B, 'authors', { books: { author: true } }>

describe('expunge() and merge()', () => {
  test('expunge takes an object and returns nothing', () => {
    expectTypeOf(session.expunge(author)).toEqualTypeOf<void>()
    // @ts-expect-error an entity, not a key
    session.expunge(1)
  })

  test('merge returns the entity type it was given, loaded relations included', async () => {
    expectTypeOf(await session.merge(author)).toEqualTypeOf<Entity<B, 'authors'>>()
    const merged = await session.merge(withBooks)
    expectTypeOf(merged).toEqualTypeOf<Loaded<B, 'authors', { books: { author: true } }>>()
    expectTypeOf(merged.books[0]!.author!.name).toEqualTypeOf<string>()
    expectTypeOf(await session.merge(orm.build('authors', { id: 1, name: 'Ann' }))).toEqualTypeOf<NewEntity<B, 'authors'>>()
    const plain = await session.merge(author)
    // @ts-expect-error books was not loaded on the object merged
    plain.books[0]
    // @ts-expect-error a number is no entity
    await session.merge(1)
  })
})

const people = table('people', {
  id: t.bigint().primaryKey(),
  name: t.text(),
  born: t.timestamp().nullable(),
  tags: t.json<string[]>(),
})
const pets = table('pets', {
  id: t.serial().primaryKey(),
  ownerId: t.bigint().references(() => people.id),
})
const zoo = defineSchema({ people, pets }, ({ oneToMany, manyToOne }) => ({
  people: { pets: oneToMany('pets', { backPopulates: 'owner' }) },
  pets: { owner: manyToOne('people', { backPopulates: 'pets' }) },
}))
type Z = typeof zoo
declare const person: Entity<Z, 'people'>
declare const loaded: Loaded<Z, 'people', { pets: { owner: true } }>

describe('toJSON()', () => {
  test('columns as JSON writes them: bigint and dates as strings; unloaded relations left out', () => {
    const json = person.toJSON()
    expectTypeOf(json).toEqualTypeOf<{ id: string; name: string; born: string | null; tags: string[] }>()
    // @ts-expect-error pets is not loaded: not in the JSON
    json.pets
  })

  test('loaded relations nested; below the first level, an object may be a key (a cycle cut)', () => {
    const json = loaded.toJSON()
    expectTypeOf(json.pets).toEqualTypeOf<{ id: number; ownerId: string; owner: EntityJson<Entity<Z, 'people'>, true> | EntityKeyJson }[]>()
    expectTypeOf(json.pets[0]!.ownerId).toEqualTypeOf<string>()
  })

  test('toJSON is no column: not in Row, not in the values create() takes', () => {
    expectTypeOf<keyof Row<Z, 'people'>>().toEqualTypeOf<'id' | 'name' | 'born' | 'tags'>()
    expectTypeOf<keyof EntityJson<Entity<Z, 'people'>>>().toEqualTypeOf<'id' | 'name' | 'born' | 'tags'>()
  })
})
