/**
 * An entity as JSON (`toJSON()`, so `JSON.stringify(entity)` works): its columns, big integers as
 * decimal strings, and its loaded relations; an object already on the path is written as its key.
 */
import type { RelationModel, TableModel } from '../schema/model.js'
import { stateOf } from './entity-state.js'

/** A column value JSON can hold: a bigint as its decimal text (JSON numbers lose digits past 2^53); the rest as `JSON.stringify` writes it. */
function jsonValue(value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}

/** The loaded relations of an entity with their values (a new object's relations are all loaded, and empty unless set). */
export function loadedRelations(entity: object, table: TableModel): [RelationModel, unknown][] {
  const state = stateOf(entity)
  if (state === undefined) return []
  const loaded: [RelationModel, unknown][] = []
  for (const relation of table.relations.values()) {
    const slot = state.fresh ? state.slot(relation.name) : state.relations?.[relation.name]
    if (slot?.loaded) loaded.push([relation, slot.value])
  }
  return loaded
}

/** The primary key of an object already on the path: its value for a single column, an object of the columns for a composite key. */
function keyJson(entity: object, table: TableModel): unknown {
  const values = entity as Record<string, unknown>
  if (table.primaryKey.length === 1) return jsonValue(values[table.primaryKey[0]!.property])
  return Object.fromEntries(table.primaryKey.map((c) => [c.property, jsonValue(values[c.property])]))
}

/**
 * Plain data for `JSON.stringify`: columns (bigint as strings), then loaded relations (unloaded
 * ones are left out), recursively; an object already on the current path (a back-populated
 * relation leading back) is written as its primary key, so cycles end.
 *
 * @example
 * ```ts
 * entityJson(author, table)   // { id: 1, name: 'Ann', books: [{ id: 3, title: 'B', authorId: 1, author: 1 }] }
 * ```
 */
export function entityJson(entity: object, table: TableModel, path: Set<object> = new Set()): Record<string, unknown> {
  path.add(entity)
  const json: Record<string, unknown> = {}
  for (const key of Object.keys(entity)) json[key] = jsonValue((entity as Record<string, unknown>)[key])
  for (const [relation, value] of loadedRelations(entity, table)) {
    const target = relation.target
    const one = (item: object): unknown => (path.has(item) ? keyJson(item, target) : entityJson(item, stateOf(item)?.table ?? target, path))
    json[relation.name] = relation.toOne ? (value === null || value === undefined ? null : one(value as object)) : Array.from(value as object[], one)
  }
  path.delete(entity)
  return json
}
