/**
 * Read-only filtered relations (`viewOnly` with a `where`, SQLAlchemy's `viewonly=True` with a
 * custom `primaryjoin`): every load (lazy, `selectIn`, `join`) reads only the matching rows, the
 * relation serves in relation filters, writes through it are refused, and the unit of work ignores it.
 */
import { beforeAll, describe, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { defineSchema, RelataError, SchemaError } from '../src/index.js'
import { authors, books, schema, seedRelationFilters } from './fixtures/relation-filters.js'

const titles = (items: readonly { title: string }[]) => items.map((b) => b.title).sort()
const names = (items: readonly { name: string }[]) => items.map((b) => b.name).sort()

describeEachDialect('read-only relations', (target) => {
  const ctx = target.setup(schema)

  beforeAll(async () => {
    await seedRelationFilters(ctx.orm)
  })

  const ann = (session = ctx.orm.session()) => session.query('authors').where({ name: 'Ann' }).one()

  test('a lazy load reads the matching rows only, and the whole relation stays whole', async () => {
    const session = ctx.orm.session()
    const author = await ann(session)
    ctx.recorder.clear()
    expect(titles(await author.publishedBooks.load())).toEqual(['Dune'])
    expect(ctx.recorder.sql[0]).toMatch(/"published" = \$1|`published` = \?/)
    expect(titles(await author.books.load())).toEqual(['Draft', 'Dune'])
    expect(session.isPartial(author, 'publishedBooks')).toBe(false)
    const zoo = await session.query('books').where({ title: 'Zoo' }).one()
    expect(await zoo.activeAuthor?.load()).toBe(null)
    expect((await zoo.author?.load())?.name).toBe('Dee')
    const dune = await session.query('books').where({ title: 'Dune' }).one()
    expect(names(await dune.featuredTags.load())).toEqual(['sf'])
  })

  test.each(['join', 'selectIn'] as const)('eager loads read the matching rows only [%s]', async (strategy) => {
    const session = ctx.orm.session()
    const found = await session.query('authors').with({ publishedBooks: strategy, books: strategy }).orderBy('name').all()
    expect(found.map((a) => [a.name, titles(a.publishedBooks), titles(a.books)])).toEqual([
      ['Ann', ['Dune'], ['Draft', 'Dune']],
      ['Bob', ['Emma'], ['Emma']],
      ['Cy', [], []],
      ['Dee', ['Zoo'], ['Zoo']],
    ])
    const booksFound = await session.query('books').with({ activeAuthor: strategy, featuredTags: strategy, author: strategy }).orderBy('title').all()
    expect(booksFound.map((b) => [b.title, b.activeAuthor?.name ?? null, b.author?.name ?? null, names(b.featuredTags)])).toEqual([
      ['Anon', null, null, []],
      ['Draft', 'Ann', 'Ann', []],
      ['Dune', 'Ann', 'Ann', ['sf']],
      ['Emma', 'Bob', 'Bob', ['old']],
      ['Zoo', null, 'Dee', ['sf']],
    ])
    // With the relation query's own filter, both apply (a fresh session: one holding the whole collection keeps it).
    const [annFound] = await ctx.orm.session().query('authors').with({ publishedBooks: (q) => q.strategy(strategy).where('year', '<', 1900) }).where({ name: 'Ann' }).all()
    expect(titles(annFound!.publishedBooks)).toEqual([])
  })

  test('counts: withCount() and collection.count() count the rows its condition keeps', async () => {
    const session = ctx.orm.session()
    const found = await session.query('authors').withCount('publishedBooks', 'books').orderBy('name').all()
    expect(found.map((a) => [a.name, a.$counts.publishedBooks, a.$counts.books])).toEqual([['Ann', 1, 2], ['Bob', 1, 1], ['Cy', 0, 0], ['Dee', 1, 1]])
    const dune = await session.query('books').where({ title: 'Dune' }).one()
    expect(await dune.featuredTags.count()).toBe(1)
    expect(await (await ann(session)).publishedBooks.count()).toBe(1)
  })

  test('a read-only relation in relation filters: its condition applies (every looks among its rows)', async () => {
    const session = ctx.orm.session()
    expect(names(await session.query('authors').where({ publishedBooks: { some: {} } }).all())).toEqual(['Ann', 'Bob', 'Dee'])
    expect(names(await session.query('authors').where({ publishedBooks: { none: {} } }).all())).toEqual(['Cy'])
    // Ann's unpublished Draft has no year: it is not among her published books.
    expect(names(await session.query('authors').where({ publishedBooks: { every: (q) => q.where('year', '>', 1900) } }).all())).toEqual(['Ann', 'Cy', 'Dee'])
    expect(titles(await session.query('books').where({ activeAuthor: null }).all())).toEqual(['Anon', 'Zoo'])
    expect(titles(await session.query('books').where({ featuredTags: { some: { name: 'old' } } }).all())).toEqual(['Emma'])
  })

  test('writing through it is refused, naming the relation; nothing is written', async () => {
    const session = ctx.orm.session()
    const author = await ann(session)
    const zoo = await session.query('books').where({ title: 'Zoo' }).one()
    const anyAuthor = author as any
    expect(() => anyAuthor.publishedBooks.add(zoo)).toThrow(RelataError)
    expect(() => anyAuthor.publishedBooks.add(zoo)).toThrow(/authors\.publishedBooks is viewOnly: it cannot be added to, removed from or assigned/)
    const published = await author.publishedBooks.load()
    expect(() => anyAuthor.publishedBooks.remove(published[0])).toThrow(/authors\.publishedBooks is viewOnly/)
    expect(() => anyAuthor.publishedBooks.clear()).toThrow(/authors\.publishedBooks is viewOnly/)
    expect(() => (anyAuthor.publishedBooks = [])).toThrow(/authors\.publishedBooks is viewOnly/)
    expect(() => ((zoo as any).activeAuthor = author)).toThrow(/books\.activeAuthor is viewOnly/)
    expect(() => (zoo as any).featuredTags.add(zoo)).toThrow(/books\.featuredTags is viewOnly/)
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
  })

  test('the unit of work ignores it: key changes do not move objects into or out of it, deletes do not touch its rows', async () => {
    const session = ctx.orm.session()
    const author = await ann(session)
    const bob = await session.query('authors').where({ name: 'Bob' }).one()
    const published = await author.publishedBooks.load()
    const written = await author.books.load()
    const dune = written.find((b) => b.title === 'Dune')!
    dune.author = bob
    // The writable relation follows; the read-only one shows what was read.
    expect(titles(written)).toEqual(['Draft'])
    expect(titles(published)).toEqual(['Dune'])
    await session.flush()
    const fresh = ctx.orm.session()
    expect(titles(await (await ann(fresh)).publishedBooks.load())).toEqual([])
    await session.rollback()
    // A deleted author with a read-only collection: only the writable one unlinks the books.
    const s2 = ctx.orm.session()
    const dee = await s2.query('authors').where({ name: 'Dee' }).with({ publishedBooks: true }).one()
    ctx.recorder.clear()
    s2.delete(dee)
    await s2.flush()
    expect(ctx.recorder.sql.filter((q) => /^update/.test(q))).toHaveLength(1)
    const zoo = await ctx.orm.db.selectFrom('books').select('author_id').where('title', '=', 'Zoo').executeTakeFirstOrThrow()
    expect(zoo.author_id).toBe(null)
    await s2.rollback()
  })
})

describeEachDialect('read-only relations: merge and expunge', (target) => {
  const ctx = target.setup(schema)

  beforeAll(async () => {
    await seedRelationFilters(ctx.orm)
  })

  test('merge does not copy a read-only relation: the session\'s object reads its own; expunge lets it go', async () => {
    const elsewhere = await ctx.orm.session().query('authors').where({ name: 'Ann' }).with({ publishedBooks: true, books: true }).one()
    elsewhere.name = 'Annie'
    const session = ctx.orm.session()
    const merged = await session.merge(elsewhere)
    expect(merged).not.toBe(elsewhere)
    expect(merged.name).toBe('Annie')
    expect(titles(merged.publishedBooks)).toEqual(['Dune'])
    expect(merged.publishedBooks[0]).not.toBe(elsewhere.publishedBooks[0])
    expect(() => session.expunge(merged)).not.toThrow()
  })
})

describe('read-only relations: declarations', () => {
  // Untyped options, as JavaScript would pass them: the checks at run time.
  const untyped = defineSchema as (tables: object, relations: (helpers: any) => object) => unknown
  const declare = (relations: Record<string, unknown>) => () =>
    untyped({ authors, books }, ({ oneToMany, manyToOne }) => ({
      authors: { books: oneToMany('books', relations) },
      books: { author: manyToOne('authors') },
    }))

  test('a where without viewOnly, backPopulates or cascade with viewOnly, and unknown columns are SchemaErrors naming the relation', () => {
    expect(declare({ where: { published: true } })).toThrow(SchemaError)
    expect(declare({ where: { published: true } })).toThrow(/Relation 'authors\.books': a relation with a where condition holds some of the related rows only: declare it viewOnly: true/)
    expect(declare({ where: { published: true }, viewOnly: false })).toThrow(/declare it viewOnly: true/)
    expect(declare({ viewOnly: true, backPopulates: 'author' })).toThrow(/Relation 'authors\.books': a viewOnly relation takes no backPopulates/)
    expect(declare({ viewOnly: true, cascade: { delete: true } })).toThrow(/a viewOnly relation takes no cascade/)
    expect(declare({ viewOnly: true, where: { publishd: true } })).toThrow(/where names 'publishd', which is not a column of 'books'/)
    expect(declare({ viewOnly: true, where: { published: undefined } })).toThrow(/where.published is undefined/)
    expect(declare({ viewOnly: 'yes' })).toThrow(/viewOnly must be true or false/)
    expect(declare({ viewOnly: true, where: { published: true } })).not.toThrow()
    expect(declare({ viewOnly: true })).not.toThrow()
  })
})
