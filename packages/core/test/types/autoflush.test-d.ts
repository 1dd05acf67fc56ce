/** Types of autoflush: `orm.session(options)`, `orm.transaction(fn, { autoflush })`, `session.noAutoflush(fn)`. */
import { describe, expectTypeOf, test } from 'vitest'
import type { CommitToken, Orm, ReadConsistency, Session, SessionOptions } from '../../src/index.js'
import { schema as books } from '../fixtures/books.js'

type B = typeof books
declare const orm: Orm<B>
declare const session: Session<B>

describe('autoflush options', () => {
  test('orm.session() takes SessionOptions, or nothing', () => {
    expectTypeOf(orm.session()).toEqualTypeOf<Session<B>>()
    expectTypeOf(orm.session({ autoflush: false })).toEqualTypeOf<Session<B>>()
    expectTypeOf(orm.session({})).toEqualTypeOf<Session<B>>()
    expectTypeOf<SessionOptions>().toEqualTypeOf<{ readonly autoflush?: boolean; readonly consistency?: ReadConsistency; readonly after?: CommitToken }>()
    // @ts-expect-error autoflush is a boolean
    orm.session({ autoflush: 'no' })
    // @ts-expect-error an unknown option
    orm.session({ autoFlush: false })
    // @ts-expect-error MikroORM's flush modes are not Relata's option
    orm.session({ flushMode: 'commit' })
  })

  test('orm.transaction() takes autoflush with its other options', () => {
    orm.transaction(async () => undefined, { autoflush: false, retries: 1, isolation: 'serializable' })
    // @ts-expect-error autoflush is a boolean
    orm.transaction(async () => undefined, { autoflush: 0 })
  })
})

describe('session.noAutoflush(fn)', () => {
  test("returns fn's result", () => {
    expectTypeOf(session.noAutoflush(async () => 1)).toEqualTypeOf<Promise<number>>()
    expectTypeOf(session.noAutoflush(() => session.query('books').all())).toEqualTypeOf<ReturnType<typeof session.query<'books'>>['all'] extends () => infer R ? R : never>()
    expectTypeOf(session.noAutoflush(async () => session.noAutoflush(async () => 'nested'))).toEqualTypeOf<Promise<string>>()
  })

  test('fn takes no argument and returns a promise', () => {
    // @ts-expect-error a callback that returns a plain value: make it async
    session.noAutoflush(() => 1)
    // @ts-expect-error the block is a function
    session.noAutoflush(session.query('books').all())
  })
})
