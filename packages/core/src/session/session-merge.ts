/**
 * `session.merge(obj)` (SQLAlchemy's `merge`, MikroORM's `em.merge`): the state of an object from
 * elsewhere (detached, another session's, untracked, or built) copied onto this session's object
 * for its key, which is found in the identity map, read from the database, or made new.
 */
import { RelataError, StaleObjectError } from '../errors.js'
import type { RelationModel, TableModel } from '../schema/model.js'
import { describeEntity } from '../tracking/describe-entity.js'
import { requireState, stateOf, type EntityState, type EntityTracker } from '../tracking/entity-state.js'
import { identityKeyOf, keyOfValues } from '../tracking/identity-map.js'
import type { RelationArray } from '../tracking/relation-array.js'
import { restoredValue, snapshotKind, snapshotValue } from '../values/snapshots.js'
import { sameValue } from '../values/write-values.js'
import type { SessionChanges } from './session-changes.js'

/** What a merge works with: the session's changes and objects, and its reads. */
export interface MergeSetup {
  readonly changes: SessionChanges
  readonly tracker: EntityTracker
  /** The object of a row by its key: from the identity map, else read from the database. */
  get(table: TableModel, key: unknown): Promise<object | undefined>
}

type Values = Record<string, unknown>

/**
 * One `merge()` call: each source object is merged once (so back-populated cycles end), its
 * session object remembered for the objects that lead back to it.
 *
 * @example
 * ```ts
 * const mine = await new Merge({ changes, tracker: session, get }).merge(detachedAuthor)
 * ```
 */
export class Merge {
  readonly #setup: MergeSetup
  readonly #merged = new Map<object, object>()

  constructor(setup: MergeSetup) {
    this.#setup = setup
  }

  async merge(source: object): Promise<object> {
    const known = this.#merged.get(source)
    if (known !== undefined) return known
    const state = requireState(source, 'session.merge()')
    const { changes, tracker } = this.#setup
    // An object of this session is its own session object.
    if (state.session === tracker && state.status !== 'detached' && state.status !== 'transient') {
      this.#merged.set(source, source)
      return source
    }
    const target = await this.#targetOf(source, state)
    this.#merged.set(source, target)
    copyColumns(source as Values, state, target as Values)
    await this.#mergeRelations(source, state, target)
    return target
  }

  /** The session's object for the source's key: known, read, or new (a source without a complete key is new, as in SQLAlchemy). */
  async #targetOf(source: object, state: EntityState): Promise<object> {
    const { changes } = this.#setup
    const table = state.table
    const values = table.primaryKey.map((c) => (source as Values)[c.property])
    if (values.some((v) => v === null || v === undefined)) return changes.create(table, {})
    const identity = keyOfValues(values)
    const key = table.primaryKey.length === 1 ? values[0] : Object.fromEntries(table.primaryKey.map((c, i) => [c.property, values[i]]))
    const found = changes.identityMap.get(table, identity) ?? pendingWithKey(changes.pending, table, identity) ?? (await this.#setup.get(table, key))
    if (found === undefined) return changes.create(table, Object.fromEntries(table.primaryKey.map((c, i) => [c.property, values[i]])))
    if (changes.deleted.has(found)) {
      throw new RelataError(`session.merge(): ${describeEntity(found)} is marked for deletion in this session; flush the deletion, or add() it back, before merging onto it`)
    }
    checkVersion(source as Values, found as Values, table)
    return found
  }

  /**
   * Loaded relations of the source: related objects merged the same way, the session object's
   * relation set to them. A new (built or created) source's relations are loaded and empty by
   * default: those it left empty are loaded on the session object, not emptied.
   */
  async #mergeRelations(source: object, state: EntityState, target: object): Promise<void> {
    for (const relation of state.table.relations.values()) {
      const slot = state.relations?.[relation.name]
      const loaded = slot === undefined ? state.fresh : slot.loaded
      if (!loaded) continue
      const value = slot?.value
      const empty = relation.toOne ? value === null || value === undefined : value === undefined || (value as RelationArray).length === 0
      if (state.fresh && empty) {
        await this.#loadOn(target, relation)
        continue
      }
      if (relation.toOne) {
        const merged = value === null || value === undefined ? null : await this.merge(value as object)
        if (!relation.owning) await this.#loadOn(target, relation)
        ;(target as Values)[relation.name] = merged
      } else {
        const merged: object[] = []
        for (const member of value as RelationArray) merged.push(await this.merge(member))
        await this.#loadOn(target, relation)
        ;((target as Values)[relation.name] as RelationArray).set(merged)
      }
    }
  }

  /** Loads a relation of the session's object when it is in the database and the relation is not loaded. */
  async #loadOn(target: object, relation: RelationModel): Promise<void> {
    const state = stateOf(target)!
    if (state.status === 'persistent' && !state.slot(relation.name).loaded) await this.#setup.tracker.loadRelation(target, relation)
  }
}

/** A new object of this session with this key, not yet inserted. */
function pendingWithKey(pending: ReadonlySet<object>, table: TableModel, identity: unknown): object | undefined {
  for (const entity of pending) {
    const state = stateOf(entity)!
    if (state.table === table && identityKeyOf(table, (property) => (entity as Values)[property]) === identity) return entity
  }
  return undefined
}

/** Column values the source has (an unset one is left alone) that differ from the target's become changes; dates and documents are copied. */
function copyColumns(source: Values, state: EntityState, target: Values): void {
  const table = state.table
  for (const column of table.columns) {
    if (column.config.primaryKey && target[column.property] !== undefined) continue
    const value = source[column.property]
    if (value === undefined) continue
    const kind = snapshotKind(column)
    const kept = snapshotValue(kind, value)
    if (!sameValue(kind, target[column.property], kept)) target[column.property] = restoredValue(kind, kept)
  }
}

/** A versioned source must carry the version the session's object has: an older one lost a concurrent update (as SQLAlchemy's merge). */
function checkVersion(source: Values, target: Values, table: TableModel): void {
  const column = table.versionColumn
  if (column === undefined || source[column.property] === undefined || stateOf(target)!.status !== 'persistent') return
  const kind = snapshotKind(column)
  if (sameValue(kind, target[column.property], snapshotValue(kind, source[column.property]))) return
  throw new StaleObjectError(
    `session.merge(): ${describeEntity(target)} has ${column.property} ${String(target[column.property])} in this session, the merged object ${String(source[column.property])}: ` +
      'it was changed since the merged object was read; read it anew and apply the change again',
    table.key,
    [Object.fromEntries(table.primaryKey.map((c) => [c.sqlName, target[c.property]]))],
  )
}
