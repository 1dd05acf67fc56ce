/** Puts loaded related objects into an entity's relation slot: an object or null, or a collection. */
import type { RelationModel } from '../schema/model.js'
import { stateOf } from '../session/entity-state.js'
import { RelationArray } from '../session/relation-array.js'
import type { LoadContext } from './load-context.js'

export function assignRelation(_ctx: LoadContext, entity: object, relation: RelationModel, targets: readonly object[]): void {
  const state = stateOf(entity)!
  const slot = state.slot(relation.name)
  slot.loaded = true
  slot.value = relation.toOne ? (targets[0] ?? null) : RelationArray.of_(entity, relation, targets)
}
