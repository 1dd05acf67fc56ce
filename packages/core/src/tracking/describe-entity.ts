/** Names an object in error messages: its table and primary key (`owners (id 3)`), or that it is new. */
import { stateOf } from './entity-state.js'

export function describeEntity(entity: object): string {
  const state = stateOf(entity)
  if (state === undefined) return 'an object that is not an entity'
  const { table } = state
  const values = table.primaryKey.map((column) => (entity as Record<string, unknown>)[column.property])
  if (state.status === 'pending' || state.status === 'transient' || values.some((v) => v === undefined || v === null)) return `a new ${table.key} object`
  return `${table.key} (${table.primaryKey.map((column, i) => `${column.property} ${String(values[i])}`).join(', ')})`
}
