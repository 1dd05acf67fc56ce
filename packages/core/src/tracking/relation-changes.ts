/**
 * Relation changes in memory: assigning a to-one, editing a collection. Each change is mirrored
 * on the back-populating side where that side is loaded (or remembered for when it loads), and
 * recorded for the flush: foreign keys as `refs` on the row that holds them, many-to-many links
 * in the session.
 */
import { RelataError } from '../errors.js'
import type { ForeignKeyModel, RelationModel } from '../schema/model.js'
import { describeEntity } from './describe-entity.js'
import { isPartial, stateOf, type EntityState, type RelationSlot } from './entity-state.js'
import type { RelationArray } from './relation-array.js'
import { checkValue } from '../values/write-values.js'
import { changeLinkValues, hasOwnColumns, linkValuesOf, newLinkValues, requiredLinkColumns } from './link-values.js'

export type CollectionChange = 'add' | 'remove' | 'set'

const label = (relation: RelationModel) => `${relation.source.key}.${relation.name}`

function mirrorOf(relation: RelationModel): RelationModel | undefined {
  return relation.backPopulates === undefined ? undefined : relation.target.relations.get(relation.backPopulates)
}

/** The state of an object that must belong to `relation`'s target table (and to `owner`'s session, when both have one). */
function targetState(relation: RelationModel, value: unknown, owner: object, ownerState: EntityState): EntityState {
  const state = typeof value === 'object' && value !== null ? stateOf(value) : undefined
  if (state === undefined || state.table !== relation.target) {
    const got = state ? `an object of '${state.table.key}'` : value === null ? 'null' : typeof value
    throw new RelataError(`${label(relation)} takes objects of '${relation.target.key}', got ${got}`)
  }
  if (state.status === 'deleted' || state.status === 'detached') {
    throw new RelataError(`${label(relation)}: the '${relation.target.key}' object is ${state.status}`)
  }
  if (state.session !== undefined && ownerState.session !== undefined && state.session !== ownerState.session) {
    throw new RelataError(
      `${label(relation)}: ${describeEntity(value as object)} belongs to another session than ${describeEntity(owner)}; ` +
        `relate objects of one session (read the ${relation.target.key} row in this session, e.g. with session.get())`,
    )
  }
  return state
}

/**
 * A detached object's relations cannot change: no session would ever write the change. Nor can a
 * read-only relation's: the unit of work ignores it (and a filtered one would lose the rows it leaves out).
 */
function refuseDetached(state: EntityState, relation: RelationModel): void {
  if (relation.viewOnly) {
    throw new RelataError(`${label(relation)} is viewOnly: it cannot be added to, removed from or assigned; change the relation it views (its foreign key or link table) instead`)
  }
  if (state.status === 'detached') {
    throw new RelataError(`${label(relation)}: the '${relation.source.key}' object is detached (untracked, or its session was cleared); its relations cannot change`)
  }
}

function setRef(state: EntityState, key: ForeignKeyModel, value: object | null): void {
  ;(state.refs ??= new Map()).set(key, value)
}

/** The object a row's foreign key points at now: its pending ref, or the identity map's object for its key. */
function currentRefTarget(entity: object, state: EntityState, key: ForeignKeyModel): object | null | undefined {
  const pending = state.refs?.get(key)
  if (pending !== undefined) return pending
  // An expired key column: the row's key as last read.
  const values = key.columns.map((c) => {
    const index = state.expired === undefined ? -1 : state.table.columns.indexOf(c)
    return index >= 0 && state.expired!.has(index) ? state.snapshot?.[index] : (entity as Record<string, unknown>)[c.property]
  })
  if (values.some((v) => v === null || v === undefined)) return null
  return state.session?.find(key, values)
}

/** Adds `item` to `owner.relation` in memory: pushed when loaded, remembered when not. */
function addMember(owner: object, relation: RelationModel, item: object, knownAbsent = false): void {
  const slot = stateOf(owner)!.slot(relation.name)
  if (relation.toOne) {
    slot.loaded = true
    slot.value = item
    return
  }
  if (slot.loaded) {
    const array = slot.value as RelationArray
    if (knownAbsent || !array.includes(item)) Array.prototype.push.call(array, item)
    // A partial collection read again (whole, or with another filter) takes the change anew.
    if (slot.partial === true) {
      slot.removed?.delete(item)
      ;(slot.added ??= new Set()).add(item)
    }
  } else {
    slot.removed?.delete(item)
    ;(slot.added ??= new Set()).add(item)
  }
}

/**
 * Members to take out of loaded collections, gathered over many changes and then removed in one
 * pass per collection (`removeGathered`): removing them one by one scans the collection each time.
 */
export type Removals = Map<RelationArray, Set<object>>

/** Removes `item` from `owner.relation` in memory; with `removals`, from a loaded collection later, with the others gathered. */
function removeMember(owner: object, relation: RelationModel, item: object, removals?: Removals): void {
  const slot = stateOf(owner)!.slot(relation.name)
  if (relation.toOne) {
    if (slot.loaded) {
      if (slot.value === item) slot.value = null
    } else if (!relation.owning) {
      // An inverse one-to-one loaded later must not show the object that left it.
      ;(slot.removed ??= new Set()).add(item)
    }
    return
  }
  if (slot.loaded) {
    const array = slot.value as RelationArray
    if (removals !== undefined) gather(removals, array, item)
    else {
      const index = array.indexOf(item)
      if (index >= 0) Array.prototype.splice.call(array, index, 1)
    }
    if (slot.partial === true) {
      slot.added?.delete(item)
      ;(slot.removed ??= new Set()).add(item)
    }
  } else {
    slot.added?.delete(item)
    ;(slot.removed ??= new Set()).add(item)
  }
}

/** An owner's inverse one-to-one was replaced while not loaded: what it held is unknown until the flush reads it. */
function markUnknown(state: EntityState, slot: RelationSlot): void {
  if (state.status === 'persistent') slot.added ??= new Set()
}

/** `owner.relation` (inverse one-to-one) now holds `child`: the object it held before gives up its key. */
function replaceOne(owner: object, relation: RelationModel, child: object): void {
  const ownerState = stateOf(owner)!
  const slot = ownerState.slot(relation.name)
  if (!slot.loaded) markUnknown(ownerState, slot)
  else if (slot.value && slot.value !== child) releaseOne(owner, relation, slot.value as object)
  slot.loaded = true
  slot.value = child
}

/** `previous` no longer belongs to `owner.relation` (inverse one-to-one): its key is unset (an orphan, under delete-orphan). */
function releaseOne(owner: object, relation: RelationModel, previous: object): void {
  const state = stateOf(previous)!
  const key = relation.foreignKey
  const ref = state.refs?.get(key)
  // Already given to another owner.
  if (ref !== undefined && ref !== owner) return
  setRef(state, key, null)
  for (const own of relationsOf(key)) {
    if (!own.owning || own.source !== state.table) continue
    const slot = state.slot(own.name)
    slot.loaded = true
    slot.value = null
  }
  state.session?.touch(previous)
}

/** Notes that `item` leaves the loaded collection `array`. */
export function gather(removals: Removals, array: RelationArray, item: object): void {
  const items = removals.get(array)
  if (items === undefined) removals.set(array, new Set([item]))
  else items.add(item)
}

/** Takes the gathered members out of each collection in one pass, the others keeping their order. */
export function removeGathered(removals: Removals): void {
  for (const [array, items] of removals) keepOnly(array, (item) => !items.has(item))
}

function keepOnly(array: RelationArray, keep: (item: object) => boolean): void {
  let kept = 0
  for (let i = 0; i < array.length; i++) {
    const item = array[i]!
    if (keep(item)) array[kept++] = item
  }
  array.length = kept
}

/** The values of an association row's own columns (`{ role: 'editor' }`), checked before any SQL. */
function checkLinkValues(relation: RelationModel, values: Record<string, unknown>): void {
  const association = relation.association
  if (association === undefined) throw new RelataError(`${label(relation)}: only a many-to-many link takes values for its association row`)
  const table = association.table
  const keys = new Set([...association.sourceKey.columns, ...association.targetKey.columns])
  const own = table.columns.filter((c) => !keys.has(c))
  for (const [property, value] of Object.entries(values)) {
    const column = table.columnsByProperty.get(property)
    if (column === undefined || keys.has(column)) {
      throw new RelataError(`${label(relation)}: '${property}' is not a column a link sets in '${table.key}' (columns: ${own.map((c) => c.property).join(', ') || 'none'})`)
    }
    checkValue(table, column, value)
  }
}

/**
 * A new link must be given the link table's NOT NULL columns without a default (its insert would
 * fail): checked before anything changes. An object already in the loaded collection is no new link.
 */
function checkRequiredLinkValues(relation: RelationModel, slot: RelationSlot, items: readonly object[], values: Record<string, unknown> | undefined): void {
  const required = requiredLinkColumns(relation.association!)
  const missing = required.filter((c) => values === undefined || values[c.property] === undefined)
  if (missing.length === 0) return
  const members = slot.loaded ? new Set(slot.value as RelationArray) : undefined
  if (items.every((item) => members?.has(item))) return
  const names = missing.map((c) => c.property)
  throw new RelataError(
    `${label(relation)}: a new link needs ${names.map((n) => `'${n}'`).join(', ')} (NOT NULL without a default in '${relation.association!.table.key}'): ` +
      `add(item, { ${names.map((n) => `${n}: ...`).join(', ')} })`,
  )
}

const keyRelations = new WeakMap<ForeignKeyModel, readonly RelationModel[]>()

/** The relations joined on a foreign key: to-one on the table that holds it, and their inverses (collections, inverse one-to-one). */
function relationsOf(key: ForeignKeyModel): readonly RelationModel[] {
  let relations = keyRelations.get(key)
  if (relations === undefined) {
    relations = [
      // Read-only relations do not follow key changes: they show what was last read (as SQLAlchemy's viewonly).
      ...[...key.table.relations.values()].filter((r) => r.owning && r.foreignKey === key && !r.viewOnly),
      ...[...key.references.relations.values()].filter((r) => !r.owning && r.association === undefined && r.foreignKey === key && !r.viewOnly),
    ]
    keyRelations.set(key, relations)
  }
  return relations
}

/** Relation changes of one entity; stateless, shared by every session. */
class RelationChanges {
  /** `book.author = a` (or `null`), `user.profile = p`. */
  assign(entity: object, state: EntityState, relation: RelationModel, value: unknown): void {
    refuseDetached(state, relation)
    if (!relation.toOne) {
      if (!Array.isArray(value)) throw new RelataError(`${label(relation)} is a collection: assign an array, or use .add() / .remove() / .set()`)
      this.change(entity, state, relation, 'set', value)
      return
    }
    if (value === undefined) throw new RelataError(`${label(relation)}: assign an object or null, not undefined`)
    if (value === null && relation.owning && !relation.nullable) {
      throw new RelataError(`${label(relation)} cannot be null: ${relation.source.sqlName}.${relation.foreignKey.columns.map((c) => c.sqlName).join(', ')} is NOT NULL`)
    }
    const target = value === null ? null : (value as object)
    if (target !== null) targetState(relation, target, entity, state)
    const slot = state.slot(relation.name)
    const old = slot.loaded ? (slot.value as object | null) : relation.owning ? currentRefTarget(entity, state, relation.foreignKey) : undefined
    if (old === target && slot.loaded) return
    const mirror = mirrorOf(relation)
    const key = relation.foreignKey
    if (relation.owning) {
      setRef(state, key, target)
      // One-to-one: the new owner's previous object gives the key up.
      if (target) for (const inverse of relationsOf(key)) if (inverse.toOne && !inverse.owning) replaceOne(target, inverse, entity)
    } else {
      // Inverse one-to-one: the key lives in the other row; the object leaves its previous owner.
      const previousOwner = target ? currentRefTarget(target, stateOf(target)!, key) : undefined
      if (old) releaseOne(entity, relation, old)
      else if (!slot.loaded) markUnknown(state, slot)
      if (target) setRef(stateOf(target)!, key, entity)
      if (previousOwner && previousOwner !== entity) {
        removeMember(previousOwner, relation, target!)
        state.session?.touch(previousOwner)
      }
    }
    slot.loaded = true
    slot.value = target
    if (mirror !== undefined) {
      if (old) removeMember(old, mirror, entity)
      if (target) addMember(target, mirror, entity)
    }
    this.#touch(relation, entity, target, old)
  }

  /**
   * Inverse one-to-one relations assigned while not loaded (SQLAlchemy loads the old value on
   * assignment; an assignment here cannot wait): the flush reads what the owner held, which gives
   * its key up. `load` reads one relation from the database.
   */
  async releaseReplaced(entities: Iterable<object>, load: (entity: object, relation: RelationModel) => Promise<void>): Promise<void> {
    const replaced: [object, RelationModel, object | null][] = []
    for (const entity of entities) {
      const state = stateOf(entity)!
      if (state.relations === undefined) continue
      for (const relation of state.table.relations.values()) {
        const slot = state.relations[relation.name]
        if (!relation.toOne || relation.owning || slot?.added === undefined || !slot.loaded) continue
        replaced.push([entity, relation, slot.value as object | null])
        slot.added = undefined
        slot.loaded = false
        slot.value = undefined
      }
    }
    if (replaced.length === 0) return
    try {
      await Promise.all(replaced.map(([entity, relation]) => load(entity, relation)))
    } finally {
      for (const [entity, relation, assigned] of replaced) {
        const slot = stateOf(entity)!.slot(relation.name)
        const previous = slot.loaded ? (slot.value as object | null) : null
        slot.loaded = true
        slot.value = assigned
        if (previous && previous !== assigned) releaseOne(entity, relation, previous)
      }
    }
  }

  /** `add` / `remove` / `set` on a one-to-many or many-to-many collection. */
  change(entity: object, state: EntityState, relation: RelationModel, change: CollectionChange, items: readonly unknown[], values?: Record<string, unknown>): void {
    refuseDetached(state, relation)
    if (!Array.isArray(items)) throw new RelataError(`${label(relation)} is a collection: give an array of '${relation.target.key}' objects`)
    if (values !== undefined) checkLinkValues(relation, values)
    for (const item of items) targetState(relation, item, entity, state)
    const slot = state.slot(relation.name)
    if (change === 'add' && relation.association !== undefined) checkRequiredLinkValues(relation, slot, items as object[], values)
    if (change === 'set') {
      if (!slot.loaded) throw new RelataError(`${label(relation)}: load the collection before replacing it with set() or clear()`)
      if (isPartial(slot)) {
        throw new RelataError(
          `${label(relation)} was loaded partially (a filtered or limited .with()): set(), clear() and assigning an array replace the whole collection; ` +
            `load it whole first: await session.load(obj, '${relation.name}') or await obj.${relation.name}.load()`,
        )
      }
      const wanted = new Set(items as object[])
      const leaving = (slot.value as RelationArray).filter((item) => !wanted.has(item))
      if (leaving.length > 0) this.change(entity, state, relation, 'remove', leaving)
      this.change(entity, state, relation, 'add', [...wanted])
      // The collection takes the order it was given.
      const array = slot.value as RelationArray
      array.length = 0
      for (const item of items as object[]) Array.prototype.push.call(array, item)
      return
    }
    // Many items at once (a playlist of 500 tracks): membership from a set, not a scan per item,
    // and members leaving collections removed in one pass per collection.
    const bulk = items.length > 8
    const members = bulk && slot.loaded ? new Set<object>(slot.value as RelationArray) : undefined
    const removals: Removals | undefined = bulk ? new Map() : undefined
    try {
      for (const item of items as object[]) {
        if (relation.association !== undefined) this.#link(entity, state, relation, change, item, values, members, removals)
        else this.#child(entity, state, relation, change, item, members, removals)
        if (members !== undefined) {
          if (change === 'add') members.add(item)
          else members.delete(item)
        }
      }
    } finally {
      if (removals !== undefined) removeGathered(removals)
    }
  }

  /** One-to-many: the child's foreign key follows; its many-to-one mirror moves with it. */
  #child(parent: object, state: EntityState, relation: RelationModel, change: 'add' | 'remove', child: object, members?: ReadonlySet<object>, removals?: Removals): void {
    const childState = stateOf(child)!
    const key = relation.foreignKey
    const previous = currentRefTarget(child, childState, key)
    const mirror = mirrorOf(relation)
    if (change === 'add') {
      if (previous === parent && state.slot(relation.name).loaded && (members?.has(child) ?? (state.slot(relation.name).value as RelationArray).includes(child))) return
      if (previous && previous !== parent) removeMember(previous, relation, child, removals)
      setRef(childState, key, parent)
      addMember(parent, relation, child, members !== undefined && !members.has(child))
      if (mirror !== undefined) addMember(child, mirror, parent)
    } else {
      // Not a member of this parent: nothing to remove.
      if (previous !== parent) return
      setRef(childState, key, null)
      removeMember(parent, relation, child, removals)
      if (mirror !== undefined) {
        const slot = childState.slot(mirror.name)
        if (slot.loaded && slot.value === parent) slot.value = null
        else if (!slot.loaded) {
          slot.loaded = true
          slot.value = null
        }
      }
    }
    this.#touch(relation, parent, child, previous)
  }

  /** Many-to-many: a link row to insert or delete, mirrored on the other side. */
  #link(
    source: object,
    state: EntityState,
    relation: RelationModel,
    change: 'add' | 'remove',
    target: object,
    values?: Record<string, unknown>,
    members?: ReadonlySet<object>,
    removals?: Removals,
  ): void {
    const slot = state.slot(relation.name)
    let present = slot.loaded ? (members?.has(target) ?? (slot.value as RelationArray).includes(target)) : undefined
    // A partial collection that does not hold the object says nothing about the link.
    if (present === false && slot.partial === true) present = undefined
    // A transient source records its links when it is added to a session.
    const session = state.session
    if (change === 'add' && present === true) {
      // Already linked: only the link row's own columns can change.
      if (values !== undefined) {
        changeLinkValues(relation.association!, source, target, values)
        session?.recordLink(relation, source, target, 'update', values)
      }
      return
    }
    if (change === 'remove' && present === false) return
    const mirror = mirrorOf(relation)
    if (change === 'add') {
      // Link values are kept only where the link table has columns of its own (none: no cost per link).
      // Added while not loaded, the link may exist: the values given are then all that is known.
      if (hasOwnColumns(relation.association!)) {
        if (present === false || linkValuesOf(relation.association!, source, target) === undefined) newLinkValues(relation.association!, source, target, values)
        else if (values !== undefined) changeLinkValues(relation.association!, source, target, values)
      }
      addMember(source, relation, target, present === false)
      if (mirror !== undefined) addMember(target, mirror, source)
    } else {
      removeMember(source, relation, target, removals)
      if (mirror !== undefined) removeMember(target, mirror, source, removals)
    }
    session?.recordLink(relation, source, target, change, values)
    this.#touch(relation, source, target)
  }

  /**
   * A to-many relation just loaded from the database takes the changes made while it was not
   * loaded: objects added, objects removed, and (one-to-many) children since pointed elsewhere.
   */
  mergeUnloaded(entity: object, state: EntityState, relation: RelationModel): void {
    const slot = state.slot(relation.name)
    if (!slot.loaded) return
    if (relation.toOne) {
      const value = slot.value as object | null
      if (!relation.owning && value !== null && value !== undefined) {
        const ref = stateOf(value)?.refs?.get(relation.foreignKey)
        if (slot.removed?.has(value) || (ref !== undefined && ref !== entity)) slot.value = null
      }
      slot.removed = undefined
      return
    }
    const array = slot.value as RelationArray
    const gone = (item: object): boolean => {
      if (slot.removed?.has(item)) return true
      if (relation.association !== undefined) return false
      const ref = stateOf(item)?.refs?.get(relation.foreignKey)
      return ref !== undefined && ref !== entity
    }
    keepOnly(array, (item) => !gone(item))
    const added = slot.added
    if (added !== undefined) {
      // Many added objects: membership from a set, not a scan per object.
      const present = added.size > 8 ? new Set<object>(array) : undefined
      for (const item of added) {
        if (!(present?.has(item) ?? array.includes(item))) {
          Array.prototype.push.call(array, item)
          present?.add(item)
        }
        // Added while not loaded, but linked already: no row to insert.
        else if (relation.association !== undefined) state.session?.recordLink(relation, entity, item, 'exists')
      }
    }
    slot.added = undefined
    slot.removed = undefined
  }

  /**
   * A foreign key written as columns (`pet.ownerId = bob.id`), not through a relation: the loaded
   * relations follow it, as the flush will write it (SQLAlchemy's relations agree with such a
   * write once it is flushed). `from`: the object the row pointed at before (null: none); `to`: the
   * object it points at now (null: none, undefined: not in the session, so to-one slots unload).
   */
  followKey(entity: object, state: EntityState, key: ForeignKeyModel, from: object | null | undefined, to: object | null | undefined): void {
    for (const relation of relationsOf(key)) {
      if (relation.owning) {
        const slot = state.relations?.[relation.name]
        if (slot === undefined ? !state.fresh || to === undefined : !slot.loaded) continue
        const own = slot ?? state.slot(relation.name)
        own.loaded = to !== undefined
        own.value = to
      } else {
        if (from) removeMember(from, relation, entity)
        if (to) addMember(to, relation, entity)
      }
    }
    const session = state.session
    if (session === undefined) return
    session.touch(entity)
    if (from) session.touch(from)
    if (to) session.touch(to)
  }

  /**
   * Tells the session which objects a change of `owner.relation` concerns (`left`: objects the
   * relation no longer points at). A transient related object joins the session when `relation`
   * cascades saves. A transient owner does not join through the other side (as in SQLAlchemy 2,
   * which dropped backref cascades): `orm.build('books', { author })` stays out until added.
   */
  #touch(relation: RelationModel, owner: object, related: object | null | undefined, left?: object | null): void {
    // Written without closures or arrays: this runs for every relation change, often thousands per flush.
    const ownerState = stateOf(owner)!
    const relatedState = related ? stateOf(related)! : undefined
    const session = ownerState.session ?? relatedState?.session
    if (session === undefined) return
    if (ownerState.session === session) session.touch(owner)
    if (relatedState !== undefined) {
      if (relatedState.session === session) session.touch(related!)
      else if (relatedState.status === 'transient' && related !== owner && relation.cascade.save) session.add(related!)
    }
    if (left) session.touch(left)
  }
}

export const relationChanges = new RelationChanges()
