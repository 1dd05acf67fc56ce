/** Which tables a read reads and which pending changes make it flush, without a database. */
import { describe, expect, test } from 'vitest'
import { defineSchema, t, table } from '../../src/index.js'
import { emptyQueryState } from '../../src/query/query-state.js'
import { QueryBuilder } from '../../src/query/entity-query.js'
import { pendingWrites, queryTables, relationTables, type ReadTables } from '../../src/session/autoflush.js'
import { SessionChanges } from '../../src/session/session-changes.js'
import type { EntityTracker } from '../../src/tracking/entity-state.js'
import { IdentityMap } from '../../src/tracking/identity-map.js'
import { schema as books } from '../fixtures/books.js'

const keys = (tables: ReadTables) => (tables === 'any' ? 'any' : [...tables].map((t) => t.key).sort())
const query = (key: string) => new QueryBuilder(emptyQueryState(books.table(key)))

describe('the tables a read reads', () => {
  test('a query: its table, its .with() relations and their link tables, nested', () => {
    expect(keys(queryTables(query('authors').where({ name: 'Ann' }).state))).toEqual(['authors'])
    expect(keys(queryTables(query('authors').with({ books: true }).state))).toEqual(['authors', 'books'])
    expect(keys(queryTables(query('books').with({ coauthors: { books: true } }).state))).toEqual(['authors', 'bookAuthor', 'books'])
  })

  test('a raw filter anywhere may read any table', () => {
    expect(queryTables(query('authors').where((eb: any) => eb('name', '=', 'Ann')).state)).toBe('any')
    expect(queryTables(query('authors').with({ books: (q: any) => q.where((eb: any) => eb('title', '=', 'T')) }).state)).toBe('any')
  })

  test('a relation load: the related table and the link table', () => {
    const relations = books.table('authors').relations
    expect(keys(relationTables([relations.get('books')!]))).toEqual(['books'])
    expect(keys(relationTables([relations.get('coauthored')!]))).toEqual(['bookAuthor', 'books'])
  })
})

const parents = table('parents', { id: t.serial().primaryKey() })
const children = table('children', { id: t.serial().primaryKey(), parentId: t.integer().nullable().references(() => parents.id) })
const toys = table('toys', { id: t.serial().primaryKey(), childId: t.integer().references(() => children.id) })
const others = table('others', { id: t.serial().primaryKey() })
const orphans = defineSchema({ parents, children, toys, others }, ({ oneToMany, manyToOne }) => ({
  parents: { children: oneToMany('children', { backPopulates: 'parent', cascade: { delete: true, deleteOrphan: true } }) },
  children: { parent: manyToOne('parents', { backPopulates: 'children' }), toys: oneToMany('toys') },
}))

describe('which pending changes a read must flush', () => {
  const tracker = { touch() {}, recordLink() {}, find: () => undefined, add() {}, loadRelation: async () => undefined } as unknown as EntityTracker
  const setup = () => {
    const identityMap = new IdentityMap()
    return { identityMap, changes: new SessionChanges(identityMap, tracker) }
  }
  const tables = (...names: string[]) => new Set(names.map((n) => orphans.table(n)))

  test('nothing pending: no read flushes', () => {
    const { identityMap, changes } = setup()
    expect(pendingWrites(orphans, changes, identityMap, tables('parents'))).toBe(false)
    expect(pendingWrites(orphans, changes, identityMap, 'any')).toBe(false)
  })

  test('a new object: reads of its table, and reads that may read anything', () => {
    const { identityMap, changes } = setup()
    changes.create(orphans.table('children'), {})
    expect(pendingWrites(orphans, changes, identityMap, tables('children'))).toBe(true)
    expect(pendingWrites(orphans, changes, identityMap, tables('parents', 'others'))).toBe(false)
    expect(pendingWrites(orphans, changes, identityMap, 'any')).toBe(true)
  })
})
