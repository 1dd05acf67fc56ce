/** What tells a session that the database changed: `refresh()` reads an object again, `expire()` / `expireAll()` mark its attributes stale. */
import { NotFoundError, RelataError } from '../errors.js'
import type { QueryBuilder } from '../query/entity-query.js'
import type { ColumnModel, RelationModel, TableModel } from '../schema/model.js'
import { describeEntity } from '../tracking/describe-entity.js'
import { requireState, stateOf, type EntityState, type EntityTracker } from '../tracking/entity-state.js'
import { expireColumns } from '../tracking/expired-columns.js'
import type { Hydrator } from '../tracking/hydrator.js'
import type { IdentityMap } from '../tracking/identity-map.js'
import { unloadRelation } from '../tracking/relation-reload.js'
import { restoredValue, snapshotKind } from '../values/snapshots.js'

/**
 * `session.refresh()`'s options.
 *
 * @example
 * ```ts
 * await session.refresh(author, { relations: ['books'] })
 * await orm.transaction(async (session) => {
 *   const account = (await session.get('accounts', 1))!
 *   await session.refresh(account, { lock: 'update' })
 * })
 * ```
 */
export interface RefreshOptions<R extends string = string> {
  /** Reloads these relations too (`true`: every relation loaded now), replacing what they hold and their unflushed changes. */
  readonly relations?: true | readonly R[]
  /**
   * Reads the row `FOR UPDATE` (`'update'`) or `FOR SHARE` (`'share'`), locked until the
   * transaction ends (SQLAlchemy's `refresh(obj, with_for_update=True)`); inside a transaction only.
   * Loaded relations are read again without a lock.
   */
  readonly lock?: 'update' | 'share'
}

/** What refreshing and expiring work with. */
export interface RefreshSetup {
  readonly tracker: EntityTracker
  readonly identityMap: IdentityMap
  readonly hydrator: Hydrator
  /** Objects marked for deletion, not yet flushed. */
  readonly deleted: ReadonlySet<object>
  /** A new query of one table, read as every other read of the session (same gate, same order). */
  readonly query: (table: string) => QueryBuilder
}

/**
 * Refresh and expiry of one session's objects.
 *
 * @example
 * ```ts
 * const refresher = new SessionRefresh({ tracker: session, identityMap, hydrator, deleted, query: (t) => reads.query(t) })
 * await refresher.refresh(book)
 * ```
 */
export class SessionRefresh {
  readonly #setup: RefreshSetup

  constructor(setup: RefreshSetup) {
    this.#setup = setup
  }

  /** Reads the object's row again by its key (a query, so that a lock can be added to it) and overwrites it. */
  async refresh(entity: object, options: RefreshOptions = {}): Promise<object> {
    const state = this.#persistent(entity, 'session.refresh()', true)
    const { table } = state
    checkRefreshOptions(table, options)
    const relations = options.relations === undefined ? [] : options.relations === true ? loadedRelations(state) : options.relations.map((name) => relationOf(table, name, 'session.refresh()'))
    const key = databaseKey(state)
    let query = this.#setup.query(table.key).populateExisting()
    table.primaryKey.forEach((column, i) => (query = query.where(column.property, '=', key[i])))
    if (options.lock !== undefined) query = options.lock === 'update' ? query.forUpdate() : query.forShare()
    if (relations.length > 0) query = query.with(Object.fromEntries(relations.map((relation) => [relation.name, true])))
    const found = await query.first()
    if (found === undefined) {
      const shown = table.primaryKey.map((column, i) => `${column.property} ${String(key[i])}`).join(', ')
      throw new NotFoundError(`session.refresh(): the ${table.key} row (${shown}) is not in the database any more (deleted by another transaction?); the object is left as it was`)
    }
    return found
  }

  /**
   * `obj.load('body', ...)`: the named columns the object lacks (not loaded, deferred, expired) read
   * in one `SELECT` of them and the key; none when it has them all (its values and unflushed
   * changes stay).
   */
  async loadColumns(entity: object, names: readonly unknown[]): Promise<object> {
    const state = requireState(entity, 'load()')
    const { table } = state
    const where = `${table.key}.load(${names.map((name) => `'${String(name)}'`).join(', ')})`
    const missing: string[] = []
    for (const name of names) {
      const column = typeof name === 'string' ? table.columnsByProperty.get(name) : undefined
      if (column === undefined) {
        const relation = typeof name === 'string' && table.relations.has(name) ? ` ('${name}' is a relation: await obj.${name}.load())` : ''
        throw new RelataError(`${where}: '${String(name)}' is not a column of '${table.key}'${relation} (columns: ${[...table.columnsByProperty.keys()].join(', ')})`)
      }
      if (state.expired?.has(table.columns.indexOf(column))) missing.push(column.property)
    }
    if (missing.length === 0) return entity
    this.#persistent(entity, where, false)
    const key = databaseKey(state)
    let query = this.#setup.query(table.key).select(...missing)
    table.primaryKey.forEach((column, i) => (query = query.where(column.property, '=', key[i])))
    if ((await query.first()) === undefined) {
      const shown = table.primaryKey.map((column, i) => `${column.property} ${String(key[i])}`).join(', ')
      throw new NotFoundError(`${where}: the ${table.key} row (${shown}) is not in the database any more (deleted by another transaction?)`)
    }
    return entity
  }

  /** Marks columns (every one when none is named) stale, and named relations not loaded. */
  expire(entity: object, names: readonly string[]): void {
    const state = this.#persistent(entity, 'session.expire()', false)
    const { table } = state
    const columns: ColumnModel[] = []
    const relations: RelationModel[] = []
    for (const name of names) {
      const column = table.columnsByProperty.get(name)
      if (column !== undefined) {
        if (column.config.primaryKey) throw new RelataError(`session.expire(): ${table.key}.${name} is a primary-key column, the object's identity; it cannot expire`)
        columns.push(column)
      } else relations.push(relationOf(table, name, 'session.expire()'))
    }
    this.#expire(entity, state, names.length === 0 ? table.columns : columns)
    for (const relation of relations) unloadRelation(entity, relation)
  }

  /** Every column of every persistent object of the session is stale. */
  expireAll(): void {
    for (const entity of this.#setup.identityMap.entities()) {
      const state = stateOf(entity)!
      if (state.status === 'persistent') this.#expire(entity, state, state.table.columns)
    }
  }

  #expire(entity: object, state: EntityState, columns: readonly ColumnModel[]): void {
    if (columns.length === 0) return
    this.#setup.hydrator.noteExpired()
    expireColumns(entity, state, columns)
  }

  /** The object's state, when it is persistent in this session (and, for a refresh, not marked for deletion). */
  #persistent(entity: object, action: string, refuseDeleted: boolean): EntityState {
    const state = requireState(entity, action)
    if (state.status === 'persistent' && state.session !== this.#setup.tracker) throw new RelataError(`${action}: ${describeEntity(entity)} belongs to another session`)
    if (state.status !== 'persistent') {
      const why =
        state.status === 'transient' || state.status === 'pending'
          ? `is new (${state.status}): it has no row to read yet; flush first`
          : `is ${state.status} (deleted, read with .untracked(), or let go by session.clear()); read the row anew with session.get('${state.table.key}', ...)`
      throw new RelataError(`${action}: ${describeEntity(entity)} ${why}`)
    }
    if (refuseDeleted && this.#setup.deleted.has(entity)) {
      throw new RelataError(`${action}: ${describeEntity(entity)} is marked for deletion; flush first, or keep it with session.add()`)
    }
    return state
  }
}

/** The key of the object's row as the database has it (its snapshot), not as it may have been changed in memory. */
function databaseKey(state: EntityState): unknown[] {
  const columns = state.table.columns
  return state.table.primaryKey.map((column) => restoredValue(snapshotKind(column), state.snapshot![columns.indexOf(column)]))
}

function loadedRelations(state: EntityState): RelationModel[] {
  const loaded: RelationModel[] = []
  for (const relation of state.table.relations.values()) if (state.relations?.[relation.name]?.loaded) loaded.push(relation)
  return loaded
}

function relationOf(table: TableModel, name: string, action: string): RelationModel {
  const relation = table.relations.get(name)
  if (relation === undefined) {
    throw new RelataError(
      `${action}: '${name}' is neither a column nor a relation of '${table.key}' (columns: ${[...table.columnsByProperty.keys()].join(', ')}; relations: ${[...table.relations.keys()].join(', ') || 'none'})`,
    )
  }
  return relation
}

/** Refuses options refresh() cannot honour, naming the table. */
function checkRefreshOptions(table: TableModel, options: RefreshOptions): void {
  const unknown = Object.keys(options).filter((key) => key !== 'relations' && key !== 'lock')
  if (unknown.length > 0) throw new RelataError(`session.refresh() of a ${table.key} object: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (options: relations, lock)`)
  const { lock } = options
  if (lock !== undefined && lock !== 'update' && lock !== 'share') throw new RelataError(`session.refresh() of a ${table.key} object: lock must be 'update' or 'share', got ${JSON.stringify(lock) ?? String(lock)}`)
}
