/** The identity map: within a session, one row (by table and primary key) is one object. */
import type { TableModel } from '../schema/model.js'

/** A primary key as a map key: the value itself for a single column, a joined string for a composite key. */
export type IdentityKey = unknown

const SEPARATOR = '\u0000'

/** Builds the identity key of a row or entity, reading the key columns through `read`. */
export function identityKeyOf(table: TableModel, read: (property: string, sqlName: string) => unknown): IdentityKey {
  const pk = table.primaryKey
  if (pk.length === 1) return normalize(read(pk[0]!.property, pk[0]!.sqlName))
  let key = ''
  for (let i = 0; i < pk.length; i++) {
    const value = read(pk[i]!.property, pk[i]!.sqlName)
    if (value === null || value === undefined) return undefined
    key += (i === 0 ? '' : SEPARATOR) + String(normalize(value))
  }
  return key
}

/** Keys compare by value: a bigint-looking string and a bigint, or a Date, must meet. */
function normalize(value: unknown): unknown {
  if (value instanceof Date) return value.getTime()
  return value
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
