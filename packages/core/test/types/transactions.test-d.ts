/** Types of `orm.transaction(fn, options)` and of the errors a conflict or a timeout raises. */
import { describe, expectTypeOf, test } from 'vitest'
import {
  isTransactionConflict,
  QueryTimeoutError,
  TransactionConflictError,
  type Orm,
  type Session,
  type TransactionConflictKind,
  type TransactionIsolation,
  type TransactionOptions,
} from '../../src/index.js'
import { postgres } from '../../src/dialect/postgres/postgres.js'
import { mysql } from '../../src/dialect/mysql/mysql.js'
import { schema as books } from '../fixtures/books.js'

type B = typeof books
declare const orm: Orm<B>

describe('orm.transaction(fn, options)', () => {
  test('returns what fn returns, with or without options; fn gets a session of the schema', () => {
    expectTypeOf(orm.transaction(async () => 1)).toEqualTypeOf<Promise<number>>()
    expectTypeOf(orm.transaction(async (session) => session.create('authors', { name: 'Ann' }).name, { retries: 3 })).toEqualTypeOf<Promise<string>>()
    orm.transaction(async (session) => {
      expectTypeOf(session).toEqualTypeOf<Session<B>>()
    }, { isolation: 'serializable', retries: 2 })
    orm.transaction(async () => undefined, { isolation: 'repeatable read' })
    orm.transaction(async () => undefined, { isolation: 'read committed' })
    orm.transaction(async () => undefined, {})
  })

  test('options are checked', () => {
    // @ts-expect-error an isolation level neither database supports in the same way
    orm.transaction(async () => undefined, { isolation: 'read uncommitted' })
    // @ts-expect-error isolation levels are spelled in lower case with a space
    orm.transaction(async () => undefined, { isolation: 'SERIALIZABLE' })
    // @ts-expect-error retries is a number
    orm.transaction(async () => undefined, { retries: '3' })
    // @ts-expect-error an unknown option
    orm.transaction(async () => undefined, { retry: 3 })
    // @ts-expect-error fn must return a promise
    orm.transaction(() => 1, { retries: 1 })
    const options: TransactionOptions = { retries: 1, isolation: 'serializable' }
    // @ts-expect-error options are read-only
    options.retries = 2
    expectTypeOf<TransactionIsolation>().toEqualTypeOf<'serializable' | 'repeatable read' | 'read committed'>()
  })
})

describe('conflict and timeout errors', () => {
  test('their fields', () => {
    const conflict = new TransactionConflictError('m', 'deadlock', 'owners', '40P01', { cause: undefined })
    expectTypeOf(conflict.kind).toEqualTypeOf<TransactionConflictKind>()
    expectTypeOf(conflict.table).toEqualTypeOf<string | undefined>()
    expectTypeOf(conflict.code).toEqualTypeOf<string | number>()
    expectTypeOf<TransactionConflictKind>().toEqualTypeOf<'deadlock' | 'serialization' | 'lock timeout'>()
    // @ts-expect-error not a kind of conflict
    new TransactionConflictError('m', 'timeout', undefined, 1, { cause: undefined })
    const timeout = new QueryTimeoutError('m', undefined, 1969, { cause: undefined })
    expectTypeOf(timeout.table).toEqualTypeOf<string | undefined>()
    expectTypeOf(isTransactionConflict).toEqualTypeOf<(error: unknown) => boolean>()
  })

  test('statementTimeout is a dialect option', () => {
    postgres('postgres://localhost/app', { statementTimeout: 5_000 })
    mysql('mysql://localhost/app', { statementTimeout: 5_000, server: 'mariadb' })
    // @ts-expect-error milliseconds, as a number
    postgres('postgres://localhost/app', { statementTimeout: '5s' })
    // @ts-expect-error an unknown option
    postgres('postgres://localhost/app', { timeout: 5_000 })
  })
})
