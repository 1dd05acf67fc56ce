/** The type of an entity's `toJSON()`: what `JSON.stringify` writes for it. */
import type { Collection, LoadedCollection, LoadedViewCollection, Reference } from './entity.js'

/**
 * How `toJSON()` writes an object that is already on the path from the object being written (a
 * back-populated relation leading back): its primary key, a value for a single column (a bigint
 * as its decimal text) or an object of the key's columns.
 *
 * @example
 * ```ts
 * const back: EntityKeyJson = 1   // book.author written inside author.toJSON()
 * ```
 */
export type EntityKeyJson = string | number | boolean | { readonly [column: string]: string | number | boolean | null }

/** A relation handle that is not loaded: left out of the JSON. */
type IsHandle<V> = [NonNullable<V>] extends [LoadedCollection<any, any>]
  ? false
  : [NonNullable<V>] extends [Collection<any, any>]
    ? true
    : [NonNullable<V>] extends [Reference<any, any>]
      ? [Exclude<keyof NonNullable<V> & string, 'load'>] extends [never]
        ? true
        : false
      : false

/** Objects below the first level of relations may be on the path already, and then are written as their key. */
type RelatedJson<T, Nested extends boolean> = Nested extends true ? EntityJson<T, true> | EntityKeyJson : EntityJson<T, true>

type JsonProperty<V, Nested extends boolean> =
  V extends LoadedCollection<infer T, any> | LoadedViewCollection<infer T>
    ? RelatedJson<T, Nested>[]
    : V extends Reference<any, any>
      ? RelatedJson<V, Nested>
      : V extends bigint | Date
        ? string
        : V

/**
 * What `entity.toJSON()` returns (and `JSON.stringify` writes): the columns, a `bigint` as its
 * decimal text and a `Date` as its ISO text, and the loaded relations as arrays and objects of the
 * same shape; relations that are not loaded are left out. Below the first level, an object already
 * on the path is written as its key (`EntityKeyJson`), so cycles end.
 *
 * @example
 * ```ts
 * const author = await session.query('authors').with({ books: true }).one()
 * const json: EntityJson<typeof author> = author.toJSON()
 * json.books[0]                   // EntityJson<book> | EntityKeyJson
 * JSON.stringify(author)          // '{"id":1,"name":"Ann","books":[...]}'
 * ```
 */
export type EntityJson<E, Nested extends boolean = false> = {
  [P in keyof E as P extends 'load' | 'toJSON' ? never : IsHandle<E[P]> extends true ? never : P]: JsonProperty<E[P], Nested>
}

/**
 * The `toJSON()` every entity has (not enumerable: not a column, left out of spreads and `Object.keys`).
 *
 * @example
 * ```ts
 * const json = author.toJSON()   // EntityJson<typeof author>
 * ```
 */
export interface EntityJsonMethod {
  /** The object as JSON data: columns (bigint as strings), loaded relations, cycles cut by keys. See `EntityJson`. */
  toJSON(): EntityJson<this>
}
