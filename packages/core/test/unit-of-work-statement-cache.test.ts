/**
 * Flush statements reused by shape: a flush writing as many rows of the same columns as an earlier
 * one sends the same SQL with its own values, and gets its own keys back; an ORM whose plugins
 * rewrite statements never takes SQL another ORM compiled.
 */
import { beforeEach, expect, test } from 'vitest'
import { IdentifierNode, OperationNodeTransformer, sql, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely'
import { describeEachDialect } from '@relata/test-kit/targets'
import { createOrm } from '../src/index.js'
import { schema } from './fixtures/books.js'
import { emptyTables } from './fixtures/unit-of-work.js'

/** Sends every statement on `authors` to `authors_copy` instead. */
class RenameAuthors implements KyselyPlugin {
  readonly #transformer = new (class extends OperationNodeTransformer {
    protected override transformIdentifier(node: IdentifierNode): IdentifierNode {
      return node.name === 'authors' ? IdentifierNode.create('authors_copy') : super.transformIdentifier(node)
    }
  })()

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node)
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}

describeEachDialect('unit of work: flush statements reused by shape', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const names = async () => (await ctx.orm.db.selectFrom('authors').selectAll().orderBy('id').execute()).map((r) => [r.id, r.name] as const)

  test('inserts, updates and link rows of the same shape: the same SQL, each flush its own values and keys', async () => {
    const written: { sql: string; parameters: readonly unknown[] }[][] = []
    for (const round of [1, 2, 3]) {
      ctx.recorder.clear()
      const session = ctx.orm.session()
      const authors = ['A', 'B', 'C'].map((name) => session.create('authors', { name: `${name}${round}` }))
      const books = ['x', 'y'].map((title) => session.create('books', { title: `${title}${round}`, author: authors[0]! }))
      books[0]!.coauthors.add(authors[1]!, authors[2]!)
      books[1]!.coauthors.add(authors[2]!)
      await session.commit()
      written.push(ctx.recorder.queries.map((q) => ({ sql: q.sql, parameters: q.parameters })))
      // Each object holds the key of its own row.
      const rows = new Map(await names())
      expect(authors.map((a) => rows.get(a.id))).toEqual([`A${round}`, `B${round}`, `C${round}`])
      const links = await ctx.orm.db.selectFrom('book_author').select(['book_id', 'author_id']).where('book_id', 'in', books.map((b) => b.id)).orderBy('book_id').orderBy('author_id').execute()
      expect(links.map((l) => [l.book_id, l.author_id])).toEqual([
        [books[0]!.id, authors[1]!.id],
        [books[0]!.id, authors[2]!.id],
        [books[1]!.id, authors[2]!.id],
      ])
    }
    // The same statements each round, with that round's values.
    expect(written[1]!.map((q) => q.sql)).toEqual(written[0]!.map((q) => q.sql))
    expect(written[2]!.map((q) => q.sql)).toEqual(written[0]!.map((q) => q.sql))
    expect(written[2]!.find((q) => /insert into .authors./.test(q.sql))!.parameters).toEqual(['A3', 'B3', 'C3'])

    // Updates of different values per row, twice: each writes its own.
    for (const suffix of ['!', '?']) {
      const session = ctx.orm.session()
      const authors = await session.query('authors').orderBy('id').all()
      authors.forEach((author, i) => (author.name = `${i}${suffix}`))
      await session.commit()
      expect((await names()).map(([, name]) => name)).toEqual(authors.map((_, i) => `${i}${suffix}`))
    }
  })

  test('another shape (more rows, other columns) is compiled for itself', async () => {
    const first = ctx.orm.session()
    ;['A', 'B'].forEach((name) => first.create('authors', { name }))
    await first.commit()
    const second = ctx.orm.session()
    ;['C', 'D', 'E'].forEach((name) => second.create('authors', { name }))
    second.create('books', { title: 'no author' })
    second.create('books', { title: 'with author', authorId: null })
    await second.commit()
    expect((await names()).map(([, name]) => name)).toEqual(['A', 'B', 'C', 'D', 'E'])
    const inserts = ctx.recorder.sql.filter((s) => /^insert into .authors./.test(s))
    expect(inserts[1]).not.toBe(inserts[0])
    const books = await ctx.orm.db.selectFrom('books').select(['title', 'author_id']).orderBy('id').execute()
    expect(books).toEqual([
      { title: 'no author', author_id: null },
      { title: 'with author', author_id: null },
    ])
  })

  test('an ORM whose plugin rewrites statements does not take the SQL another ORM compiled on the same dialect', async () => {
    await sql.raw(target.family === 'mysql' ? 'create table if not exists authors_copy like authors' : 'create table if not exists authors_copy (like authors including all)').execute(ctx.orm.db)
    await sql.raw('delete from authors_copy').execute(ctx.orm.db)
    const plain = ctx.orm.session()
    ;['A', 'B'].forEach((name) => plain.create('authors', { name }))
    await plain.commit()
    const renaming = createOrm({ schema, dialect: ctx.dialect, plugins: [new RenameAuthors()] })
    try {
      const session = renaming.session()
      ;['C', 'D'].forEach((name) => session.create('authors', { name }))
      await session.commit()
    } finally {
      // On PGlite the ORM shares the suite's instance: destroying it would close it.
      if (target.name !== 'pglite') await renaming.destroy()
    }
    expect((await names()).map(([, name]) => name)).toEqual(['A', 'B'])
    const copies = await sql<{ name: string }>`select name from authors_copy order by name`.execute(ctx.orm.db)
    expect(copies.rows.map((r) => r.name)).toEqual(['C', 'D'])
    await sql.raw('drop table authors_copy').execute(ctx.orm.db)
  })
})
