/** Puts loaded related objects into an entity's relation slot: an object or null, or a collection. */
import type { RelationModel } from '../schema/model.js'
import { isPartial, stateOf } from '../tracking/entity-state.js'
import { RelationArray } from '../tracking/relation-array.js'
import { relationChanges } from '../tracking/relation-changes.js'
import { reloadRelation } from '../tracking/relation-reload.js'
import type { LoadContext } from './load-context.js'

/**
 * A relation already loaded in this session keeps its value, as SQLAlchemy's loaders do: it may
 * hold changes not yet flushed. A collection loading for the first time takes the changes made
 * to it while it was not loaded. A collection loaded partially (`partial`: a filtered or limited
 * load) is read again by every load, in place (the same array), with the changes made to it since.
 * A query with `populateExisting` replaces a whole collection or to-one (their unflushed changes
 * dropped, see `reloadRelation`); a partial load under it reads the subset anew and keeps the
 * changes, as any partial load does.
 */
export function assignRelation(ctx: LoadContext, entity: object, relation: RelationModel, targets: readonly object[], partial = false): void {
  const state = stateOf(entity)!
  if (ctx.populate && state.status === 'persistent') {
    if (!partial) return reloadRelation(entity, relation, targets)
    // A subset cannot replace a whole collection: it is loaded as a partial one, with its changes.
    const whole = state.slot(relation.name)
    if (whole.loaded && !isPartial(whole)) {
      whole.loaded = false
      whole.value = undefined
    }
  }
  const slot = state.slot(relation.name)
  if (slot.loaded) {
    if (!isPartial(slot)) return
    const array = slot.value as RelationArray
    array.length = 0
    for (let i = 0; i < targets.length; i++) Array.prototype.push.call(array, targets[i]!)
    slot.partial = partial
    relationChanges.mergeUnloaded(entity, state, relation)
    return
  }
  slot.loaded = true
  slot.partial = partial && !relation.toOne
  slot.value = relation.toOne ? (targets[0] ?? null) : RelationArray.of_(entity, relation, targets)
  if (slot.added !== undefined || slot.removed !== undefined) relationChanges.mergeUnloaded(entity, state, relation)
}
