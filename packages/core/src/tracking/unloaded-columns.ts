/**
 * Columns a query did not load (`select()`, `omit()`, deferred columns): kept as expired columns
 * are (`state.expired`), so flushes skip them and a later read fills them, but their accessor is
 * not enumerable (spread, `Object.keys` and `toJSON()` leave them out) and its error says how to
 * load them.
 */
import { RelataError } from '../errors.js'
import { describeEntity } from './describe-entity.js'
import type { EntityState } from './entity-state.js'

/** The getters of not-loaded columns, so that logs can tell them from expired ones. */
const unloadedGetters = new WeakSet<object>()

/**
 * Marks columns of a just-read object as not loaded: reading one throws, writing one makes it a
 * plain value and a change for the next flush.
 *
 * @example
 * ```ts
 * markUnloaded(book, state, [3])
 * book.body   // throws: books.body of books (id 1) is not loaded
 * ```
 */
export function markUnloaded(entity: object, state: EntityState, indexes: readonly number[]): void {
  const expired = (state.expired ??= new Set())
  for (const index of indexes) {
    const property = state.table.columns[index]!.property
    expired.add(index)
    const get = (): never => {
      throw new RelataError(
        `${state.table.key}.${property} of ${describeEntity(entity)} is not loaded (the query left it out with select() / omit(), or it is deferred): ` +
          `await obj.load('${property}') first, or query with undefer('${property}')`,
      )
    }
    unloadedGetters.add(get)
    Object.defineProperty(entity, property, {
      get,
      set(value: unknown) {
        Object.defineProperty(entity, property, { value, writable: true, enumerable: true, configurable: true })
        state.expired?.delete(index)
        ;(state.written ??= new Set()).add(index)
      },
      enumerable: false,
      configurable: true,
    })
  }
}

/**
 * Whether a property descriptor is a not-loaded column's.
 *
 * @example
 * ```ts
 * isUnloaded(Object.getOwnPropertyDescriptor(book, 'body')!)   // true after select('id', 'title')
 * ```
 */
export function isUnloaded(descriptor: PropertyDescriptor): boolean {
  return descriptor.get !== undefined && unloadedGetters.has(descriptor.get)
}

/**
 * Whether a read by key must go to the database for this object: a column it should have (not a
 * deferred one, which a read by key does not load either) is expired or not loaded.
 *
 * @example
 * ```ts
 * if (!needsRead(stateOf(held)!)) return held
 * ```
 */
export function needsRead(state: EntityState): boolean {
  const { expired } = state
  if (expired === undefined || expired.size === 0) return false
  const columns = state.table.columns
  for (const index of expired) if (columns[index]!.config.deferred !== true) return true
  return false
}
