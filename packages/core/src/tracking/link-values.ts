/**
 * The link row's own columns (`bookAuthor.role`) per pair of linked objects, as last read or set,
 * and `collection.linkOf(item)`: a view of them whose assignments the next flush writes.
 */
import { RelataError } from '../errors.js'
import type { AssociationModel, ColumnModel, RelationModel, TableModel } from '../schema/model.js'
import { checkValue } from '../values/write-values.js'
import { describeEntity } from './describe-entity.js'
import { stateOf } from './entity-state.js'

type Values = Record<string, unknown>

/** Per first end of a link (the end whose foreign key comes first in the link table): per link table, per second end, the values. */
const store = new WeakMap<object, Map<TableModel, Map<object, Values>>>()

const ownColumnCache = new WeakMap<AssociationModel, readonly ColumnModel[]>()

/** The link table's columns that are not keys of either end: what `add(item, values)` and `linkOf()` set and read. */
export function ownColumns(association: AssociationModel): readonly ColumnModel[] {
  let own = ownColumnCache.get(association)
  if (own === undefined) {
    const keys = new Set([...association.sourceKey.columns, ...association.targetKey.columns])
    own = Object.freeze(association.table.columns.filter((c) => !keys.has(c)))
    ownColumnCache.set(association, own)
  }
  return own
}

/** Whether the link table has columns besides the keys: only then are link values kept (none: no cost per link). */
export const hasOwnColumns = (association: AssociationModel): boolean => ownColumns(association).length > 0

/** Both directions of one link share an entry: the end of the link table's first foreign key comes first. */
function ends(association: AssociationModel, source: object, target: object): [object, object] {
  const keys = association.table.foreignKeys
  return keys.indexOf(association.sourceKey) <= keys.indexOf(association.targetKey) ? [source, target] : [target, source]
}

function entry(association: AssociationModel, source: object, target: object, create: boolean): [Map<object, Values> | undefined, object] {
  const [first, second] = ends(association, source, target)
  let tables = store.get(first)
  if (tables === undefined) {
    if (!create) return [undefined, second]
    store.set(first, (tables = new Map()))
  }
  let bySecond = tables.get(association.table)
  if (bySecond === undefined && create) tables.set(association.table, (bySecond = new Map()))
  return [bySecond, second]
}

/** The values known for the link between `source` and `target` (undefined: none read or set). */
export function linkValuesOf(association: AssociationModel, source: object, target: object): Values | undefined {
  const [bySecond, second] = entry(association, source, target, false)
  return bySecond?.get(second)
}

/** The values of a link row as read from the database: they replace what was known. */
export function readLinkValues(association: AssociationModel, source: object, target: object, values: Values): void {
  const [bySecond, second] = entry(association, source, target, true)
  bySecond!.set(second, values)
}

/** A new link (`add(item, values)`): the values given, all that the insert writes (see `unsetValue` for the others). */
export function newLinkValues(association: AssociationModel, source: object, target: object, given: Values | undefined): void {
  readLinkValues(association, source, target, { ...given })
}

/** A column a new link was not given: its declared default value, or null where it is nullable without a default; a SQL default is not known. */
const unknown = Symbol('unknown')
function unsetValue(column: ColumnModel): unknown {
  if (column.config.default?.kind === 'value') return column.config.default.value
  if (column.config.nullable && column.config.default === undefined && !column.config.generated) return null
  return unknown
}

/** Values set on an existing link: merged into what is known. */
export function changeLinkValues(association: AssociationModel, source: object, target: object, given: Values): void {
  const [bySecond, second] = entry(association, source, target, true)
  bySecond!.set(second, { ...bySecond!.get(second), ...given })
}

/** The link table's columns a new link must be given: NOT NULL and without any default. */
export function requiredLinkColumns(association: AssociationModel): readonly ColumnModel[] {
  let required = requiredCache.get(association)
  if (required === undefined) {
    required = Object.freeze(ownColumns(association).filter((c) => !c.config.nullable && c.config.default === undefined && !c.config.generated))
    requiredCache.set(association, required)
  }
  return required
}

const requiredCache = new WeakMap<AssociationModel, readonly ColumnModel[]>()

const label = (relation: RelationModel) => `${relation.source.key}.${relation.name}`

/**
 * `owner.relation.linkOf(item)`: the link row's own columns as properties; reading one gives its
 * value, assigning one checks it and records an update of the link row for the next flush
 * (SQLAlchemy's association proxy over the association object).
 */
export function linkView(owner: object, relation: RelationModel, members: readonly object[], item: unknown): Values {
  const association = relation.association
  if (association === undefined) {
    throw new RelataError(`${label(relation)}.linkOf(): only a many-to-many collection has link rows ('${relation.name}' is a ${relation.kind})`)
  }
  if (typeof item !== 'object' || item === null || !members.includes(item)) {
    const what = typeof item === 'object' && item !== null && stateOf(item) !== undefined ? describeEntity(item) : String(item)
    throw new RelataError(`${label(relation)}.linkOf(): ${what} is not linked to ${describeEntity(owner)} (add it first: ${relation.name}.add(item, values))`)
  }
  const table = association.table
  const view: Values = {}
  for (const column of ownColumns(association)) {
    Object.defineProperty(view, column.property, {
      enumerable: true,
      get: () => {
        const values = linkValuesOf(association, owner, item)
        // A link read from the database has every column; a new one has those it was given.
        const value = values === undefined ? unknown : Object.hasOwn(values, column.property) ? values[column.property] : unsetValue(column)
        if (value === unknown) {
          throw new RelataError(
            `${label(relation)}.linkOf(${describeEntity(item)}).${column.property}: the value of ${table.key}.${column.property} is not known ` +
              `(the collection was loaded with the join strategy, or the database filled it): load the collection with selectIn, or again after the flush`,
          )
        }
        return value
      },
      set: (value: unknown) => {
        checkValue(table, column, value)
        changeLinkValues(association, owner, item, { [column.property]: value })
        stateOf(owner)?.session?.recordLink(relation, owner, item, 'update', { [column.property]: value })
      },
    })
  }
  return Object.preventExtensions(view)
}
