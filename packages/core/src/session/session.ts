/** The Session: the public facade of a session, composing its reads, its unit of work in memory, its transactions and its flushes. */
import type { Platform } from '../dialect/platform.js'
import type { AnySchema } from '../schema/define-schema.js'
import type { ValueRules } from '../values/value-rules.js'
import type { ForeignKeyModel, RelationModel } from '../schema/model.js'
import type { Entity } from '../types/entity.js'
import type { RelationNames, WithLoaded } from '../types/loaded.js'
import type { EntityQuery } from '../types/query.js'
import type { PrimaryKey } from '../types/rows.js'
import type { CreateValues, NewEntity } from '../types/create.js'
import type { TableKey } from '../types/schema-types.js'
import type { EntityTracker } from '../tracking/entity-state.js'
import { Hydrator } from '../tracking/hydrator.js'
import { IdentityMap } from '../tracking/identity-map.js'
import type { QueryBuilder } from '../query/entity-query.js'
import type { PlannedStatement } from '../unit-of-work/describe-plan.js'
import type { LinkEvent } from '../unit-of-work/link-records.js'
import { SessionChanges } from './session-changes.js'
import { expunge } from './session-expunge.js'
import { SessionFlush } from './session-flush.js'
import { Merge } from './session-merge.js'
import { SessionReads } from './session-reads.js'
import { SessionTransactions, type SessionConnection, type TransactionIsolation } from './session-transactions.js'

export type { SessionConnection, TransactionIsolation } from './session-transactions.js'

/**
 * A unit of work over one schema. Within a session one row is one object.
 *
 * @example
 * ```ts
 * const session = orm.session()
 * const book = await session.query('books').where({ title: 'Book 1' }).first()
 * const author = await book!.author.load()
 * ```
 */
export interface Session<S extends AnySchema> {
  /** A query of one table (`filter_by`, `where`, `with`, `orderBy`, `all`, `first`, `one`, `count`). */
  query<K extends TableKey<S>>(table: K): EntityQuery<S, K>
  /** The object with this primary key: from the identity map without SQL when it is there, else one query. */
  get<K extends TableKey<S>>(table: K, key: PrimaryKey<S, K>): Promise<Entity<S, K> | undefined>
  /**
   * Loads relations of an object (batched with other loads in the same tick) and returns the same
   * object typed with them loaded. TypeScript cannot narrow through `await`; to narrow a variable in
   * place afterwards, follow with `session.assertLoaded(author, 'books')`.
   */
  load<E extends object, R extends RelationNames<E>>(entity: E, ...relations: R[]): Promise<WithLoaded<E, R>>
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
  /** Forgets every object and change (SQLAlchemy's `expunge_all`): loaded objects are detached, new ones transient again. Refused while a flush runs. */
  clear(): void

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

/** @internal */
export class SessionImpl implements EntityTracker {
  readonly identityMap = new IdentityMap()
  readonly hydrator: Hydrator
  readonly #changes: SessionChanges
  readonly #transactions: SessionTransactions
  readonly #reads: SessionReads
  readonly #flusher: SessionFlush

  /** What differs between database families: value rules, statement shapes. */
  readonly #platform: Platform

  constructor(
    readonly schema: AnySchema,
    readonly connection: SessionConnection,
    platform: Platform,
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
    this.#flusher = new SessionFlush({ schema, connection, platform, changes: this.#changes, transactions: this.#transactions, reads: this.#reads })
  }

  /** The database family's value rules: new values and filter values are checked against its limits. */
  get valueRules(): ValueRules {
    return this.#platform.values
  }

  // Reads
  query(table: string): QueryBuilder {
    return this.#reads.query(table)
  }

  get(table: string, key: unknown): Promise<object | undefined> {
    return this.#reads.get(table, key)
  }

  load(entity: object, ...relations: string[]): Promise<object> {
    return this.#reads.load(entity, ...relations)
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
  loadRelation(entity: object, relation: RelationModel): Promise<unknown> {
    return this.#reads.loadRelation(entity, relation)
  }

  recordLink(relation: RelationModel, source: object, target: object, change: LinkEvent, values?: Record<string, unknown>): void {
    this.#changes.recordLink(relation, source, target, change, values)
  }

  touch(entity: object): void {
    this.#changes.touch(entity)
  }

  find(key: ForeignKeyModel, values: readonly unknown[]): object | undefined {
    return this.#reads.find(key, values)
  }
}
