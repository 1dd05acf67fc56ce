/**
 * The deletions of a flush: objects the user deleted, then what each relation's cascade reaches
 * from them, then orphans (and what their cascades reach), level by level until nothing is left.
 * Each relation kind decides its own part (`one-to-many.ts`, `many-to-one.ts`, `many-to-many.ts`).
 */
import type { ForeignKeyModel, RelationModel } from '../../schema/model.js'
import { stateOf } from '../../tracking/entity-state.js'
import type { CascadeKind, CascadeRun, CascadeSource } from './cascade-run.js'
import { checkSingleParentLinks, linkOrphans, manyToMany } from './many-to-many.js'
import { checkSingleParents, formerTarget, manyToOne, mayOrphan, orphanDeleting } from './many-to-one.js'
import { isOrphanOf, oneToMany } from './one-to-many.js'

/** Keys to unset, or link rows to delete, for a list of parents in one statement. */
export interface KeyStatement {
  readonly key: ForeignKeyModel
  readonly parents: readonly object[]
}

export interface Deletions {
  readonly entities: Set<object>
  readonly nullings: KeyStatement[]
  readonly linkPurges: KeyStatement[]
}

/** The cascade of each relation: a one-to-one follows the side that holds its key. */
function kindOf(relation: RelationModel): CascadeKind {
  if (relation.association !== undefined) return manyToMany
  return relation.owning ? manyToOne : oneToMany
}

class Run implements CascadeRun {
  readonly entities = new Set<object>()
  readonly #queue: object[] = []
  readonly #nullings = new Map<ForeignKeyModel, Set<object>>()
  readonly #purges = new Map<ForeignKeyModel, Set<object>>()
  readonly #released = new Map<object, ForeignKeyModel>()

  constructor(
    readonly source: CascadeSource,
    readonly replaced: (entity: object) => boolean,
  ) {}

  delete(entity: object, via?: ForeignKeyModel): void {
    if (via !== undefined) this.#released.set(entity, via)
    if (!this.entities.has(entity)) this.#queue.push(entity)
  }

  released(entity: object, key: ForeignKeyModel): boolean {
    return this.#released.get(entity) === key
  }

  nullKey(key: ForeignKeyModel, parent: object): void {
    add(this.#nullings, key, parent)
  }

  purgeLinks(key: ForeignKeyModel, entity: object): void {
    const status = stateOf(entity)!.status
    if (status === 'persistent' || status === 'deleted') add(this.#purges, key, entity)
  }

  /** Deletes what is queued and, through each relation's cascade, what that reaches; false when nothing was queued. */
  async drain(): Promise<boolean> {
    if (this.#queue.length === 0) return false
    // Read by index: shift() would copy the rest of a long queue (tens of thousands of children) each time.
    for (let next = 0; next < this.#queue.length; next++) {
      const entity = this.#queue[next]!
      if (this.entities.has(entity)) continue
      this.entities.add(entity)
      const state = stateOf(entity)!
      for (const relation of state.table.relations.values()) {
        // A read-only relation neither deletes nor unlinks what it holds: the relation it views does.
        if (!relation.viewOnly) await kindOf(relation).ownerDeleted(this, entity, state, relation)
      }
    }
    this.#queue.length = 0
    return true
  }

  result(): Deletions {
    const toList = (map: Map<ForeignKeyModel, Set<object>>) => [...map].map(([key, parents]) => ({ key, parents: [...parents] }))
    return { entities: this.entities, nullings: toList(this.#nullings), linkPurges: toList(this.#purges) }
  }
}

function add(map: Map<ForeignKeyModel, Set<object>>, key: ForeignKeyModel, value: object): void {
  const set = map.get(key)
  if (set === undefined) map.set(key, new Set([value]))
  else set.add(value)
}

/**
 * What a flush deletes: the user's deletions and everything their cascades and the orphans they
 * leave reach, checked for single parents. `replaced`: rows a new object takes over (row switch).
 */
export async function cascadeDeletes(source: CascadeSource, replaced: (entity: object) => boolean = () => false): Promise<Deletions> {
  const run = new Run(source, replaced)
  for (const entity of source.deleted) run.delete(entity)
  await run.drain()
  const links = [...source.links]
  checkSingleParentLinks(links)
  let first = true
  for (;;) {
    const changed = changedRows(source, run.entities)
    if (first) checkSingleParents(source, changed, run.entities)
    first = false
    await keyOrphans(run, changed)
    linkOrphans(run, links)
    if (!(await run.drain())) return run.result()
  }
}

/** Rows of the session whose keys a relation change set, not deleted. */
function changedRows(source: CascadeSource, deleted: ReadonlySet<object>): object[] {
  const rows: object[] = []
  for (const entity of source.pending) if (stateOf(entity)!.refs !== undefined && !deleted.has(entity)) rows.push(entity)
  for (const entity of source.persistent()) if (stateOf(entity)!.refs !== undefined && !deleted.has(entity)) rows.push(entity)
  return rows
}

/**
 * Orphans through foreign keys: a row removed from a parent whose relation deletes orphans
 * (one-to-many, inverse one-to-one), and the object a row pointed at before its many-to-one or
 * one-to-one that deletes orphans was set to another object or null, unless another row now
 * points at it.
 */
async function keyOrphans(run: CascadeRun, changed: readonly object[]): Promise<void> {
  const found = new Set<object>()
  const former: [object, ForeignKeyModel][] = []
  const claimed = new Set<object>()
  for (const entity of changed) {
    const state = stateOf(entity)!
    for (const [key, target] of state.refs!) {
      if (target === null && !found.has(entity) && isOrphanOf(state, key)) found.add(entity)
      if (orphanDeleting(key).length === 0) continue
      if (target !== null) claimed.add(target)
      if (!mayOrphan(state, key)) continue
      const previous = await formerTarget(run.source, state, key, target)
      if (previous !== undefined) former.push([previous, key])
    }
  }
  for (const entity of found) run.delete(entity)
  for (const [entity, key] of former) if (!claimed.has(entity) && !run.entities.has(entity)) run.delete(entity, key)
}
