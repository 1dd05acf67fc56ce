/**
 * Cascades of a relation whose key lives in its own row (many-to-one, the one-to-one that holds
 * the key): deleting the row deletes the object it points at when the relation cascades deletes,
 * and the object it pointed at before a change is an orphan when it deletes orphans (which needs
 * a single parent, checked here).
 */
import { RelataError } from '../../errors.js'
import type { ForeignKeyModel, RelationModel, TableModel } from '../../schema/model.js'
import { stateOf, type EntityState } from '../../tracking/entity-state.js'
import { restoredValue, snapshotKind } from '../../values/snapshots.js'
import { tupleKey } from '../../tracking/identity-map.js'
import type { CascadeKind, CascadeSource } from './cascade-run.js'

export const manyToOne: CascadeKind = {
  async ownerDeleted(run, owner, state, relation) {
    if (!relation.cascade.delete) return
    const target = await currentTarget(run.source, owner, state, relation)
    if (target) run.delete(target, relation.singleParent ? relation.foreignKey : undefined)
  },
}

/** What `owner.relation` points at now: its pending change, its loaded value, or the row its key names. */
async function currentTarget(source: CascadeSource, owner: object, state: EntityState, relation: RelationModel): Promise<object | null | undefined> {
  const ref = state.refs?.get(relation.foreignKey)
  if (ref !== undefined) return ref
  const slot = state.relations?.[relation.name]
  if (slot?.loaded) return slot.value as object | null
  const values = relation.foreignKey.columns.map((c) => (owner as Record<string, unknown>)[c.property])
  if (values.some((v) => v === null || v === undefined)) return null
  return source.fetch(relation.foreignKey, values)
}

const orphanRelations = new WeakMap<ForeignKeyModel, readonly RelationModel[]>()

/** The relations holding `key` that delete the object they let go of. */
export function orphanDeleting(key: ForeignKeyModel): readonly RelationModel[] {
  let relations = orphanRelations.get(key)
  if (relations === undefined) {
    relations = [...key.table.relations.values()].filter((r) => r.owning && r.foreignKey === key && r.cascade.deleteOrphan)
    orphanRelations.set(key, relations)
  }
  return relations
}

/** Whether a change of `key` on this row can leave an orphan: a persistent row, and a relation on the key that deletes orphans. */
export function mayOrphan(state: EntityState, key: ForeignKeyModel): boolean {
  return state.status === 'persistent' && state.snapshot !== undefined && orphanDeleting(key).length > 0
}

/** The object a persistent row's `key` pointed at when last flushed (see `mayOrphan`), when `key` now points elsewhere. */
export async function formerTarget(source: CascadeSource, state: EntityState, key: ForeignKeyModel, now: object | null): Promise<object | undefined> {
  const columns = state.table.columns
  const values = key.columns.map((c) => restoredValue(snapshotKind(c), state.snapshot![columns.indexOf(c)]))
  if (values.some((v) => v === null || v === undefined)) return undefined
  const former = await source.fetch(key, values)
  return former === now ? undefined : former
}

const singleParentKeys = new WeakMap<TableModel, readonly ForeignKeyModel[]>()

function singleParentKeysOf(table: TableModel): readonly ForeignKeyModel[] {
  let keys = singleParentKeys.get(table)
  if (keys === undefined) {
    keys = [...table.relations.values()].filter((r) => r.owning && r.singleParent).map((r) => r.foreignKey)
    singleParentKeys.set(table, keys)
  }
  return keys
}

/**
 * A single-parent relation (`singleParent`, every one-to-one) may point at an object from one
 * row at most: two rows of the session pointing at the same object through it fail the flush
 * before any SQL (SQLAlchemy refuses the assignment itself). `changed` are the rows with key
 * changes; rows without look only if one of those claims an object.
 */
export function checkSingleParents(source: CascadeSource, changed: readonly object[], deleted: ReadonlySet<object>): void {
  // Per key: each object pointed at, and the row pointing at it (one object may have a parent through each key).
  const claims = new Map<ForeignKeyModel, Map<object, object>>()
  const claimsOf = (key: ForeignKeyModel) => {
    let map = claims.get(key)
    if (map === undefined) claims.set(key, (map = new Map()))
    return map
  }
  // Persistent targets claimed through each key, by the values of the columns the key references.
  const byKey = new Map<ForeignKeyModel, Map<string, object>>()
  for (const entity of changed) {
    const state = stateOf(entity)!
    for (const key of singleParentKeysOf(state.table)) {
      const target = state.refs!.get(key)
      if (!target) continue
      const other = claimsOf(key).get(target)
      if (other !== undefined && other !== entity) throw twoParents(key, target)
      claimsOf(key).set(target, entity)
      if (stateOf(target)!.status !== 'persistent') continue
      let targets = byKey.get(key)
      if (targets === undefined) byKey.set(key, (targets = new Map()))
      targets.set(tupleKey(key.referencedColumns.map((c) => (target as Record<string, unknown>)[c.property])), target)
    }
  }
  if (byKey.size === 0) return
  // Rows whose key did not change still point where their snapshot says.
  for (const entity of source.persistent()) {
    const state = stateOf(entity)!
    if (deleted.has(entity) || state.snapshot === undefined) continue
    for (const key of singleParentKeysOf(state.table)) {
      const targets = byKey.get(key)
      if (targets === undefined || state.refs?.has(key)) continue
      const target = targets.get(tupleKey(key.columns.map((c) => restoredValue(snapshotKind(c), state.snapshot![state.table.columns.indexOf(c)]))))
      if (target !== undefined && claimsOf(key).get(target) !== entity) throw twoParents(key, target)
    }
  }
}

function twoParents(key: ForeignKeyModel, target: object): RelataError {
  const relation = [...key.table.relations.values()].find((r) => r.owning && r.foreignKey === key && r.singleParent)!
  return new RelataError(
    `${key.table.key}.${relation.name} allows a single parent: this ${stateOf(target)!.table.key} object would belong to two ${key.table.key} objects; ` +
      `set ${relation.name} of the other to null (or to another object) first`,
  )
}
