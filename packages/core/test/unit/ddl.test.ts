/** `orm.createTables()` and `orm.dropTables()` offline: the statements in foreign-key order, the keys of a cycle added and dropped apart, and the `ifNotExists` / `ifExists` lookups. */
import { describe, expect, test } from 'vitest'
import { defineSchema, SchemaError, t, table } from '../../src/index.js'
import { schema as books } from '../fixtures/books.js'
import { schema as declarations, partialSchema } from '../fixtures/declarations.js'
import { schema as everyType } from '../fixtures/every-type.js'
import { offlineOrm, offlineTargets, spelled } from './support/offline.js'

const artist = table('Artist', { artistId: t.integer().name('ArtistId').primaryKey() })
const album = table('Album', { albumId: t.integer().primaryKey(), artistId: t.integer().name('ArtistId').references(() => artist.artistId, { name: 'FK_AlbumArtistId' }) })
const namedKey = defineSchema({ artist, album }, () => ({}), { casing: 'snake_case' })

describe.each(offlineTargets)('DDL statements [%s]', (target) => {
  const postgres = target === 'postgres'
  /** MySQL and MariaDB tables are utf8mb4 with a binary collation, whatever the database's default. */
  const table = (text: string) => spelled(target, postgres ? text : `${text} default character set utf8mb4 collate utf8mb4_bin`)
  const currentSchema = spelled(target, `select table_name as name from information_schema.tables where table_schema = ${postgres ? 'current_schema()' : 'database()'}`)
  const serialId = postgres ? '"id" serial not null' : '"id" integer not null auto_increment'

  test('tables parents first with named constraints, dropped in reverse', async () => {
    const db = offlineOrm(books, target)
    await db.orm.createTables()
    await db.orm.dropTables()
    expect(db.take().map((s) => s.sql)).toEqual([
      table(`create table "authors" (${serialId}, "name" text not null, constraint "authors_pkey" primary key ("id"))`),
      table(
        `create table "books" (${serialId}, "title" text not null, "author_id" integer, constraint "books_pkey" primary key ("id"), ` +
          'constraint "books_author_id_fkey" foreign key ("author_id") references "authors" ("id"))',
      ),
      table(
        'create table "book_author" ("book_id" integer not null, "author_id" integer not null, "role" text, constraint "book_author_pkey" primary key ("book_id", "author_id"), ' +
          'constraint "book_author_book_id_fkey" foreign key ("book_id") references "books" ("id") on delete cascade, ' +
          'constraint "book_author_author_id_fkey" foreign key ("author_id") references "authors" ("id") on delete cascade)',
      ),
      spelled(target, 'drop table "book_author"'),
      spelled(target, 'drop table "books"'),
      spelled(target, 'drop table "authors"'),
    ])
  })

  test('a cycle: its closing key added by ALTER TABLE after both tables, and dropped before them', async () => {
    const db = offlineOrm(everyType, target)
    await db.orm.createTables()
    await db.orm.dropTables()
    const statements = db.take().map((s) => s.sql)
    expect(statements.map((sql) => sql.split(' (')[0])).toEqual(
      [
        'create table "owners"',
        'create table "items"',
        'create table "item_tags"',
        'create table "tag_notes"',
        'create table "employees"',
        'create table "teams"',
        'create table "players"',
        'alter table "teams" add constraint "teams_captain_id_fkey" foreign key',
        postgres ? 'alter table "teams" drop constraint "teams_captain_id_fkey"' : 'alter table "teams" drop foreign key "teams_captain_id_fkey"',
        'drop table "players"',
        'drop table "teams"',
        'drop table "employees"',
        'drop table "tag_notes"',
        'drop table "item_tags"',
        'drop table "items"',
        'drop table "owners"',
      ].map((sql) => spelled(target, sql)),
    )
    expect(statements[5]).toBe(table(`create table "teams" (${serialId}, "name" text not null, "captain_id" integer, constraint "teams_pkey" primary key ("id"))`))
    expect(statements[7]).toBe(spelled(target, 'alter table "teams" add constraint "teams_captain_id_fkey" foreign key ("captain_id") references "players" ("id") on delete set null'))
  })

  test('ifNotExists and ifExists: the existing tables read first, only the others created or dropped', async () => {
    const db = offlineOrm(books, target)
    db.answer({ rows: [{ name: 'authors' }] })
    await db.orm.createTables({ ifNotExists: true })
    db.answer({ rows: [{ name: 'books' }] })
    await db.orm.dropTables({ ifExists: true })
    const statements = db.take().map((s) => s.sql)
    expect(statements.map((sql) => sql.split(' (')[0])).toEqual([
      currentSchema,
      spelled(target, 'create table if not exists "books"'),
      spelled(target, 'create table if not exists "book_author"'),
      currentSchema,
      spelled(target, 'drop table "books"'),
    ])
  })

  test('a foreign key named in .references() keeps its name (a pulled database\'s FK_AlbumArtistId)', async () => {
    const db = offlineOrm(namedKey, target)
    await db.orm.createTables()
    expect(db.take()[1]!.sql).toContain(spelled(target, 'constraint "FK_AlbumArtistId" foreign key ("ArtistId") references "Artist" ("ArtistId")'))
  })
})

describe.each(offlineTargets)('DDL of table declarations [%s]', (target) => {
  const postgres = target === 'postgres'

  test('uniques, checks, comments in CREATE TABLE; indexes and comment statements after it', async () => {
    const db = offlineOrm(declarations, target)
    await db.orm.createTables()
    const statements = db.take().map((s) => s.sql)
    if (postgres) {
      expect(statements).toEqual([
        'create table "publishers" ("id" serial not null, "name" text not null, "country" varchar(2) not null, constraint "publishers_pkey" primary key ("id"), ' +
          'constraint "publishers_name_country_key" unique ("name", "country"))',
        'comment on table "publishers" is \'Who prints the books\'',
        'comment on column "publishers"."name" is \'Trading name\'',
        'create table "editions" ("id" serial not null, "publisher_id" integer not null, "title" text not null, "year" integer not null, "isbn" varchar(20), "pages" integer, ' +
          'constraint "editions_pkey" primary key ("id"), constraint "editions_one_per_year" unique ("publisher_id", "title", "year"), ' +
          'constraint "editions_year_check" check (year > 0), constraint "editions_pages_check" check (pages is null or pages > 0), ' +
          'constraint "editions_publisher_id_fkey" foreign key ("publisher_id") references "publishers" ("id") on delete cascade)',
        'create index "editions_title_year_idx" on "editions" ("title", "year")',
        'create unique index "editions_by_isbn" on "editions" ("isbn")',
        'create index "editions_publisher_id_idx" on "editions" ("publisher_id")',
      ])
    } else {
      const end = ' default character set utf8mb4 collate utf8mb4_bin'
      expect(statements).toEqual([
        "create table `publishers` (`id` integer not null auto_increment, `name` varchar(255) not null comment 'Trading name', `country` varchar(2) not null, " +
          "constraint `publishers_pkey` primary key (`id`), constraint `publishers_name_country_key` unique (`name`, `country`))" + end + " comment = 'Who prints the books'",
        'create table `editions` (`id` integer not null auto_increment, `publisher_id` integer not null, `title` varchar(255) not null, `year` integer not null, `isbn` varchar(20), `pages` integer, ' +
          'constraint `editions_pkey` primary key (`id`), constraint `editions_one_per_year` unique (`publisher_id`, `title`, `year`), ' +
          'constraint `editions_year_check` check (year > 0), constraint `editions_pages_check` check (pages is null or pages > 0), ' +
          'constraint `editions_publisher_id_fkey` foreign key (`publisher_id`) references `publishers` (`id`) on delete cascade)' + end,
        'create index `editions_title_year_idx` on `editions` (`title`, `year`)',
        'create unique index `editions_by_isbn` on `editions` (`isbn`)',
        'create index `editions_publisher_id_idx` on `editions` (`publisher_id`)',
      ])
    }
  })

  test('a partial index: created with its where on PostgreSQL, refused on MySQL and MariaDB before any statement, naming the table', async () => {
    const db = offlineOrm(partialSchema, target)
    if (postgres) {
      await db.orm.createTables()
      expect(db.take().map((s) => s.sql)[1]).toBe('create index "drafts_title_idx" on "drafts" ("title") where not deleted')
    } else {
      await expect(db.orm.createTables()).rejects.toThrow("Table 'drafts': index 'drafts_title_idx' is partial (where), which this database cannot create")
      expect(db.take()).toEqual([])
    }
  })
})

test('a composite foreign key given two names is refused, naming the table and columns', () => {
  const parent = table('parent', { a: t.integer().primaryKey(), b: t.integer().primaryKey() })
  const child = table('child', {
    id: t.integer().primaryKey(),
    a: t.integer().references(() => parent.a, { name: 'fk_one' }),
    b: t.integer().references(() => parent.b, { name: 'fk_two' }),
  })
  expect(() => defineSchema({ parent, child }, () => ({}))).toThrow(SchemaError)
  expect(() => defineSchema({ parent, child }, () => ({}))).toThrow("The foreign key of 'child' (a, b) is given two names: fk_one, fk_two")
})
