/**
 * The identity map (within a session, one row by table and primary key is one object), and the
 * one encoding of key values as map keys that every part of the library uses: `keyOfValue`,
 * `keyPart`, `tupleKey`, `keyOfValues`, `identityKeyOf`.
 */
import type { TableModel } from '../schema/model.js'

/** A primary key as a map key: the value itself for a single column, a string for a composite key (see `keyOfValues`). */
export type IdentityKey = unknown

/**
 * A single-column key as a map key: the value itself, so hydration keys cost nothing, except a
 * Date, which is its time (keys compare by value). Compiled hydrators write this inline.
 *
 * @example
 * ```ts
 * keyOfValue(7)             // 7
 * keyOfValue(new Date(5))   // 5
 * ```
 */
export function keyOfValue(value: unknown): unknown {
  return value instanceof Date ? value.getTime() : value
}

/**
 * One part of a composite key: its text (`String` of `keyOfValue`), prefixed with its length so
 * that no two lists of parts give one string (compiled hydrators concatenate these inline).
 *
 * @example
 * ```ts
 * keyPart('x') + keyPart(10n)   // '1:x2:10', as keyOfValues(['x', 10n])
 * ```
 */
export function keyPart(value: unknown): string {
  const text = String(keyOfValue(value))
  return `${text.length}:${text}`
}

/**
 * Any number of values as one string: the parts concatenated, even for a single value. Equal
 * exactly when the values are equal as text, whatever their JS type (a bigint read back, a number
 * given; a Date and its time): for sets and maps of string keys, such as rows a statement returned
 * matched against the keys the session holds. `keyOfValues` of several values is this string.
 *
 * @example
 * ```ts
 * tupleKey([10n])        // '2:10', as tupleKey(['10']) and tupleKey([10])
 * tupleKey(['x', 10n])   // '1:x2:10'
 * ```
 */
export function tupleKey(values: readonly unknown[]): string {
  let key = ''
  for (const value of values) key += keyPart(value)
  return key
}

/**
 * The values of a key (primary or foreign, one or several columns) as a map key. A single value
 * is `keyOfValue` (itself, a Date its time), so hydration keys cost nothing; several make one
 * string of length-prefixed parts (`tupleKey`), so ('x\0y', 'z') and ('x', 'y\0z') never meet,
 * while a bigint, a number and their string form do, as a Date and its time do.
 *
 * @example
 * ```ts
 * keyOfValues([7])              // 7
 * keyOfValues(['x', 10n])       // '1:x2:10'
 * keyOfValues(['x', '10'])      // '1:x2:10', the same key
 * ```
 */
export function keyOfValues(values: readonly unknown[]): IdentityKey {
  return values.length === 1 ? keyOfValue(values[0]) : tupleKey(values)
}

/**
 * The identity key of a row or entity, its key columns read through `read`: `keyOfValues` of
 * them, or undefined when a part of a composite key is missing (the row has no identity yet).
 *
 * @example
 * ```ts
 * identityKeyOf(table, (property) => entity[property])   // as keyOfValues of the primary key's values
 * ```
 */
export function identityKeyOf(table: TableModel, read: (property: string, sqlName: string) => unknown): IdentityKey {
  const pk = table.primaryKey
  if (pk.length === 1) return keyOfValue(read(pk[0]!.property, pk[0]!.sqlName))
  let key = ''
  for (const column of pk) {
    const value = read(column.property, column.sqlName)
    if (value === null || value === undefined) return undefined
    key += keyPart(value)
  }
  return key
}

/**
 * One session's objects by table and identity key.
 *
 * @example
 * ```ts
 * identityMap.get(table, keyOfValues([7]))   // the object of the row with key 7, if loaded
 * ```
 */
export class IdentityMap {
  readonly #tables = new Map<TableModel, Map<IdentityKey, object>>()

  get(table: TableModel, key: IdentityKey): object | undefined {
    return this.#tables.get(table)?.get(key)
  }

  set(table: TableModel, key: IdentityKey, entity: object): void {
    let entries = this.#tables.get(table)
    if (entries === undefined) {
      entries = new Map()
      this.#tables.set(table, entries)
    }
    entries.set(key, entity)
  }

  delete(table: TableModel, key: IdentityKey): void {
    this.#tables.get(table)?.delete(key)
  }

  /** The map of one table, for hot loops that look up many keys. */
  tableEntries(table: TableModel): Map<IdentityKey, object> {
    let entries = this.#tables.get(table)
    if (entries === undefined) {
      entries = new Map()
      this.#tables.set(table, entries)
    }
    return entries
  }

  *entities(): IterableIterator<object> {
    for (const entries of this.#tables.values()) yield* entries.values()
  }

  get size(): number {
    let n = 0
    for (const entries of this.#tables.values()) n += entries.size
    return n
  }

  clear(): void {
    this.#tables.clear()
  }
}
