/**
 * One class per table: columns are own enumerable properties (plain data), relations are
 * accessors on the prototype that read the session's bookkeeping. `toJSON` and Node's inspect
 * include loaded relations and cut cycles.
 */
import type { RelationModel, TableModel } from '../schema/model.js'
import { EntityBase, stateOf } from './entity-state.js'
import { readRelation, writeRelation } from './relation-access.js'

export type EntityConstructor = new () => object

const classes = new WeakMap<TableModel, EntityConstructor>()
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/** The entity class of a table, built once per table model. */
export function entityClassOf(table: TableModel): EntityConstructor {
  let ctor = classes.get(table)
  if (ctor === undefined) {
    ctor = buildClass(table)
    classes.set(table, ctor)
  }
  return ctor
}

function buildClass(table: TableModel): EntityConstructor {
  // A named class, so that logs read `authors { id: 1, ... }`.
  const ctor = { [table.key]: class extends EntityBase {} }[table.key]!
  const proto = ctor.prototype as unknown as Record<PropertyKey, unknown>
  for (const relation of table.relations.values()) {
    Object.defineProperty(proto, relation.name, {
      get(this: object) {
        return readRelation(this, relation)
      },
      set(this: object, value: unknown) {
        writeRelation(this, relation, value)
      },
      enumerable: false,
      configurable: false,
    })
  }
  // A loaded to-one reads as the object itself, so `book.author.load()` may reach the object:
  // loading what is loaded resolves to it (unless the table uses the name `load` itself).
  if (!table.columnsByProperty.has('load') && !table.relations.has('load')) {
    Object.defineProperty(proto, 'load', {
      value(this: object) {
        return Promise.resolve(this)
      },
      enumerable: false,
    })
  }
  Object.defineProperty(proto, 'toJSON', {
    value(this: object) {
      return toPlain(this, table, new Set())
    },
    enumerable: false,
  })
  Object.defineProperty(proto, inspectSymbol, {
    value(this: object, _depth: number, options: object, inspect: (value: unknown, options: object) => string) {
      return `${table.key} ${inspect(withLoadedRelations(this, table), options)}`
    },
    enumerable: false,
  })
  return ctor
}

function loadedRelations(entity: object, table: TableModel): [RelationModel, unknown][] {
  const state = stateOf(entity)
  if (state === undefined) return []
  const loaded: [RelationModel, unknown][] = []
  for (const relation of table.relations.values()) {
    const slot = state.fresh ? state.slot(relation.name) : state.relations?.[relation.name]
    if (slot?.loaded) loaded.push([relation, slot.value])
  }
  return loaded
}

function withLoadedRelations(entity: object, table: TableModel): object {
  const view: Record<string, unknown> = { ...entity }
  for (const [relation, value] of loadedRelations(entity, table)) view[relation.name] = value
  return view
}

/** Columns plus loaded relations as plain data; an object already on the path is left out, so cycles end. */
function toPlain(entity: object, table: TableModel, path: Set<object>): Record<string, unknown> {
  path.add(entity)
  const plain: Record<string, unknown> = { ...entity }
  for (const [relation, value] of loadedRelations(entity, table)) {
    if (relation.toOne) {
      if (value === null) plain[relation.name] = null
      else if (!path.has(value as object)) plain[relation.name] = toPlain(value as object, relation.target, path)
    } else {
      const items: Record<string, unknown>[] = []
      for (const item of value as object[]) if (!path.has(item)) items.push(toPlain(item, relation.target, path))
      plain[relation.name] = items
    }
  }
  path.delete(entity)
  return plain
}
