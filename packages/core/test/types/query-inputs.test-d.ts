/** Types of query inputs: filter objects never hold undefined (it would drop the condition), in both settings of exactOptionalPropertyTypes. */
import { describe, expectTypeOf, test } from 'vitest'
import type { EntityQuery, FilterValues, Row, Session } from '../../src/index.js'
import { schema } from '../fixtures/query-inputs.js'

type S = typeof schema
declare const session: Session<S>
declare const body: { id?: number; name?: string }
declare const maybeId: number | undefined
declare const partial: Partial<Row<S, 'items'>>

describe('where({ ... })', () => {
  test('values of the column type, and null where nullable, compile', () => {
    const q = session.query('items')
    expectTypeOf(q.where({ id: 1 })).toEqualTypeOf<EntityQuery<S, 'items'>>()
    q.where({ name: null, kind: 'plain', price: '1.50', big: 1n, at: new Date(), doc: { any: 'json' } })
    q.where({})
    if (body.id !== undefined) q.where({ id: body.id })
    const known: { id: number } = { id: 1 }
    q.where(known)
    session.query('folders').with({ items: (i) => i.where({ name: 'x' }) })
  })

  test('a value that may be undefined does not compile', () => {
    const q = session.query('items')
    // @ts-expect-error body.id may be undefined: the condition would be dropped
    q.where({ id: body.id })
    // @ts-expect-error so may this
    q.where({ id: maybeId })
    // @ts-expect-error undefined itself
    q.where({ name: undefined })
    // @ts-expect-error an optional property may hold undefined (without exactOptionalPropertyTypes)
    q.where(partial)
    // @ts-expect-error inside a relation query too
    session.query('folders').with({ items: (i) => i.where({ id: maybeId }) })
  })

  test('unknown columns and wrong types still fail', () => {
    const q = session.query('items')
    // @ts-expect-error 'nope' is not a column
    q.where({ id: 1, nope: 2 })
    // @ts-expect-error 'odd2' is not a kind
    q.where({ kind: 'odd2' })
    // @ts-expect-error id is not nullable
    q.where({ id: null })
    // @ts-expect-error price is a numeric string
    q.where({ price: 1.5 })
  })

  test('FilterValues takes away undefined and unknown properties', () => {
    type R = { id: number; name: string | null }
    expectTypeOf<FilterValues<R, { id: number | undefined }>>().toEqualTypeOf<{ id: number }>()
    expectTypeOf<FilterValues<R, { nope: 1 }>>().toEqualTypeOf<{ nope: never }>()
  })
})

describe('other inputs', () => {
  test('comparisons, in lists, limit, offset and get take no undefined', () => {
    const q = session.query('items')
    q.where('id', '=', 1).where('id', 'in', [1, 2]).limit(10).offset(5)
    // @ts-expect-error undefined is not a value
    q.where('id', '=', maybeId)
    // @ts-expect-error nor in a list
    q.where('id', 'in', [1, maybeId])
    // @ts-expect-error limit takes a number
    q.limit(maybeId)
    // @ts-expect-error offset takes a number
    q.offset(undefined)
    // @ts-expect-error limit takes no bigint
    q.limit(10n)
    // @ts-expect-error get takes the key
    void session.get('items', maybeId)
    void session.get('tags', { itemId: 1, tag: 'a' })
    // @ts-expect-error every column of a composite key
    void session.get('tags', { itemId: 1, tag: body.name })
  })
})
