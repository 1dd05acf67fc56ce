/** A loaded to-many relation: a real array (spread, iterate, serialise) with the collection's change methods. */
import type { RelationModel } from '../schema/model.js'
import { relationChanges } from './relation-changes.js'
import { isPartial, stateOf } from './entity-state.js'
import { countRelation } from './relation-count.js'
import { linkView } from './link-values.js'

/** `add(a, { role: 'editor' })`: a trailing plain object is the link row's values, not an item. */
export function splitLinkValues(items: readonly unknown[]): [object[], Record<string, unknown> | undefined] {
  const last = items[items.length - 1]
  if (items.length === 2 && typeof last === 'object' && last !== null && stateOf(last) === undefined && !Array.isArray(last)) {
    return [items.slice(0, 1) as object[], last as Record<string, unknown>]
  }
  return [items as object[], undefined]
}

export class RelationArray<T extends object = object> extends Array<T> {
  // Derived arrays (`map`, `filter`, `slice`) are plain arrays, not collections.
  static override get [Symbol.species](): ArrayConstructor {
    return Array
  }

  #owner: object | undefined
  #relation: RelationModel | undefined

  /** @internal The collection of `relation` on `owner`, holding `items`. */
  static of_<T extends object>(owner: object, relation: RelationModel, items: readonly T[]): RelationArray<T> {
    const array = new RelationArray<T>()
    array.#owner = owner
    array.#relation = relation
    for (let i = 0; i < items.length; i++) array.push(items[i]!)
    return array
  }

  #change(change: 'add' | 'remove' | 'set', items: readonly unknown[], values?: Record<string, unknown>): void {
    relationChanges.change(this.#owner!, stateOf(this.#owner!)!, this.#relation!, change, items, values)
  }

  /** Adds objects; `add(author, { role: 'editor' })` also sets the association row's own columns. */
  add(...items: T[]): void {
    const [list, values] = splitLinkValues(items)
    this.#change('add', list, values)
  }

  remove(...items: T[]): void {
    this.#change('remove', items)
  }

  set(items: readonly T[]): void {
    this.#change('set', items)
  }

  clear(): void {
    this.#change('set', [])
  }

  /**
   * The link row of a member of a many-to-many collection, as an object of the link table's own
   * columns (`book.coauthors.linkOf(ann).role`): assigning one is written by the next flush as an
   * update of the link row. Not a member: an error.
   */
  linkOf(item: T): Record<string, unknown> {
    return linkView(this.#owner!, this.#relation!, this, item)
  }

  /**
   * How many objects the collection holds: loaded whole, its length (unflushed adds and removes
   * included) without SQL; loaded partially, the session counts the rows in the database.
   */
  count(): Promise<number> {
    const state = stateOf(this.#owner!)!
    if (!isPartial(state.relations?.[this.#relation!.name])) return Promise.resolve(this.length)
    return countRelation(this.#owner!, state, this.#relation!)
  }

  /**
   * Already loaded: resolves to this collection without SQL; loaded partially (a filtered or
   * limited `.with()`): reads it whole, into this same array.
   */
  load(): Promise<this> {
    const state = stateOf(this.#owner!)
    const slot = state?.relations?.[this.#relation!.name]
    if (state?.session === undefined || !isPartial(slot)) return Promise.resolve(this)
    return state.session.loadRelation(this.#owner!, this.#relation!).then(() => this)
  }
}
