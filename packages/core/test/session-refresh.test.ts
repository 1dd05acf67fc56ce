/**
 * Telling a session that the database changed: `refresh()`, `expire()` / `expireAll()` and
 * `query.populateExisting()`. A second writer (another session, or `orm.db`) commits; this session
 * sees it only through them, and otherwise keeps its identity map's values.
 *
 * The sessions under test do not autoflush: these tests keep changes unflushed on purpose, to show
 * what refresh, expire and populateExisting do with them. The last tests show that refresh() and
 * populateExisting() never autoflush anyway.
 */
import { inspect } from 'node:util'
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { NotFoundError, RelataError } from '../src/index.js'
import { schema } from './fixtures/books.js'
import { emptyTables } from './fixtures/unit-of-work.js'

describeEachDialect('session: refresh, expire, populateExisting', (target) => {
  const ctx = target.setup(schema)

  /** Two authors; Ann has two books. Returns their keys. */
  async function seed() {
    const session = ctx.orm.session()
    const ann = session.create('authors', { name: 'Ann' })
    const bob = session.create('authors', { name: 'Bob' })
    const b1 = session.create('books', { title: 'One', author: ann })
    const b2 = session.create('books', { title: 'Two', author: ann })
    await session.commit()
    ctx.recorder.clear()
    return { ann: ann.id, bob: bob.id, b1: b1.id, b2: b2.id }
  }

  /** Another writer commits: the session under test is not told. */
  const rename = (id: number, name: string) => ctx.orm.db.updateTable('authors').set({ name }).where('id', '=', id).execute()
  const retitle = (id: number, title: string) => ctx.orm.db.updateTable('books').set({ title }).where('id', '=', id).execute()

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  test("a second session's commit is seen only after refresh(): one SELECT by key, the same object", async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const ann = (await session.get('authors', keys.ann))!
    const other = ctx.orm.session()
    ;(await other.get('authors', keys.ann))!.name = 'Ann Changed'
    await other.commit()

    // Without refresh: get() answers from the identity map, a query keeps the object's values.
    ctx.recorder.clear()
    expect(await session.get('authors', keys.ann)).toBe(ann)
    expect(ctx.recorder.sql).toEqual([])
    expect((await session.query('authors').where({ id: keys.ann }).one()).name).toBe('Ann')
    expect(ann.name).toBe('Ann')

    ctx.recorder.clear()
    expect(await session.refresh(ann)).toBe(ann)
    expect(ann.name).toBe('Ann Changed')
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(ctx.recorder.sql[0]).toMatch(/^select .* where .*id.* = /)
    // The snapshot is the row read: nothing to write.
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
  })

  test('refresh() discards unflushed attribute changes (as SQLAlchemy does), and keeps unloaded relations unloaded', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const book = (await session.get('books', keys.b1))!
    book.title = 'Unflushed'
    await retitle(keys.b1, 'Committed elsewhere')
    await session.refresh(book)
    expect(book.title).toBe('Committed elsewhere')
    expect(session.isLoaded(book, 'author')).toBe(false)
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
  })

  test('refresh() of a row deleted meanwhile: NotFoundError naming the table and key, the object as it was', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const book = (await session.get('books', keys.b2))!
    book.title = 'Mine'
    await ctx.orm.db.deleteFrom('books').where('id', '=', keys.b2).execute()
    const refreshing = session.refresh(book)
    await expect(refreshing).rejects.toThrow(NotFoundError)
    await expect(session.refresh(book)).rejects.toThrow(new RegExp(`the books row \\(id ${keys.b2}\\) is not in the database any more`))
    expect(book.title).toBe('Mine')
  })

  test('refresh() is refused for new, detached and marked-for-deletion objects, and for an unknown relation', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const fresh = session.create('authors', { name: 'New' })
    await expect(session.refresh(fresh)).rejects.toThrow(/session\.refresh\(\): a new authors object is new \(pending\): it has no row to read yet; flush first/)
    const ann = (await session.get('authors', keys.ann))!
    session.delete(ann)
    await expect(session.refresh(ann)).rejects.toThrow(/marked for deletion/)
    const loose = (await ctx.orm.session().query('authors').where({ id: keys.bob }).untracked().one())
    await expect(session.refresh(loose)).rejects.toThrow(/is detached/)
    const bob = (await session.get('authors', keys.bob))!
    await expect(session.refresh(bob, { relations: ['nope' as 'books'] })).rejects.toThrow(/'nope' is neither a column nor a relation of 'authors'/)
    expect(() => session.expire(fresh)).toThrow(/session\.expire\(\): a new authors object is new \(pending\)/)
  })

  test("refresh(obj, { relations }) replaces the loaded collection and its unflushed changes; the other side agrees", async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const ann = await session.query('authors').where({ id: keys.ann }).with({ books: true }).one()
    const [one, two] = ann.books
    // Unflushed: Two leaves Ann.
    ann.books.remove(two!)
    expect(two!.author).toBe(null)
    // Meanwhile a new book of Ann's is committed elsewhere.
    await ctx.orm.db.insertInto('books').values({ title: 'Three', author_id: keys.ann }).execute()

    // Columns only: the collection stays as loaded, with its change.
    await session.refresh(ann)
    expect(ann.books.map((b) => b.title)).toEqual(['One'])

    ctx.recorder.clear()
    await session.refresh(ann, { relations: ['books'] })
    expect(ann.books.map((b) => b.title).sort()).toEqual(['One', 'Three', 'Two'])
    expect(ann.books).toContain(one)
    expect(ann.books).toContain(two)
    // The other side follows the database: Two's author is Ann again, its pending change gone.
    expect(two!.author).toBe(ann)
    expect(ctx.recorder.sql.length).toBeGreaterThanOrEqual(1)
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
  })

  test('refresh(obj, { relations: true }) reloads the relations loaded now; a many-to-one moved elsewhere is followed by both sides', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const book = await session.query('books').where({ id: keys.b1 }).with({ author: true }).one()
    const ann = await session.load(book.author!, 'books')
    const bob = await session.query('authors').where({ id: keys.bob }).with({ books: true }).one()
    expect(bob.books).toHaveLength(0)
    await ctx.orm.db.updateTable('books').set({ author_id: keys.bob }).where('id', '=', keys.b1).execute()

    await session.refresh(book, { relations: true })
    expect(book.authorId).toBe(keys.bob)
    expect(book.author).toBe(bob)
    // The loaded collections on the other side follow the key read.
    expect(ann.books.map((b) => b.id)).toEqual([keys.b2])
    expect(bob.books).toEqual([book])
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
  })

  test('expire() of one column: reading it throws naming table.column and the key; writing it is allowed', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const book = (await session.get('books', keys.b1))!
    session.expire(book, 'title')
    expect(() => book.title).toThrow(RelataError)
    expect(() => book.title).toThrow(new RegExp(`books\\.title of books \\(id ${keys.b1}\\) is expired .*await session\\.refresh\\(obj\\) or query the object again`))
    // Other columns read as before; the key never expires.
    expect(book.id).toBe(keys.b1)
    expect(book.authorId).toBe(keys.ann)
    expect(() => session.expire(book, 'id' as 'title')).toThrow(/books\.id is a primary-key column/)
    // Logging does not throw; JSON (and spreading) would need the value, so they throw.
    expect(inspect(book)).toMatch(/title: \[expired\]/)
    expect(() => JSON.stringify(book)).toThrow(/books\.title/)
    // Expired and unwritten is not a change.
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
  })

  test('expire() then get(): SQL is sent and the new value read; unexpired unflushed changes are kept', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const book = (await session.get('books', keys.b1))!
    const bob = (await session.get('authors', keys.bob))!
    book.authorId = keys.bob
    await retitle(keys.b1, 'New title')
    session.expire(book, 'title')
    ctx.recorder.clear()
    expect(await session.get('books', keys.b1)).toBe(book)
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(book.title).toBe('New title')
    expect(book.authorId).toBe(keys.bob)
    // Read again, nothing expired: get() answers from the identity map.
    ctx.recorder.clear()
    await session.get('books', keys.b1)
    expect(ctx.recorder.sql).toEqual([])
    // The kept change is written, the refreshed title is not.
    await session.commit()
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(ctx.recorder.sql[0]).toMatch(/^update .*books.* set .*author_id.* = /)
    expect(ctx.recorder.sql[0]).not.toMatch(/title/)
    expect(await bob.books.load()).toContain(book)
  })

  test('loading a many-to-one whose object has expired attributes reads it again (not from the identity map)', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const ann = (await session.get('authors', keys.ann))!
    const book = (await session.get('books', keys.b1))!
    await rename(keys.ann, 'Ann 2')
    ctx.recorder.clear()
    expect(await book.author?.load()).toBe(ann)
    expect(ctx.recorder.sql).toEqual([])
    session.expire(ann)
    const two = (await session.get('books', keys.b2))!
    ctx.recorder.clear()
    expect(await two.author?.load()).toBe(ann)
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(ann.name).toBe('Ann 2')
  })

  test('writing an expired attribute is a change for the next flush, even with the value it had', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const ann = (await session.get('authors', keys.ann))!
    await rename(keys.ann, 'Renamed elsewhere')
    session.expire(ann)
    ann.name = 'Ann'
    expect(ann.name).toBe('Ann')
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(ctx.recorder.sql[0]).toMatch(/^update .*authors.* set .*name/)
    const row = await ctx.orm.db.selectFrom('authors').select('name').where('id', '=', keys.ann).executeTakeFirstOrThrow()
    expect(row.name).toBe('Ann')
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
  })

  test('rollback() of a write to an expired attribute expires it again', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const ann = (await session.get('authors', keys.ann))!
    session.expire(ann, 'name')
    ann.name = 'Temporary'
    await session.rollback()
    expect(() => ann.name).toThrow(/authors\.name .* is expired/)
    await rename(keys.ann, 'After')
    await session.query('authors').all()
    expect(ann.name).toBe('After')
  })

  test('expire() of a relation unloads it and drops its unflushed changes: the next load reads it', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const ann = await session.query('authors').where({ id: keys.ann }).with({ books: true }).one()
    expect(ann.books).toHaveLength(2)
    await ctx.orm.db.insertInto('books').values({ title: 'Three', author_id: keys.ann }).execute()
    session.expire(ann, 'books')
    expect(session.isLoaded(ann, 'books')).toBe(false)
    ctx.recorder.clear()
    expect(await ann.books.load()).toHaveLength(3)
    expect(ctx.recorder.sql).toHaveLength(1)
    // A query with .with() reads an expired relation too.
    session.expire(ann, 'books')
    const again = await session.query('authors').where({ id: keys.ann }).with({ books: true }).one()
    expect(again.books).toHaveLength(3)
  })

  test('expireAll(): every persistent object reads its columns again with the next query; new objects are left alone', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const authors = await session.query('authors').orderBy('id').all()
    const books = await session.query('books').orderBy('id').all()
    const fresh = session.create('authors', { name: 'Fresh' })
    await rename(keys.ann, 'Ann 2')
    await rename(keys.bob, 'Bob 2')
    await retitle(keys.b2, 'Two 2')
    session.expireAll()
    expect(fresh.name).toBe('Fresh')
    expect(() => authors[0]!.name).toThrow(/authors\.name/)
    expect(() => books[1]!.title).toThrow(/books\.title/)
    expect((await session.query('authors').orderBy('id').all()).map((a) => a.name)).toEqual(['Ann 2', 'Bob 2'])
    expect(await session.get('books', keys.b2)).toBe(books[1])
    expect(books[1]!.title).toBe('Two 2')
    ctx.recorder.clear()
    await session.commit()
    // Only the new author is written.
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(ctx.recorder.sql[0]).toMatch(/^insert into/)
  })

  test('populateExisting(): rows overwrite the objects already known (unflushed changes discarded); without it they do not', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const [ann, bob] = await session.query('authors').orderBy('id').all()
    bob!.name = 'Bob unflushed'
    await rename(keys.ann, 'Ann 2')
    await rename(keys.bob, 'Bob 2')
    await session.query('authors').orderBy('id').all()
    expect([ann!.name, bob!.name]).toEqual(['Ann', 'Bob unflushed'])
    ctx.recorder.clear()
    const again = await session.query('authors').orderBy('id').populateExisting().all()
    expect(ctx.recorder.sql).toHaveLength(1)
    expect(again[0]).toBe(ann)
    expect([ann!.name, bob!.name]).toEqual(['Ann 2', 'Bob 2'])
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
  })

  test('populateExisting() replaces collections loaded by its .with() (join and selectIn), and their objects', async () => {
    const keys = await seed()
    for (const strategy of ['join', 'selectIn'] as const) {
      await ctx.orm.db.deleteFrom('books').where('title', '=', 'Three').execute()
      const session = ctx.orm.session({ autoflush: false })
      const ann = await session.query('authors').where({ id: keys.ann }).with({ books: strategy }).one()
      expect(ann.books).toHaveLength(2)
      await ctx.orm.db.insertInto('books').values({ title: 'Three', author_id: keys.ann }).execute()
      await retitle(keys.b1, `One (${strategy})`)
      // Without populateExisting the loaded collection stays.
      expect((await session.query('authors').where({ id: keys.ann }).with({ books: strategy }).one()).books).toHaveLength(2)
      const again = await session.query('authors').where({ id: keys.ann }).with({ books: strategy }).populateExisting().one()
      expect(again).toBe(ann)
      expect(ann.books.map((b) => b.title).sort()).toEqual([`One (${strategy})`, 'Three', 'Two'])
      const three = ann.books.find((b) => b.title === 'Three')!
      expect((await session.load(three, 'author')).author).toBe(ann)
      await retitle(keys.b1, 'One')
    }
  })

  test('populateExisting() on a many-to-many: a link removed elsewhere disappears, an unflushed link is dropped, the other side unloads', async () => {
    const keys = await seed()
    const setup = ctx.orm.session()
    ;(await setup.query('authors').where({ id: keys.ann }).with({ coauthored: true }).one()).coauthored.add((await setup.get('books', keys.b1))!)
    await setup.commit()

    const session = ctx.orm.session({ autoflush: false })
    const ann = await session.query('authors').where({ id: keys.ann }).with({ coauthored: true }).one()
    const b1 = await session.query('books').where({ id: keys.b1 }).with({ coauthors: true }).one()
    expect(ann.coauthored).toEqual([b1])
    const b2 = (await session.get('books', keys.b2))!
    ann.coauthored.add(b2)
    await ctx.orm.db.deleteFrom('book_author').execute()

    await session.query('authors').where({ id: keys.ann }).with({ coauthored: true }).populateExisting().one()
    expect(ann.coauthored).toEqual([])
    expect(session.isLoaded(b1, 'coauthors')).toBe(false)
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
  })

  test('populateExisting() of a collection changed while not loaded: the pending member leaves, its own side agrees', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const bob = (await session.get('authors', keys.bob))!
    const one = await session.query('books').where({ id: keys.b1 }).with({ author: true }).one()
    one.author = bob
    expect(session.isLoaded(bob, 'books')).toBe(false)
    await session.query('authors').where({ id: keys.bob }).with({ books: true }).populateExisting().one()
    expect(bob.books).toEqual([])
    expect(session.isLoaded(one, 'author')).toBe(false)
    expect(one.authorId).toBe(keys.ann)
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
  })

  test('a row read again with a new foreign key: the loaded relations on both sides follow it (populateExisting and expire)', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const [ann, bob] = await session.query('authors').orderBy('id').with({ books: true }).all()
    const one = ann!.books.find((b) => b.id === keys.b1)!
    const two = ann!.books.find((b) => b.id === keys.b2)!
    expect((await session.load(one, 'author')).author).toBe(ann)
    await session.load(two, 'author')
    await ctx.orm.db.updateTable('books').set({ author_id: keys.bob }).execute()

    await session.query('books').where({ id: keys.b1 }).populateExisting().one()
    expect(one.authorId).toBe(keys.bob)
    expect(one.author).toBe(bob)
    expect(ann!.books).toEqual([two])
    expect(bob!.books).toEqual([one])

    session.expire(two, 'authorId')
    await session.get('books', keys.b2)
    expect(two.author).toBe(bob)
    expect(ann!.books).toEqual([])
    expect(bob!.books).toEqual([one, two])
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
  })

  test('populateExisting() with a filtered .with(): the collection is read as a partial one, its objects overwritten', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const ann = await session.query('authors').where({ id: keys.ann }).with({ books: true }).one()
    await retitle(keys.b1, 'One 2')
    const again = await session.query('authors').where({ id: keys.ann }).with({ books: (q) => q.where('title', 'like', 'One%') }).populateExisting().one()
    expect(again).toBe(ann)
    expect(session.isPartial(ann, 'books')).toBe(true)
    expect(ann.books.map((b) => b.title)).toEqual(['One 2'])
    await session.load(ann, 'books')
    expect(ann.books.map((b) => b.title).sort()).toEqual(['One 2', 'Two'])
  })

  test('an expired foreign key: assigning the relation still writes the new key; reading the key column throws until read again', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const book = (await session.get('books', keys.b1))!
    const bob = (await session.get('authors', keys.bob))!
    session.expire(book, 'authorId')
    book.author = bob
    await session.commit()
    const row = await ctx.orm.db.selectFrom('books').select('author_id').where('id', '=', keys.b1).executeTakeFirstOrThrow()
    expect(row.author_id).toBe(keys.bob)
    // The flush wrote the key: the object holds it again.
    expect(book.authorId).toBe(keys.bob)
  })

  test("the README's example: refresh, expire, expireAll, populateExisting", async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const author = (await session.get('authors', keys.ann))!
    const book = (await session.get('books', keys.b1))!
    await rename(keys.ann, 'Ann 2')
    await session.refresh(author)                          // one SELECT by key; every column overwritten
    await session.refresh(author, { relations: ['books'] }) // and author.books read again (true: every loaded relation)
    session.expire(book, 'title')                          // book.title is stale: the next read of the row brings it back
    session.expireAll()                                    // every column of every persistent object
    await session.query('authors').with({ books: true }).populateExisting().all()
    expect(author.name).toBe('Ann 2')
    expect(book.title).toBe('One')
  })

  test('refresh() reads inside the session\'s transaction (flushed, uncommitted values)', async () => {
    const keys = await seed()
    const session = ctx.orm.session({ autoflush: false })
    const ann = (await session.get('authors', keys.ann))!
    await rename(keys.ann, 'Ann outside')
    await session.transaction(async () => {
      ;(await session.get('authors', keys.bob))!.name = 'Bob in transaction'
      await session.flush()
      const bob = (await session.get('authors', keys.bob))!
      bob.name = 'unflushed'
      await session.refresh(bob)
      expect(bob.name).toBe('Bob in transaction')
    })
    await session.refresh(ann)
    expect(ann.name).toBe('Ann outside')
  })
  test('refresh() and populateExisting() do not autoflush: the unflushed changes they read over are discarded, not written', async () => {
    const keys = await seed()
    const session = ctx.orm.session()
    const ann = (await session.get('authors', keys.ann))!
    const bob = (await session.get('authors', keys.bob))!
    ann.name = 'Ann unflushed'
    bob.name = 'Bob unflushed'
    await rename(keys.ann, 'Ann 2')
    await rename(keys.bob, 'Bob 2')
    ctx.recorder.clear()
    await session.refresh(ann)
    await session.query('authors').where({ id: keys.bob }).populateExisting().one()
    expect([ann.name, bob.name]).toEqual(['Ann 2', 'Bob 2'])
    expect(ctx.recorder.sql.filter((s) => !s.startsWith('select'))).toEqual([])
    await session.commit()
    expect(ctx.recorder.sql.filter((s) => !s.startsWith('select'))).toEqual([])
    const names = await ctx.orm.db.selectFrom('authors').select('name').orderBy('id').execute()
    expect(names.map((r) => r.name)).toEqual(['Ann 2', 'Bob 2'])
  })
})
