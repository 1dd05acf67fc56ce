/** A session's unit of work in memory: new, touched and deleted objects and link changes until a flush writes them, and what undoes them. */
import { RelataError } from '../errors.js'
import type { RelationModel, TableModel } from '../schema/model.js'
import { describeEntity } from '../tracking/describe-entity.js'
import { requireState, stateOf, type EntityTracker } from '../tracking/entity-state.js'
import type { IdentityMap } from '../tracking/identity-map.js'
import { newEntity } from '../tracking/new-entity.js'
import type { RelationArray } from '../tracking/relation-array.js'
import { applyFlush, releaseNewObjects, revertChanges, undoFlushes, type AppliedFlush, type SessionBookkeeping } from '../unit-of-work/apply-flush.js'
import type { ChangeSet } from '../unit-of-work/change-set.js'
import { LinkRecords, type LinkEvent } from '../unit-of-work/link-records.js'
import { hasOwnColumns, linkValuesOf } from '../tracking/link-values.js'
import type { Written } from '../unit-of-work/persister.js'

/** The relation changes a running flush took from the session: given back if it fails. */
export interface TakenChanges {
  readonly touched: Set<object>
  readonly links: LinkRecords
}

/**
 * The changes of one session: `create`, `add` and `delete` record them; a flush `take`s the
 * relation changes (those made while it runs go to new records), then `apply`s what it wrote or
 * `giveBack`s what it took. Per open transaction and savepoint, a journal of the flushes applied
 * in it, so that a rollback of it undoes them in memory.
 *
 * @example
 * ```ts
 * const changes = new SessionChanges(identityMap, session)
 * changes.create(table, { title: 'Book 1' })   // inserted by the next flush
 * ```
 */
export class SessionChanges implements SessionBookkeeping {
  readonly pending = new Set<object>()
  readonly deleted = new Set<object>()
  /** Objects whose relations changed, and link changes: a running flush takes these and the session starts new ones. */
  touched = new Set<object>()
  links = new LinkRecords()
  /** A flush has taken the changes and not applied (or given back) them yet. */
  #flushing = false
  /** Per open transaction and savepoint, outermost first: the flushes applied in it, undone if it rolls back. */
  readonly #journal: AppliedFlush[][] = []

  /** The session that tracks the objects recorded here. */
  readonly #tracker: EntityTracker

  constructor(
    readonly identityMap: IdentityMap,
    tracker: EntityTracker,
  ) {
    this.#tracker = tracker
  }

  /** A new object, pending. */
  create(table: TableModel, values: Record<string, unknown>): object {
    const entity = newEntity(table, values, this.#tracker)
    this.pending.add(entity)
    return entity
  }

  /** SQLAlchemy's `add()`: a transient object joins; one marked for deletion is kept; one of this session already is in it. */
  add(entity: object): void {
    const state = requireState(entity, 'session.add()')
    if (state.status === 'transient') return this.adopt(entity, this.links)
    if (state.session !== undefined && state.session !== this.#tracker) throw new RelataError(`session.add(): ${describeEntity(entity)} belongs to another session`)
    if (state.status === 'detached') {
      throw new RelataError(
        `session.add(): ${describeEntity(entity)} is detached (deleted, read with .untracked(), or let go by session.clear()); Relata cannot attach it again: read the row anew with session.get('${state.table.key}', ...)`,
      )
    }
    if (this.deleted.has(entity)) {
      // The running flush may be deleting it: keeping it now could not be honoured.
      if (this.#flushing) throw new RelataError(`session.add(): ${describeEntity(entity)} is marked for deletion and a flush of this session is running; await it first`)
      this.deleted.delete(entity)
    }
  }

  /** Takes a transient object (and, through cascades, the transient objects it reaches) into this session, its links into `links`. */
  adopt(entity: object, links: LinkRecords): void {
    const state = requireState(entity, 'session.add()')
    if (state.session !== undefined && state.session !== this.#tracker) {
      throw new RelataError(`session.add(): ${describeEntity(entity)} belongs to another session`)
    }
    if (state.status !== 'transient') return
    const members: [RelationModel, object][] = []
    for (const relation of state.table.relations.values()) {
      const slot = state.relations?.[relation.name]
      if (slot === undefined || !slot.loaded) continue
      for (const member of relation.toOne ? (slot.value ? [slot.value as object] : []) : (slot.value as RelationArray)) {
        const session = stateOf(member)!.session
        if (session !== undefined && session !== this.#tracker) {
          throw new RelataError(`session.add(): ${describeEntity(entity)} has ${describeEntity(member)} of another session in ${state.table.key}.${relation.name}; relate objects of one session`)
        }
        members.push([relation, member])
      }
    }
    state.session = this.#tracker
    state.status = 'pending'
    this.pending.add(entity)
    for (const [relation, member] of members) {
      if (relation.association !== undefined) links.record(relation, entity, member, 'add', hasOwnColumns(relation.association) ? linkValuesOf(relation.association, entity, member) : undefined)
      if (relation.cascade.save && stateOf(member)?.status === 'transient') this.adopt(member, links)
    }
  }

  delete(entity: object): void {
    const state = requireState(entity, 'session.delete()')
    if (state.status === 'detached') {
      throw new RelataError(`session.delete(): ${describeEntity(entity)} is detached (already deleted, or let go by session.clear()); read the row anew with session.get('${state.table.key}', ...) to delete it`)
    }
    if (state.session !== this.#tracker) throw new RelataError(`session.delete(): this ${state.table.key} object does not belong to this session`)
    if (state.status === 'pending') {
      this.#refuseReferenced(entity)
      if (this.#flushing) {
        // The running flush may be inserting it: then the next flush deletes it, else it just leaves.
        this.deleted.add(entity)
        return
      }
      this.pending.delete(entity)
      state.status = 'transient'
      state.session = undefined
      return
    }
    if (state.status === 'persistent') this.deleted.add(entity)
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
    for (const other of this.pending) refer(other)
    for (const other of this.touched) refer(other)
    for (const link of this.links.values()) {
      if (link.source === entity || link.target === entity) {
        const other = link.source === entity ? link.target : link.source
        throw new RelataError(`session.delete(): ${describeEntity(entity)} is not in the database yet, and is linked to ${describeEntity(other)} through ${link.association.table.key}: remove that link first`)
      }
    }
  }

  /** Remembers an object of this session whose relations changed, for the next flush. */
  touch(entity: object): void {
    if (stateOf(entity)?.session === this.#tracker) this.touched.add(entity)
  }

  recordLink(relation: RelationModel, source: object, target: object, change: LinkEvent, values?: Record<string, unknown>): void {
    this.links.record(relation, source, target, change, values)
  }

  /** Whether a flush has taken the changes and not yet applied or given them back. */
  get flushing(): boolean {
    return this.#flushing
  }

  /**
   * Objects leaving the session (`expunge()`): their changes are forgotten, and so are the flushes
   * journaled for them, so that a rollback of the open transaction does not bring them back.
   */
  forget(entities: ReadonlySet<object>): void {
    for (const entity of entities) {
      this.pending.delete(entity)
      this.deleted.delete(entity)
      this.touched.delete(entity)
    }
    this.links.forget(entities)
    for (const flushes of this.#journal) {
      for (let i = 0; i < flushes.length; i++) {
        const flush = flushes[i]!
        flushes[i] = {
          inserted: flush.inserted.filter(([entity]) => !entities.has(entity)),
          updated: flush.updated.filter(([entity]) => !entities.has(entity)),
          deleted: flush.deleted.filter((entity) => !entities.has(entity)),
          rekeyed: flush.rekeyed.filter(([entity]) => !entities.has(entity)),
        }
      }
    }
  }

  /** Forgets the unflushed link changes of one object's many-to-many relation: it was read again from the database. */
  forgetLinks(relation: RelationModel, entity: object): void {
    this.links.forgetRelation(relation, entity)
  }

  /** Forgets every object and change (SQLAlchemy's `expunge_all`): loaded objects are detached, new ones transient again. */
  clear(): void {
    if (this.#flushing) throw new RelataError('session.clear(): a flush of this session is running; await it (or the commit) first')
    for (const entity of this.identityMap.entities()) {
      const state = stateOf(entity)
      if (state) state.status = 'detached'
    }
    this.identityMap.clear()
    // As SQLAlchemy's expunge_all: new objects leave too; no change is left to write.
    releaseNewObjects(this.pending)
    this.deleted.clear()
    this.touched.clear()
    this.links.clear()
    // The flushes journaled in the open transaction concern objects let go: a rollback must not
    // bring them back into the identity map (the frames stay: the transaction is still open).
    for (const flushes of this.#journal) flushes.length = 0
  }

  /** A flush starts: it takes the relation changes, and those made while it runs go to new records, kept for the next flush. */
  take(): TakenChanges {
    const taken = { touched: this.touched, links: this.links }
    this.touched = new Set()
    this.links = new LinkRecords()
    this.#flushing = true
    return taken
  }

  /** A flush failed (or had nothing to write): the relation changes it took come back, followed by those made while it ran. */
  giveBack(taken: TakenChanges): void {
    this.#flushing = false
    for (const entity of this.touched) taken.touched.add(entity)
    taken.links.absorb(this.links)
    this.touched = taken.touched
    this.links = taken.links
    this.#dropDeletedPending()
  }

  /** A flush's statements succeeded: the objects take what was written, journaled when a transaction is open. */
  apply(changes: ChangeSet, written: Written, sent: ReadonlyMap<object, readonly unknown[]>, taken: TakenChanges): void {
    this.#flushing = false
    const journal = this.#journal.at(-1)
    const applied = applyFlush(this, changes, written, sent, taken.touched, journal !== undefined)
    journal?.push(applied)
    this.#dropDeletedPending()
  }

  /** New objects deleted while a flush ran that did not insert them: they just leave. */
  #dropDeletedPending(): void {
    for (const entity of this.deleted) {
      const state = stateOf(entity)!
      if (state.status !== 'pending') continue
      this.deleted.delete(entity)
      this.pending.delete(entity)
      state.status = 'transient'
      state.session = undefined
    }
  }

  /** `session.rollback()`: every change not yet flushed is undone in memory. */
  revert(): void {
    revertChanges(this)
  }

  /** What a bulk statement changed in held objects: undone with the flushes if the open transaction rolls back. */
  journal(applied: AppliedFlush): void {
    this.#journal.at(-1)?.push(applied)
  }

  /** A transaction or savepoint opened: the flushes applied in it are journaled. */
  transactionOpened(): void {
    this.#journal.push([])
  }

  /** The outermost transaction committed: its flushes can no longer be undone. */
  transactionCommitted(): void {
    this.#journal.pop()
  }

  /** A savepoint was released: its flushes are kept, and still undone if the enclosing transaction rolls back. */
  savepointReleased(): void {
    const kept = this.#journal.pop()!
    this.#journal.at(-1)!.push(...kept)
  }

  /** The innermost transaction or savepoint rolled back: its flushes and every unflushed change are undone in memory. */
  transactionRolledBack(): void {
    undoFlushes(this, this.#journal.pop() ?? [])
    revertChanges(this)
  }
}
