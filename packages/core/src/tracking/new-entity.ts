/** A new object of a table, from the values `create()` or `build()` was given; every relation starts loaded and empty. */
import { RelataError } from '../errors.js'
import type { TableModel } from '../schema/model.js'
import { RelationArray } from './relation-array.js'
import { relationChanges } from './relation-changes.js'
import { checkValue } from '../values/write-values.js'
import { entityClassOf } from './entity-class.js'
import { attachState, EntityState, type EntityTracker, type RelationSlot } from './entity-state.js'

/**
 * The state of an object made by `create()` / `build()`: its relations start loaded and empty. The
 * slots are made on first use, so creating many objects stays cheap. (A subclass here, so that
 * entity-state.ts need not import the collections, which import it.)
 */
class NewEntityState extends EntityState {
  override fresh = true
  override owner: object | undefined = undefined

  protected override newSlot(name: string): RelationSlot {
    // An upserted object's row may exist with related rows (session.upsert() clears `fresh`).
    if (!this.fresh) return super.newSlot(name)
    const relation = this.table.relations.get(name)!
    return { loaded: true, value: relation.toOne ? null : RelationArray.of_(this.owner!, relation, []) }
  }
}

export function newEntity(table: TableModel, values: Record<string, unknown>, session: EntityTracker | undefined): object {
  if (typeof values !== 'object' || values === null) throw new RelataError(`create('${table.key}', ...): expects an object of values`)
  for (const property of Object.keys(values)) {
    if (!table.columnsByProperty.has(property) && !table.relations.has(property)) {
      throw new RelataError(
        `create('${table.key}', ...): '${property}' is neither a column nor a relation of '${table.key}' (columns: ${[...table.columnsByProperty.keys()].join(', ')})`,
      )
    }
  }
  const entity = new (entityClassOf(table))() as Record<string, unknown>
  for (const column of table.columns) {
    const value = values[column.property]
    if (value !== undefined) checkValue(table, column, value, session?.valueRules)
    entity[column.property] = value
  }
  const state = new NewEntityState(session, table, session ? 'pending' : 'transient', undefined, undefined)
  attachState(entity, state)
  for (const relation of table.relations.values()) {
    const value = values[relation.name]
    if (value === undefined) continue
    if (relation.toOne) relationChanges.assign(entity, state, relation, value)
    else relationChanges.change(entity, state, relation, 'add', value as unknown[])
  }
  return entity
}
