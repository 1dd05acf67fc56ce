import { expectTypeOf, test } from 'vitest'
import type { Entity, Row } from '../../src/index.js'
import { schema } from '../fixtures/books.js'

type S = typeof schema

test('a nullable foreign key makes a nullable many-to-one', () => {
  expectTypeOf<Row<S, 'books'>>().toEqualTypeOf<{ id: number; title: string; authorId: number | null }>()
  expectTypeOf<NonNullable<Entity<S, 'books'>['author']>['load']>().returns.resolves.toEqualTypeOf<Entity<S, 'authors'> | null>()
})
