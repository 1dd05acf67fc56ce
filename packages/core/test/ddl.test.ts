import {
  DummyDriver,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { createTableQuery, indexedColumns } from '../src/ddl/create-table.js'
import { existingTables } from '../src/ddl/existing-tables.js'
import { mysqlPlatform } from '../src/dialect/mysql/mysql-platform.js'
import { postgresPlatform } from '../src/dialect/postgres/postgres-platform.js'
import { defineSchema, SchemaError, t, table } from '../src/index.js'
import { orderTables } from '../src/schema/table-order.js'
import { schema as books } from './fixtures/books.js'
import { schema as declarationsSchema, partialSchema } from './fixtures/declarations.js'
import { BIRTHDAY, FIXED_AT, schema } from './fixtures/every-type.js'

const sqlNames = (tables: readonly { sqlName: string }[]): string[] => tables.map((t) => t.sqlName)

describe('orderTables', () => {
  test('puts parents first and keeps declaration order between independent tables', () => {
    const { order, deferred } = orderTables(books.tables.values())
    expect(sqlNames(order)).toEqual(['authors', 'books', 'book_author'])
    expect(deferred).toEqual([])
  })

  test('orders a table after its parents whatever the declaration order', () => {
    const reversed = [...books.tables.values()].reverse()
    expect(sqlNames(orderTables(reversed).order)).toEqual(['authors', 'books', 'book_author'])
  })

  test('ignores self-references and breaks a cycle at its nullable key', () => {
    const { order, deferred } = orderTables(schema.tables.values())
    expect(sqlNames(order)).toEqual(['owners', 'items', 'item_tags', 'tag_notes', 'employees', 'teams', 'players'])
    expect(deferred.map((key) => key.name)).toEqual(['teams_captain_id_fkey'])
  })

  test('defers only keys on a cycle, not keys into one', () => {
    const [teams, players] = [schema.table('teams'), schema.table('players')]
    const { order, deferred } = orderTables([players, teams])
    expect(sqlNames(order)).toEqual(['teams', 'players'])
    expect(deferred).toHaveLength(1)
  })
})

/** Compiles DDL without a database. */
const compilers = {
  postgres: new Kysely<any>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  }),
  mysql: new Kysely<any>({
    dialect: {
      createAdapter: () => new MysqlAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new MysqlIntrospector(db),
      createQueryCompiler: () => new MysqlQueryCompiler(),
    },
  }),
}

const platforms = { postgres: postgresPlatform, mysql: mysqlPlatform }

const createSql = (family: 'postgres' | 'mysql', tables: typeof schema.tables, key: string): string =>
  createTableQuery(compilers[family], tables.get(key)!, { ddl: platforms[family].ddl, indexed: indexedColumns(tables.values()), deferred: new Set() }).compile().sql

describe('column types and defaults', () => {
  test('PostgreSQL', () => {
    expect(createSql('postgres', schema.tables, 'items')).toBe(
      'create table "items" ("id" serial not null, "owner_id" integer not null, "quantity" integer default 7 not null, "big" bigint, ' +
        '"title" text not null, "note" text default \'n/a\' not null, "code" varchar(10), "active" boolean default true not null, ' +
        '"price" numeric(30, 2), "ratio" numeric, "score" real, "weight" double precision, ' +
        '"created_at" timestamp(3) default current_timestamp(3) not null, "happened_at" timestamptz(3) default \'2020-01-02 03:04:05.678+00\', ' +
        '"fixed_at" timestamp(3) default \'2020-01-02 03:04:05.678\' not null, "day" date, "birthday" date default \'2000-01-01\' not null, ' +
        '"meta" json, "settings" jsonb default \'{"theme":"dark"}\' not null, "token" uuid, "status" text default \'draft\' not null, ' +
        '"revision" integer default 1 not null, constraint "items_pkey" primary key ("id"), ' +
        'constraint "items_status_check" check ("status" in (\'draft\', \'published\')), ' +
        'constraint "items_owner_id_fkey" foreign key ("owner_id") references "owners" ("id") on delete cascade)',
    )
  })

  test('MySQL: auto_increment, decimal, datetime(3), json, char(36), native enum, parenthesised text and json defaults', () => {
    expect(createSql('mysql', schema.tables, 'items')).toBe(
      'create table `items` (`id` integer not null auto_increment, `owner_id` integer not null, `quantity` integer default 7 not null, `big` bigint, ' +
        "`title` text not null, `note` text default ('n/a') not null, `code` varchar(10), `active` boolean default true not null, " +
        '`price` decimal(30, 2), `ratio` decimal(65, 30), `score` float, `weight` double, ' +
        "`created_at` datetime(3) default current_timestamp(3) not null, `happened_at` datetime(3) default '2020-01-02 03:04:05.678', " +
        "`fixed_at` datetime(3) default '2020-01-02 03:04:05.678' not null, `day` date, `birthday` date default '2000-01-01' not null, " +
        '`meta` json, `settings` json default (\'{"theme":"dark"}\') not null, `token` char(36), ' +
        "`status` enum('draft', 'published') default 'draft' not null, `revision` integer default 1 not null, " +
        'constraint `items_pkey` primary key (`id`), constraint `items_owner_id_fkey` foreign key (`owner_id`) references `owners` (`id`) on delete cascade) ' +
        'default character set utf8mb4 collate utf8mb4_bin',
    )
  })

  test('MySQL: a text column that is a key is a varchar(255)', () => {
    expect(createSql('mysql', schema.tables, 'owners')).toContain('`handle` varchar(255) not null')
    expect(createSql('mysql', schema.tables, 'itemTags')).toContain('`tag` varchar(255) not null')
    expect(createSql('mysql', schema.tables, 'tagNotes')).toContain('`tag` varchar(255) not null')
    expect(createSql('mysql', schema.tables, 'tagNotes')).toContain('`body` text not null')
  })

  test('declarations that cannot be written as DDL name the column', () => {
    const odd = defineSchema(
      {
        odd: table('odd', { id: t.serial().primaryKey(), amount: t.numeric(undefined, 2), data: t.text().default(Symbol('x') as never) }),
      },
      () => ({}),
    )
    expect(() => createSql('postgres', odd.tables, 'odd')).toThrow(SchemaError)
    expect(() => createSql('postgres', odd.tables, 'odd')).toThrow("Column 'odd.amount' gives numeric a scale but no precision")
    const bad = defineSchema({ bad: table('bad', { id: t.serial().primaryKey(), data: t.text().default(Symbol('x') as never) }) }, () => ({}))
    expect(() => createSql('mysql', bad.tables, 'bad')).toThrow("Column 'bad.data' has a default of type symbol")
  })
})

/** Time stamps must survive a process whose local time zone is not UTC. */
const originalTimeZone = process.env.TZ
beforeAll(() => {
  process.env.TZ = 'America/New_York'
  expect(new Date(Date.UTC(2024, 0, 1)).getTimezoneOffset()).toBe(300)
})
afterAll(() => {
  if (originalTimeZone === undefined) delete process.env.TZ
  else process.env.TZ = originalTimeZone
})

const ALL_TABLES = ['employees', 'item_tags', 'items', 'owners', 'players', 'tag_notes', 'teams']

describeEachDialect('createTables / dropTables', (target) => {
  const ctx = target.setup(schema)
  const db = () => ctx.orm.db as unknown as Kysely<any>

  const insertOwner = async (email: string) => {
    const owner = { email, handle: `@${email}` }
    await db().insertInto('owners').values(owner).execute()
    const { id } = await db().selectFrom('owners').select('id').where('email', '=', email).executeTakeFirstOrThrow()
    return id as number
  }

  test('creates every table', async () => {
    expect([...(await existingTables(db(), ctx.dialect.platform.ddl))].sort()).toEqual(ALL_TABLES)
  })

  test('applies value and SQL defaults', async () => {
    const ownerId = await insertOwner('defaults@example.com')
    const before = Date.now()
    await ctx.orm.db.insertInto('items').values({ owner_id: ownerId, title: 'Defaults' }).execute()
    const row = await ctx.orm.db.selectFrom('items').selectAll().where('title', '=', 'Defaults').executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      quantity: 7,
      note: 'n/a',
      active: true,
      settings: { theme: 'dark' },
      status: 'draft',
      revision: 1,
      big: null,
      price: null,
      meta: null,
    })
    expect(row.fixed_at).toEqual(FIXED_AT)
    expect(row.happened_at).toEqual(FIXED_AT)
    expect(row.birthday).toEqual(BIRTHDAY)
    expect(row.created_at).toBeInstanceOf(Date)
    expect(Math.abs(row.created_at.getTime() - before)).toBeLessThan(60_000)
  })

  test('round-trips every type through orm.db exactly', async () => {
    const ownerId = await insertOwner('types@example.com')
    const values = {
      owner_id: ownerId,
      title: 'Types',
      big: 9223372036854775807n,
      code: 'ABC',
      active: false,
      price: '1234567890123456789012345678.12',
      ratio: '0.5',
      score: 1.5,
      weight: 0.1 + 0.2,
      created_at: new Date(Date.UTC(2024, 5, 30, 23, 59, 58, 123)),
      happened_at: new Date(Date.UTC(1999, 11, 31, 22, 0, 0, 1)),
      day: new Date(Date.UTC(2024, 1, 29)),
      meta: { tags: ['a', 'b'], nested: { n: 1 } },
      settings: { theme: 'light' },
      token: '0b7a3f36-3c1a-4d6e-9a55-2f1a7c9e8d40',
      status: 'published' as const,
    }
    await ctx.orm.db.insertInto('items').values(values).execute()
    const row = await ctx.orm.db.selectFrom('items').selectAll().where('title', '=', 'Types').executeTakeFirstOrThrow()
    expect(row).toMatchObject({ ...values, ratio: expect.stringMatching(/^0\.50*$/) })
    expect(typeof row.big).toBe('bigint')
    expect(row.big! > 2n ** 53n).toBe(true)
  })

  test('preserves numeric precision beyond a double', async () => {
    const ownerId = await insertOwner('numeric@example.com')
    await ctx.orm.db.insertInto('items').values({ owner_id: ownerId, title: 'Numeric', price: '12345678901234567890.12' }).execute()
    const row = await ctx.orm.db.selectFrom('items').select('price').where('title', '=', 'Numeric').executeTakeFirstOrThrow()
    expect(row.price).toBe('12345678901234567890.12')
  })

  test('enforces NOT NULL, UNIQUE, enum values and foreign keys', async () => {
    const ownerId = await insertOwner('constraints@example.com')
    await expect(insertOwner('constraints@example.com')).rejects.toThrow()
    await expect(db().insertInto('items').values({ owner_id: ownerId, title: null }).execute()).rejects.toThrow()
    await expect(db().insertInto('items').values({ owner_id: ownerId, title: 'Bad', status: 'archived' }).execute()).rejects.toThrow()
    await expect(db().insertInto('items').values({ owner_id: 999_999, title: 'Orphan' }).execute()).rejects.toThrow()
  })

  test('ON DELETE CASCADE deletes children, through a composite key too', async () => {
    const ownerId = await insertOwner('cascade@example.com')
    await db().insertInto('items').values({ owner_id: ownerId, title: 'Cascade' }).execute()
    const { id: itemId } = await db().selectFrom('items').select('id').where('title', '=', 'Cascade').executeTakeFirstOrThrow()
    await db().insertInto('item_tags').values({ item_id: itemId, tag: 'x' }).execute()
    await db().insertInto('tag_notes').values({ item_id: itemId, tag: 'x', body: 'note' }).execute()
    await expect(db().insertInto('tag_notes').values({ item_id: itemId, tag: 'missing', body: 'note' }).execute()).rejects.toThrow()

    await db().deleteFrom('owners').where('id', '=', ownerId).execute()
    expect(await db().selectFrom('items').select('id').where('owner_id', '=', ownerId).execute()).toEqual([])
    expect(await db().selectFrom('item_tags').select('tag').where('item_id', '=', itemId).execute()).toEqual([])
    expect(await db().selectFrom('tag_notes').select('id').where('item_id', '=', itemId).execute()).toEqual([])
  })

  test('a self-reference sets null on delete', async () => {
    await db().insertInto('employees').values({ name: 'Boss' }).execute()
    const { id: bossId } = await db().selectFrom('employees').select('id').where('name', '=', 'Boss').executeTakeFirstOrThrow()
    await db().insertInto('employees').values({ name: 'Report', manager_id: bossId }).execute()
    await db().deleteFrom('employees').where('id', '=', bossId).execute()
    const report = await db().selectFrom('employees').select('manager_id').where('name', '=', 'Report').executeTakeFirstOrThrow()
    expect(report.manager_id).toBeNull()
  })

  test('both keys of a cycle exist and act', async () => {
    await db().insertInto('teams').values({ name: 'Red' }).execute()
    const { id: teamId } = await db().selectFrom('teams').select('id').where('name', '=', 'Red').executeTakeFirstOrThrow()
    await db().insertInto('players').values({ name: 'Ann', team_id: teamId }).execute()
    const { id: playerId } = await db().selectFrom('players').select('id').where('name', '=', 'Ann').executeTakeFirstOrThrow()
    await db().updateTable('teams').set({ captain_id: playerId }).where('id', '=', teamId).execute()
    await expect(db().updateTable('teams').set({ captain_id: 999_999 }).where('id', '=', teamId).execute()).rejects.toThrow()
    await db().deleteFrom('players').where('id', '=', playerId).execute()
    expect((await db().selectFrom('teams').select('captain_id').where('id', '=', teamId).executeTakeFirstOrThrow()).captain_id).toBeNull()
  })

  test('createTables({ ifNotExists }) leaves existing tables alone', async () => {
    ctx.recorder.clear()
    await ctx.orm.createTables({ ifNotExists: true })
    expect(ctx.recorder.sql.filter((statement) => /^(create|alter)/i.test(statement))).toEqual([])
  })

  test('dropTables drops everything, cycle included, and can run again with ifExists', async () => {
    await ctx.orm.dropTables()
    expect([...(await existingTables(db(), ctx.dialect.platform.ddl))]).toEqual([])
    await ctx.orm.dropTables({ ifExists: true })
    await ctx.orm.createTables({ ifNotExists: true })
    expect([...(await existingTables(db(), ctx.dialect.platform.ddl))].sort()).toEqual(ALL_TABLES)
    await ctx.orm.dropTables()
    expect([...(await existingTables(db(), ctx.dialect.platform.ddl))]).toEqual([])
  })
})

describeEachDialect('DDL statements', (target) => {
  const ctx = target.setup(books, { createTables: false })

  test('creates parents first with named constraints, and drops in reverse', async () => {
    await ctx.orm.createTables()
    await ctx.orm.dropTables()
    const expected =
      target.family === 'postgres'
        ? [
            'create table "authors" ("id" serial not null, "name" text not null, constraint "authors_pkey" primary key ("id"))',
            'create table "books" ("id" serial not null, "title" text not null, "author_id" integer, constraint "books_pkey" primary key ("id"), constraint "books_author_id_fkey" foreign key ("author_id") references "authors" ("id"))',
            'create table "book_author" ("book_id" integer not null, "author_id" integer not null, "role" text, constraint "book_author_pkey" primary key ("book_id", "author_id"), constraint "book_author_book_id_fkey" foreign key ("book_id") references "books" ("id") on delete cascade, constraint "book_author_author_id_fkey" foreign key ("author_id") references "authors" ("id") on delete cascade)',
            'drop table "book_author"',
            'drop table "books"',
            'drop table "authors"',
          ]
        : [
            'create table `authors` (`id` integer not null auto_increment, `name` text not null, constraint `authors_pkey` primary key (`id`)) default character set utf8mb4 collate utf8mb4_bin',
            'create table `books` (`id` integer not null auto_increment, `title` text not null, `author_id` integer, constraint `books_pkey` primary key (`id`), constraint `books_author_id_fkey` foreign key (`author_id`) references `authors` (`id`)) default character set utf8mb4 collate utf8mb4_bin',
            'create table `book_author` (`book_id` integer not null, `author_id` integer not null, `role` text, constraint `book_author_pkey` primary key (`book_id`, `author_id`), constraint `book_author_book_id_fkey` foreign key (`book_id`) references `books` (`id`) on delete cascade, constraint `book_author_author_id_fkey` foreign key (`author_id`) references `authors` (`id`) on delete cascade) default character set utf8mb4 collate utf8mb4_bin',
            'drop table `book_author`',
            'drop table `books`',
            'drop table `authors`',
          ]
    expect(ctx.recorder.sql).toEqual(expected)
  })
})

describeEachDialect('table declarations in the database', (target) => {
  const ctx = target.setup(declarationsSchema)
  const db = () => ctx.orm.db as unknown as Kysely<any>
  const postgres = target.family === 'postgres'

  test('indexes exist with their columns and uniqueness', async () => {
    const { rows } = postgres
      ? await sql<{ name: string; definition: string }>`select indexname as name, indexdef as definition from pg_indexes where schemaname = current_schema() and tablename = 'editions' order by indexname`.execute(db())
      : await sql<{ name: string; definition: string }>`select index_name as name, concat(if(non_unique = 0, 'unique ', ''), group_concat(column_name order by seq_in_index)) as definition
          from information_schema.statistics where table_schema = database() and table_name = 'editions' group by index_name, non_unique order by index_name`.execute(db())
    const byName = Object.fromEntries(rows.map((row) => [row.name, row.definition]))
    if (postgres) {
      expect(byName['editions_title_year_idx']).toMatch(/^CREATE INDEX editions_title_year_idx ON \S*editions USING btree \(title, year\)$/)
      expect(byName['editions_by_isbn']).toMatch(/^CREATE UNIQUE INDEX editions_by_isbn ON \S*editions USING btree \(isbn\)$/)
      expect(byName['editions_one_per_year']).toMatch(/UNIQUE INDEX .* \(publisher_id, title, year\)$/)
      expect(byName['editions_publisher_id_idx']).toMatch(/\(publisher_id\)$/)
    } else {
      expect(byName).toMatchObject({
        editions_title_year_idx: 'title,year',
        editions_by_isbn: 'unique isbn',
        editions_one_per_year: 'unique publisher_id,title,year',
        editions_publisher_id_idx: 'publisher_id',
      })
    }
  })

  test('multi-column uniques and checks are enforced', async () => {
    await db().insertInto('publishers').values({ name: 'Penguin', country: 'GB' }).execute()
    await db().insertInto('publishers').values({ name: 'Penguin', country: 'US' }).execute()
    await expect(db().insertInto('publishers').values({ name: 'Penguin', country: 'GB' }).execute()).rejects.toThrow(/publishers_name_country_key|Duplicate/)
    const { id } = await db().selectFrom('publishers').select('id').where('country', '=', 'GB').executeTakeFirstOrThrow()
    await db().insertInto('editions').values({ publisher_id: id, title: 'Emma', year: 1815, isbn: '1' }).execute()
    await expect(db().insertInto('editions').values({ publisher_id: id, title: 'Emma', year: 1815 }).execute()).rejects.toThrow(/editions_one_per_year/)
    await expect(db().insertInto('editions').values({ publisher_id: id, title: 'Emma', year: 1816, isbn: '1' }).execute()).rejects.toThrow(/editions_by_isbn/)
    await expect(db().insertInto('editions').values({ publisher_id: id, title: 'Old', year: 0 }).execute()).rejects.toThrow(/editions_year_check/)
    await expect(db().insertInto('editions').values({ publisher_id: id, title: 'Thin', year: 2000, pages: 0 }).execute()).rejects.toThrow(/editions_pages_check/)
  })

  test('comments are stored on the table and column', async () => {
    const { rows } = postgres
      ? await sql<{ tableComment: string; columnComment: string }>`select obj_description('publishers'::regclass, 'pg_class') as "tableComment",
          col_description('publishers'::regclass, 2) as "columnComment"`.execute(db())
      : await sql<{ tableComment: string; columnComment: string }>`select t.table_comment as tableComment, c.column_comment as columnComment
          from information_schema.tables t join information_schema.columns c on c.table_schema = t.table_schema and c.table_name = t.table_name
          where t.table_schema = database() and t.table_name = 'publishers' and c.column_name = 'name'`.execute(db())
    expect(rows).toEqual([{ tableComment: 'Who prints the books', columnComment: 'Trading name' }])
  })
})

describeEachDialect('a partial index', (target) => {
  const ctx = target.setup(partialSchema, { createTables: false })

  test('is created with its predicate on PostgreSQL, refused on MariaDB naming the table, nothing created', async () => {
    const db = ctx.orm.db as unknown as Kysely<any>
    if (target.family === 'postgres') {
      await ctx.orm.createTables()
      const { rows } = await sql<{ definition: string }>`select indexdef as definition from pg_indexes where schemaname = current_schema() and indexname = 'drafts_title_idx'`.execute(db)
      expect(rows[0]!.definition).toMatch(/ \(title\) WHERE \(NOT deleted\)$/)
      await ctx.orm.dropTables()
    } else {
      await expect(ctx.orm.createTables()).rejects.toThrow("Table 'drafts': index 'drafts_title_idx' is partial (where)")
      expect([...(await existingTables(db, ctx.dialect.platform.ddl))]).toEqual([])
    }
  })
})
