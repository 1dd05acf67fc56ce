/**
 * Cascades of a relation whose key lives in the other row (one-to-many, inverse one-to-one):
 * children are deleted with their parent or have their key unset; a child whose key was unset is
 * an orphan.
 */
import { RelataError } from '../../errors.js'
import type { ForeignKeyModel, RelationModel } from '../../schema/model.js'
import { isPartial, stateOf, type EntityState } from '../../tracking/entity-state.js'
import type { CascadeKind } from './cascade-run.js'
import { loadedMembers } from './members.js'

export const oneToMany: CascadeKind = {
  async ownerDeleted(run, owner, state, relation) {
    let slot = state.relations?.[relation.name]
    const switching = run.replaced(owner)
    const passive = relation.cascade.passive && !switching
    if (relation.cascade.delete) {
      // A pending owner's relations are all in memory; a persistent one's are read unless left to the database.
      // A collection loaded partially (filtered or limited) is read whole, as an unloaded one is.
      if ((!slot?.loaded || isPartial(slot)) && !passive && state.status !== 'pending') await run.source.load(owner, relation)
      for (const child of loadedMembers(owner, relation)) run.delete(child)
      return
    }
    // The one row that pointed here (single parent) is deleted or points elsewhere already.
    if (passive || run.released(owner, relation.foreignKey)) return
    // A partial collection is read whole: every child, not only the loaded ones, gives its key up.
    if ((switching && !slot?.loaded) || isPartial(slot)) {
      await run.source.load(owner, relation)
      slot = state.relations?.[relation.name]
    }
    if (slot?.loaded) {
      for (const child of loadedMembers(owner, relation)) {
        if (run.source.deleted.has(child)) continue
        if (relation.foreignKey.columns.some((c) => !c.config.nullable)) {
          throw new RelataError(
            `Cannot delete ${state.table.key} without its ${relation.name}: ${relation.target.sqlName}.${relation.foreignKey.columns.map((c) => c.sqlName).join(', ')} ` +
              `is NOT NULL; delete the children first or declare cascade: { delete: true } on ${state.table.key}.${relation.name}`,
          )
        }
        const childState = stateOf(child)!
        ;(childState.refs ??= new Map()).set(relation.foreignKey, null)
      }
    } else if (state.status !== 'pending' && relation.foreignKey.columns.every((c) => c.config.nullable)) {
      run.nullKey(relation.foreignKey, owner)
    }
  },
}

/**
 * Whether a row whose `key` was unset (removed from its parent's collection) is an orphan to
 * delete: when a relation on that key deletes orphans. A NOT NULL key that no such relation
 * covers is refused before any SQL.
 */
export function isOrphanOf(state: EntityState, key: ForeignKeyModel): boolean {
  const parents = parentRelations(key)
  if (parents.some((r) => r.cascade.deleteOrphan)) return true
  const notNull = key.columns.filter((c) => !c.config.nullable)
  if (notNull.length > 0) {
    const via = parents[0] ? `${parents[0].source.key}.${parents[0].name}` : key.references.key
    throw new RelataError(
      `A ${state.table.key} object was removed from ${via}, but ${state.table.sqlName}.${notNull.map((c) => c.sqlName).join(', ')} is NOT NULL: ` +
        `give it another parent, delete it, or declare cascade: { deleteOrphan: true } on ${via}`,
    )
  }
  return false
}

const parentsByKey = new WeakMap<ForeignKeyModel, readonly RelationModel[]>()

/** The relations of the referenced table that reach their children through `key`. */
function parentRelations(key: ForeignKeyModel): readonly RelationModel[] {
  let parents = parentsByKey.get(key)
  if (parents === undefined) {
    parents = [...key.references.relations.values()].filter((r) => r.foreignKey === key && !r.owning && r.association === undefined && !r.viewOnly)
    parentsByKey.set(key, parents)
  }
  return parents
}
