/**
 * One class per table: columns are own enumerable properties (plain data), relations are
 * accessors on the prototype that read the session's bookkeeping. `toJSON` (see `entity-json.ts`)
 * and Node's inspect include loaded relations and cut cycles.
 */
import type { TableModel } from '../schema/model.js'
import { RelataError } from '../errors.js'
import { describeEntity } from './describe-entity.js'
import { EntityBase, stateOf } from './entity-state.js'
import { isUnloaded } from './unloaded-columns.js'
import { entityJson, loadedRelations } from './entity-json.js'
import { readRelation, writeRelation } from './relation-access.js'

export type EntityConstructor = new () => object

const classes = new WeakMap<TableModel, EntityConstructor>()
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')
/** What `inspect` shows for an expired attribute, and for one the query did not load. */
const expiredMark = Object.freeze({ [inspectSymbol]: () => '[expired]' })
const unloadedMark = Object.freeze({ [inspectSymbol]: () => '[not loaded]' })

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
  // Named columns (`book.load('body')`) are read from the database when the object lacks them.
  if (!table.columnsByProperty.has('load') && !table.relations.has('load')) {
    Object.defineProperty(proto, 'load', {
      value(this: object, ...columns: unknown[]) {
        if (columns.length === 0) return Promise.resolve(this)
        const session = stateOf(this)?.session
        if (session?.loadColumns === undefined) {
          return Promise.reject(new RelataError(`${table.key}.load(${columns.map((c) => `'${String(c)}'`).join(', ')}): ${describeEntity(this)} is not in a session; read it with a query first`))
        }
        return session.loadColumns(this, columns)
      },
      enumerable: false,
    })
  }
  // Not enumerable: never a column to spread, compare or write.
  if (!table.columnsByProperty.has('toJSON') && !table.relations.has('toJSON')) {
    Object.defineProperty(proto, 'toJSON', {
      value(this: object) {
        return entityJson(this, table)
      },
      enumerable: false,
    })
  }
  Object.defineProperty(proto, inspectSymbol, {
    value(this: object, _depth: number, options: object, inspect: (value: unknown, options: object) => string) {
      return `${table.key} ${inspect(withLoadedRelations(this, table), options)}`
    },
    enumerable: false,
  })
  return ctor
}

/** Logging never throws: an expired attribute (an accessor until read again) shows as such. */
function withLoadedRelations(entity: object, table: TableModel): object {
  const view: Record<string, unknown> = {}
  for (const [property, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(entity))) {
    if (isUnloaded(descriptor)) view[property] = unloadedMark
    else if (descriptor.enumerable) view[property] = 'value' in descriptor ? descriptor.value : expiredMark
  }
  for (const [relation, value] of loadedRelations(entity, table)) view[relation.name] = value
  return view
}
