/** The Session: the public facade of a session, composing its reads, its unit of work in memory, its transactions and its flushes. */
import type { Kysely } from 'kysely'
import type { Platform } from '../dialect/platform.js'
import type { CommitToken, ReadConsistency } from '../dialect/replicas.js'
import { RelataError } from '../errors.js'
import type { Database } from '../types/database.js'
import type { AnySchema } from '../schema/define-schema.js'
import type { ValueRules } from '../values/value-rules.js'
import type { ForeignKeyModel, RelationModel } from '../schema/model.js'
import type { Entity } from '../types/entity.js'
import type { RelationNames, WithLoaded } from '../types/loaded.js'
import type { EntityQuery } from '../types/query.js'
import type { PrimaryKey } from '../types/rows.js'
import type { CreateValues, NewEntity } from '../types/create.js'
import type { TableKey } from '../types/schema-types.js'
import type { HasTableColumns, OneTableRow, SelectQuery, TableOfRow } from '../types/from-query.js'
import { isPartial, stateOf, type EntityTracker, type RelationSlot } from '../tracking/entity-state.js'
import { Hydrator } from '../tracking/hydrator.js'
import { IdentityMap } from '../tracking/identity-map.js'
import type { QueryBuilder, QueryRunner } from '../query/entity-query.js'
import type { PlannedStatement } from '../unit-of-work/describe-plan.js'
import type { LinkEvent } from '../unit-of-work/link-records.js'
import { withoutAutoflush } from './autoflush.js'
import { SessionAutoflush } from './session-autoflush.js'
import { SessionChanges } from './session-changes.js'
import { expunge } from './session-expunge.js'
import { SessionFlush } from './session-flush.js'
import { Merge } from './session-merge.js'
import { SessionReads } from './session-reads.js'
import { StreamRelease } from './session-stream.js'
import { fromQuery, type FromQueryOptions } from './session-from-query.js'
import { SessionRefresh, type RefreshOptions } from './session-refresh.js'
import { SessionTransactions, type SessionConnection, type TransactionIsolation } from './session-transactions.js'
import { BulkStatement } from './session-bulk.js'
import { upsert, type UpsertOptions } from './session-upsert.js'
import { queryTables } from './autoflush.js'
import type { Insertable } from '../types/rows.js'
import type { BulkDelete, BulkUpdate, NonKeyColumn, UpsertConflict } from '../types/writes.js'

export type { SessionConnection, TransactionIsolation } from './session-transactions.js'
export type { RefreshOptions } from './session-refresh.js'
export type { FromQueryOptions } from './session-from-query.js'

/** The names `session.expire()` takes for an entity: its columns other than the primary key's, and its relations. */
type ExpirableNames<E> = Exclude<keyof E, 'load'> & string

/**
 * How `orm.session()` makes a session.
 *
 * @example
 * ```ts
 * const options: SessionOptions = { autoflush: false }
 * const session = orm.session(options)
 * ```
 */
export interface SessionOptions {
  /**
   * Whether a read flushes the pending changes it could see first (SQLAlchemy's `autoflush`,
   * MikroORM's `FlushMode.AUTO`). Default `true`; `false` is SQLAlchemy's `autoflush=False`
   * (MikroORM's `FlushMode.COMMIT`): reads see the database as the last flush left it.
   */
  readonly autoflush?: boolean
  /**
   * With read replicas (`postgres({ primary, replicas })`, `mysql(...)`): where this session's
   * reads outside transactions go. `'causal'` (the default) reads on a replica that has replayed
   * the session's own commits and its `after` token, else on the primary; `'primary'` always on
   * the primary; `'replica'` on a replica whatever it has replayed. Reads inside transactions,
   * locks and writes always go to the primary. Without replicas every read is on the one server.
   */
  readonly consistency?: ReadConsistency
  /** With read replicas: a commit this session's `'causal'` reads must see (`orm.commitToken()` or another session's `commitToken`, carried across requests). */
  readonly after?: CommitToken
}

/**
 * What `session.get()` takes: `lock` reads the row with `FOR UPDATE` (`'update'`) or `FOR SHARE`
 * (`'share'`; MariaDB `LOCK IN SHARE MODE`), inside a transaction.
 *
 * @example
 * ```ts
 * await orm.transaction(async (session) => {
 *   const account = await session.get('accounts', 1, { lock: 'update' })
 *   account!.balance -= 10
 * })
 * ```
 */
export interface GetOptions {
  readonly lock?: 'update' | 'share'
}

/**
 * A unit of work over one schema. Within a session one row is one object.
 *
 * Autoflush (on by default, as SQLAlchemy's `autoflush=True` and MikroORM's `FlushMode.AUTO`):
 * before a query (`all`, `first`, `one`, `count`, untracked too), a `get` that goes to the
 * database, or a relation load, the session flushes when one of its pending changes writes a
 * table the read reads, so a query never contradicts the session's own objects. The autoflush
 * waits in line with other flushes; when it fails, nothing is written, the session stays as it
 * was, and the read rejects with the flush's error. Turn it off with
 * `orm.session({ autoflush: false })`, or for some reads with `session.noAutoflush()`.
 *
 * @example
 * ```ts
 * const session = orm.session()
 * const book = await session.query('books').where({ title: 'Book 1' }).first()
 * const author = await book!.author.load()
 * session.create('books', { title: 'Book 2', author })
 * await session.query('books').count()   // flushes the new book first: 2
 * ```
 */
export interface Session<S extends AnySchema> {
  // query(): the constraint spelt out (not `TableKey<S>`) so that a misspelt table's error lists the table names.
  /**
   * A query of one table (`filter_by`, `where`, `with`, `orderBy`, `all`, `first`, `one`, `count`).
   * Running it autoflushes when a pending change writes its table, a table of its `.with()`
   * relations or their link tables (any pending change, when it has a raw `where((eb) => ...)`).
   */
  query<K extends keyof S['$infer']['tables'] & string>(table: K): EntityQuery<S, K>
  /**
   * The object with this primary key: from the identity map without SQL (and without autoflush)
   * when it is there, else one query, after an autoflush when a pending change writes the table.
   * With `{ lock: 'update' }` (or `'share'`) it always reads the row, locked until the
   * transaction ends (inside `orm.transaction()` / `session.transaction()` only); an object already
   * held takes the row's values for its unchanged columns and keeps its unflushed changes.
   */
  get<K extends TableKey<S>>(table: K, key: PrimaryKey<S, K>, options?: GetOptions): Promise<Entity<S, K> | undefined>
  /**
   * Loads relations of an object (batched with other loads in the same tick) and returns the same
   * object typed with them loaded. TypeScript cannot narrow through `await`; to narrow a variable in
   * place afterwards, follow with `session.assertLoaded(author, 'books')`. Autoflushes, as a lazy
   * load does, when a pending change writes a related table or link table.
   */
  load<E extends object, R extends RelationNames<E>>(entity: E, ...relations: R[]): Promise<WithLoaded<E, R>>
  /**
   * Runs `fn` with autoflush off for the reads it starts (SQLAlchemy's `no_autoflush` block) and
   * returns its result. Blocks nest; autoflush is back when the block ends, also when it throws.
   * The block follows `fn` through `await` (an `AsyncLocalStorage` scope): reads that other code
   * runs on the same session at the same time, outside the block, still autoflush.
   */
  noAutoflush<T>(fn: () => Promise<T>): Promise<T>
  /**
   * Whether the relations are loaded; narrows the object's type. A collection loaded by a filtered
   * or limited `.with()` is loaded (its subset is readable): see `isPartial`.
   */
  isLoaded<E extends object, R extends RelationNames<E>>(entity: E, ...relations: R[]): entity is E & WithLoaded<E, R>
  /**
   * Whether a collection holds a subset: it was loaded by a filtered or limited `.with()`. A later
   * load without the filter (`session.load()`, `.with()`, `collection.load()`) reads it whole;
   * until then `set()`, `clear()` and assigning an array throw, and a delete cascade reads the rest.
   */
  isPartial<E extends object>(entity: E, relation: RelationNames<E>): boolean
  /** Narrows the object's type in place; throws an error naming the first relation that is not loaded. */
  assertLoaded<E extends object, R extends RelationNames<E>>(entity: E, ...relations: R[]): asserts entity is E & WithLoaded<E, R>
  /**
   * Detaches one object (SQLAlchemy's `expunge`; MikroORM has only `em.clear()`, for all), and the
   * loaded objects its relations that cascade deletes reach: they leave the identity map with their
   * unflushed changes. A new object becomes transient again; a loaded one is detached, its values
   * still readable. An unflushed relation change between a leaving object and one that stays is
   * refused (flush or undo it first). Refused while a flush runs.
   *
   * @example
   * ```ts
   * session.expunge(book)
   * await session.get('books', book.id)   // read anew: another object
   * ```
   */
  expunge(entity: object): void
  /**
   * SQLAlchemy's `merge()`, MikroORM's `em.merge()`: copies an object's state onto this session's
   * object for its primary key (from the identity map, else read, else a new object inserted at the
   * next flush) and returns that object. Changed column values become changes; loaded relations are
   * merged the same way, recursively. The argument is never changed or attached; an object without
   * a key is merged as a new one; an object of this session is returned as it is.
   *
   * @example
   * ```ts
   * const mine = await session.merge(authorFromAnotherRequest)
   * await session.commit()   // writes the columns that differ
   * ```
   */
  merge<E extends object>(entity: E): Promise<E>
  /**
   * Kysely, typed from the schema as `orm.db` is, whose statements run on this session's connection:
   * inside its transaction (and savepoint) while one is open, so they see rows flushed but not yet
   * committed and are committed or rolled back with it; on the pool otherwise. It follows the session:
   * captured before a transaction opens, it runs in that transaction once open. It does not flush:
   * call `session.flush()` first for its statements to see pending changes. Its own `transaction()` and
   * `startTransaction()` are refused: use `session.transaction()`, or `orm.db` for an independent one.
   * MikroORM's `em.getKysely()`, SQLAlchemy's `session.execute()`.
   */
  readonly db: Kysely<Database<S>>
  /**
   * The rows of a Kysely select as tracked objects of one table, through the identity map
   * (SQLAlchemy's `select(Book).from_statement(stmt)`, MikroORM's `em.map()`): hand-written joins,
   * CTEs or SQL whose rows are a table's columns. The table is the one whose columns the selection
   * is exactly (`selectAll('books')`), or named first (extra columns are then ignored). An object
   * the session holds keeps its identity and its unflushed changes unless `populateExisting`.
   * Autoflushes first (the query may read any table). Runs on the session's connection (its
   * transaction when open). Rows lacking a column of the table are an error naming them.
   *
   * @example
   * ```ts
   * const books = await session.fromQuery(
   *   session.db.selectFrom('books').innerJoin('authors', 'authors.id', 'books.author_id').where('authors.name', '=', 'Ann').selectAll('books'),
   * )
   * books[0].author   // a tracked book: relations load as usual
   * ```
   */
  fromQuery<O>(query: SelectQuery<O> & OneTableRow<S, O>, options?: FromQueryOptions): Promise<Entity<S, TableOfRow<S, O>>[]>
  /**
   * `fromQuery()` with the table named: the rows must hold its columns, and may hold more (ignored).
   *
   * @example
   * ```ts
   * const albums = await session.fromQuery('albums', session.db.selectFrom('album').innerJoin('artist', 'artist.artist_id', 'album.artist_id').selectAll('album').select('artist.name as artist_name'))
   * ```
   */
  fromQuery<K extends TableKey<S>, O>(table: K, query: SelectQuery<O> & HasTableColumns<S, K, O>, options?: FromQueryOptions): Promise<Entity<S, K>[]>
  /**
   * With read replicas: the position this session's reads wait for under `'causal'` (its own
   * latest commit, or the `after` token it was given), to carry to a later request:
   * `orm.session({ after: session.commitToken })`. `undefined` without replicas, or before the
   * session committed anything.
   *
   * @example
   * ```ts
   * await session.commit()
   * const token = session.commitToken   // e.g. '0/3000148' on PostgreSQL
   * ```
   */
  readonly commitToken: CommitToken | undefined
  /** Forgets every object and change (SQLAlchemy's `expunge_all`): loaded objects are detached, new ones transient again. Refused while a flush runs. */
  clear(): void
  /**
   * Reads the object's row again (one query by its primary key, in the session's order of reads)
   * and overwrites every column and the snapshot: **unflushed attribute changes of the object are
   * discarded**, as SQLAlchemy's `refresh()` does. `relations` reloads the named relations too
   * (`true`: every relation loaded now), replacing what they hold and their unflushed changes on
   * this object; loaded sides of back-populated relations that would disagree unload. A row no
   * longer in the database is a `NotFoundError`, and the object stays as it was. Refused for
   * new, detached and marked-for-deletion objects. Resolves to the same object.
   */
  refresh<E extends object, R extends RelationNames<E> = never>(entity: E, options?: RefreshOptions<R>): Promise<E>
  /**
   * Marks attributes of a persistent object stale (every column when none is named; never its
   * primary key): reading one throws until a read brings it back, a query or `get()` whose result
   * holds the object overwrites them (and only them), and writing one is a change for the next
   * flush. A relation named is no longer loaded (its unflushed changes on this object are dropped):
   * the next `.load()` or `.with()` reads it. Refused for new objects, which have no row to read.
   */
  expire<E extends object>(entity: E, ...names: ExpirableNames<E>[]): void
  /** `expire()` of every column of every persistent object of the session (SQLAlchemy's `expire_all`); loaded relations stay loaded. */
  expireAll(): void

  /** A new object, inserted at the next flush. Its relations start loaded and empty; relation values may be given too. */
  create<K extends TableKey<S>>(table: K, values: CreateValues<S, K>): NewEntity<S, K>
  /**
   * Adds objects made outside a session (`orm.build()`), and the new objects reachable from them;
   * an object of this session marked for deletion is kept. A detached object, or one holding objects
   * of another session, is refused.
   */
  add(...entities: object[]): void
  /** SQLAlchemy's `add_all`. */
  addAll(entities: Iterable<object>): void
  /** Deletes the object at the next flush (and what its relations cascade to); a new object just leaves, unless another points at it (refused). */
  delete(entity: object): void
  /**
   * An insert-or-update through the unit of work (SQLAlchemy's `insert().on_conflict_do_update()`,
   * MikroORM's `em.upsert()`, Prisma's `upsert`): the next flush writes the row with `INSERT ... ON
   * CONFLICT (conflict) DO UPDATE SET ... RETURNING` (MySQL, MariaDB: `ON DUPLICATE KEY UPDATE`),
   * one statement per table and shape, and the object takes the row's key and values: inserted, or
   * the existing row with the `update` columns (default: every column given but the keys) written over.
   * `conflict` is the primary key or a unique constraint (`.unique()`, or the table's `uniques`). An object of the session that already
   * holds the conflict values is returned instead, the `update` values assigned to it (one row, one
   * object); a flush whose upsert meets a row another object holds fails. On MySQL and MariaDB, values
   * that could meet another unique key of the table are refused (the statement fires on any).
   *
   * @example
   * ```ts
   * const jazz = session.upsert('tags', { name: 'jazz', color: 'blue' }, { conflict: ['name'] })
   * await session.flush()
   * jazz.id   // the row's key, new or found
   * ```
   */
  upsert<K extends TableKey<S>>(table: K, values: NoInfer<Insertable<S, K>>, options: NoInfer<{ readonly conflict: UpsertConflict<S, K>; readonly update?: readonly NonKeyColumn<S, K>[] }>): Entity<S, K>
  /**
   * One `UPDATE ... SET ... WHERE ...` of every row matched (Prisma's `updateMany`, MikroORM's
   * `nativeUpdate`, SQLAlchemy's `update().where()` with `synchronize_session='fetch'`), after an
   * autoflush, in the open transaction or one of its own; resolves to the number of rows updated.
   * The session's objects for those rows (keys by RETURNING, or read locked first) take the values,
   * snapshots too: the next flush writes none of them again.
   *
   * @example
   * ```ts
   * await session.updateMany('tracks').where({ albumId: 1 }).set({ unitPrice: '1.29' }).execute()   // 10
   * ```
   */
  updateMany<K extends TableKey<S>>(table: K): BulkUpdate<S, K>
  /**
   * One `DELETE ... WHERE ...` of every row matched (Prisma's `deleteMany`, MikroORM's
   * `nativeDelete`, SQLAlchemy's `delete().where()`), after an autoflush; resolves to the number of
   * rows deleted. The session's objects for those rows are detached and leave the loaded relations
   * that held them. Cascades are the database's (`onDelete`), not the session's.
   *
   * @example
   * ```ts
   * await session.deleteMany('tracks').where('milliseconds', '<', 1000).execute()   // 3
   * ```
   */
  deleteMany<K extends TableKey<S>>(table: K): BulkDelete<S, K>
  /**
   * Writes every change in one transaction: inserts parents first, updates, link rows, deletes
   * children first. Flushes, commits, rollbacks and plans of one session run one at a time, in call
   * order; changes made while a flush runs are written by the next one.
   */
  flush(): Promise<void>
  /**
   * SQLAlchemy's `commit()`: outside a transaction, a flush, which commits its own transaction.
   * Inside `orm.transaction()` or `session.transaction()` it only flushes: the transaction commits
   * when its callback returns.
   */
  commit(): Promise<void>
  /** Forgets every change not yet flushed: new objects become transient again, changed values and relations are restored. */
  rollback(): Promise<void>
  /** The statements the next flush would run, in order, without running them. */
  plan(): Promise<PlannedStatement[]>
  /**
   * Runs `fn` in a transaction (a savepoint when called while a transaction's callback runs):
   * committed when it returns, rolled back when it throws. A call made while another is opening or
   * closing waits for it to end.
   */
  transaction<T>(fn: (session: Session<S>) => Promise<T>): Promise<T>
}

const TRANSACTION_REFUSAL =
  'session.db cannot open a transaction of its own: its statements run in the session\'s transaction while one is open. ' +
  'Use session.transaction(async () => ...) (a savepoint inside an open transaction; session.db follows it), or orm.db.transaction() for an independent transaction'

/** @internal */
export class SessionImpl implements EntityTracker {
  readonly identityMap = new IdentityMap()
  readonly hydrator: Hydrator
  readonly #changes: SessionChanges
  readonly #transactions: SessionTransactions
  readonly #reads: SessionReads
  readonly #flusher: SessionFlush
  /** Whether and when reads flush first (`SessionOptions.autoflush`). */
  readonly #autoflush: SessionAutoflush
  /** Runs queries after their autoflush. */
  readonly #runner: QueryRunner
  readonly #refresher: SessionRefresh

  /** What differs between database families: value rules, statement shapes. */
  readonly #platform: Platform
  #db: Kysely<any> | undefined

  constructor(
    readonly schema: AnySchema,
    readonly connection: SessionConnection,
    platform: Platform,
    options: SessionOptions = {},
  ) {
    this.#platform = platform
    this.hydrator = new Hydrator(this, this.identityMap, platform.values)
    this.#changes = new SessionChanges(this.identityMap, this)
    this.#transactions = new SessionTransactions(connection, this.#changes, {
      flush: () => this.#flusher.flush(),
      ended: () => this.#reads.forgetContext(),
    })
    this.#reads = new SessionReads({
      schema,
      connection,
      transactions: this.#transactions,
      identityMap: this.identityMap,
      hydrator: this.hydrator,
      tracker: this,
      valueRules: platform.values,
      statements: platform.statements,
      scratch: () => new SessionImpl(schema, { ...connection, transaction: this.#transactions.open }, platform).#reads,
    })
    this.#refresher = new SessionRefresh({
      tracker: this,
      identityMap: this.identityMap,
      hydrator: this.hydrator,
      deleted: this.#changes.deleted,
      query: (table) => this.#reads.query(table),
    })
    this.#flusher = new SessionFlush({ schema, connection, platform, changes: this.#changes, transactions: this.#transactions, reads: this.#reads })
    this.#autoflush = new SessionAutoflush({
      enabled: options.autoflush ?? true,
      session: this,
      schema,
      changes: this.#changes,
      identityMap: this.identityMap,
      transactions: this.#transactions,
      flush: () => this.#flusher.flush(),
    })
    // A stream's batches leave the session once read past (session-stream.ts).
    this.#runner = { ...this.#autoflush.runner(this.#reads), openStream: () => new StreamRelease(this.#changes, this) }
  }

  /** The database family's value rules: new values and filter values are checked against its limits. */
  get valueRules(): ValueRules {
    return this.#platform.values
  }

  get commitToken(): CommitToken | undefined {
    return this.connection.readState?.after as CommitToken | undefined
  }

  get db(): Kysely<any> {
    const routed = this.connection.routed
    if (routed === undefined) throw new RelataError('session.db: this session was made without a dialect to build Kysely on')
    this.#db ??= routed({ current: () => this.#transactions.current(), refusal: TRANSACTION_REFUSAL })
    return this.#db
  }

  // Reads
  query(table: string): QueryBuilder {
    return this.#reads.query(table, this.#runner)
  }

  fromQuery(...args: unknown[]): Promise<object[]> {
    return fromQuery(
      {
        schema: this.schema,
        hydrator: this.hydrator,
        execute: async (query) => (await this.db.executeQuery(query)).rows as Record<string, unknown>[],
        beforeQuery: () => this.#autoflush.waitFor(() => 'any', () => 'session.fromQuery()'),
      },
      args,
    )
  }

  get(table: string, key: unknown, options?: GetOptions): Promise<object | undefined> {
    return this.#reads.get(table, key, options, (model) => this.#autoflush.beforeGet(model))
  }

  load(entity: object, ...relations: string[]): Promise<object> {
    const state = stateOf(entity)
    const unloaded = state === undefined ? [] : relations.flatMap((name) => {
      const relation = state.table.relations.get(name)
      return relation !== undefined && needsLoad(state.slot(name)) ? [relation] : []
    })
    const waiting = this.#autoflush.beforeLoad(unloaded, () => `session.load() of ${unloaded.map((r) => `${r.source.key}.${r.name}`).join(', ')}`)
    return waiting === undefined ? this.#reads.load(entity, ...relations) : waiting.then(() => this.#reads.load(entity, ...relations))
  }

  noAutoflush<T>(fn: () => Promise<T>): Promise<T> {
    return withoutAutoflush(this, async () => fn())
  }

  isLoaded(entity: object, ...relations: string[]): boolean {
    return this.#reads.isLoaded(entity, ...relations)
  }

  isPartial(entity: object, relation: string): boolean {
    return this.#reads.isPartial(entity, relation)
  }

  assertLoaded(entity: object, ...relations: string[]): void {
    this.#reads.assertLoaded(entity, ...relations)
  }

  refresh(entity: object, options?: RefreshOptions): Promise<object> {
    return this.#refresher.refresh(entity, options)
  }

  expire(entity: object, ...names: string[]): void {
    this.#refresher.expire(entity, names)
  }

  expireAll(): void {
    this.#refresher.expireAll()
  }

  // Unit of work
  create(table: string, values: Record<string, unknown>): object {
    return this.#changes.create(this.schema.table(table), values)
  }

  add(...entities: object[]): void {
    for (const entity of entities) this.#changes.add(entity)
  }

  addAll(entities: Iterable<object>): void {
    for (const entity of entities) this.#changes.add(entity)
  }

  delete(entity: object): void {
    this.#changes.delete(entity)
  }

  upsert(table: string, values: Record<string, unknown>, options: UpsertOptions): object {
    return upsert({ changes: this.#changes, statements: this.#platform.statements, valueRules: this.#platform.values }, this.schema.table(table), values, options)
  }

  updateMany(table: string): BulkStatement {
    return new BulkStatement(this.#bulkSetup(), this.schema.table(table), 'update')
  }

  deleteMany(table: string): BulkStatement {
    return new BulkStatement(this.#bulkSetup(), this.schema.table(table), 'delete')
  }

  #bulkSetup() {
    return {
      tables: () => this.schema.tables.values(),
      connection: this.connection,
      platform: this.#platform,
      changes: this.#changes,
      transactions: this.#transactions,
      autoflush: (state: Parameters<typeof queryTables>[0], what: () => string) => this.#autoflush.waitFor(() => queryTables(state), what),
    }
  }

  clear(): void {
    this.#changes.clear()
  }

  expunge(entity: object): void {
    expunge(this.#changes, this, this.schema.tables.values(), entity)
  }

  merge(entity: object): Promise<object> {
    return new Merge({ changes: this.#changes, tracker: this, get: (table, key) => this.#reads.get(table.key, key) }).merge(entity)
  }

  plan(): Promise<PlannedStatement[]> {
    return this.#transactions.queue(() => this.#flusher.plan())
  }

  flush(): Promise<void> {
    return this.#transactions.queue(() => this.#flusher.flush())
  }

  commit(): Promise<void> {
    return this.#transactions.queue(() => this.#flusher.flush())
  }

  rollback(): Promise<void> {
    return this.#transactions.queue(async () => this.#changes.revert())
  }

  transaction<T>(fn: (session: Session<AnySchema>) => Promise<T>, options: { isolation?: TransactionIsolation } = {}): Promise<T> {
    return this.#transactions.transaction(() => fn(this as unknown as Session<AnySchema>), options.isolation)
  }

  // EntityTracker
  /** `obj.load('body')`: the columns it lacks, in one statement (through the session's reads, so after its autoflush). */
  loadColumns(entity: object, names: readonly unknown[]): Promise<object> {
    return this.#refresher.loadColumns(entity, names)
  }

  /** A lazy load (`book.author.load()`): autoflushes when a pending change writes the related table or link table. */
  loadRelation(entity: object, relation: RelationModel): Promise<unknown> {
    const state = stateOf(entity)
    const waiting = state === undefined || !needsLoad(state.slot(relation.name)) ? undefined : this.#autoflush.beforeLoad([relation], () => `the load of ${relation.source.key}.${relation.name}`)
    return waiting === undefined ? this.#reads.loadRelation(entity, relation) : waiting.then(() => this.#reads.loadRelation(entity, relation))
  }

  /** `collection.count()`: autoflushes as a load of the collection would, when it goes to the database. */
  countRelation(entity: object, relation: RelationModel): Promise<number> {
    const state = stateOf(entity)
    const waiting = state === undefined || !needsLoad(state.slot(relation.name)) ? undefined : this.#autoflush.beforeLoad([relation], () => `the count of ${relation.source.key}.${relation.name}`)
    return waiting === undefined ? this.#reads.countRelation(entity, relation) : waiting.then(() => this.#reads.countRelation(entity, relation))
  }

  recordLink(relation: RelationModel, source: object, target: object, change: LinkEvent, values?: Record<string, unknown>): void {
    this.#changes.recordLink(relation, source, target, change, values)
  }

  touch(entity: object): void {
    this.#changes.touch(entity)
  }

  forgetLinks(relation: RelationModel, entity: object): void {
    this.#changes.forgetLinks(relation, entity)
  }

  find(key: ForeignKeyModel, values: readonly unknown[]): object | undefined {
    return this.#reads.find(key, values)
  }
}

/** Whether a relation load reads the database: not loaded, or loaded partially (read whole). */
const needsLoad = (slot: RelationSlot): boolean => !slot.loaded || isPartial(slot)
