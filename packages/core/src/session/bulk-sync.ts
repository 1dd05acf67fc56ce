/** After a bulk UPDATE or DELETE: the loaded relations of the session's objects follow the rows it changed (foreign keys moved, rows gone). */
import type { ColumnModel, RelationModel, TableModel } from '../schema/model.js'
import { stateOf, type RelationSlot } from '../tracking/entity-state.js'
import { keyOfValues, type IdentityMap } from '../tracking/identity-map.js'
import type { RelationArray } from '../tracking/relation-array.js'
import { gather, removeGathered, type Removals } from '../tracking/relation-changes.js'

type Values = Record<string, unknown>

const valuesOf = (entity: object, columns: readonly ColumnModel[]): unknown => keyOfValues(columns.map((c) => (entity as Values)[c.property]))

const membersOf = (relation: RelationModel, slot: RelationSlot): object[] =>
  relation.toOne ? (slot.value === null || slot.value === undefined ? [] : [slot.value as object]) : [...(slot.value as RelationArray)]

function unload(slot: RelationSlot): void {
  slot.loaded = false
  slot.value = undefined
}

/** The relations of the schema that hold rows of `table` from another object's side, without a link table: one-to-many and inverse one-to-one. */
function* holdingRelations(tables: Iterable<TableModel>, table: TableModel): Generator<RelationModel> {
  for (const source of tables) {
    for (const relation of source.relations.values()) if (relation.target === table && !relation.owning && relation.association === undefined) yield relation
  }
}

/**
 * Objects whose foreign-key `columns` a bulk UPDATE changed: their own to-one relations over those
 * keys unload (read again on next use); a loaded collection of their old parent lets them go, and
 * one of their new parent unloads, to be read again with them.
 *
 * @example
 * ```ts
 * moveBetweenParents(schema.tables.values(), identityMap, tracks, updatedTracks, [albumIdColumn])
 * ```
 */
export function moveBetweenParents(tables: Iterable<TableModel>, identityMap: IdentityMap, table: TableModel, entities: readonly object[], columns: readonly ColumnModel[]): void {
  const changes = (keyColumns: readonly ColumnModel[]) => keyColumns.some((c) => columns.includes(c))
  for (const relation of table.relations.values()) {
    if (!relation.owning || relation.association !== undefined || !changes(relation.sourceColumns)) continue
    for (const entity of entities) {
      const slot = stateOf(entity)!.relations?.[relation.name]
      if (slot?.loaded) unload(slot)
    }
  }
  const moved = new Set(entities)
  const removals: Removals = new Map()
  for (const relation of holdingRelations(tables, table)) {
    if (!changes(relation.targetColumns)) continue
    for (const holder of identityMap.tableEntries(relation.source).values()) {
      const slot = stateOf(holder)!.relations?.[relation.name]
      if (!slot?.loaded) continue
      const key = valuesOf(holder, relation.sourceColumns)
      const members = membersOf(relation, slot)
      for (const member of members) {
        if (!moved.has(member) || valuesOf(member, relation.targetColumns) === key) continue
        if (relation.toOne) slot.value = null
        else gather(removals, slot.value as RelationArray, member)
      }
      if (entities.some((entity) => !members.includes(entity) && valuesOf(entity, relation.targetColumns) === key)) unload(slot)
    }
  }
  removeGathered(removals)
}

/**
 * Objects whose rows a bulk DELETE removed leave every loaded relation of the session's other
 * objects: collections let them go; a to-one that held one unloads (the database set its key to
 * NULL, deleted its row, or refused: it is read again on next use).
 *
 * @example
 * ```ts
 * dropDeleted(schema.tables.values(), identityMap, deletedTracks)
 * ```
 */
export function dropDeleted(tables: Iterable<TableModel>, identityMap: IdentityMap, entities: readonly object[]): void {
  if (entities.length === 0) return
  const gone = new Set(entities)
  const goneTables = new Set(entities.map((entity) => stateOf(entity)!.table))
  const removals: Removals = new Map()
  for (const source of tables) {
    for (const relation of source.relations.values()) {
      if (!goneTables.has(relation.target)) continue
      for (const holder of identityMap.tableEntries(source).values()) {
        if (gone.has(holder)) continue
        const slot = stateOf(holder)!.relations?.[relation.name]
        if (!slot?.loaded) continue
        if (relation.toOne) {
          if (slot.value !== null && gone.has(slot.value as object)) unload(slot)
          continue
        }
        for (const member of slot.value as RelationArray) if (gone.has(member)) gather(removals, slot.value as RelationArray, member)
      }
    }
  }
  removeGathered(removals)
}
