/**
 * A collection's declared order (`oneToMany('books', { orderBy: [['year', 'desc'], 'title'] })`)
 * orders every load of it: lazy, `session.load()`, `.with()` through both strategies, per-parent
 * pages; a `.with()` callback that orders the collection itself wins. (Its checks at
 * `defineSchema` and its SQL: test/unit/counts-sql.test.ts.)
 */
import { beforeEach, describe, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { schema } from './fixtures/counts.js'
import { emptyTables } from './fixtures/unit-of-work.js'

const strategies = ['join', 'selectIn'] as const

describeEachDialect('declared collection order', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
  })

  /** Cy's books: C1 (2001), C2 and C0 (2002), C3 (2003); C1 tagged zeta, alpha, mid. */
  async function seed() {
    const s = ctx.orm.session()
    const cy = s.create('authors', { name: 'Cy' })
    const bob = s.create('authors', { name: 'Bob' })
    const [zeta, alpha, mid] = ['zeta', 'alpha', 'mid'].map((name) => s.create('tags', { name }))
    s.create('books', { title: 'C1', year: 2001, price: '1.00', author: cy, tags: [zeta!, alpha!, mid!] })
    s.create('books', { title: 'C2', year: 2002, price: '1.00', author: cy })
    s.create('books', { title: 'C0', year: 2002, price: '1.00', author: cy })
    s.create('books', { title: 'C3', year: 2003, price: '1.00', author: cy })
    s.create('books', { title: 'B1', year: 1990, price: '1.00', author: bob })
    await s.commit()
    ctx.recorder.clear()
    return { session: ctx.orm.session(), ids: { cy: cy.id } }
  }

  const declared = ['C3', 'C0', 'C2', 'C1']
  const titles = (items: readonly { title: string }[]) => items.map((b) => b.title)

  test('lazy loads and session.load() follow the declared order', async () => {
    const { session, ids } = await seed()
    const cy = (await session.get('authors', ids.cy))!
    expect(titles(await cy.books.load())).toEqual(declared)
    expect(ctx.recorder.sql.at(-1)).toMatch(/order by [`"]t1[`"]\.[`"]year[`"] desc, [`"]t1[`"]\.[`"]title[`"] asc, [`"]t1[`"]\.[`"]id[`"] asc$/)
    const other = ctx.orm.session()
    const again = (await other.get('authors', ids.cy))!
    expect(titles((await other.load(again, 'books')).books)).toEqual(declared)
    const book = await other.query('books').where({ title: 'C1' }).one()
    expect((await book.tags.load()).map((t) => t.name)).toEqual(['alpha', 'mid', 'zeta'])
  })

  describe.each(strategies)('with() [%s]', (strategy) => {
    test('the declared order, unless the callback orders; a filter alone keeps the declared order', async () => {
      const { session } = await seed()
      const [cy] = await session.query('authors').where({ name: 'Cy' }).with({ books: strategy }).all()
      expect(titles(cy!.books)).toEqual(declared)

      const own = await ctx.orm.session().query('authors').where({ name: 'Cy' }).with({ books: (q) => q.strategy(strategy).orderBy('title') }).one()
      expect(titles(own.books)).toEqual(['C0', 'C1', 'C2', 'C3'])

      const filtered = await ctx.orm.session().query('authors').where({ name: 'Cy' }).with({ books: (q) => q.strategy(strategy).where('year', '>', 2001) }).one()
      expect(titles(filtered.books)).toEqual(['C3', 'C0', 'C2'])

      const tagged = await ctx.orm.session().query('books').where({ title: 'C1' }).with({ tags: strategy }).one()
      expect(tagged.tags.map((t) => t.name)).toEqual(['alpha', 'mid', 'zeta'])
    })

    test('per-parent pages take the declared order: each author\'s two latest books', async () => {
      const { session } = await seed()
      const authors = await session.query('authors').with({ books: (q) => q.strategy(strategy).limit(2) }).orderBy('name').all()
      expect(authors.map((a) => [a.name, titles(a.books)])).toEqual([
        ['Bob', ['B1']],
        ['Cy', ['C3', 'C0']],
      ])
    })
  })
})
