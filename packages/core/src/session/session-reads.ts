/** What a session reads: queries and their counts, `get()` by primary key (its argument parsed), relation loads, untracked queries. */
import { RelataError } from '../errors.js'
import { BatchLoader } from '../loading/batch-loader.js'
import type { LoadContext } from '../loading/load-context.js'
import { runQuery } from '../loading/loader.js'
import { StatementCache } from '../loading/statement-cache.js'
import { aggregateQuery, aggregateRows, type AggregatePlan } from '../query/aggregate-query.js'
import { countQuery } from '../query/count-query.js'
import { countValue, relationCountQuery } from '../query/relation-counts.js'
import { QueryBuilder, type QueryRunner } from '../query/entity-query.js'
import { emptyQueryState, type QueryState } from '../query/query-state.js'
import type { AnySchema } from '../schema/define-schema.js'
import type { ForeignKeyModel, RelationModel, TableModel } from '../schema/model.js'
import { needsRead } from '../tracking/unloaded-columns.js'
import { isPartial, requireState, stateOf, type EntityTracker } from '../tracking/entity-state.js'
import type { Hydrator } from '../tracking/hydrator.js'
import { keyOfValues, type IdentityMap } from '../tracking/identity-map.js'
import { relationChanges } from '../tracking/relation-changes.js'
import { findByUniqueKey } from '../tracking/unique-key-index.js'
import type { ValueRules } from '../values/value-rules.js'
import type { StatementRules } from '../dialect/statement-rules.js'
import type { SessionConnection, SessionTransactions } from './session-transactions.js'

/** What the reads of a session work with. */
export interface ReadSetup {
  readonly schema: AnySchema
  readonly connection: SessionConnection
  readonly transactions: SessionTransactions
  readonly identityMap: IdentityMap
  readonly hydrator: Hydrator
  /** The session its objects belong to. */
  readonly tracker: EntityTracker
  /** The database family's value rules, for the checks and encoding of filter values. */
  readonly valueRules: ValueRules
  /** The database family's statements: loading and counts ask them. */
  readonly statements: StatementRules
  /** The reads of a new session on the same connection (and the open transaction), for an untracked query. */
  readonly scratch: () => SessionReads
}

/**
 * The reads of one session. Every read waits while the session's transaction is being opened or
 * closed, so that it runs inside it or after it.
 *
 * @example
 * ```ts
 * const reads = new SessionReads({ schema, connection, transactions, identityMap, hydrator, tracker: session, valueRules, statements, scratch })
 * const book = await reads.get('books', 1)
 * ```
 */
export class SessionReads implements QueryRunner {
  readonly #setup: ReadSetup
  readonly #batch: BatchLoader
  /** Compiled statements by shape, for the whole session (its transactions run the same SQL). */
  readonly #statementCache = new StatementCache()
  #context: LoadContext | undefined

  constructor(setup: ReadSetup) {
    this.#setup = setup
    this.#batch = new BatchLoader(() => this.#context!)
  }

  /** The database family's value rules: filter values are checked against its limits. */
  get valueRules(): ValueRules {
    return this.#setup.valueRules
  }

  /** The loading collaborators, once the dialect's capabilities are settled. */
  async #loadContext(): Promise<LoadContext> {
    const { transactions } = this.#setup
    while (transactions.gate !== undefined) await transactions.gate
    if (this.#context === undefined || this.#context.db !== transactions.db) {
      const capabilities = await this.#setup.connection.capabilities()
      this.#context = {
        db: transactions.db,
        capabilities,
        statements: this.#setup.statements,
        identityMap: this.#setup.identityMap,
        hydrator: this.#setup.hydrator,
        statementCache: this.#statementCache,
      }
    }
    return this.#context
  }

  /** The session's transaction ended: loads build their context anew. */
  forgetContext(): void {
    this.#context = undefined
  }

  /** A query of `table`, run by `runner` (these reads, or the session's autoflushing runner). */
  query(table: string, runner: QueryRunner = this): QueryBuilder {
    return new QueryBuilder(emptyQueryState(this.#setup.schema.table(table)), runner)
  }

  /**
   * The object with this key: from the identity map, else one query, which `beforeQuery` (the
   * session's autoflush) may first make wait; the identity map is asked again after it. With a
   * lock, always one statement: the row is read (and the object held refreshed) under the lock.
   */
  async get(
    table: string,
    key: unknown,
    options?: { readonly lock?: 'update' | 'share' },
    beforeQuery?: (table: TableModel) => Promise<void> | undefined,
  ): Promise<object | undefined> {
    const model = this.#setup.schema.table(table)
    const lock = getLock(model, options)
    const values = keyValues(model, key)
    const identityKey = keyOfValues(values)
    // A locked get always reads the row; an object with expired attributes is read again (the query overwrites them).
    const known = () => {
      if (lock !== undefined) return undefined
      const held = this.#setup.identityMap.get(model, identityKey)
      return held !== undefined && !needsRead(stateOf(held)!) ? held : undefined
    }
    let found = known()
    if (found !== undefined) return found
    const waiting = beforeQuery?.(model)
    if (waiting !== undefined) {
      await waiting
      found = known()
      if (found !== undefined) return found
    }
    let query = this.query(table)
    model.primaryKey.forEach((column, i) => {
      query = query.where(column.property, '=', values[i])
    })
    if (lock !== undefined) query = lock === 'update' ? query.forUpdate() : query.forShare()
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

  isPartial(entity: object, relation: string): boolean {
    const state = requireState(entity, 'session.isPartial()')
    return isPartial(state.relations?.[relationOf(state.table, relation).name])
  }

  assertLoaded(entity: object, ...relations: string[]): void {
    const state = requireState(entity, 'session.assertLoaded()')
    for (const name of relations) {
      if (!state.slot(relationOf(state.table, name).name).loaded) {
        throw new RelataError(`${state.table.key}.${name} is not loaded: await session.load(entity, '${name}') first`)
      }
    }
  }

  // QueryRunner
  async all(state: QueryState): Promise<object[]> {
    if (state.untracked) return this.#untracked(state)
    const context = await this.#loadContext()
    if (state.lock !== undefined && this.#setup.transactions.open === undefined) {
      // Outside a transaction the lock would end with its own statement: SQLAlchemy lets that pass, Relata refuses it.
      const method = state.lock.mode === 'update' ? 'forUpdate' : 'forShare'
      throw new RelataError(
        `${method}() on '${state.table.key}' outside a transaction: a lock lasts until its transaction ends, and here the statement would commit on its own. ` +
          `Run it inside orm.transaction(async (session) => ...) or session.transaction(async () => ...)`,
      )
    }
    return runQuery(context, state)
  }

  /**
   * An untracked query runs in a scratch session on the same connection (or transaction), whose
   * objects are then let go: they keep what the query loaded and nothing else refers to them.
   */
  async #untracked(state: QueryState): Promise<object[]> {
    const { transactions } = this.#setup
    while (transactions.gate !== undefined) await transactions.gate
    const scratch = this.#setup.scratch()
    const entities = await scratch.all({ ...state, untracked: false })
    scratch.#release()
    return entities
  }

  /** Lets go of every object: detached, without a session or snapshot, so nothing here keeps them alive. */
  #release(): void {
    const { identityMap } = this.#setup
    for (const entity of identityMap.entities()) {
      const state = stateOf(entity)!
      state.session = undefined
      state.status = 'detached'
      state.snapshot = undefined
    }
    identityMap.clear()
  }

  async count(state: QueryState): Promise<number> {
    const { statements } = await this.#loadContext()
    const row = (await countQuery(this.#setup.transactions.db, state, statements).executeTakeFirstOrThrow()) as { count: unknown }
    return Number(row.count)
  }

  async aggregate(state: QueryState, plan: AggregatePlan): Promise<Record<string, unknown>[]> {
    const { statements } = await this.#loadContext()
    const rows = (await aggregateQuery(this.#setup.transactions.db, state, plan, statements).execute()) as Record<string, unknown>[]
    return aggregateRows(state.table, plan, rows, this.#setup.valueRules)
  }

  /**
   * `collection.count()`: a loaded collection (not partial) counts its objects, unflushed changes
   * included; else one `select count(*)` of the rows that point at the object (or its link rows).
   */
  async countRelation(entity: object, relation: RelationModel): Promise<number> {
    const state = stateOf(entity)!
    const slot = state.slot(relation.name)
    if (slot.loaded && !isPartial(slot)) return (slot.value as readonly object[]).length
    if (state.status !== 'persistent' || state.session !== this.#setup.tracker) {
      throw new RelataError(`${state.table.key}.${relation.name} cannot be counted: the object is ${state.status === 'persistent' ? 'from another session' : state.status}`)
    }
    await this.#loadContext()
    const key = relation.sourceColumns.map((column) => (entity as Record<string, unknown>)[column.property])
    if (key.some((value) => value === null || value === undefined)) return 0
    const row = (await relationCountQuery(this.#setup.transactions.db, relation, key).executeTakeFirstOrThrow()) as { count: unknown }
    return countValue(row.count, `${state.table.key}.${relation.name}.count()`)
  }

  /** Loads one relation of one of the session's objects (loads started in the same tick are batched). */
  async loadRelation(entity: object, relation: RelationModel): Promise<unknown> {
    const state = stateOf(entity)!
    const slot = state.slot(relation.name)
    // A collection loaded partially (filtered or limited) is read whole.
    if (slot.loaded && !isPartial(slot)) return slot.value
    if (state.status !== 'persistent' || state.session !== this.#setup.tracker) {
      throw new RelataError(`${state.table.key}.${relation.name} cannot be loaded: the object is ${state.status === 'persistent' ? 'from another session' : state.status}`)
    }
    await this.#loadContext()
    const value = await this.#batch.load(entity, relation)
    relationChanges.mergeUnloaded(entity, state, relation)
    return value
  }

  /** The object of the identity map a foreign key's values point at, if loaded. */
  find(key: ForeignKeyModel, values: readonly unknown[]): object | undefined {
    const { identityMap } = this.#setup
    const pk = key.references.primaryKey
    if (pk.length !== key.referencedColumns.length || !pk.every((c, i) => key.referencedColumns[i] === c)) return findByUniqueKey(identityMap, key, values)
    return identityMap.get(key.references, keyOfValues(values))
  }

  /** The object a foreign key's values point at: from the identity map, else read from the database. */
  async fetch(key: ForeignKeyModel, values: readonly unknown[]): Promise<object | undefined> {
    const known = this.find(key, values)
    if (known !== undefined) return known
    let query = this.query(key.references.key)
    key.referencedColumns.forEach((column, i) => (query = query.where(column.property, '=', values[i])))
    return query.first()
  }
}

function relationOf(table: TableModel, name: string): RelationModel {
  const relation = table.relations.get(name)
  if (relation === undefined) {
    throw new RelataError(`'${name}' is not a relation of '${table.key}' (relations: ${[...table.relations.keys()].join(', ') || 'none'})`)
  }
  return relation
}

/** `get()`'s lock option, checked. */
function getLock(table: TableModel, options: unknown): 'update' | 'share' | undefined {
  if (options === undefined) return undefined
  if (typeof options !== 'object' || options === null) throw new RelataError(`get('${table.key}', key, options): options must be an object such as { lock: 'update' }`)
  const { lock, ...rest } = options as Record<string, unknown>
  const unknown = Object.keys(rest)
  if (unknown.length > 0) throw new RelataError(`get('${table.key}', key, options): unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (options: lock)`)
  if (lock !== undefined && lock !== 'update' && lock !== 'share') throw new RelataError(`get('${table.key}', key, { lock }): lock must be 'update' or 'share', got ${JSON.stringify(lock) ?? String(lock)}`)
  return lock
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
