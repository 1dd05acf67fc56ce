/**
 * A stream's batches leaving the session (SQLAlchemy's `yield_per`): once the consumer moves on,
 * the objects a finished batch brought in that hold no pending change are let go; changed ones stay
 * until a flush has written them.
 */
import type { StreamScope } from '../query/query-stream.js'
import type { QueryState, WithItem } from '../query/query-state.js'
import { stateOf, type EntityTracker } from '../tracking/entity-state.js'
import type { RelationArray } from '../tracking/relation-array.js'
import { changed } from './autoflush.js'
import type { SessionChanges } from './session-changes.js'

/** The objects a batch reached: its own, and those its `.with()` relations loaded under them. */
function reached(entities: readonly object[], items: readonly WithItem[], into: Set<object>): void {
  for (const entity of entities) into.add(entity)
  for (const item of items) {
    const targets: object[] = []
    for (const entity of entities) {
      const slot = stateOf(entity)?.relations?.[item.relation]
      if (slot === undefined || !slot.loaded || slot.value === null || slot.value === undefined) continue
      if (Array.isArray(slot.value)) targets.push(...(slot.value as RelationArray))
      else targets.push(slot.value as object)
    }
    if (targets.length > 0) reached(targets, item.query?.with ?? [], into)
  }
}

/** Every object held through loaded relations from `roots`, among `among`. */
function heldFrom(roots: Iterable<object>, among: ReadonlySet<object>): Set<object> {
  const held = new Set<object>()
  const queue = [...roots]
  for (let next = 0; next < queue.length; next++) {
    const state = stateOf(queue[next]!)
    for (const slot of Object.values(state?.relations ?? {})) {
      if (!slot.loaded || slot.value === null || slot.value === undefined) continue
      for (const member of Array.isArray(slot.value) ? (slot.value as object[]) : [slot.value as object]) {
        if (among.has(member) && !held.has(member)) {
          held.add(member)
          queue.push(member)
        }
      }
    }
  }
  return held
}

/**
 * The stream scope of one session. Objects the session held before the stream started are never
 * let go; those a batch brought in are, once the next batch is read (or the stream ends), unless
 * they hold a pending change (changed columns, a deletion, a relation or link change), another batch
 * reached them too, or an object that stays holds them through a loaded relation. A kept object is
 * looked at again at each later batch and at the end: once flushed, it goes too.
 *
 * @example
 * ```ts
 * const scope = new StreamRelease(changes, session)
 * scope.batch(tracks, state)   // the previous batch's unchanged objects leave the session
 * scope.end()
 * ```
 */
export class StreamRelease implements StreamScope {
  readonly #changes: SessionChanges
  readonly #tracker: EntityTracker
  /** Objects of the session when the stream started: theirs to keep. */
  readonly #before: WeakSet<object>
  /** What the current batch brought in (not held before), and the objects held before that it reached. */
  #current = new Set<object>()
  #anchors = new Set<object>()
  /** Objects of finished batches kept for their pending changes. */
  readonly #kept = new Set<object>()

  constructor(changes: SessionChanges, tracker: EntityTracker) {
    this.#changes = changes
    this.#tracker = tracker
    this.#before = new WeakSet(changes.identityMap.entities())
  }

  batch(entities: readonly object[], state: QueryState): void {
    const all = new Set<object>()
    reached(entities, state.with, all)
    const current = new Set<object>()
    const anchors = new Set<object>()
    for (const entity of all) {
      const entityState = stateOf(entity)
      if (entityState?.session !== this.#tracker || entityState.status !== 'persistent') continue
      ;(this.#before.has(entity) ? anchors : current).add(entity)
    }
    const finished = this.#current
    this.#current = current
    this.#anchors = anchors
    this.#finish(finished)
  }

  end(): void {
    const finished = this.#current
    this.#current = new Set()
    this.#anchors = new Set()
    this.#finish(finished)
  }

  /** Lets go of the finished batch's objects (and earlier kept ones) that nothing keeps. */
  #finish(finished: Set<object>): void {
    // A running flush may be writing some of them: they are looked at again next time.
    if (this.#changes.flushing) {
      for (const entity of finished) if (!this.#current.has(entity)) this.#kept.add(entity)
      return
    }
    const candidates = new Set<object>()
    for (const entity of [...finished, ...this.#kept]) if (!this.#current.has(entity) && stateOf(entity)?.status === 'persistent') candidates.add(entity)
    this.#kept.clear()
    if (candidates.size === 0) return
    const pending = this.#pendingAmong(candidates)
    const stays = [...pending, ...this.#anchors, ...this.#current, ...this.#changes.pending, ...this.#changes.touched]
    const held = heldFrom(stays, candidates)
    const { identityMap } = this.#changes
    for (const entity of candidates) {
      if (pending.has(entity) || held.has(entity)) {
        this.#kept.add(entity)
        continue
      }
      const state = stateOf(entity)!
      if (identityMap.get(state.table, state.identityKey) === entity) identityMap.delete(state.table, state.identityKey)
      state.status = 'detached'
      state.refs = undefined
    }
  }

  /** The candidates with a pending change: a column, a deletion, a relation change, a link. */
  #pendingAmong(candidates: ReadonlySet<object>): Set<object> {
    const { deleted, touched, links } = this.#changes
    const pending = new Set<object>()
    for (const entity of candidates) {
      const state = stateOf(entity)!
      if (deleted.has(entity) || touched.has(entity) || state.written?.size || changed(entity)) pending.add(entity)
    }
    for (const link of links.values()) {
      if (candidates.has(link.source)) pending.add(link.source)
      if (candidates.has(link.target)) pending.add(link.target)
    }
    return pending
  }
}
