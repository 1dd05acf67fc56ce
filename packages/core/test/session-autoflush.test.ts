/** Autoflush: reads flush the pending changes that could change their answer first; off per session, per transaction and in noAutoflush blocks; a failed autoflush writes nothing. */
import { beforeEach, describe, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { defineSchema, FlushError, t, table } from '../src/index.js'
import { stateOf } from '../src/tracking/entity-state.js'
import { emptyTables } from './fixtures/unit-of-work.js'
import { failure, inside } from './support/session-state.js'

const authors = table('authors', {
  id: t.serial().primaryKey(),
  name: t.text().unique(),
})

const books = table('books', {
  id: t.serial().primaryKey(),
  title: t.text(),
  authorId: t.integer().nullable().references(() => authors.id),
})

const bookAuthor = table('book_author', {
  bookId: t.integer().primaryKey().references(() => books.id, { onDelete: 'cascade' }),
  authorId: t.integer().primaryKey().references(() => authors.id, { onDelete: 'cascade' }),
})

/** A table no relation reaches. */
const genres = table('genres', {
  id: t.serial().primaryKey(),
  name: t.text(),
})

const schema = defineSchema(
  { authors, books, bookAuthor, genres },
  ({ oneToMany, manyToOne, manyToMany }) => ({
    authors: {
      books: oneToMany('books', { backPopulates: 'author' }),
      coauthored: manyToMany('books', { via: 'bookAuthor', backPopulates: 'coauthors' }),
    },
    books: {
      author: manyToOne('authors', { backPopulates: 'books' }),
      coauthors: manyToMany('authors', { via: 'bookAuthor', backPopulates: 'coauthored' }),
    },
  }),
  { casing: 'snake_case' },
)

describeEachDialect('session: autoflush', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  /** The recorded statements as `verb table`: `insert authors`, `select genres`. */
  const statements = () =>
    ctx.recorder.sql.map((sql) => {
      const text = sql.replace(/[`"]/g, '')
      const verb = text.split(' ')[0]!
      const table = /^(?:insert into|update|delete from)\s+(\w+)/.exec(text)?.[1] ?? /\bfrom\s+(\w+)/.exec(text)?.[1]
      return `${verb} ${table}`
    })

  const authorRows = () => ctx.orm.db.selectFrom('authors').select(['id', 'name']).orderBy('id').execute()
  const bookRows = () => ctx.orm.db.selectFrom('books').select(['id', 'title', 'author_id']).orderBy('id').execute()

  /** Ann with two books, committed; a fresh session, nothing loaded, the recorder cleared. */
  async function seed(options?: { autoflush?: boolean }) {
    const s = ctx.orm.session()
    const ann = s.create('authors', { name: 'Ann' })
    const b1 = s.create('books', { title: 'B1', author: ann })
    const b2 = s.create('books', { title: 'B2', author: ann })
    await s.commit()
    ctx.recorder.clear()
    return { session: ctx.orm.session(options), ids: { ann: ann.id, b1: b1.id, b2: b2.id } }
  }

  describe('a read sees the pending changes', () => {
    test('a created object is returned by a query of its table before any flush, as the same object', async () => {
      const session = ctx.orm.session()
      const ann = session.create('authors', { name: 'Ann' })
      const found = await session.query('authors').where({ name: 'Ann' }).all()
      expect(found).toHaveLength(1)
      expect(found[0]).toBe(ann)
      expect(stateOf(ann)!.status).toBe('persistent')
      expect(statements()).toEqual(['insert authors', 'select authors'])
      expect(await session.query('authors').first()).toBe(ann)
      expect(await session.query('authors').one()).toBe(ann)
      expect(await authorRows()).toEqual([{ id: ann.id, name: 'Ann' }])
    })

    test('a changed attribute is seen by a where on it', async () => {
      const { session, ids } = await seed()
      const ann = (await session.get('authors', ids.ann))!
      ann.name = 'Bea'
      ctx.recorder.clear()
      expect(await session.query('authors').where({ name: 'Bea' }).all()).toEqual([ann])
      expect(statements()).toEqual(['update authors', 'select authors'])
      expect(await session.query('authors').where({ name: 'Ann' }).all()).toEqual([])
    })

    test('a deleted object is not returned', async () => {
      const { session, ids } = await seed()
      const [b1, b2] = await session.query('books').orderBy('id').all()
      session.delete(b1!)
      ctx.recorder.clear()
      expect(await session.query('books').orderBy('id').all()).toEqual([b2])
      // Its link rows go with it (none here), then the row.
      expect(statements()).toEqual(['delete book_author', 'delete books', 'select books'])
      expect((await bookRows()).map((r) => r.id)).toEqual([ids.b2])
    })

    test('a deletion flushes before a read of the tables whose rows point at the deleted row', async () => {
      const { session, ids } = await seed()
      const ann = (await session.get('authors', ids.ann))!
      session.delete(ann)
      ctx.recorder.clear()
      // Deleting ann unsets the author of her books: a query of books sees that.
      const orphaned = await session.query('books').where('authorId', 'is', null).orderBy('id').all()
      expect(orphaned.map((b) => b.id)).toEqual([ids.b1, ids.b2])
      expect(statements().at(-1)).toBe('select books')
      expect(statements()).toContain('delete authors')
      expect(stateOf(ann)!.status).toBe('detached')
    })

    test('a read made while a flush is queued waits for it, in line', async () => {
      const session = ctx.orm.session()
      const ann = session.create('authors', { name: 'Ann' })
      const flushing = session.flush()
      const found = session.query('authors').all()
      await flushing
      expect(await found).toEqual([ann])
      expect(statements()).toEqual(['insert authors', 'select authors'])
    })

    test('count() counts pending rows', async () => {
      const { session } = await seed()
      session.create('books', { title: 'B3' })
      session.create('books', { title: 'B4' })
      expect(await session.query('books').count()).toBe(4)
      expect(statements()).toEqual(['insert books', 'select books'])
      expect(await session.query('books').where('title', 'like', 'B%').count()).toBe(4)
    })

    test('a link added to a many-to-many is seen by a query loading through it; a raw filter flushes whatever is pending', async () => {
      const { session, ids } = await seed()
      const ann = (await session.get('authors', ids.ann))!
      const b1 = (await session.get('books', ids.b1))!
      const bea = session.create('authors', { name: 'Bea' })
      ctx.recorder.clear()
      // Neither collection is loaded: the link is recorded for the flush.
      b1.coauthors.add(ann)
      const [loaded] = await session.query('authors').where({ id: ids.ann }).with({ coauthored: true }).all()
      expect(loaded).toBe(ann)
      expect([...loaded!.coauthored]).toEqual([b1])
      // The new author and the link row are written before the query (the link checked first: neither collection was loaded).
      const written = statements()
      expect(written).toContain('insert authors')
      expect(written.indexOf('insert book_author')).toBeGreaterThan(-1)
      expect(written.indexOf('insert book_author')).toBeLessThan(written.indexOf('select authors'))
      expect(stateOf(bea)!.status).toBe('persistent')

      // A raw filter may read any table: a pending link (of book_author, which the query does not load) is flushed.
      const [withBea] = await session.query('books').where({ id: ids.b2 }).with({ coauthors: true }).all()
      withBea!.coauthors.add(bea)
      ctx.recorder.clear()
      const named = await session.query('authors').where((eb) => eb('name', 'in', ['Ann', 'Bea'])).orderBy('id').all()
      expect(named).toEqual([ann, bea])
      expect(statements()).toEqual(['insert book_author', 'select authors'])
    })

    test('a lazy load and session.load() flush the changes to the related table first', async () => {
      const { session, ids } = await seed()
      const other = ctx.orm.session()
      other.create('authors', { name: 'Bea' })
      await other.commit()
      // Read from the database, its books not loaded (a new object's relations start loaded and empty).
      const bea = await session.query('authors').where({ name: 'Bea' }).one()
      const b1 = (await session.get('books', ids.b1))!
      // A foreign-key column written directly: only the flush makes the relations follow it.
      b1.authorId = bea.id
      ctx.recorder.clear()
      expect([...(await bea.books.load())]).toEqual([b1])
      expect(statements()).toEqual(['update books', 'select books'])

      ctx.recorder.clear()
      const b3 = session.create('books', { title: 'B3' })
      const ann = (await session.get('authors', ids.ann))!
      // The new book writes books only: a get of authors does not flush it.
      expect(statements()).toEqual(['select authors'])
      b3.authorId = ann.id
      ctx.recorder.clear()
      const loaded = await session.load(ann, 'books')
      expect(loaded.books.map((b) => b.title).sort()).toEqual(['B2', 'B3'])
      expect(statements()).toEqual(['insert books', 'select books'])
    })

    test('a partial collection (a filtered .with()) read whole autoflushes first; a loaded one does not', async () => {
      const { session, ids } = await seed()
      const ann = await session.query('authors').where({ id: ids.ann }).with({ books: (q) => q.where({ title: 'B1' }) }).one()
      expect(session.isPartial(ann, 'books')).toBe(true)
      session.create('books', { title: 'B3', author: ann })
      ctx.recorder.clear()
      const books = await ann.books.load()
      expect(books.map((b) => b.title).sort()).toEqual(['B1', 'B2', 'B3'])
      expect(statements()).toEqual(['insert books', 'select books'])
      session.create('books', { title: 'B4', author: ann })
      ctx.recorder.clear()
      // Loaded whole: answered from memory, nothing read, nothing flushed.
      expect((await session.load(ann, 'books')).books).toHaveLength(4)
      expect(statements()).toEqual([])
    })

    test('an untracked query sees the pending changes too', async () => {
      const session = ctx.orm.session()
      session.create('genres', { name: 'Jazz' })
      const rows = await session.query('genres').untracked().all()
      expect(rows.map((g) => g.name)).toEqual(['Jazz'])
      expect(statements()).toEqual(['insert genres', 'select genres'])
    })

    test('inside orm.transaction(): the autoflush writes in the transaction, which a rollback undoes', async () => {
      const error = await failure(
        ctx.orm.transaction(async (session) => {
          const ann = session.create('authors', { name: 'Ann' })
          expect(await session.query('authors').all()).toEqual([ann])
          throw new Error('undo')
        }),
      )
      expect(error.message).toBe('undo')
      expect(await authorRows()).toEqual([])
    })
  })

  describe('reads that do not flush', () => {
    test('a query of an unrelated table does not flush', async () => {
      const session = ctx.orm.session()
      const ann = session.create('authors', { name: 'Ann' })
      expect(await session.query('genres').all()).toEqual([])
      expect(await session.query('genres').count()).toBe(0)
      expect(statements()).toEqual(['select genres', 'select genres'])
      expect(stateOf(ann)!.status).toBe('pending')
      expect(await authorRows()).toEqual([])
    })

    test('a query of books loading nothing through book_author does not flush a pending link', async () => {
      const { session, ids } = await seed()
      const [ann, b1] = [(await session.get('authors', ids.ann))!, (await session.get('books', ids.b1))!]
      b1.coauthors.add(ann)
      ctx.recorder.clear()
      await session.query('genres').all()
      expect(statements()).toEqual(['select genres'])
      await session.query('books').with({ coauthors: true }).all()
      const written = statements()
      expect(written.indexOf('insert book_author')).toBeGreaterThan(0)
      expect(written.indexOf('insert book_author')).toBeLessThan(written.indexOf('select books'))
    })

    test('a get answered from the identity map does not flush; one by key that goes to the database flushes for new rows, not for changed columns', async () => {
      const { session, ids } = await seed()
      const ann = (await session.get('authors', ids.ann))!
      ann.name = 'Bea'
      ctx.recorder.clear()
      expect(await session.get('authors', ids.ann)).toBe(ann)
      expect(statements()).toEqual([])
      // Another table's get does not flush either.
      const b1 = await session.get('books', ids.b1)
      expect(b1?.title).toBe('B1')
      expect(statements()).toEqual(['select books'])
      ctx.recorder.clear()
      // A changed column other than the key cannot change which row a key reads: no flush (and no
      // scan of the held objects for changes, which made every get cost O(objects held)).
      expect(await session.get('authors', ids.ann + 1000)).toBeUndefined()
      expect(statements()).toEqual(['select authors'])
      // A new row of the table can be the one asked for: it is flushed first.
      const cal = session.create('authors', { name: 'Cal' })
      ctx.recorder.clear()
      expect(await session.get('authors', ids.ann + 2000)).toBeUndefined()
      expect(statements()).toEqual(['insert authors', 'update authors', 'select authors'])
      expect(await session.get('authors', cal.id)).toBe(cal)
    })

    test('a get of a new object flushes it and answers from the identity map', async () => {
      const session = ctx.orm.session()
      const ann = session.create('authors', { id: 7, name: 'Ann' })
      expect(await session.get('authors', 7)).toBe(ann)
      expect(statements()).toEqual(['insert authors'])
    })

    test('a session without changes reads without flushing', async () => {
      const { session, ids } = await seed()
      await session.query('authors').with({ books: true, coauthored: true }).all()
      await session.get('books', ids.b2)
      expect(statements().every((s) => s.startsWith('select'))).toBe(true)
    })
  })

  describe('turned off', () => {
    test('per session: orm.session({ autoflush: false })', async () => {
      const session = ctx.orm.session({ autoflush: false })
      const ann = session.create('authors', { name: 'Ann' })
      expect(await session.query('authors').all()).toEqual([])
      expect(await session.query('authors').count()).toBe(0)
      expect(statements()).toEqual(['select authors', 'select authors'])
      await session.flush()
      expect(await session.query('authors').all()).toEqual([ann])
    })

    test('per transaction: orm.transaction(fn, { autoflush: false })', async () => {
      await ctx.orm.transaction(
        async (session) => {
          session.create('authors', { name: 'Ann' })
          expect(await session.query('authors').count()).toBe(0)
        },
        { autoflush: false },
      )
      expect((await authorRows()).map((r) => r.name)).toEqual(['Ann'])
      const counted = await ctx.orm.transaction(async (session) => {
        session.create('authors', { name: 'Bea' })
        return session.query('authors').count()
      })
      expect(counted).toBe(2)
    })

    test('in noAutoflush blocks: nested, returning the result, back on after the block, also when it throws', async () => {
      const session = ctx.orm.session()
      const ann = session.create('authors', { name: 'Ann' })
      const result = await session.noAutoflush(async () => {
        expect(await session.query('authors').count()).toBe(0)
        const inner = await session.noAutoflush(async () => session.query('authors').all())
        expect(inner).toEqual([])
        // The outer block is still on after the inner one ended.
        expect(await session.query('authors').all()).toEqual([])
        return 'done'
      })
      expect(result).toBe('done')
      expect(statements()).toEqual(['select authors', 'select authors', 'select authors'])

      const thrown = await failure(
        session.noAutoflush(async () => {
          await session.query('authors').all()
          throw new RangeError('inside')
        }),
      )
      expect(thrown).toBeInstanceOf(RangeError)
      expect(stateOf(ann)!.status).toBe('pending')
      expect(await session.query('authors').all()).toEqual([ann])
      expect(stateOf(ann)!.status).toBe('persistent')
    })

    test('a noAutoflush block covers the reads it starts, not those other code runs on the session meanwhile', async () => {
      const session = ctx.orm.session()
      let release!: () => void
      const gate = new Promise<void>((resolve) => (release = resolve))
      const ann = session.create('authors', { name: 'Ann' })
      const block = session.noAutoflush(async () => {
        await gate
        return session.query('authors').count()
      })
      // Outside the block, while it runs: this read autoflushes.
      expect(await session.query('authors').all()).toEqual([ann])
      release()
      // The block's read runs after that flush: the row is there, read without a flush of its own.
      expect(await block).toBe(1)
      expect(statements()).toEqual(['insert authors', 'select authors', 'select authors'])
    })

    test('a synchronous throw in the callback rejects the block', async () => {
      const session = ctx.orm.session()
      const error = await failure(
        session.noAutoflush(() => {
          throw new TypeError('sync')
        }),
      )
      expect(error).toBeInstanceOf(TypeError)
    })
  })

  describe('a failed autoflush', () => {
    test('rejects the read with the flush error, writes nothing, leaves the session as it was', async () => {
      const { session, ids } = await seed()
      const [b1, b2] = await session.query('books').orderBy('id').all()
      b1!.title = 'B1 changed'
      const dup = session.create('authors', { name: 'Ann' })
      const before = [b1!, b2!, dup].map(inside)
      ctx.recorder.clear()
      const error = await failure(session.query('books').all())
      expect(error).toBeInstanceOf(FlushError)
      expect((error as FlushError).table).toBe('authors')
      expect(error.message).toMatch(/autoflush before the query of books/)
      expect(error.message).toMatch(target.family === 'postgres' ? /duplicate key/ : /Duplicate entry/)
      // The read did not run; nothing was written; the session is as it was.
      expect(statements().some((s) => s === 'select books')).toBe(false)
      expect(await bookRows()).toEqual([
        { id: ids.b1, title: 'B1', author_id: ids.ann },
        { id: ids.b2, title: 'B2', author_id: ids.ann },
      ])
      expect((await authorRows()).map((r) => r.name)).toEqual(['Ann'])
      expect([b1!, b2!, dup].map(inside)).toEqual(before)
      // Put right, the next read flushes and sees it.
      dup.name = 'Bea'
      expect((await session.query('books').where({ title: 'B1 changed' }).all())).toEqual([b1])
      expect((await authorRows()).map((r) => r.name)).toEqual(['Ann', 'Bea'])
    })

    test('reads waiting for one autoflush all reject with its error; a flush() afterwards fails the same way', async () => {
      const { session } = await seed()
      session.create('authors', { name: 'Ann' })
      const [first, second] = await Promise.all([failure(session.query('authors').all()), failure(session.query('authors').count())])
      expect(first).toBe(second)
      expect(first).toBeInstanceOf(FlushError)
      expect(first.message.match(/raised by the autoflush/g)).toHaveLength(1)
      const flushError = await failure(session.flush())
      expect(flushError).toBeInstanceOf(FlushError)
      expect(flushError.message).not.toMatch(/autoflush/)
    })

    test('inside a transaction: the savepoint rolls back, the transaction goes on', async () => {
      await ctx.orm.transaction(async (session) => {
        session.create('authors', { name: 'Bea' })
        await session.flush()
        const dup = session.create('authors', { name: 'Bea' })
        const error = await failure(session.query('authors').count())
        expect(error).toBeInstanceOf(FlushError)
        dup.name = 'Cy'
        expect(await session.query('authors').count()).toBe(2)
      })
      expect((await authorRows()).map((r) => r.name)).toEqual(['Bea', 'Cy'])
    })
  })

  test('README: on by default, off per session and in a block', async () => {
    const orm = ctx.orm
    const session = orm.session()
    session.create('books', { title: 'Draft' })
    // INSERT, then SELECT count(*): 1
    const count = await session.query('books').count()
    const manual = orm.session({ autoflush: false })
    manual.create('books', { title: 'Later' })
    // No INSERT: still 1
    const before = await manual.query('books').count()
    const result = await session.noAutoflush(async () => {
      session.create('books', { title: 'Unfinished' })
      // No INSERT: still 1
      return session.query('books').count()
    })
    expect([count, before, result]).toEqual([1, 1, 1])
    expect(await session.query('books').count()).toBe(2)
  })

  test('the reads of a flush do not autoflush: a delete cascading through an unloaded collection', async () => {
    const { session, ids } = await seed()
    const ann = (await session.get('authors', ids.ann))!
    const bea = session.create('authors', { name: 'Bea' })
    session.delete(ann)
    ctx.recorder.clear()
    // The flush loads ann.books (to unset their author_id) inside the flush, without queueing another one.
    expect(await session.query('authors').all()).toEqual([bea])
    expect(statements().filter((s) => !s.startsWith('select'))).toEqual(['insert authors', 'delete book_author', 'update books', 'delete authors'])
    expect((await bookRows()).map((r) => r.author_id)).toEqual([null, null])
  })
})
