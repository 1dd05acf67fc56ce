/** Per-object bookkeeping, kept in a private field of the entity so that entities stay plain data to their users. */
import { RelataError } from '../errors.js'
import type { ColumnModel, ForeignKeyModel, RelationModel, TableModel } from '../schema/model.js'
import type { IdentityKey } from './identity-map.js'
import type { ValueRules } from '../values/value-rules.js'

/**
 * transient: made outside a session; pending: added, not yet inserted; persistent: in the database;
 * deleted: marked for deletion (or deleted by the last flush); detached: no longer tracked.
 */
export type EntityStatus = 'transient' | 'pending' | 'persistent' | 'deleted' | 'detached'

/**
 * What an entity needs from whatever tracks it (a session): loading its relations, recording
 * relation changes for the next flush, and finding related objects already known.
 */
export interface EntityTracker {
  /** Loads one relation of one entity; loads started in the same tick are batched. */
  loadRelation(entity: object, relation: RelationModel): Promise<unknown>
  /** Counts one collection of one entity: from memory when loaded whole, else one `select count(*)`. */
  countRelation?(entity: object, relation: RelationModel): Promise<number>
  /** Records a many-to-many link change between two objects of this session. */
  recordLink(relation: RelationModel, source: object, target: object, change: 'add' | 'remove' | 'update' | 'exists', values?: Record<string, unknown>): void
  /** Remembers an object of this session whose relations changed, so the next flush looks at it. */
  touch(entity: object): void
  /** Takes transient objects (and those they reach through relations that cascade saves) into the session. */
  add(...entities: object[]): void
  /** The object of this session a foreign key's values point at, when it is in the identity map. */
  find(key: ForeignKeyModel, values: readonly unknown[]): object | undefined
  /** The database family's value rules, when known: new values are checked against its limits. */
  readonly valueRules?: ValueRules
  /** `obj.load('body')`: reads the named columns of one object that it lacks, in one statement. */
  loadColumns?(entity: object, names: readonly unknown[]): Promise<object>
  /** Forgets the link changes not yet flushed of one object's many-to-many relation (a reload replaced it). */
  forgetLinks?(relation: RelationModel, entity: object): void
}

/** One relation of one entity: loaded or not, its value when loaded, its unloaded handle once built. */
export interface RelationSlot {
  loaded: boolean
  /** The related object (or null) for to-one; a `RelationArray` for to-many. */
  value: unknown
  handle?: object
  /**
   * A collection loaded by a filtered or limited `.with()`: it holds a subset. Reading it gives the
   * subset; a load without the filter reads it whole, and changes that need the whole (`set`,
   * `clear`, cascades) refuse it or read the rest first. Only meaningful while `loaded`.
   */
  partial?: boolean
  /**
   * Changes made while the collection was not loaded (or was partial), merged into it when it
   * loads (again).
   */
  added?: Set<object>
  removed?: Set<object>
}

/** Whether the slot holds a collection loaded partially (filtered or limited). */
export function isPartial(slot: RelationSlot | undefined): boolean {
  return slot !== undefined && slot.loaded && slot.partial === true
}

/**
 * How a new object of `session.upsert()` is written: the unique columns a conflict is found on, and
 * the columns an existing row takes (`undefined`: every column given other than keys).
 *
 * @example
 * ```ts
 * const plan: UpsertPlan = { conflict: [tags.columnsByProperty.get('name')!], update: undefined }
 * ```
 */
export interface UpsertPlan {
  readonly conflict: readonly ColumnModel[]
  readonly update: readonly ColumnModel[] | undefined
}

/**
 * What few objects need (the objects foreign keys must point at after the next flush, expired and
 * written columns, an upsert plan): one object made on first use, so that the state of a row read
 * from the database stays small.
 */
interface RareState {
  refs: Map<ForeignKeyModel, object | null> | undefined
  expired: Set<number> | undefined
  written: Set<number> | undefined
  upsert: UpsertPlan | undefined
}

export class EntityState {
  /** The session that tracks (or tracked) the object; undefined while it is transient. */
  session: EntityTracker | undefined
  status: EntityStatus
  identityKey: IdentityKey
  /** Column values (by column index) as last read from or written to the database. */
  snapshot: unknown[] | undefined
  /** Relation slots by relation name, created on first use. */
  relations: Record<string, RelationSlot> | undefined
  #rare: RareState | undefined

  /** Made by `create()` / `build()`, not read from the database: its relations start loaded and empty (new-entity.ts). False on the prototype. */
  declare fresh: boolean
  /** The entity this state belongs to: kept by new objects' states only (new-entity.ts), whose empty collections need it. */
  declare owner: object | undefined

  constructor(
    session: EntityTracker | undefined,
    readonly table: TableModel,
    status: EntityStatus,
    identityKey: IdentityKey,
    snapshot: unknown[] | undefined,
  ) {
    this.session = session
    this.status = status
    this.identityKey = identityKey
    this.snapshot = snapshot
    this.relations = undefined
    this.#rare = undefined
  }

  // Static: a private instance method would give every state a hidden brand slot.
  static #rareOf(state: EntityState): RareState {
    return (state.#rare ??= { refs: undefined, expired: undefined, written: undefined, upsert: undefined })
  }

  /** The object each foreign key of this row must point at after the next flush (`null`: no object). */
  get refs(): Map<ForeignKeyModel, object | null> | undefined {
    return this.#rare?.refs
  }
  set refs(value: Map<ForeignKeyModel, object | null> | undefined) {
    if (value !== undefined || this.#rare !== undefined) EntityState.#rareOf(this).refs = value
  }

  /** Column indexes marked stale by `session.expire()`: reading them throws until a read overwrites them. */
  get expired(): Set<number> | undefined {
    return this.#rare?.expired
  }
  set expired(value: Set<number> | undefined) {
    if (value !== undefined || this.#rare !== undefined) EntityState.#rareOf(this).expired = value
  }

  /** Column indexes written while expired: changes for the next flush, whatever the snapshot holds. */
  get written(): Set<number> | undefined {
    return this.#rare?.written
  }
  set written(value: Set<number> | undefined) {
    if (value !== undefined || this.#rare !== undefined) EntityState.#rareOf(this).written = value
  }

  /** Made by `session.upsert()`: inserted as an upsert (kept once inserted, so that a flush again after a rollback upserts again). */
  get upsert(): UpsertPlan | undefined {
    return this.#rare?.upsert
  }
  set upsert(value: UpsertPlan | undefined) {
    if (value !== undefined || this.#rare !== undefined) EntityState.#rareOf(this).upsert = value
  }

  slot(name: string): RelationSlot {
    const relations = (this.relations ??= Object.create(null) as Record<string, RelationSlot>)
    let slot = relations[name]
    if (slot === undefined) slot = relations[name] = this.newSlot(name)
    return slot
  }

  /** The slot of a relation used for the first time: not loaded (a new object's state says otherwise). */
  protected newSlot(_name: string): RelationSlot {
    return { loaded: false, value: undefined }
  }
}
// On the prototype, not in every state: a state read from the database is not fresh and needs no owner.
EntityState.prototype.fresh = false
EntityState.prototype.owner = undefined

/**
 * The base class of every entity class. The state is a private field: invisible to spread,
 * `JSON.stringify`, `Object.keys` and logs, unreachable from outside this module, and much
 * cheaper to reach than a WeakMap entry on the hydration path.
 */
export class EntityBase {
  #state: EntityState | undefined = undefined

  static stateOf(entity: object): EntityState | undefined {
    return #state in entity ? (entity as EntityBase).#state : undefined
  }

  static attach(entity: object, state: EntityState | undefined): void {
    ;(entity as EntityBase).#state = state
  }
}

export function stateOf(entity: object): EntityState | undefined {
  return EntityBase.stateOf(entity)
}

export function requireState(entity: object, action: string): EntityState {
  const state = EntityBase.stateOf(entity)
  if (state === undefined) {
    throw new RelataError(`${action}: the object is not an entity of any session (create it with session.create() or load it with a query)`)
  }
  return state
}

export function attachState(entity: object, state: EntityState): void {
  if (state.fresh) state.owner = entity
  EntityBase.attach(entity, state)
}

export function detachState(entity: object): void {
  EntityBase.attach(entity, undefined)
}
