/** The session: an identity map, typed queries, relation loading, and (with the unit of work) change tracking. */
import type { ControlledTransaction, Kysely } from 'kysely'
import type { DialectCapabilities } from '../dialect/dialect.js'
import { RelataError, TransactionConflictError } from '../errors.js'
import { computeChangeSet, type FlushSource } from '../unit-of-work/change-set.js'
import { planFlush, type FlushStep } from '../unit-of-work/flush-plan.js'
import { LinkRecords, type LinkEvent } from '../unit-of-work/link-records.js'
import { Persister, type Written } from '../unit-of-work/persister.js'
import { relationChanges } from '../unit-of-work/relation-changes.js'
import { describePlan, type PlannedStatement } from '../unit-of-work/describe-plan.js'
import { transientDatabaseError } from '../unit-of-work/database-error.js'
import { applyFlush, revertChanges, undoFlushes, type AppliedFlush } from '../unit-of-work/apply-flush.js'
import { inTransactionScope } from '../dialect/transaction-scope.js'
import { BatchLoader } from '../loading/batch-loader.js'
import type { LoadContext } from '../loading/load-context.js'
import { runQuery } from '../loading/loader.js'
import { QueryBuilder, type QueryRunner } from '../query/entity-query.js'
import { countQuery } from '../query/count-query.js'
import { emptyQueryState, type QueryState } from '../query/query-state.js'
import type { AnySchema } from '../schema/define-schema.js'
import type { ForeignKeyModel, RelationModel, TableModel } from '../schema/model.js'
import type { Entity } from '../types/entity.js'
import type { RelationNames, WithLoaded } from '../types/loaded.js'
import type { EntityQuery } from '../types/query.js'
import type { Insertable, PrimaryKey } from '../types/rows.js'
import type { CreateValues, NewEntity } from '../types/create.js'
import type { TableKey } from '../types/schema-types.js'
import { requireState, stateOf, type EntityState, type SessionCore } from './entity-state.js'
import { newEntity } from './new-entity.js'
import type { RelationArray } from './relation-array.js'
import { Hydrator } from './hydrator.js'
import { IdentityMap, keyOfValues } from './identity-map.js'
import { findByUniqueKey } from './unique-key-index.js'

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
  /** Whether the relations are loaded; narrows the object's type. */
  isLoaded<E extends object, R extends RelationNames<E>>(entity: E, ...relations: R[]): entity is E & WithLoaded<E, R>
  /** Narrows the object's type in place; throws an error naming the first relation that is not loaded. */
  assertLoaded<E extends object, R extends RelationNames<E>>(entity: E, ...relations: R[]): asserts entity is E & WithLoaded<E, R>
  /** Forgets every object: the identity map is emptied and objects are detached. */
  clear(): void

  /** A new object, inserted at the next flush. Its relations start loaded and empty; relation values may be given too. */
  create<K extends TableKey<S>>(table: K, values: CreateValues<S, K>): NewEntity<S, K>
  /** Adds objects made outside a session (`orm.build()`), and the new objects reachable from them. */
  add(...entities: object[]): void
  /** SQLAlchemy's `add_all`. */
  addAll(entities: Iterable<object>): void
  /** Deletes the object at the next flush (and what its relations cascade to). */
  delete(entity: object): void
  /** Writes every change in one transaction: inserts parents first, updates, link rows, deletes children first. */
  flush(): Promise<void>
  /** Flushes, then commits the session's transaction if it has one. */
  commit(): Promise<void>
  /** Forgets every change not yet flushed: new objects are dropped, changed values and relations restored. */
  rollback(): Promise<void>
  /** The statements the next flush would run, in order, without running them. */
  plan(): Promise<PlannedStatement[]>
  /** Runs `fn` in a transaction (a savepoint when one is open): committed when it returns, rolled back when it throws. */
  transaction<T>(fn: (session: Session<S>) => Promise<T>): Promise<T>
}

/** How a session reaches its database: the pool, or a transaction it runs in. */
export interface SessionConnection {
  readonly db: Kysely<any>
  /** Settles capabilities that depend on the server (called before the first statement). */
  readonly capabilities: () => Promise<DialectCapabilities>
  readonly transaction?: ControlledTransaction<any>
}

/** @internal */
export class SessionImpl implements SessionCore, QueryRunner {
  readonly identityMap = new IdentityMap()
  readonly hydrator: Hydrator
  readonly #batch: BatchLoader
  #context: LoadContext | undefined
  readonly #pending = new Set<object>()
  readonly #deleted = new Set<object>()
  readonly #touched = new Set<object>()
  readonly #links = new LinkRecords()
  #transaction: ControlledTransaction<any> | undefined
  #savepoints = 0
  /** Per open transaction and savepoint, outermost first: the flushes applied in it, undone if it rolls back. */
  readonly #journal: AppliedFlush[][] = []
  /** A conflict aborted the open transaction: every later flush and the commit fail with it. */
  #doomed: TransactionConflictError | undefined

  readonly #family: DialectCapabilities['family']

  constructor(
    readonly schema: AnySchema,
    readonly connection: SessionConnection,
    family: DialectCapabilities['family'],
  ) {
    this.#family = family
    this.#transaction = connection.transaction
    this.hydrator = new Hydrator(this, this.identityMap, family)
    this.#batch = new BatchLoader(() => this.#context!)
  }

  /** The database's SQL family: filter values are checked against its limits. */
  get family(): DialectCapabilities['family'] {
    return this.#family
  }

  get #db(): Kysely<any> {
    return this.#transaction ?? this.connection.db
  }

  /** The loading collaborators, once the dialect's capabilities are settled. */
  async #loadContext(): Promise<LoadContext> {
    if (this.#context === undefined || this.#context.db !== this.#db) {
      const capabilities = await this.connection.capabilities()
      this.#context = { db: this.#db, capabilities, identityMap: this.identityMap, hydrator: this.hydrator }
    }
    return this.#context
  }

  query(table: string): QueryBuilder {
    return new QueryBuilder(emptyQueryState(this.schema.table(table)), this)
  }

  async get(table: string, key: unknown): Promise<object | undefined> {
    const model = this.schema.table(table)
    const values = keyValues(model, key)
    const identity = identityOf(model, values)
    const known = this.identityMap.get(model, identity)
    if (known !== undefined) return known
    let query = this.query(table)
    model.primaryKey.forEach((column, i) => {
      query = query.where(column.property, '=', values[i])
    })
    return query.first()
  }

  async load(entity: object, ...relations: string[]): Promise<object> {
    const state = requireState(entity, 'session.load()')
    await Promise.all(relations.map((name) => this.loadRelation(entity, relationOf(state.table, name))))
    return entity
  }

  isLoaded(entity: object, ...relations: string[]): boolean {
    const state = requireState(entity, 'session.isLoaded()')
    return relations.every((name) => state.slot(relationOf(state.table, name).name).loaded)
  }

  assertLoaded(entity: object, ...relations: string[]): void {
    const state = requireState(entity, 'session.assertLoaded()')
    for (const name of relations) {
      if (!state.slot(relationOf(state.table, name).name).loaded) {
        throw new RelataError(`${state.table.key}.${name} is not loaded: await session.load(entity, '${name}') first`)
      }
    }
  }

  clear(): void {
    for (const entity of this.identityMap.entities()) {
      const state = stateOf(entity)
      if (state) state.status = 'detached'
    }
    this.identityMap.clear()
  }

  // QueryRunner
  async all(state: QueryState): Promise<object[]> {
    if (state.untracked) return this.#untracked(state)
    return runQuery(await this.#loadContext(), state)
  }

  /**
   * An untracked query runs in a scratch session on the same connection (or transaction), whose
   * objects are then let go: they keep what the query loaded and nothing else refers to them.
   */
  async #untracked(state: QueryState): Promise<object[]> {
    const scratch = new SessionImpl(this.schema, { ...this.connection, transaction: this.#transaction }, this.#family)
    const entities = await scratch.all({ ...state, untracked: false })
    scratch.#release()
    return entities
  }

  /** Lets go of every object: detached, without a session or snapshot, so nothing here keeps them alive. */
  #release(): void {
    for (const entity of this.identityMap.entities()) {
      const state = stateOf(entity)!
      state.session = undefined
      state.status = 'detached'
      state.snapshot = undefined
    }
    this.identityMap.clear()
  }

  async count(state: QueryState): Promise<number> {
    const { capabilities } = await this.#loadContext()
    const row = (await countQuery(this.#db, state, capabilities.family).executeTakeFirstOrThrow()) as { count: unknown }
    return Number(row.count)
  }

  // SessionCore
  async loadRelation(entity: object, relation: RelationModel): Promise<unknown> {
    const state = stateOf(entity)!
    if (state.slot(relation.name).loaded) return state.slot(relation.name).value
    if (state.status !== 'persistent' || state.session !== this) {
      throw new RelataError(`${state.table.key}.${relation.name} cannot be loaded: the object is ${state.status === 'persistent' ? 'from another session' : state.status}`)
    }
    await this.#loadContext()
    const value = await this.#batch.load(entity, relation)
    relationChanges.mergeUnloaded(entity, state, relation)
    return value
  }

  recordLink(relation: RelationModel, source: object, target: object, change: LinkEvent, values?: Record<string, unknown>): void {
    this.#links.record(relation, source, target, change, values)
  }

  touch(entity: object): void {
    if (stateOf(entity)?.session === this) this.#touched.add(entity)
  }

  find(key: ForeignKeyModel, values: readonly unknown[]): object | undefined {
    const pk = key.references.primaryKey
    if (pk.length !== key.referencedColumns.length || !pk.every((c, i) => key.referencedColumns[i] === c)) return findByUniqueKey(this.identityMap, key, values)
    return this.identityMap.get(key.references, identityOf(key.references, [...values]))
  }

  // Unit of work
  create(table: string, values: Record<string, unknown>): object {
    const entity = newEntity(this.schema.table(table), values, this)
    this.#pending.add(entity)
    return entity
  }

  add(...entities: object[]): void {
    for (const entity of entities) this.#adopt(entity)
  }

  addAll(entities: Iterable<object>): void {
    for (const entity of entities) this.#adopt(entity)
  }

  /** Takes a transient object (and, through cascades, the transient objects it reaches) into this session. */
  #adopt(entity: object): void {
    const state = requireState(entity, 'session.add()')
    if (state.session !== undefined && state.session !== this) {
      throw new RelataError(`session.add(): this ${state.table.key} object belongs to another session`)
    }
    if (state.status !== 'transient') return
    state.session = this
    state.status = 'pending'
    this.#pending.add(entity)
    for (const relation of state.table.relations.values()) {
      const slot = state.slot(relation.name)
      const members: object[] = relation.toOne ? (slot.value ? [slot.value as object] : []) : [...(slot.value as RelationArray)]
      for (const member of members) {
        if (relation.association !== undefined) this.#links.record(relation, entity, member, 'add')
        if (relation.cascade.save && stateOf(member)?.status === 'transient') this.#adopt(member)
      }
    }
  }

  delete(entity: object): void {
    const state = requireState(entity, 'session.delete()')
    if (state.session !== this) throw new RelataError(`session.delete(): this ${state.table.key} object does not belong to this session`)
    if (state.status === 'pending') {
      this.#pending.delete(entity)
      state.status = 'transient'
      state.session = undefined
      return
    }
    if (state.status === 'persistent') this.#deleted.add(entity)
  }

  #flushSource(): FlushSource {
    const self = this
    return {
      tables: this.schema.tables.values(),
      family: this.#family,
      pending: this.#pending,
      deleted: this.#deleted,
      persistent: () => this.identityMap.entities(),
      links: [...this.#links.values()],
      adopt: (entity) => this.#adopt(entity),
      async load(entity, relation) {
        await self.loadRelation(entity, relation)
      },
      async fetch(key, values) {
        const known = self.find(key, values)
        if (known !== undefined) return known
        let query = self.query(key.references.key)
        key.referencedColumns.forEach((column, i) => (query = query.where(column.property, '=', values[i])))
        return query.first()
      },
    }
  }

  async #planSteps(keyOf: (entity: object, column: import('../schema/model.js').ColumnModel) => unknown): Promise<{ steps: FlushStep[]; changes: Awaited<ReturnType<typeof computeChangeSet>> }> {
    const changes = await computeChangeSet(this.#flushSource(), keyOf)
    return { steps: planFlush(this.schema.tables.values(), changes), changes }
  }

  async plan(): Promise<PlannedStatement[]> {
    const { steps } = await this.#planSteps((entity, column) => (entity as Record<string, unknown>)[column.property])
    return describePlan(steps)
  }

  async flush(): Promise<void> {
    if (this.#doomed !== undefined) throw this.#doomed
    const capabilities = await this.connection.capabilities()
    const probe = new Persister(this.#db, capabilities)
    const { steps, changes } = await this.#planSteps(probe.keyOf)
    // A row switch that writes nothing still hands the row to the new object.
    if (steps.length === 0 && changes.switches.length === 0) return
    let written: Written
    if (this.#transaction !== undefined) {
      // Inside a transaction: a savepoint, so that a failed flush leaves the transaction usable.
      const name = `relata_flush_${++this.#savepoints}`
      const savepoint = await this.#transaction.savepoint(name).execute()
      const persister = new Persister(savepoint, capabilities)
      try {
        await persister.run(steps)
      } catch (error) {
        // A conflict may have aborted the whole transaction (InnoDB rolls back all of it on a
        // deadlock): nothing more may run in it, or it would run outside any transaction.
        if (error instanceof TransactionConflictError) this.#doomed = error
        else await savepoint.rollbackToSavepoint(name).execute().catch(() => undefined)
        throw error
      }
      await savepoint.releaseSavepoint(name).execute()
      written = persister.written
    } else {
      written = await this.#inOwnTransaction(async (trx) => {
        const persister = new Persister(trx, capabilities)
        await persister.run(steps)
        return persister.written
      })
    }
    const journal = this.#journal.at(-1)
    const applied = applyFlush(this.#applyTarget(), changes, written, journal !== undefined)
    journal?.push(applied)
  }

  #applyTarget() {
    return {
      identityMap: this.identityMap,
      pending: this.#pending,
      deleted: this.#deleted,
      touched: this.#touched,
      links: this.#links,
    }
  }

  async commit(): Promise<void> {
    await this.flush()
  }

  async rollback(): Promise<void> {
    revertChanges(this.#applyTarget())
  }

  /**
   * Runs `work` in a transaction of its own and commits it. When a statement fails, the rollback
   * is attempted but its own failure (a connection the server ended) does not hide the statement's
   * error; the pool drops such a connection.
   */
  async #inOwnTransaction<T>(work: (trx: ControlledTransaction<any>) => Promise<T>): Promise<T> {
    const trx = await this.connection.db.startTransaction().execute()
    try {
      const result = await work(trx)
      await commit(trx)
      return result
    } catch (error) {
      await trx.rollback().execute().catch(() => undefined)
      throw error
    }
  }

  async transaction<T>(fn: (session: Session<AnySchema>) => Promise<T>, options: { isolation?: TransactionIsolation } = {}, scoped = false): Promise<T> {
    const self = this as unknown as Session<AnySchema>
    // The callback runs in a scope of its own: a wait for a second connection from inside it can be told from an ordinary wait.
    if (this.#transaction === undefined && !scoped) return inTransactionScope(() => this.transaction(fn, options, true))
    if (this.#transaction === undefined) {
      const begin = this.connection.db.startTransaction()
      this.#transaction = await (options.isolation === undefined ? begin : begin.setIsolationLevel(options.isolation)).execute()
      this.#journal.push([])
      try {
        const result = await fn(self)
        await this.flush()
        await commit(this.#transaction)
        this.#journal.pop()
        return result
      } catch (error) {
        await this.#transaction.rollback().execute().catch(() => undefined)
        this.#undo()
        throw error
      } finally {
        this.#transaction = undefined
        this.#doomed = undefined
        this.#context = undefined
      }
    }
    await this.flush()
    const name = `relata_tx_${++this.#savepoints}`
    const outer = this.#transaction
    const savepoint = await outer.savepoint(name).execute()
    this.#journal.push([])
    try {
      const result = await fn(self)
      await this.flush()
      await savepoint.releaseSavepoint(name).execute()
      // Kept by the savepoint, still undone if the outer transaction rolls back.
      const kept = this.#journal.pop()!
      this.#journal.at(-1)!.push(...kept)
      return result
    } catch (error) {
      if (this.#doomed === undefined) await savepoint.rollbackToSavepoint(name).execute().catch(() => undefined)
      this.#undo()
      throw error
    }
  }

  /** The innermost transaction rolled back: its flushes and every unflushed change are undone in memory. */
  #undo(): void {
    undoFlushes(this.#applyTarget(), this.#journal.pop() ?? [])
    revertChanges(this.#applyTarget())
  }
}

export type { EntityState }

/**
 * The isolation level of a transaction `orm.transaction()` opens (the server's default, usually
 * `read committed` on PostgreSQL and `repeatable read` on MySQL/MariaDB, when not given).
 *
 * @example
 * ```ts
 * const isolation: TransactionIsolation = 'serializable'
 * await orm.transaction(async (session) => { ... }, { isolation, retries: 3 })
 * ```
 */
export type TransactionIsolation = 'serializable' | 'repeatable read' | 'read committed'

/** Commits; a conflict the server reports at COMMIT (a serialization failure) becomes a `TransactionConflictError`. */
async function commit(trx: ControlledTransaction<any>): Promise<void> {
  try {
    await trx.commit().execute()
  } catch (error) {
    const transient = transientDatabaseError(error)
    if (transient?.kind !== 'conflict') throw error
    const message = error instanceof Error ? error.message : String(error)
    throw new TransactionConflictError(`The transaction could not commit: ${transient.conflict} with a concurrent transaction: ${message}. It was rolled back; running it again may succeed.`, transient.conflict, undefined, transient.code, { cause: error })
  }
}

function relationOf(table: TableModel, name: string): RelationModel {
  const relation = table.relations.get(name)
  if (relation === undefined) {
    throw new RelataError(`'${name}' is not a relation of '${table.key}' (relations: ${[...table.relations.keys()].join(', ') || 'none'})`)
  }
  return relation
}

/** The key columns' values from `get()`'s argument: a value for a single key, an object for a composite one. */
function keyValues(table: TableModel, key: unknown): unknown[] {
  if (table.primaryKey.length === 1) {
    if (key === null || key === undefined || typeof key === 'object' && !(key instanceof Date)) {
      throw new RelataError(`get('${table.key}', ...): expects the value of '${table.primaryKey[0]!.property}'`)
    }
    return [key]
  }
  if (typeof key !== 'object' || key === null) {
    throw new RelataError(`get('${table.key}', ...): expects an object with ${table.primaryKey.map((c) => `'${c.property}'`).join(', ')}`)
  }
  return table.primaryKey.map((column) => {
    const value = (key as Record<string, unknown>)[column.property]
    if (value === undefined || value === null) throw new RelataError(`get('${table.key}', ...): '${column.property}' is missing from the key`)
    return value
  })
}

function identityOf(table: TableModel, values: unknown[]): unknown {
  return keyOfValues(values)
}
