/**
 * `session.plan()` offline: the order of the next flush's statements, cascades, link rows and
 * back-populated sides, on objects made in memory and on objects read from scripted rows. Planning
 * is the same for every dialect, so it runs on one; it sends only the reads a cascade needs.
 */
import { describe, expect, test } from 'vitest'
import { RelataError } from '../../src/index.js'
import { schema as books } from '../fixtures/books.js'
import { schema as kinds } from '../fixtures/cascade-kinds.js'
import { schema as sync } from '../fixtures/relation-sync.js'
import { schema as household } from '../fixtures/unit-of-work.js'
import { offlineOrm } from './support/offline.js'

const offline = <S extends Parameters<typeof offlineOrm>[0]>(schema: S) => {
  const db = offlineOrm(schema, 'postgres')
  return { db, session: db.orm.session() }
}

describe('planning new objects', () => {
  test('parents before children, link rows after both; nothing is sent', async () => {
    const { db, session } = offline(books)
    const ann = session.create('authors', { name: 'Ann' })
    const book = session.create('books', { title: 'T', author: ann })
    book.coauthors.add(session.create('authors', { name: 'Bob' }), { role: 'editor' })
    expect(await session.plan()).toEqual([
      { operation: 'insert', table: 'authors', rows: 2 },
      { operation: 'insert', table: 'books', rows: 1 },
      { operation: 'insertLinks', table: 'book_author', rows: 1 },
    ])
    expect(await session.plan()).toEqual(await session.plan())
    expect(db.take()).toEqual([])
  })

  test('each change shows at once on the back-populating side', () => {
    const { session } = offline(books)
    const ann = session.create('authors', { name: 'Ann' })
    const bob = session.create('authors', { name: 'Bob' })
    const book = session.create('books', { title: 'T' })
    book.author = ann
    book.coauthors.add(bob)
    expect([...ann.books]).toEqual([book])
    expect([...bob.coauthored]).toEqual([book])
    book.author = bob
    book.coauthors.remove(bob)
    expect([...ann.books]).toEqual([])
    expect([...bob.books]).toEqual([book])
    expect([...bob.coauthored]).toEqual([])
  })

  test('a link added then removed before the flush writes nothing', async () => {
    const { session } = offline(books)
    const ann = session.create('authors', { name: 'Ann' })
    const book = session.create('books', { title: 'T' })
    book.coauthors.add(ann)
    ann.coauthored.remove(book)
    expect(await session.plan()).toEqual([
      { operation: 'insert', table: 'authors', rows: 1 },
      { operation: 'insert', table: 'books', rows: 1 },
    ])
  })

  test('session.add() of a built object takes the new objects it reaches, through save cascades only', async () => {
    const { db, session } = offline(household)
    const owner = db.orm.build('owners', { name: 'O' })
    owner.pets.add(db.orm.build('pets', { name: 'P' }))
    owner.toys.add(db.orm.build('toys', { name: 'T' }))
    // stickers: cascade { save: false }
    owner.stickers.add(db.orm.build('stickers', { label: 'S' }))
    session.add(owner)
    expect(await session.plan()).toEqual([
      { operation: 'insert', table: 'owners', rows: 1 },
      { operation: 'insert', table: 'pets', rows: 1 },
      { operation: 'insert', table: 'toys', rows: 1 },
    ])
  })

  test('a foreign-key cycle: the key that closes it is inserted NULL and set by a later UPDATE', async () => {
    const { session } = offline(household)
    const department = session.create('departments', { name: 'D' })
    department.manager = session.create('staff', { name: 'M', department })
    expect(await session.plan()).toEqual([
      { operation: 'insert', table: 'departments', rows: 1 },
      { operation: 'insert', table: 'staff', rows: 1 },
      { operation: 'postUpdate', table: 'departments', rows: 1, columns: ['manager_id'] },
    ])
  })

  test('a self-referencing tree: one INSERT per level, parents first', async () => {
    const { session } = offline(kinds)
    const root = session.create('nodes', { name: 'root' })
    const child = session.create('nodes', { name: 'child', parent: root })
    session.create('nodes', { name: 'grandchild', parent: child })
    expect(await session.plan()).toEqual([
      { operation: 'insert', table: 'nodes', rows: 1 },
      { operation: 'insert', table: 'nodes', rows: 1 },
      { operation: 'insert', table: 'nodes', rows: 1 },
    ])
  })

  test('a new object deleted before the flush just leaves; one another points at cannot', async () => {
    const { session } = offline(books)
    const ann = session.create('authors', { name: 'Ann' })
    session.delete(session.create('books', { title: 'gone' }))
    session.create('books', { title: 'T', author: ann })
    expect(() => session.delete(ann)).toThrow(RelataError)
    expect(await session.plan()).toEqual([
      { operation: 'insert', table: 'authors', rows: 1 },
      { operation: 'insert', table: 'books', rows: 1 },
    ])
  })

  test('rollback() forgets the new objects', async () => {
    const { session } = offline(books)
    session.create('authors', { name: 'Ann' })
    await session.rollback()
    expect(await session.plan()).toEqual([])
  })
})

describe('planning changes to objects read from the database', () => {
  test('only the columns that changed; a value set back to what was read is no change', async () => {
    const { db, session } = offline(books)
    db.answer({ rows: [{ id: 1, title: 'A', author_id: null }, { id: 2, title: 'B', author_id: null }] })
    const [a, b] = await session.query('books').all()
    a!.title = 'A2'
    b!.title = 'changed'
    b!.title = 'B'
    expect(await session.plan()).toEqual([{ operation: 'update', table: 'books', rows: 1, columns: ['title'] }])
  })

  test('a many-to-one set to another object updates the key column', async () => {
    const { db, session } = offline(books)
    db.answer({ rows: [{ id: 1, title: 'A', author_id: null }] })
    const book = (await session.get('books', 1))!
    book.author = session.create('authors', { name: 'New' })
    expect(await session.plan()).toEqual([
      { operation: 'insert', table: 'authors', rows: 1 },
      { operation: 'update', table: 'books', rows: 1, columns: ['author_id'] },
    ])
  })

  test('deleting a parent: children under delete cascade read and deleted first, nullable keys of others set to NULL, passive ones left to the database', async () => {
    const { db, session } = offline(household)
    db.answer({ rows: [{ id: 1, name: 'O' }] })
    const owner = (await session.get('owners', 1))!
    db.take()
    session.delete(owner)
    db.answer({ rows: [{ id: 5, name: 'P', chip: null, owner_id: 1 }] })
    expect(await session.plan()).toEqual([
      { operation: 'nullKeys', table: 'toys', rows: 1 },
      { operation: 'nullKeys', table: 'stickers', rows: 1 },
      { operation: 'delete', table: 'pets', rows: 1 },
      { operation: 'delete', table: 'owners', rows: 1 },
    ])
    // Planning read the pets (their own cascades need the objects); toys, stickers and notes need no objects.
    expect(db.take().map((s) => s.sql)).toEqual(['select "t1"."id", "t1"."name", "t1"."chip", "t1"."owner_id" from "pets" as "t1" where "t1"."owner_id" in ($1) order by "t1"."id" asc'])
  })

  test('delete-orphan: a child removed from its loaded collection is deleted; another, moved to a new owner, is updated', async () => {
    const { db, session } = offline(household)
    db.answer({ rows: [{ id: 1, name: 'O' }] }, { rows: [{ id: 5, name: 'P', chip: null, owner_id: 1 }, { id: 6, name: 'Q', chip: null, owner_id: 1 }] })
    const owner = (await session.query('owners').with({ pets: true }).first())!
    const [p, q] = owner.pets
    owner.pets.remove(p!)
    q!.owner = session.create('owners', { name: 'New' })
    expect(await session.plan()).toEqual([
      { operation: 'insert', table: 'owners', rows: 1 },
      { operation: 'update', table: 'pets', rows: 1, columns: ['owner_id'] },
      { operation: 'delete', table: 'pets', rows: 1 },
    ])
  })

  test('a child with a NOT NULL key removed from its parent without delete-orphan: refused before any SQL', async () => {
    const { db, session } = offline(household)
    db.answer({ rows: [{ id: 1, name: 'O' }] }, { rows: [{ id: 7, name: 'C', owner_id: 1 }] })
    const owner = (await session.query('owners').with({ chores: true }).first())!
    db.take()
    owner.chores.remove(owner.chores[0]!)
    await expect(session.plan()).rejects.toThrow(RelataError)
    expect(db.take()).toEqual([])
  })

  test('many-to-many on loaded collections: removed links deleted, added links inserted, a re-added link untouched', async () => {
    const { db, session } = offline(books)
    db.answer(
      { rows: [{ id: 10, title: 'T', author_id: null }] },
      { rows: [{ id: 1, name: 'Ann', __k0: 10 }, { id: 2, name: 'Bob', __k0: 10 }] },
      { rows: [{ id: 3, name: 'Cy' }] },
    )
    const book = (await session.query('books').with({ coauthors: true }).first())!
    const cy = (await session.get('authors', 3))!
    const [ann, bob] = book.coauthors
    book.coauthors.remove(ann!, bob!)
    book.coauthors.add(bob!, cy)
    expect(await session.plan()).toEqual([
      { operation: 'insertLinks', table: 'book_author', rows: 1 },
      { operation: 'deleteLinks', table: 'book_author', rows: 1 },
    ])
    book.coauthors.clear()
    expect(await session.plan()).toEqual([{ operation: 'deleteLinks', table: 'book_author', rows: 2 }])
  })

  test('a link value changed on an existing link: an update of the link row', async () => {
    const { db, session } = offline(books)
    db.answer({ rows: [{ id: 10, title: 'T', author_id: null }] }, { rows: [{ id: 1, name: 'Ann', __k0: 10 }] })
    const book = (await session.query('books').with({ coauthors: true }).first())!
    book.coauthors.add(book.coauthors[0]!, { role: 'translator' })
    expect(await session.plan()).toEqual([{ operation: 'updateLinks', table: 'book_author', rows: 1 }])
  })

  test('deleting an object whose collection is not loaded: its link rows purged by key, the collection never read', async () => {
    const { db, session } = offline(books)
    db.answer({ rows: [{ id: 10, title: 'T', author_id: null }] })
    const book = (await session.get('books', 10))!
    db.take()
    session.delete(book)
    expect(await session.plan()).toEqual([
      { operation: 'purgeLinks', table: 'book_author', rows: 1 },
      { operation: 'delete', table: 'books', rows: 1 },
    ])
    expect(db.take()).toEqual([])
  })

  test('many-to-many delete cascade: the linked objects read, link rows purged from both ends, then the rows', async () => {
    const { db, session } = offline(kinds)
    db.answer({ rows: [{ id: 1, title: 'Album' }] })
    const album = (await session.get('albums', 1))!
    db.take()
    session.delete(album)
    db.answer({ rows: [{ id: 8, caption: 'c', __k0: 1 }] })
    expect(await session.plan()).toEqual([
      { operation: 'purgeLinks', table: 'album_photos', rows: 1 },
      { operation: 'purgeLinks', table: 'album_photos', rows: 1 },
      { operation: 'delete', table: 'photos', rows: 1 },
      { operation: 'delete', table: 'albums', rows: 1 },
    ])
    expect(db.take().map((s) => s.sql)).toEqual([
      'select "t1"."id", "t1"."caption", "t2"."album_id" as "__k0" from "photos" as "t1" inner join "album_photos" as "t2" on "t2"."photo_id" = "t1"."id" where "t2"."album_id" in ($1) order by "t1"."id" asc',
    ])
  })

  test('one-to-one: moving the object with the unique key releases it from its previous owner first', async () => {
    const { db, session } = offline(sync)
    db.answer({ rows: [{ id: 1, name: 'Ann' }, { id: 2, name: 'Bob' }] }, { rows: [{ id: 5, street: 'Elm', user_id: 1 }] })
    const [ann, bob] = await session.query('people').where('id', 'in', [1, 2]).with({ address: 'selectIn' }).all()
    bob!.address = ann!.address
    expect(ann!.address).toBeNull()
    expect(await session.plan()).toEqual([{ operation: 'update', table: 'addresses', rows: 1, columns: ['user_id'] }])
  })

  test('deleting and re-creating a row with the same key: one UPDATE of that row (a row switch)', async () => {
    const { db, session } = offline(household)
    db.answer({ rows: [{ id: 1, title: 'Old', body: null, version: 3 }] })
    const old = (await session.get('documents', 1))!
    session.delete(old)
    session.create('documents', { id: 1, title: 'New' })
    expect(await session.plan()).toEqual([{ operation: 'update', table: 'documents', rows: 1, columns: ['title'] }])
  })

  test('a changed version column is planned as written; rollback() restores every change', async () => {
    const { db, session } = offline(household)
    db.answer({ rows: [{ id: 1, title: 'T', body: null, version: 3 }] })
    const doc = (await session.get('documents', 1))!
    doc.body = 'b'
    doc.version = 9
    expect(await session.plan()).toEqual([{ operation: 'update', table: 'documents', rows: 1, columns: ['body', 'version'] }])
    await session.rollback()
    expect([doc.body, doc.version]).toEqual([null, 3])
    expect(await session.plan()).toEqual([])
  })
})
