/** The objects a loaded relation holds, as a list a cascade can walk while the relation changes. */
import type { RelationModel } from '../../schema/model.js'
import { stateOf } from '../../tracking/entity-state.js'
import type { RelationArray } from '../../tracking/relation-array.js'

export function loadedMembers(entity: object, relation: RelationModel): object[] {
  const slot = stateOf(entity)!.relations?.[relation.name]
  if (!slot?.loaded || slot.value === null || slot.value === undefined) return []
  return relation.toOne ? [slot.value as object] : [...(slot.value as RelationArray)]
}
