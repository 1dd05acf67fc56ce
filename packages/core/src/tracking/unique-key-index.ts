/** Finds an object of the identity map by a foreign key that references unique columns other than its table's primary key. */
import type { ForeignKeyModel } from '../schema/model.js'
import { stateOf } from './entity-state.js'
import { keyOfValues, type IdentityMap } from './identity-map.js'

interface UniqueKeyIndex {
  /** The number of entries of the referenced table when the index was built: a load or a delete rebuilds it. */
  readonly size: number
  readonly byValues: Map<unknown, object>
}

const indexes = new WeakMap<IdentityMap, Map<ForeignKeyModel, UniqueKeyIndex>>()

/** The referenced columns' values of a row as the database has them (its snapshot), or as the object holds them. */
function referencedValues(entity: object, key: ForeignKeyModel): unknown[] {
  const state = stateOf(entity)!
  const columns = key.references.columns
  return key.referencedColumns.map((c) => (state.snapshot !== undefined ? state.snapshot[columns.indexOf(c)] : (entity as Record<string, unknown>)[c.property]))
}

function build(identityMap: IdentityMap, key: ForeignKeyModel): UniqueKeyIndex {
  const entries = identityMap.tableEntries(key.references)
  const byValues = new Map<unknown, object>()
  for (const entity of entries.values()) byValues.set(keyOfValues(referencedValues(entity, key)), entity)
  return { size: entries.size, byValues }
}

/**
 * The object whose referenced columns hold `values`. Indexed per session and key; a hit is checked
 * against the object's values, a miss rebuilds the index (the values may have changed in a flush).
 */
export function findByUniqueKey(identityMap: IdentityMap, key: ForeignKeyModel, values: readonly unknown[]): object | undefined {
  let perKey = indexes.get(identityMap)
  if (perKey === undefined) indexes.set(identityMap, (perKey = new Map()))
  const wanted = keyOfValues(values)
  const index = perKey.get(key)
  if (index !== undefined && index.size === identityMap.tableEntries(key.references).size) {
    const found = index.byValues.get(wanted)
    if (found !== undefined && keyOfValues(referencedValues(found, key)) === wanted) return found
  }
  const fresh = build(identityMap, key)
  perKey.set(key, fresh)
  return fresh.byValues.get(wanted)
}
