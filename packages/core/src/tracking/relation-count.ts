/** `collection.count()` of a collection not loaded whole: the session that holds the object counts its rows. */
import { RelataError } from '../errors.js'
import type { RelationModel } from '../schema/model.js'
import { describeEntity } from './describe-entity.js'
import type { EntityState } from './entity-state.js'

export function countRelation(entity: object, state: EntityState, relation: RelationModel): Promise<number> {
  if (state.session?.countRelation !== undefined) return state.session.countRelation(entity, relation)
  const reason =
    state.status === 'detached'
      ? `is detached (the result of an untracked query): name ${relation.name} in the query's .with() or withCount() to count it`
      : `does not belong to a session: add it to one to count ${relation.name}`
  return Promise.reject(new RelataError(`${relation.source.key}.${relation.name}.count(): ${describeEntity(entity)} ${reason}`))
}
