/** Types of `table()`'s third argument: indexes, uniques and checks name the table's own properties; `.comment()` keeps the column's types. */
import { describe, expectTypeOf, test } from 'vitest'
import { sql, t, table, type IndexDeclaration, type Row, type TableOptions } from '../../src/index.js'
import { editions, schema } from '../fixtures/declarations.js'

const columns = { id: t.serial().primaryKey(), title: t.text(), year: t.integer(), authorId: t.integer() }

describe('table() declarations', () => {
  test('columns are named by property, and typed as the table\'s', () => {
    table('books', columns, { indexes: [{ columns: ['title', 'year'] }], uniques: [['authorId', 'title']], checks: { ok: sql`year > 0` } })
    table('books', columns, { indexes: [{ columns: ['year'], unique: true, name: 'by_year', where: 'year > 2000' }], comment: 'c' })
    table('books', columns, { uniques: [{ name: 'u', columns: ['authorId'] }] })
    expectTypeOf<TableOptions<'a' | 'b'>['indexes']>().toEqualTypeOf<readonly IndexDeclaration<'a' | 'b'>[] | undefined>()
  })

  test('a misspelt or foreign column is a compile error', () => {
    // @ts-expect-error 'titel' is not a column of books
    table('books', columns, { indexes: [{ columns: ['titel'] }] })
    // @ts-expect-error the SQL name is not the property name
    table('books', columns, { uniques: [['author_id']] })
    // @ts-expect-error 'publisherId' belongs to another table
    table('books', columns, { uniques: [{ columns: ['title', 'publisherId'] }] })
    // @ts-expect-error an index needs at least one column
    table('books', columns, { indexes: [{ columns: [] }] })
    // @ts-expect-error a check is SQL text or an expression
    table('books', columns, { checks: { positive: 42 } })
    // @ts-expect-error unique is a boolean
    table('books', columns, { indexes: [{ columns: ['year'], unique: 'yes' }] })
    // @ts-expect-error an unknown option
    table('books', columns, { index: [{ columns: ['year'] }] })
  })

  test('.comment() keeps the column\'s types', () => {
    expectTypeOf<Row<typeof schema, 'publishers'>['name']>().toEqualTypeOf<string>()
    expectTypeOf<Row<typeof schema, 'editions'>['isbn']>().toEqualTypeOf<string | null>()
    expectTypeOf(editions.title.tableName).toEqualTypeOf<'editions'>()
    // @ts-expect-error a comment is a string
    t.text().comment(1)
  })

  test('.references() takes a constraint name, a string, and keeps the column\'s types', () => {
    const keyed = t.integer().references(() => editions.id, { name: 'FK_EditionId', onDelete: 'cascade' })
    expectTypeOf(keyed).toEqualTypeOf(t.integer().references(() => editions.id))
    // @ts-expect-error a constraint name is a string
    t.integer().references(() => editions.id, { name: 1 })
  })
})
