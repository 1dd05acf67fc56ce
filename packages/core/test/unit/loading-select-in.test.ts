/** The `selectIn` strategy offline: the exact statement of each relation kind and level, per SQL family, and the graph built from scripted rows. */
import { describe, expect, test } from 'vitest'
import { schema as chinook } from '@relata/test-kit/chinook'
import { schema as books } from '../fixtures/books.js'
import { schema as sync } from '../fixtures/relation-sync.js'
import { offlineOrm, offlineTargets, spelled } from './support/offline.js'

const authorRows = [
  { id: 1, name: 'Ann' },
  { id: 2, name: 'Bob' },
]

describe.each(offlineTargets)('selectIn loading [%s]', (target) => {
  const q = (text: string, parameters: unknown[] = []) => ({ sql: spelled(target, text), parameters })

  test('one-to-many under an unfiltered root: every child row in one statement, no key list', async () => {
    const db = offlineOrm(books, target)
    db.answer({ rows: authorRows }, { rows: [{ id: 10, title: 'T', author_id: 1 }] })
    const authors = await db.orm.session().query('authors').with({ books: 'selectIn' }).all()
    expect(db.take()).toEqual([
      q('select "t0"."id", "t0"."name" from "authors" as "t0"'),
      q('select "t1"."id", "t1"."title", "t1"."author_id" from "books" as "t1" where "t1"."author_id" is not null order by "t1"."id" asc'),
    ])
    expect(authors.map((a) => a.books.map((b) => b.title))).toEqual([['T'], []])
  })

  test('one-to-many under a filtered root: the parents\' keys as parameters', async () => {
    const db = offlineOrm(books, target)
    db.answer({ rows: authorRows }, { rows: [{ id: 10, title: 'T', author_id: 2 }] })
    const authors = await db.orm.session().query('authors').where('name', 'like', '%n%').with({ books: true }).all()
    expect(db.take()).toEqual([
      q('select "t0"."id", "t0"."name" from "authors" as "t0" where "t0"."name" like $1', ['%n%']),
      q('select "t1"."id", "t1"."title", "t1"."author_id" from "books" as "t1" where "t1"."author_id" in ($1, $2) order by "t1"."id" asc', [1, 2]),
    ])
    expect(authors.map((a) => a.books.length)).toEqual([0, 1])
  })

  test('many-to-one: each distinct key once, a null key loads nothing', async () => {
    const db = offlineOrm(books, target)
    db.answer(
      {
        rows: [
          { id: 10, title: 'A', author_id: 2 },
          { id: 11, title: 'B', author_id: 2 },
          { id: 12, title: 'C', author_id: null },
          { id: 13, title: 'D', author_id: 1 },
        ],
      },
      { rows: authorRows },
    )
    const list = await db.orm.session().query('books').with({ author: 'selectIn' }).orderBy('title').all()
    expect(db.take()).toEqual([
      q('select "t0"."id", "t0"."title", "t0"."author_id" from "books" as "t0" order by "t0"."title" asc, "t0"."id" asc'),
      q('select "t1"."id", "t1"."name" from "authors" as "t1" where "t1"."id" in ($1, $2) order by "t1"."id" asc', [2, 1]),
    ])
    expect(list.map((b) => b.author?.name ?? null)).toEqual(['Bob', 'Bob', null, 'Ann'])
    expect(list[0]!.author).toBe(list[1]!.author)
  })

  test('many-to-one: targets already in the identity map need no statement', async () => {
    const db = offlineOrm(books, target)
    const session = db.orm.session()
    db.answer({ rows: authorRows }, { rows: [{ id: 10, title: 'A', author_id: 2 }] })
    const [, bob] = await session.query('authors').all()
    const [book] = await session.query('books').with({ author: 'selectIn' }).all()
    expect(db.take().map((s) => s.sql)).toEqual([
      spelled(target, 'select "t0"."id", "t0"."name" from "authors" as "t0"'),
      spelled(target, 'select "t0"."id", "t0"."title", "t0"."author_id" from "books" as "t0"'),
    ])
    expect(book!.author).toBe(bob)
  })

  test('many-to-many: through the association table, the parent key selected as __k0', async () => {
    const db = offlineOrm(books, target)
    db.answer(
      { rows: [{ id: 10, title: 'A', author_id: null }, { id: 11, title: 'B', author_id: null }] },
      { rows: [{ id: 1, name: 'Ann', __k0: 10 }, { id: 1, name: 'Ann', __k0: 11 }, { id: 2, name: 'Bob', __k0: 11 }] },
    )
    const list = await db.orm.session().query('books').where('id', 'in', [10, 11]).with({ coauthors: true }).all()
    expect(db.take()).toEqual([
      q('select "t0"."id", "t0"."title", "t0"."author_id" from "books" as "t0" where "t0"."id" in ($1, $2)', [10, 11]),
      q(
        'select "t1"."id", "t1"."name", "t2"."book_id" as "__k0", "t2"."role" as "__v0" from "authors" as "t1" inner join "book_author" as "t2" on "t2"."author_id" = "t1"."id" ' +
          'where "t2"."book_id" in ($1, $2) order by "t1"."id" asc',
        [10, 11],
      ),
    ])
    expect(list.map((b) => b.coauthors.map((a) => a.name))).toEqual([['Ann'], ['Ann', 'Bob']])
    expect(list[0]!.coauthors[0]).toBe(list[1]!.coauthors[0])
  })

  test('nested levels: one statement per level, each keyed on the rows the level above returned', async () => {
    const db = offlineOrm(chinook, target)
    db.answer(
      { rows: [{ artist_id: 1, name: 'AC/DC' }, { artist_id: 2, name: 'Accept' }] },
      { rows: [{ album_id: 1, title: 'For Those About To Rock', artist_id: 1 }, { album_id: 4, title: 'Let There Be Rock', artist_id: 1 }] },
      { rows: [{ track_id: 15, name: 'Go Down', album_id: 4, media_type_id: 1, genre_id: 1, composer: null, milliseconds: 331180, bytes: 10847611, unit_price: '0.99' }] },
    )
    const artists = await db.orm.session().query('artists').where('artistId', '<=', 2).with({ albums: { tracks: true } }).orderBy('name', 'desc').all()
    expect(db.take()).toEqual([
      q('select "t0"."artist_id", "t0"."name" from "artist" as "t0" where "t0"."artist_id" <= $1 order by "t0"."name" desc, "t0"."artist_id" asc', [2]),
      q('select "t1"."album_id", "t1"."title", "t1"."artist_id" from "album" as "t1" where "t1"."artist_id" in ($1, $2) order by "t1"."album_id" asc', [1, 2]),
      q(
        'select "t1"."track_id", "t1"."name", "t1"."album_id", "t1"."media_type_id", "t1"."genre_id", "t1"."composer", "t1"."milliseconds", "t1"."bytes", "t1"."unit_price" ' +
          'from "track" as "t1" where "t1"."album_id" in ($1, $2) order by "t1"."track_id" asc',
        [1, 4],
      ),
    ])
    expect(artists.map((a) => a.albums.map((al) => [al.title, al.tracks.map((t) => t.name)]))).toEqual([
      [
        ['For Those About To Rock', []],
        ['Let There Be Rock', ['Go Down']],
      ],
      [],
    ])
  })

  test('a level under an unfiltered one-to-many with a NOT NULL key still reads its whole table', async () => {
    const db = offlineOrm(chinook, target)
    db.answer({ rows: [{ artist_id: 1, name: 'AC/DC' }] }, { rows: [{ album_id: 1, title: 'T', artist_id: 1 }] })
    await db.orm.session().query('artists').with({ albums: { tracks: true } }).all()
    // album.artist_id cannot be null: every artist's albums are every album, so their tracks are every track with an album.
    expect(db.take().slice(1)).toEqual([
      q('select "t1"."album_id", "t1"."title", "t1"."artist_id" from "album" as "t1" where "t1"."artist_id" is not null order by "t1"."album_id" asc'),
      q(
        'select "t1"."track_id", "t1"."name", "t1"."album_id", "t1"."media_type_id", "t1"."genre_id", "t1"."composer", "t1"."milliseconds", "t1"."bytes", "t1"."unit_price" ' +
          'from "track" as "t1" where "t1"."album_id" is not null order by "t1"."track_id" asc',
      ),
    ])
  })

  test('a relation\'s own filter and order go into its statement, the key list after them', async () => {
    const db = offlineOrm(chinook, target)
    db.answer({ rows: [{ artist_id: 7, name: 'X' }] })
    await db.orm
      .session()
      .query('artists')
      .limit(1)
      .with({ albums: (albums) => albums.where('title', 'like', 'B%').orderBy('title', 'desc') })
      .all()
    expect(db.take()).toEqual([
      q('select "t0"."artist_id", "t0"."name" from "artist" as "t0" limit $1', [1]),
      q(
        'select "t1"."album_id", "t1"."title", "t1"."artist_id" from "album" as "t1" where "t1"."title" like $1 and "t1"."artist_id" in ($2) ' +
          'order by "t1"."title" desc, "t1"."album_id" asc',
        ['B%', 7],
      ),
    ])
  })

  test('one-to-one from either side: the side without the key lists parents, the side with it uses the identity map', async () => {
    const db = offlineOrm(sync, target)
    const session = db.orm.session()
    db.answer({ rows: [{ id: 1, name: 'Ann' }, { id: 2, name: 'Bob' }] }, { rows: [{ id: 5, street: 'Elm', user_id: 2 }] })
    const people = await session.query('people').where('id', '<', 3).with({ address: 'selectIn' }).all()
    db.answer({ rows: [{ id: 5, street: 'Elm', user_id: 2 }] })
    const [address] = await session.query('addresses').with({ user: 'selectIn' }).all()
    expect(db.take()).toEqual([
      q('select "t0"."id", "t0"."name" from "people" as "t0" where "t0"."id" < $1', [3]),
      q('select "t1"."id", "t1"."street", "t1"."user_id" from "addresses" as "t1" where "t1"."user_id" in ($1, $2) order by "t1"."id" asc', [1, 2]),
      q('select "t0"."id", "t0"."street", "t0"."user_id" from "addresses" as "t0"'),
    ])
    expect(people.map((p) => p.address?.street ?? null)).toEqual([null, 'Elm'])
    expect(address).toBe(people[1]!.address)
    expect(address!.user).toBe(people[1])
  })

  test('a composite key: row IN lists of at most 400 parameters, OR-ed together', async () => {
    const db = offlineOrm(sync, target)
    const shelves = Array.from({ length: 201 }, (_, i) => ({ room: `r${i}`, position: i }))
    db.answer({ rows: shelves })
    await db.orm.session().query('shelves').limit(201).with({ boxes: true }).all()
    const [, boxes] = db.take()
    const pairs = (from: number, to: number) => Array.from({ length: to - from }, () => '(?, ?)').join(', ')
    const text = `select "t1"."id", "t1"."label", "t1"."shelf_room", "t1"."shelf_position" from "boxes" as "t1" where (("t1"."shelf_room", "t1"."shelf_position") in (${pairs(0, 200)}) or ("t1"."shelf_room", "t1"."shelf_position") in (${pairs(200, 201)})) order by "t1"."id" asc`
    let n = 0
    expect(boxes).toEqual({ sql: spelled(target, target === 'postgres' ? text.replace(/\?/g, () => `$${++n}`) : text), parameters: shelves.flatMap((s) => [s.room, s.position]) })
  })

  test('a composite key with one parent: equalities, not a one-row IN list', async () => {
    const db = offlineOrm(sync, target)
    db.answer({ rows: [{ room: 'hall', position: 3 }] })
    await db.orm.session().query('shelves').where({ room: 'hall' }).with({ boxes: true }).all()
    expect(db.take()[1]).toEqual(
      q(
        'select "t1"."id", "t1"."label", "t1"."shelf_room", "t1"."shelf_position" from "boxes" as "t1" where ("t1"."shelf_room" = $1 and "t1"."shelf_position" = $2) order by "t1"."id" asc',
        ['hall', 3],
      ),
    )
  })

  test("to-many 'join': MySQL 8 cannot order JSON_ARRAYAGG, so it loads with selectIn; the others embed it", async () => {
    const db = offlineOrm(books, target)
    db.answer({ rows: [{ id: 1, name: 'Ann', __r_books: target === 'postgres' ? [] : '[]' }] })
    await db.orm.session().query('authors').where({ id: 1 }).with({ books: 'join' }).all()
    const statements = db.take().map((s) => s.sql)
    if (target === 'mysql') {
      expect(statements).toEqual([
        'select `t0`.`id`, `t0`.`name` from `authors` as `t0` where `t0`.`id` = ?',
        'select `t1`.`id`, `t1`.`title`, `t1`.`author_id` from `books` as `t1` where `t1`.`author_id` in (?) order by `t1`.`id` asc',
      ])
    } else {
      expect(statements).toHaveLength(1)
      expect(statements[0]).toContain(target === 'postgres' ? 'json_agg' : 'json_arrayagg')
    }
  })
})

describe('selectIn chunks its key list by the parameter limit', () => {
  test('65,535 parameters less 1,000 of headroom: 64,536 parents take two statements', async () => {
    const db = offlineOrm(books, 'postgres')
    const parents = Array.from({ length: 64_536 }, (_, i) => ({ id: i + 1, name: `a${i}` }))
    db.answer({ rows: parents })
    await db.orm.session().query('authors').limit(64_536).with({ books: true }).all()
    const [, first, second] = db.take()
    expect(first!.parameters).toHaveLength(64_535)
    expect(first!.parameters.at(-1)).toBe(64_535)
    expect(second).toEqual({ sql: 'select "t1"."id", "t1"."title", "t1"."author_id" from "books" as "t1" where "t1"."author_id" in ($1) order by "t1"."id" asc', parameters: [64_536] })
  })
})
