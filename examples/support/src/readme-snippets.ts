/**
 * README.md's code that no example runs as it is shown: type-checked here with the rest of the
 * examples (root tsconfig). examples/support/test/readme.test.ts checks that each README block
 * quotes this file or an example, so a change here that breaks a block fails that test.
 */
import { createOrm } from '@relata/core'
import { pglite } from '@relata/core/pglite'       // embedded
import { postgres } from '@relata/core/postgres'   // pg
import { mysql } from '@relata/core/mysql'         // mysql2: MySQL 8 and MariaDB

// A one-table schema for the block's `schema` (imported apart: the README shows the imports above as they are).
import { defineSchema, sql, t, table } from '@relata/core'
import { migrateToLatest } from '@relata/migrate'

const schema = defineSchema({ books: table('book', { id: t.serial().primaryKey(), title: t.varchar(200) }) })

/** "Connecting": an orm on PGlite, its tables created, and the typed Kysely instance. */
export async function connecting() {
  const orm = createOrm({ schema, dialect: pglite(), log: 'console' })
  await orm.createTables()                  // in foreign-key order; orm.dropTables() in reverse
  orm.db                                    // Kysely<Database<typeof schema>>, for anything else
  const titles = await orm.db.selectFrom('book').select('title').execute()
  await orm.destroy()
  return titles
}

/** The other two dialects take a URL (or settings, or a pool of your own); nothing connects until the first query. */
export const serverDialects = {
  postgres: postgres('postgres://postgres@127.0.0.1:5432/app'),
  mysql: mysql('mysql://root@127.0.0.1:3306/app'),
}

/** "Concurrency, failures and large reads": a retried serializable transaction, a statement timeout, an untracked read. */
export async function reliability() {
  const orm = createOrm({ schema, dialect: postgres('postgres://postgres@127.0.0.1:5432/app', { statementTimeout: 5_000 }) })
  await orm.transaction(async (session) => {
    const book = await session.get('books', 1)
    if (book) book.title = `${book.title} (2nd edition)`
  }, { isolation: 'serializable', retries: 3 })
  const everything = await orm.session().query('books').orderBy('id').untracked().all()   // not kept by the session
  await orm.destroy()
  return everything
}

// Accounts and a job queue, for the blocks on locks and session.db.
const queue = defineSchema({
  accounts: table('accounts', { id: t.serial().primaryKey(), balance: t.integer() }),
  jobs: table('jobs', { id: t.serial().primaryKey(), status: t.text() }),
})

/** "Pessimistic locks": a locked get, a job taken with SKIP LOCKED, a share lock that does not wait. */
export async function locks() {
  const orm = createOrm({ schema: queue, dialect: pglite() })
  await orm.transaction(async (session) => {
    const account = await session.get('accounts', 1, { lock: 'update' })      // SELECT ... FOR UPDATE
    if (account) account.balance -= 10
    // A job queue: each worker takes a row no other worker holds.
    const job = await session.query('jobs').where({ status: 'queued' }).orderBy('id').limit(1).forUpdate({ skipLocked: true }).first()
    const queued = await session.query('jobs').where({ status: 'queued' }).forShare({ noWait: true }).all()
    return [job, queued]
  })
  await orm.destroy()
}

/** "session.db": Kysely statements inside the session's transaction. */
export async function sessionDb() {
  const orm = createOrm({ schema: queue, dialect: pglite() })
  await orm.transaction(async (session) => {
    session.create('jobs', { status: 'queued' })
    await session.flush()                                   // session.db does not flush for you
    const queued = await session.db.selectFrom('jobs').select('id').where('status', '=', 'queued').execute()
    await session.db.updateTable('jobs').set({ status: 'taken' }).where('status', '=', 'queued').execute()
    return queued
  })                                                        // committed (or rolled back) with the session's changes
  await orm.destroy()
}

const albums = table('album', { albumId: t.serial().primaryKey(), title: t.varchar(160) })
const tracks = table('track', { trackId: t.serial().primaryKey(), name: t.varchar(200), albumId: t.integer().references(() => albums.albumId), milliseconds: t.integer() })
const music = defineSchema({ albums, tracks }, ({ oneToMany, manyToOne }) => ({ albums: { tracks: oneToMany('tracks') }, tracks: { album: manyToOne('albums') } }), { casing: 'snake_case' })

/** "Streaming, keyset pages and entities from Kysely": stream(), paginate() and fromQuery() on an album/track schema. */
export async function largeReads(cursor: string | null) {
  const orm = createOrm({ schema: music, dialect: pglite() })
  const session = orm.session()
  for await (const track of session.query('tracks').with({ album: true }).stream({ batchSize: 1000 })) {
    console.log(track.name, track.album.title)          // a finished batch leaves the session
  }
  const page = await session.query('tracks').where('milliseconds', '>', 300_000)
    .paginate({ first: 20, after: cursor, orderBy: [['milliseconds', 'desc']] })
  console.log(page.items.length, page.pageInfo.hasNextPage, page.pageInfo.endCursor)   // endCursor: the next page's `after`
  const live = await session.fromQuery(
    session.db.selectFrom('track').innerJoin('album', 'album.album_id', 'track.album_id')
      .where('album.title', 'like', 'Live%').selectAll('track'),
  )
  live[0]!.name = 'Renamed'                             // tracked: written by the next flush
  await session.commit()
  await orm.destroy()
}

/** "Indexes, constraints and comments": `table()`'s third argument, columns named by property. */
export const editions = table(
  'editions',
  {
    id: t.serial().primaryKey(),
    publisherId: t.integer(),
    title: t.text().comment('As printed on the cover'),
    year: t.integer(),
    isbn: t.varchar(20).nullable(),
  },
  {
    indexes: [
      { columns: ['title', 'year'] },                                 // editions_title_year_idx
      { columns: ['isbn'], unique: true, name: 'editions_by_isbn' },
      { columns: ['year'], where: sql`isbn is null` },                // partial: PostgreSQL only
    ],
    uniques: [['publisherId', 'title', 'year']],                      // <table>_<columns>_key
    checks: { editions_year_check: sql`year > 0` },                   // or SQL text: 'year > 0'
    comment: 'One row per printing',
  },
)

/** "Scaling out": a primary with two hot standbys, sessions by consistency, a token carried to the next request. */
export async function scalingOut(cookie: string | undefined) {
  const orm = createOrm({
    schema,
    dialect: postgres({
      primary: 'postgres://app@db-primary:5432/app',
      replicas: ['postgres://app@db-standby-1:5432/app', 'postgres://app@db-standby-2:5432/app'],
      causalWait: 50,                       // ms a read waits for a standby to catch up, then reads on the primary
      maxLag: 5_000,                        // a standby further behind is skipped, in every consistency mode
    }),
  })
  const session = orm.session({ after: cookie })   // 'causal': sees this commit and the previous request's
  session.create('books', { title: 'Scaling out' })
  await session.commit()                           // on the primary; its WAL position is remembered
  const mine = await session.query('books').where({ title: 'Scaling out' }).first()   // on a standby that has it
  const token = session.commitToken                // hand it to the next request (a cookie, a header)
  const report = await orm.session({ consistency: 'replica' }).query('books').all()   // any standby, maybe behind
  const { replica, primary } = orm.readStats()
  await orm.destroy()
  return { mine, token, report, replica, primary }
}

/** "Scaling out": PostgreSQL behind PgBouncer in transaction pooling mode. */
export const behindPgbouncer = postgres('postgres://app@pgbouncer:6432/app', { pooler: 'transaction', statementTimeout: 5_000 })

const libraryAuthors = table('authors', { id: t.serial().primaryKey(), name: t.text() })
const libraryBooks = table('books', {
  id: t.serial().primaryKey(),
  title: t.text(),
  year: t.integer(),
  pages: t.integer(),
  authorId: t.integer().references(() => libraryAuthors.id),
})
const library = defineSchema({ authors: libraryAuthors, books: libraryBooks }, ({ oneToMany, manyToOne }) => ({
  authors: {
    books: oneToMany('books', { backPopulates: 'author', orderBy: [['year', 'desc'], 'title'] }),   // every load: newest first
  },
  books: { author: manyToOne('authors', { backPopulates: 'books' }) },
}))

/** "Counts and aggregates": withCount, collection.count(), groupBy / aggregate / having, and a declared collection order. */
export async function countsAndAggregates() {
  const orm = createOrm({ schema: library, dialect: pglite() })
  await orm.createTables()
  const session = orm.session()
  const authors = await session.query('authors').withCount('books').orderBy('name').all()
  const counted: number | undefined = authors[0]?.$counts.books        // one correlated count per author; books not loaded
  const recent = await session.query('authors').withCount({ books: (q) => q.where('year', '>=', 2000) }).all()
  const author = await session.get('authors', 1)
  const n = await author?.books.count()          // loaded: its length, unflushed changes included; else select count(*)
  const perAuthor = await session.query('books')
    .where('year', '>=', 2000)
    .groupBy('authorId')
    .aggregate((fn) => ({ books: fn.count(), pages: fn.sum('pages'), first: fn.min('year') }))
    .having('books', '>', 2)
    .orderBy('pages', 'desc')
    .all()                                       // [{ authorId: 3, books: 4, pages: 1210, first: 2001 }]
  const shelf = await session.query('authors').with({ books: true }).all()   // each author's books newest first
  await orm.destroy()
  return [counted, recent.length, n, perAuthor, shelf.length]
}

// Tags with a unique name, and tracks, for the blocks on upserts and bulk statements.
const tagsAndTracks = defineSchema({
  tags: table('tags', { id: t.serial().primaryKey(), name: t.varchar(40).unique(), color: t.text().nullable(), uses: t.integer().default(0) }),
  tracks: table('tracks', { id: t.serial().primaryKey(), title: t.text(), albumId: t.integer(), unitPrice: t.numeric(5, 2), milliseconds: t.integer() }),
})

/** "Upserts": written by the next flush, one statement per table; the object takes the row's key and values. */
export async function upserts() {
  const orm = createOrm({ schema: tagsAndTracks, dialect: pglite() })
  const session = orm.session()
  const jazz = session.upsert('tags', { name: 'jazz', color: 'blue' }, { conflict: ['name'] })
  const soul = session.upsert('tags', { name: 'soul', color: 'gold', uses: 1 }, { conflict: ['name'], update: ['uses'] })
  await session.flush()        // INSERT ... ON CONFLICT ("name") DO UPDATE SET ... RETURNING (MariaDB: ON DUPLICATE KEY UPDATE)
  jazz.id                      // the row's key, whether the row was inserted or found
  await orm.destroy()
  return [jazz, soul]
}

/** "Bulk UPDATE and DELETE": one statement each; the objects the session holds follow. */
export async function bulkStatements() {
  const orm = createOrm({ schema: tagsAndTracks, dialect: pglite() })
  const session = orm.session()
  const updated = await session.updateMany('tracks').where({ albumId: 1 }).set({ unitPrice: '1.29' }).execute()
  const deleted = await session.deleteMany('tracks').where('milliseconds', '<', 1000).execute()
  await orm.destroy()
  return [updated, deleted]
}

/** "Migrations": the pending migrations applied at start-up (or before a test suite), through Kysely's Migrator. */
export async function migrateAtStartup() {
  const orm = createOrm({ schema, dialect: postgres(process.env.DATABASE_URL!) })
  const applied = await migrateToLatest(orm, { folder: './migrations' })   // Kysely's migration table, lock and order
  for (const result of applied) console.log(`applied ${result.migrationName}`)
  return orm
}
