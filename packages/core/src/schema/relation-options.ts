/** Checks a relation's options against its kind: an option that means nothing for the kind is a `SchemaError`, never ignored. */
import { SchemaError } from '../errors.js'
import type { RelationOrderItem, TableModel } from './model.js'
import type { AnyRelationDef, RelationKind } from './relations.js'

const common = ['backPopulates', 'strategy', 'cascade', 'viewOnly', 'where']

/** The options each kind takes (what untyped code may pass beyond them is refused). */
const optionKeys: Readonly<Record<RelationKind, readonly string[]>> = {
  oneToMany: [...common, 'foreignKey', 'orderBy'],
  manyToOne: [...common, 'foreignKey', 'singleParent'],
  oneToOne: [...common, 'foreignKey'],
  manyToMany: [...common, 'via', 'sourceKey', 'targetKey', 'singleParent', 'orderBy'],
}

const cascadeKeys = ['save', 'delete', 'deleteOrphan', 'passive']

/** What the declaration alone can tell: unknown options, cascades the kind cannot honour. */
export function checkOptions(def: AnyRelationDef, where: string): void {
  const options = def.options as Record<string, unknown>
  const kind = def.kind
  for (const key of Object.keys(options)) {
    if (!optionKeys[kind].includes(key)) throw new SchemaError(`${where}: '${key}' is not an option of ${kind} (options: ${optionKeys[kind].join(', ')})`)
  }
  checkViewOnly(options, where)
  if (options.singleParent !== undefined && typeof options.singleParent !== 'boolean') {
    throw new SchemaError(`${where}: singleParent must be true or false`)
  }
  const cascade = options.cascade as Record<string, unknown> | undefined
  if (cascade === undefined) return
  if (typeof cascade !== 'object' || cascade === null) throw new SchemaError(`${where}: cascade must be an object (${cascadeKeys.join(', ')})`)
  for (const [key, value] of Object.entries(cascade)) {
    if (!cascadeKeys.includes(key)) throw new SchemaError(`${where}: cascade.${key} is not a cascade option (${cascadeKeys.join(', ')})`)
    if (typeof value !== 'boolean') throw new SchemaError(`${where}: cascade.${key} must be true or false`)
  }
  if (kind === 'manyToOne' && cascade.passive !== undefined) throw passiveOnOwner(where, kind)
  if ((kind === 'manyToOne' || kind === 'manyToMany') && cascade.deleteOrphan === true && options.singleParent !== true) {
    throw new SchemaError(`${where}: cascade.deleteOrphan on a ${kind} needs singleParent: true: an object is an orphan only when it can have one parent`)
  }
}

/** A collection's declared `orderBy`, checked against its target table: each item a column, or a column and 'asc' / 'desc'. */
export function relationOrder(order: unknown, target: TableModel, where: string, via?: TableModel): readonly RelationOrderItem[] {
  if (order === undefined) return []
  if (!Array.isArray(order)) throw new SchemaError(`${where}: orderBy must be an array of columns of '${target.key}', such as ['title'] or [['year', 'desc']]`)
  return Object.freeze(
    order.map((item: unknown) => {
      const [property, direction = 'asc'] = typeof item === 'string' ? [item] : Array.isArray(item) ? (item as unknown[]) : []
      // `via.position`: a column of a many-to-many's link table.
      const link = via !== undefined && typeof property === 'string' && property.startsWith('via.')
      const column = typeof property === 'string' ? (link ? via!.columnsByProperty.get(property.slice(4)) : target.columnsByProperty.get(property)) : undefined
      if (column === undefined && link) {
        throw new SchemaError(`${where}: orderBy names ${JSON.stringify(property)}, which is not a column of the link table '${via!.key}' (columns: ${[...via!.columnsByProperty.keys()].join(', ')})`)
      }
      if (column === undefined) {
        throw new SchemaError(`${where}: orderBy names ${JSON.stringify(property ?? item)}, which is not a column of '${target.key}' (columns: ${[...target.columnsByProperty.keys()].join(', ')})`)
      }
      if (direction !== 'asc' && direction !== 'desc') throw new SchemaError(`${where}: orderBy '${column.property}': direction must be 'asc' or 'desc', got ${String(direction)}`)
      return Object.freeze(link ? { column, direction, link: true as const } : { column, direction })
    }),
  )
}

/** What only the resolved join can tell: a one-to-one holding the key has no rows pointing at its owner. */
export function checkOwningOptions(def: AnyRelationDef, where: string): void {
  if (def.options.cascade?.passive !== undefined) throw passiveOnOwner(where, def.kind)
}

const passiveOnOwner = (where: string, kind: RelationKind) =>
  new SchemaError(`${where}: cascade.passive means nothing on a ${kind} that holds the foreign key: no rows point at its owner for ON DELETE to remove`)

/**
 * A filtered relation (`where`) holds some of the related rows only: written to, it would lose the
 * others silently, so it must be read-only (`viewOnly: true`, SQLAlchemy's `viewonly`). A read-only
 * relation takes no part in the unit of work: no `backPopulates`, no cascades.
 */
function checkViewOnly(options: Record<string, unknown>, where: string): void {
  const { viewOnly, where: condition } = options
  if (viewOnly !== undefined && typeof viewOnly !== 'boolean') throw new SchemaError(`${where}: viewOnly must be true or false`)
  if (condition !== undefined) {
    if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) throw new SchemaError(`${where}: where must be an object of column values`)
    if (viewOnly !== true) {
      throw new SchemaError(`${where}: a relation with a where condition holds some of the related rows only: declare it viewOnly: true (writing to it would lose the others)`)
    }
  }
  if (viewOnly !== true) return
  if (options.backPopulates !== undefined) throw new SchemaError(`${where}: a viewOnly relation takes no backPopulates (the unit of work ignores it; declare the writable pair without viewOnly)`)
  if (options.cascade !== undefined) throw new SchemaError(`${where}: a viewOnly relation takes no cascade (the unit of work ignores it)`)
  if (options.singleParent !== undefined) throw new SchemaError(`${where}: a viewOnly relation takes no singleParent (the unit of work ignores it)`)
}
