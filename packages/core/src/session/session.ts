/** The session: an identity map, typed queries, relation loading, and (with the unit of work) change tracking. */
import type { ControlledTransaction, Kysely } from 'kysely'
import type { DialectCapabilities } from '../dialect/dialect.js'
import type { Platform } from '../dialect/platform.js'
import type { ValueRules } from '../values/value-rules.js'
import { RelataError, TransactionConflictError } from '../errors.js'
import { computeChangeSet, type ChangeSet, type FlushSource } from '../unit-of-work/change-set.js'
import { planFlush, type FlushStep } from '../unit-of-work/flush-plan.js'
import { prepareFlush } from '../unit-of-work/prepare-flush.js'
import { LinkRecords, type LinkEvent } from '../unit-of-work/link-records.js'
import { Persister } from '../unit-of-work/persister.js'
import { relationChanges } from '../tracking/relation-changes.js'
import { describePlan, type PlannedStatement } from '../unit-of-work/describe-plan.js'
import { transientDatabaseError } from '../dialect/database-error.js'
import { applyFlush, revertChanges, undoFlushes, type AppliedFlush } from '../unit-of-work/apply-flush.js'
import { inTransactionScope } from '../dialect/transaction-scope.js'
import { BatchLoader } from '../loading/batch-loader.js'
import type { LoadContext } from '../loading/load-context.js'
import { runQuery } from '../loading/loader.js'
import { QueryBuilder, type QueryRunner } from '../query/entity-query.js'
import { countQuery } from '../query/count-query.js'
import { emptyQueryState, type QueryState } from '../query/query-state.js'
import type { AnySchema } from '../schema/define-schema.js'
import type { ColumnModel, ForeignKeyModel, RelationModel, TableModel } from '../schema/model.js'
import type { Entity } from '../types/entity.js'
import type { RelationNames, WithLoaded } from '../types/loaded.js'
import type { EntityQuery } from '../types/query.js'
import type { Insertable, PrimaryKey } from '../types/rows.js'
import type { CreateValues, NewEntity } from '../types/create.js'
import type { TableKey } from '../types/schema-types.js'
import { describeEntity } from '../tracking/describe-entity.js'
import { requireState, stateOf, type EntityState, type EntityTracker } from '../tracking/entity-state.js'
import { newEntity } from '../tracking/new-entity.js'
import type { RelationArray } from '../tracking/relation-array.js'
import { Hydrator } from '../tracking/hydrator.js'
import { IdentityMap, keyOfValues } from '../tracking/identity-map.js'
import { findByUniqueKey } from '../tracking/unique-key-index.js'

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
  /** Flushes, then commits the session's transaction if it has one. */
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

/** How a session reaches its database: the pool, or a transaction it runs in. */
export interface SessionConnection {
  readonly db: Kysely<any>
  /** Settles capabilities that depend on the server (called before the first statement). */
  readonly capabilities: () => Promise<DialectCapabilities>
  readonly transaction?: ControlledTransaction<any>
}

/** @internal */
export class SessionImpl implements EntityTracker, QueryRunner {
  readonly identityMap = new IdentityMap()
  readonly hydrator: Hydrator
  readonly #batch: BatchLoader
  #context: LoadContext | undefined
  readonly #pending = new Set<object>()
  readonly #deleted = new Set<object>()
  /** Objects whose relations changed, and link changes: a running flush takes these and the session starts new ones. */
  #touched = new Set<object>()
  #links = new LinkRecords()
  #transaction: ControlledTransaction<any> | undefined
  /** The end of the queue that flushes, rollbacks, plans and transaction boundaries wait in, one at a time. */
  #tail: Promise<unknown> = Promise.resolve()
  /** A flush is between planning and applying. */
  #inFlush = false
  /** Open transactions and savepoints of `transaction()`, outermost first. */
  readonly #frames: TransactionFrame[] = []
  /** Settles once the transaction being opened or closed is: reads wait for it, so that they run inside it or after it. */
  #gate: Promise<void> | undefined
  #savepoints = 0
  /** Per open transaction and savepoint, outermost first: the flushes applied in it, undone if it rolls back. */
  readonly #journal: AppliedFlush[][] = []
  /** A conflict aborted the open transaction: every later flush and the commit fail with it. */
  #doomed: TransactionConflictError | undefined

  /** What differs between database families: value rules, statement shapes. */
  readonly #platform: Platform

  constructor(
    readonly schema: AnySchema,
    readonly connection: SessionConnection,
    platform: Platform,
  ) {
    this.#platform = platform
    this.#transaction = connection.transaction
    this.hydrator = new Hydrator(this, this.identityMap, platform.values)
    this.#batch = new BatchLoader(() => this.#context!)
  }

  /** The database family's value rules: new values and filter values are checked against its limits. */
  get valueRules(): ValueRules {
    return this.#platform.values
  }

  get #db(): Kysely<any> {
    return this.#transaction ?? this.connection.db
  }

  /** The loading collaborators, once the dialect's capabilities are settled. */
  async #loadContext(): Promise<LoadContext> {
    while (this.#gate !== undefined) await this.#gate
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
    if (this.#inFlush) throw new RelataError('session.clear(): a flush of this session is running; await it (or the commit) first')
    for (const entity of this.identityMap.entities()) {
      const state = stateOf(entity)
      if (state) state.status = 'detached'
    }
    this.identityMap.clear()
    // As SQLAlchemy's expunge_all: new objects leave too, transient again; no change is left to write.
    for (const entity of this.#pending) {
      const state = stateOf(entity)!
      state.status = 'transient'
      state.session = undefined
    }
    this.#pending.clear()
    this.#deleted.clear()
    this.#touched.clear()
    this.#links.clear()
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
    while (this.#gate !== undefined) await this.#gate
    const scratch = new SessionImpl(this.schema, { ...this.connection, transaction: this.#transaction }, this.#platform)
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

  // EntityTracker
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
    for (const entity of entities) this.#add(entity)
  }

  addAll(entities: Iterable<object>): void {
    for (const entity of entities) this.#add(entity)
  }

  /** SQLAlchemy's `add()`: a transient object joins; one marked for deletion is kept; one of this session already is in it. */
  #add(entity: object): void {
    const state = requireState(entity, 'session.add()')
    if (state.status === 'transient') return this.#adopt(entity, this.#links)
    if (state.session !== undefined && state.session !== this) throw new RelataError(`session.add(): ${describeEntity(entity)} belongs to another session`)
    if (state.status === 'detached') {
      throw new RelataError(
        `session.add(): ${describeEntity(entity)} is detached (deleted, read with .untracked(), or let go by session.clear()); Relata cannot attach it again: read the row anew with session.get('${state.table.key}', ...)`,
      )
    }
    if (this.#deleted.has(entity)) {
      // The running flush may be deleting it: keeping it now could not be honoured.
      if (this.#inFlush) throw new RelataError(`session.add(): ${describeEntity(entity)} is marked for deletion and a flush of this session is running; await it first`)
      this.#deleted.delete(entity)
    }
  }

  /** Takes a transient object (and, through cascades, the transient objects it reaches) into this session, its links into `links`. */
  #adopt(entity: object, links: LinkRecords): void {
    const state = requireState(entity, 'session.add()')
    if (state.session !== undefined && state.session !== this) {
      throw new RelataError(`session.add(): ${describeEntity(entity)} belongs to another session`)
    }
    if (state.status !== 'transient') return
    const members: [RelationModel, object][] = []
    for (const relation of state.table.relations.values()) {
      const slot = state.relations?.[relation.name]
      if (slot === undefined || !slot.loaded) continue
      for (const member of relation.toOne ? (slot.value ? [slot.value as object] : []) : (slot.value as RelationArray)) {
        const session = stateOf(member)!.session
        if (session !== undefined && session !== this) {
          throw new RelataError(`session.add(): ${describeEntity(entity)} has ${describeEntity(member)} of another session in ${state.table.key}.${relation.name}; relate objects of one session`)
        }
        members.push([relation, member])
      }
    }
    state.session = this
    state.status = 'pending'
    this.#pending.add(entity)
    for (const [relation, member] of members) {
      if (relation.association !== undefined) links.record(relation, entity, member, 'add')
      if (relation.cascade.save && stateOf(member)?.status === 'transient') this.#adopt(member, links)
    }
  }

  delete(entity: object): void {
    const state = requireState(entity, 'session.delete()')
    if (state.status === 'detached') {
      throw new RelataError(`session.delete(): ${describeEntity(entity)} is detached (already deleted, or let go by session.clear()); read the row anew with session.get('${state.table.key}', ...) to delete it`)
    }
    if (state.session !== this) throw new RelataError(`session.delete(): this ${state.table.key} object does not belong to this session`)
    if (state.status === 'pending') {
      this.#refuseReferenced(entity)
      if (this.#inFlush) {
        // The running flush may be inserting it: then the next flush deletes it, else it just leaves.
        this.#deleted.add(entity)
        return
      }
      this.#pending.delete(entity)
      state.status = 'transient'
      state.session = undefined
      return
    }
    if (state.status === 'persistent') this.#deleted.add(entity)
  }

  /** A new object that others of this session point at cannot be dropped: the flush would insert it again through them. */
  #refuseReferenced(entity: object): void {
    const refer = (other: object): void => {
      const state = stateOf(other)!
      for (const [key, target] of state.refs ?? []) {
        if (target === entity) {
          throw new RelataError(
            `session.delete(): ${describeEntity(entity)} is not in the database yet, and ${describeEntity(other)} points at it (${state.table.key}.${key.columns.map((c) => c.property).join(', ')}): point that elsewhere (or delete it) first`,
          )
        }
      }
    }
    for (const other of this.#pending) refer(other)
    for (const other of this.#touched) refer(other)
    for (const link of this.#links.values()) {
      if (link.source === entity || link.target === entity) {
        const other = link.source === entity ? link.target : link.source
        throw new RelataError(`session.delete(): ${describeEntity(entity)} is not in the database yet, and is linked to ${describeEntity(other)} through ${link.association.table.key}: remove that link first`)
      }
    }
  }

  #flushSource(links: LinkRecords): FlushSource {
    const self = this
    return {
      tables: this.schema.tables.values(),
      valueRules: this.#platform.values,
      pending: this.#pending,
      deleted: this.#deleted,
      persistent: () => this.identityMap.entities(),
      get links() {
        return links.values()
      },
      adopt: (entity) => this.#adopt(entity, links),
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

  async #planSteps(links: LinkRecords, keyOf: (entity: object, column: ColumnModel) => unknown): Promise<{ steps: FlushStep[]; changes: ChangeSet }> {
    const source = this.#flushSource(links)
    // Prepare (may load, adopts new objects), then compute the change set, touching nothing.
    const changes = computeChangeSet(source, await prepareFlush(source), keyOf)
    return { steps: planFlush(this.schema.tables.values(), changes), changes }
  }

  /**
   * Runs `work` after every flush, rollback, plan and transaction boundary called before it has
   * finished, and before those called after it: one at a time, in call order.
   */
  #queue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(work)
    this.#tail = run.catch(() => undefined)
    return run
  }

  plan(): Promise<PlannedStatement[]> {
    return this.#queue(async () => {
      const { steps } = await this.#planSteps(this.#links, (entity, column) => (entity as Record<string, unknown>)[column.property])
      return describePlan(steps)
    })
  }

  flush(): Promise<void> {
    return this.#queue(() => this.#flush())
  }

  async #flush(): Promise<void> {
    if (this.#doomed !== undefined) throw this.#doomed
    const capabilities = await this.connection.capabilities()
    const probe = new Persister(this.#db, capabilities, this.#platform)
    // Relation changes made while this flush runs go to new records, kept for the next flush.
    const touched = this.#touched
    const links = this.#links
    this.#touched = new Set()
    this.#links = new LinkRecords()
    this.#inFlush = true
    let changes: ChangeSet
    let persister: Persister
    try {
      const planned = await this.#planSteps(links, probe.keyOf)
      changes = planned.changes
      // A row switch that writes nothing still hands the row to the new object.
      if (planned.steps.length === 0 && changes.switches.length === 0) {
        this.#giveBack(touched, links)
        return
      }
      persister = await this.#write(planned.steps, capabilities)
    } catch (error) {
      this.#giveBack(touched, links)
      throw error
    } finally {
      this.#inFlush = false
    }
    const journal = this.#journal.at(-1)
    const applied = applyFlush(this.#applyTarget(), changes, persister.written, persister.sent, touched, journal !== undefined)
    journal?.push(applied)
    this.#dropDeletedPending()
  }

  /** Runs the statements: in a savepoint of the open transaction, or in a transaction of their own. */
  async #write(steps: FlushStep[], capabilities: DialectCapabilities): Promise<Persister> {
    if (this.#transaction === undefined) {
      return this.#inOwnTransaction(async (trx) => {
        const persister = new Persister(trx, capabilities, this.#platform)
        await persister.run(steps)
        return persister
      })
    }
    // Inside a transaction: a savepoint, so that a failed flush leaves the transaction usable.
    const name = `relata_flush_${++this.#savepoints}`
    const savepoint = await this.#transaction.savepoint(name).execute()
    const persister = new Persister(savepoint, capabilities, this.#platform)
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
    return persister
  }

  /** A flush failed (or had nothing to write): the relation changes it took come back, followed by those made while it ran. */
  #giveBack(touched: Set<object>, links: LinkRecords): void {
    for (const entity of this.#touched) touched.add(entity)
    links.absorb(this.#links)
    this.#touched = touched
    this.#links = links
    this.#dropDeletedPending()
  }

  /** New objects deleted while a flush ran that did not insert them: they just leave. */
  #dropDeletedPending(): void {
    for (const entity of this.#deleted) {
      const state = stateOf(entity)!
      if (state.status !== 'pending') continue
      this.#deleted.delete(entity)
      this.#pending.delete(entity)
      state.status = 'transient'
      state.session = undefined
    }
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

  commit(): Promise<void> {
    return this.#queue(() => this.#flush())
  }

  rollback(): Promise<void> {
    return this.#queue(async () => revertChanges(this.#applyTarget()))
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

  /**
   * A transaction, or a savepoint in the open one. A call made while the session's transaction (or
   * savepoint) is being opened or closed cannot come from its callback: it waits until that one
   * has ended. A call made while a callback runs opens a savepoint in it.
   */
  async transaction<T>(fn: (session: Session<AnySchema>) => Promise<T>, options: { isolation?: TransactionIsolation } = {}): Promise<T> {
    for (let top = this.#frames.at(-1); top !== undefined && top.phase !== 'running'; top = this.#frames.at(-1)) await top.ended
    const frame = new TransactionFrame(this.#frames.length === 0 ? undefined : `relata_tx_${++this.#savepoints}`)
    this.#frames.push(frame)
    // A transaction's callback runs in a scope of its own: a wait for a second connection from inside it can be told from an ordinary wait.
    return frame.savepoint === undefined ? inTransactionScope(() => this.#run(frame, fn, options.isolation)) : this.#run(frame, fn, options.isolation)
  }

  async #run<T>(frame: TransactionFrame, fn: (session: Session<AnySchema>) => Promise<T>, isolation: TransactionIsolation | undefined): Promise<T> {
    try {
      await this.#queue(() => this.#open(frame, isolation))
    } catch (error) {
      this.#frames.pop()
      frame.end()
      throw error
    }
    frame.phase = 'running'
    let result: T
    try {
      result = await fn(this as unknown as Session<AnySchema>)
    } catch (error) {
      await this.#close(frame, false).catch(() => undefined)
      throw error
    }
    await this.#close(frame, true)
    return result
  }

  async #open(frame: TransactionFrame, isolation: TransactionIsolation | undefined): Promise<void> {
    if (frame.savepoint === undefined) {
      const begin = this.connection.db.startTransaction()
      this.#transaction = await this.#gated((isolation === undefined ? begin : begin.setIsolationLevel(isolation)).execute())
    } else {
      // Changes made before the savepoint stay when it rolls back.
      await this.#flush()
      frame.trx = await this.#transaction!.savepoint(frame.savepoint).execute()
    }
    this.#journal.push([])
  }

  /** Commits (`keep`) or rolls back the innermost frame, once the savepoints its callback left running have ended. */
  async #close(frame: TransactionFrame, keep: boolean): Promise<void> {
    frame.phase = 'closing'
    try {
      for (let top = this.#frames.at(-1); top !== frame; top = this.#frames.at(-1)) await top!.ended
      await this.#queue(() => (frame.savepoint === undefined ? this.#end(keep) : this.#endSavepoint(frame, keep)))
    } finally {
      this.#frames.pop()
      frame.end()
    }
  }

  async #end(keep: boolean): Promise<void> {
    const trx = this.#transaction!
    try {
      if (keep) {
        try {
          await this.#flush()
          await this.#gated(commit(trx))
          this.#journal.pop()
          return
        } catch (error) {
          await this.#gated(trx.rollback().execute().catch(() => undefined))
          this.#undo()
          throw error
        }
      }
      await this.#gated(trx.rollback().execute().catch(() => undefined))
      this.#undo()
    } finally {
      this.#transaction = undefined
      this.#doomed = undefined
      this.#context = undefined
    }
  }

  async #endSavepoint(frame: TransactionFrame, keep: boolean): Promise<void> {
    const name = frame.savepoint!
    if (keep) {
      try {
        await this.#flush()
        await frame.trx!.releaseSavepoint(name).execute()
        // Kept by the savepoint, still undone if the outer transaction rolls back.
        const kept = this.#journal.pop()!
        this.#journal.at(-1)!.push(...kept)
        return
      } catch (error) {
        if (this.#doomed === undefined) await frame.trx!.rollbackToSavepoint(name).execute().catch(() => undefined)
        this.#undo()
        throw error
      }
    }
    if (this.#doomed === undefined) await frame.trx!.rollbackToSavepoint(name).execute().catch(() => undefined)
    this.#undo()
  }

  /** Reads wait while `statement` (BEGIN, COMMIT, ROLLBACK) runs, so that none runs half inside the transaction. */
  async #gated<T>(statement: Promise<T>): Promise<T> {
    const gate = statement.then(
      () => undefined,
      () => undefined,
    )
    this.#gate = gate
    try {
      return await statement
    } finally {
      if (this.#gate === gate) this.#gate = undefined
    }
  }

  /** The innermost transaction rolled back: its flushes and every unflushed change are undone in memory. */
  #undo(): void {
    undoFlushes(this.#applyTarget(), this.#journal.pop() ?? [])
    revertChanges(this.#applyTarget())
  }
}

export type { EntityState }

/** One `transaction()` call: a transaction, or a savepoint (named) in the open one. */
class TransactionFrame {
  phase: 'opening' | 'running' | 'closing' = 'opening'
  /** The savepoint's handle, once opened. */
  trx: ControlledTransaction<any, string[]> | undefined
  readonly ended: Promise<void>
  readonly end: () => void

  constructor(readonly savepoint: string | undefined) {
    let end!: () => void
    this.ended = new Promise((resolve) => (end = resolve))
    this.end = end
  }
}

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
