/** The identity map: within a session, one row (by table and primary key) is one object. */
import type { TableModel } from '../schema/model.js'

/** A primary key as a map key: the value itself for a single column, a string for a composite key (see `keyOfValues`). */
export type IdentityKey = unknown

/** Keys compare by value: a Date is its time. */
function normalize(value: unknown): unknown {
  return value instanceof Date ? value.getTime() : value
}

/**
 * One part of a composite key, prefixed with its length so that no two lists of parts give one
 * string: `keyOfValues` is these parts concatenated (compiled hydrators concatenate them inline,
 * without the array).
 *
 * @example
 * ```ts
 * keyPart('x') + keyPart(10n)   // '1:x2:10', as keyOfValues(['x', 10n])
 * ```
 */
export function keyPart(value: unknown): string {
  const text = String(normalize(value))
  return `${text.length}:${text}`
}

/**
 * The values of a key (primary or foreign, one or several columns) as a map key: the one place
 * the library turns keys into map keys. A single value is itself (a Date its time), so hydration
 * keys cost nothing; several make one string of length-prefixed parts, so ('x\0y', 'z') and
 * ('x', 'y\0z') never meet, while a bigint, a number and their string form do (`String`), as a
 * Date and its time do.
 *
 * @example
 * ```ts
 * keyOfValues([7])              // 7
 * keyOfValues(['x', 10n])       // '1:x2:10'
 * keyOfValues(['x', '10'])      // '1:x2:10', the same key
 * ```
 */
export function keyOfValues(values: readonly unknown[]): IdentityKey {
  if (values.length === 1) return normalize(values[0])
  let key = ''
  for (const value of values) key += keyPart(value)
  return key
}

/** Builds the identity key of a row or entity, reading the key columns through `read` (`keyOfValues`; undefined when a composite part is missing). */
export function identityKeyOf(table: TableModel, read: (property: string, sqlName: string) => unknown): IdentityKey {
  const pk = table.primaryKey
  if (pk.length === 1) return normalize(read(pk[0]!.property, pk[0]!.sqlName))
  let key = ''
  for (const column of pk) {
    const value = read(column.property, column.sqlName)
    if (value === null || value === undefined) return undefined
    key += keyPart(value)
  }
  return key
}

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
