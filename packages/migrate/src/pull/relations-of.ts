/** Relations inferred from a shape's foreign keys: a pure link table becomes a many-to-many on both sides, a unique key a one-to-one on both, every other key a many-to-one and its one-to-many, each naming the other in `backPopulates`. */
import type { ForeignKeyShape, SchemaShape, TableShape } from '../shape/schema-shape.js'
import { camelCase, keyColumnBase, plural } from './source-text.js'

/** One relation as `defineSchema()`'s callback declares it. */
export interface PulledRelation {
  readonly name: string
  readonly kind: 'manyToOne' | 'oneToMany' | 'oneToOne' | 'manyToMany'
  /** The target's key in the schema. */
  readonly target: string
  readonly backPopulates: string
  readonly via?: string
  /** Property names of the key columns, written when the tables hold more than one key between them. */
  readonly foreignKey?: readonly string[]
  readonly sourceKey?: readonly string[]
  readonly targetKey?: readonly string[]
}

/** What relation inference needs of the tables: their key in the schema and their columns' property names. */
export interface PulledTableNames {
  readonly key: string
  readonly properties: ReadonlyMap<string, string>
}

const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((c) => b.includes(c))

/**
 * A link table: two foreign keys whose columns are its whole primary key and all its columns.
 *
 * @example
 * ```ts
 * isLinkTable(shape.tables['playlist_track']!)   // true
 * ```
 */
export function isLinkTable(table: TableShape): boolean {
  if (table.foreignKeys.length !== 2 || table.primaryKey === null) return false
  const keyColumns = table.foreignKeys.flatMap((k) => k.columns)
  return same(keyColumns, table.primaryKey.columns) && same(keyColumns, table.columns.map((c) => c.name)) && new Set(keyColumns).size === keyColumns.length
}

/**
 * The relations of every table, by table key. Names: a many-to-one after its column without `_id`
 * (`artist_id`, `ArtistId` → `artist`; `reports_to` → `reportsTo`), after its target for a composite key; a one-to-many or many-to-many after the plural
 * of the other table's key; a name taken by a column or another relation gets a suffix.
 *
 * @example
 * ```ts
 * relationsOf(shape, names).get('album')   // [{ name: 'artist', kind: 'manyToOne', target: 'artist', backPopulates: 'albums' }, ...]
 * ```
 */
export function relationsOf(shape: SchemaShape, names: ReadonlyMap<string, PulledTableNames>): Map<string, PulledRelation[]> {
  const relations = new Map<string, PulledRelation[]>([...names.values()].map((n) => [n.key, []]))
  const taken = new Map<string, Set<string>>([...names.values()].map((n) => [n.key, new Set(n.properties.values())]))
  const claim = (tableKey: string, wanted: string): string => {
    const used = taken.get(tableKey)!
    let name = wanted
    for (let i = 2; used.has(name); i += 1) name = used.has(`${wanted}Ref`) || wanted.endsWith('Ref') ? `${wanted}${i}` : `${wanted}Ref`
    used.add(name)
    return name
  }
  const props = (table: string, columns: readonly string[]): string[] => columns.map((c) => names.get(table)!.properties.get(c)!)
  const keysBetween = (from: TableShape, to: string): number => from.foreignKeys.filter((k) => k.referencedTable === to).length

  for (const table of Object.values(shape.tables)) {
    if (!names.has(table.name)) continue
    const source = names.get(table.name)!
    if (isLinkTable(table) && table.foreignKeys.every((k) => names.has(k.referencedTable))) {
      const [first, second] = table.foreignKeys as [ForeignKeyShape, ForeignKeyShape]
      const left = names.get(first.referencedTable)!
      const right = names.get(second.referencedTable)!
      const explicit = first.referencedTable === second.referencedTable
      // A table linked to itself (friendship: person_id, friend_id) names the two directions by the second column: friends, friendsOf.
      const selfName = explicit && second.columns.length === 1 ? plural(keyColumnBase(second.columns[0]!) ?? camelCase(second.columns[0]!)) : undefined
      const leftName = claim(left.key, selfName ?? plural(right.key))
      const rightName = claim(right.key, selfName === undefined ? plural(left.key) : `${selfName}Of`)
      relations.get(left.key)!.push({
        name: leftName, kind: 'manyToMany', target: right.key, backPopulates: rightName, via: source.key,
        ...(explicit ? { sourceKey: props(table.name, first.columns), targetKey: props(table.name, second.columns) } : {}),
      })
      relations.get(right.key)!.push({
        name: rightName, kind: 'manyToMany', target: left.key, backPopulates: leftName, via: source.key,
        ...(explicit ? { sourceKey: props(table.name, second.columns), targetKey: props(table.name, first.columns) } : {}),
      })
      continue
    }
    for (const key of table.foreignKeys) {
      const target = names.get(key.referencedTable)
      if (target === undefined) continue
      const column = key.columns.length === 1 ? key.columns[0]! : undefined
      const base = column === undefined ? target.key : (keyColumnBase(column) ?? camelCase(column))
      const many = claim(source.key, base)
      const explicit = keysBetween(table, key.referencedTable) > 1
      // A key whose columns are unique (the primary key, or a unique constraint) points at one row from one row at most.
      const single = [table.primaryKey?.columns ?? [], ...table.uniques.map((u) => u.columns)].some((columns) => same(columns, key.columns))
      const suffix = explicit ? `By${many[0]!.toUpperCase()}${many.slice(1)}` : ''
      const one = claim(target.key, `${single ? source.key : plural(source.key)}${suffix}`)
      const foreignKey = explicit || key.referencedTable === table.name ? { foreignKey: props(table.name, key.columns) } : {}
      relations.get(source.key)!.push({ name: many, kind: single ? 'oneToOne' : 'manyToOne', target: target.key, backPopulates: one, ...foreignKey })
      relations.get(target.key)!.push({ name: one, kind: single ? 'oneToOne' : 'oneToMany', target: source.key, backPopulates: many, ...foreignKey })
    }
  }
  return relations
}
