/**
 * `session.merge(obj)` (SQLAlchemy's `merge`, MikroORM's `em.merge`): the state of an object from
 * elsewhere (detached, another session's, untracked, or built) copied onto this session's object
 * for its key, which is found in the identity map, read from the database, or made new.
 */
import { RelataError, StaleObjectError } from '../errors.js'
import type { RelationModel, TableModel } from '../schema/model.js'
import { describeEntity } from '../tracking/describe-entity.js'
import { isPartial, requireState, stateOf, type EntityState, type EntityTracker } from '../tracking/entity-state.js'
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

/** One source object of a merge: the session object it lands on, found, or to be made. */
interface Planned {
  readonly source: object
  readonly state: EntityState
  /** The session's object; undefined until `apply` makes a new one. */
  target: object | undefined
  /** The key values a new object is made with (none for a source without a complete key). */
  readonly newKey: Values | undefined
  /** The relations of the source to merge: its loaded ones, but for the default empty ones of a new source. */
  readonly relations: RelationModel[]
  /** The default empty relations of a new source: loaded on the session's object, left as they are. */
  readonly loadOnly: RelationModel[]
  /** Collections the source loaded partially (a filtered or limited `.with()`): their members are added, the others kept. */
  readonly partial: ReadonlySet<RelationModel>
  /** An earlier source with the same key, not in the database: both land on one new object. */
  readonly sameAs?: Planned
}

/**
 * One `merge()` call, in two steps: `resolve` reads (the session's objects for the sources' keys,
 * the relations about to be set) and checks, changing nothing; then `apply` copies values and sets
 * relations. Each source object is merged once (so back-populated cycles end).
 *
 * @example
 * ```ts
 * const mine = await new Merge({ changes, tracker: session, get }).merge(detachedAuthor)
 * ```
 */
export class Merge {
  readonly #setup: MergeSetup
  readonly #planned = new Map<object, Planned>()
  /** Sources planned as new objects, by table and key. */
  readonly #newByKey = new Map<TableModel, Map<unknown, Planned>>()

  constructor(setup: MergeSetup) {
    this.#setup = setup
  }

  async merge(source: object): Promise<object> {
    await this.#resolve(source)
    // Relations about to be set are loaded first, in one batch per relation.
    const loads: Promise<void>[] = []
    for (const planned of this.#planned.values()) {
      if (planned.target === undefined || stateOf(planned.target)!.status !== 'persistent') continue
      // Assigning a to-one that holds the key needs no load.
      for (const relation of planned.relations) if (!(relation.toOne && relation.owning)) loads.push(this.#loadOn(planned.target, relation))
      for (const relation of planned.loadOnly) loads.push(this.#loadOn(planned.target, relation))
    }
    await Promise.all(loads)
    this.#apply()
    return this.#targetOf(source)
  }

  /** Finds (or plans) the session object of `source` and of every object its merged relations reach. */
  async #resolve(source: object): Promise<void> {
    if (this.#planned.has(source)) return
    const state = requireState(source, 'session.merge()')
    const { changes, tracker } = this.#setup
    // An object of this session is its own session object.
    if (state.session === tracker && state.status !== 'detached' && state.status !== 'transient') {
      this.#planned.set(source, { source, state, target: source, newKey: undefined, relations: [], loadOnly: [], partial: new Set() })
      return
    }
    const { relations, loadOnly, partial } = mergedRelations(state)
    const table = state.table
    const values = table.primaryKey.map((c) => (source as Values)[c.property])
    let target: object | undefined
    let newKey: Values | undefined
    let sameAs: Planned | undefined
    const identity = values.some((v) => v === null || v === undefined) ? undefined : keyOfValues(values)
    if (identity === undefined) newKey = {}
    else if ((sameAs = this.#newByKey.get(table)?.get(identity)) === undefined) {
      const key = table.primaryKey.length === 1 ? values[0] : Object.fromEntries(table.primaryKey.map((c, i) => [c.property, values[i]]))
      target = changes.identityMap.get(table, identity) ?? pendingWithKey(changes.pending, table, identity) ?? (await this.#setup.get(table, key))
      if (target === undefined) newKey = Object.fromEntries(table.primaryKey.map((c, i) => [c.property, values[i]]))
      else if (changes.deleted.has(target)) {
        throw new RelataError(`session.merge(): ${describeEntity(target)} is marked for deletion in this session; flush the deletion, or add() it back, before merging onto it`)
      } else checkVersion(source as Values, target as Values, table)
    }
    const planned: Planned = { source, state, target, newKey, relations, loadOnly, partial, sameAs }
    this.#planned.set(source, planned)
    if (identity !== undefined && newKey !== undefined) {
      let byKey = this.#newByKey.get(table)
      if (byKey === undefined) this.#newByKey.set(table, (byKey = new Map()))
      byKey.set(identity, planned)
    }
    for (const relation of relations) for (const member of members(state, relation)) await this.#resolve(member)
  }

  /** Makes the new objects, then copies values and sets relations: nothing here reads. */
  #apply(): void {
    const { changes } = this.#setup
    for (const planned of this.#planned.values()) if (planned.target === undefined && planned.sameAs === undefined) planned.target = changes.create(planned.state.table, planned.newKey!)
    for (const planned of this.#planned.values()) if (planned.sameAs !== undefined) planned.target = planned.sameAs.target
    for (const planned of this.#planned.values()) {
      if (planned.target === planned.source) continue
      copyColumns(planned.source as Values, planned.state, planned.target as Values)
    }
    for (const planned of this.#planned.values()) {
      const target = planned.target as Values
      for (const relation of planned.relations) {
        const merged = members(planned.state, relation).map((member) => this.#targetOf(member))
        if (relation.toOne) target[relation.name] = merged[0] ?? null
        // A partial collection names some members only: they are added, the others stay.
        else if (planned.partial.has(relation)) (target[relation.name] as RelationArray).add(...new Set(merged))
        // Two sources of one row land on one object, once.
        else (target[relation.name] as RelationArray).set([...new Set(merged)])
      }
    }
  }

  #targetOf(source: object): object {
    return this.#planned.get(source)!.target!
  }

  /** Loads a relation of the session's object when it is in the database and the relation is not loaded. */
  async #loadOn(target: object, relation: RelationModel): Promise<void> {
    const state = stateOf(target)!
    const slot = state.slot(relation.name)
    // A partial collection is read whole, as any load of it does.
    if (state.status === 'persistent' && (!slot.loaded || isPartial(slot))) await this.#setup.tracker.loadRelation(target, relation)
  }
}

/**
 * The relations of a source to merge: its loaded ones. A new (built or created) source's relations
 * are loaded and empty by default: those it left empty are loaded on the session's object (so the
 * result's type holds), not emptied.
 */
function mergedRelations(state: EntityState): { relations: RelationModel[]; loadOnly: RelationModel[]; partial: Set<RelationModel> } {
  const relations: RelationModel[] = []
  const loadOnly: RelationModel[] = []
  const partial = new Set<RelationModel>()
  for (const relation of state.table.relations.values()) {
    const slot = state.relations?.[relation.name]
    const loaded = slot === undefined ? state.fresh : slot.loaded
    if (!loaded) continue
    // A read-only relation is not merged (the unit of work ignores it): the session's object reads its own.
    if (relation.viewOnly || (state.fresh && members(state, relation).length === 0)) loadOnly.push(relation)
    else relations.push(relation)
    if (isPartial(slot)) partial.add(relation)
  }
  return { relations, loadOnly, partial }
}

/** The objects a loaded relation of the source holds (none for a new source's relation never set, whose slot is not made yet). */
function members(state: EntityState, relation: RelationModel): object[] {
  const value = state.relations?.[relation.name]?.value
  if (value === null || value === undefined) return []
  return relation.toOne ? [value as object] : [...(value as RelationArray)]
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
  // Columns the source never loaded (select(), omit(), deferred) or has expired are unset: left alone.
  const sourceExpired = stateOf(source)?.expired
  for (let i = 0; i < table.columns.length; i++) {
    const column = table.columns[i]!
    if (sourceExpired?.has(i)) continue
    const stale = state.expired?.has(i) === true
    if (column.config.primaryKey && !stale && target[column.property] !== undefined) continue
    const value = source[column.property]
    if (value === undefined) continue
    const kind = snapshotKind(column)
    const kept = snapshotValue(kind, value)
    if (stale || !sameValue(kind, target[column.property], kept)) target[column.property] = restoredValue(kind, kept)
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
