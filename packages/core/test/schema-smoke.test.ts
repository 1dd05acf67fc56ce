import { expect, test } from 'vitest'
import { schema } from './fixtures/books.js'

test('the join of books.author is inferred from books.authorId', () => {
  const relation = schema.table('books').relations.get('author')!
  expect(relation.sourceColumns.map((c) => c.sqlName)).toEqual(['author_id'])
  expect(relation.targetColumns.map((c) => c.sqlName)).toEqual(['id'])
  expect(relation.nullable).toBe(true)
})
