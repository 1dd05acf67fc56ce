/** A loaded to-many relation: a real array (spread, iterate, serialise) with the collection's change methods. */
import type { RelationModel } from '../schema/model.js'
import { stateOf } from './entity-state.js'

/** `add(a, { role: 'editor' })`: a trailing plain object is the link row's values, not an item. */
export function splitLinkValues(items: readonly unknown[]): [object[], Record<string, unknown> | undefined] {
  const last = items[items.length - 1]
  if (items.length === 2 && typeof last === 'object' && last !== null && stateOf(last) === undefined && !Array.isArray(last)) {
    return [items.slice(0, 1) as object[], last as Record<string, unknown>]
  }
  return [items as object[], undefined]
}

/** What a loaded collection delegates its changes to (the unit of work). */
export interface CollectionOwner {
  readonly entity: object
  readonly relation: RelationModel
  add(items: object[], values?: Record<string, unknown>): void
  remove(items: object[]): void
  set(items: readonly object[]): void
  load(): Promise<unknown>
}

export class RelationArray<T extends object = object> extends Array<T> {
  // Derived arrays (`map`, `filter`, `slice`) are plain arrays, not collections.
  static override get [Symbol.species](): ArrayConstructor {
    return Array
  }

  #owner: CollectionOwner | undefined

  /** @internal */
  static of_<T extends object>(owner: CollectionOwner, items: readonly T[]): RelationArray<T> {
    const array = new RelationArray<T>()
    array.#owner = owner
    for (let i = 0; i < items.length; i++) array.push(items[i]!)
    return array
  }

  /** @internal The changes of this collection are written by its owner at the next flush. */
  get owner(): CollectionOwner | undefined {
    return this.#owner
  }

  /** Adds objects; `add(author, { role: 'editor' })` also sets the association row's own columns. */
  add(...items: T[]): void {
    const [list, values] = splitLinkValues(items)
    this.#owner!.add(list, values)
  }

  remove(...items: T[]): void {
    this.#owner!.remove(items)
  }

  set(items: readonly T[]): void {
    this.#owner!.set(items)
  }

  clear(): void {
    this.#owner!.set([])
  }

  /** Already loaded: resolves to this collection without SQL. */
  load(): Promise<this> {
    return Promise.resolve(this)
  }
}
