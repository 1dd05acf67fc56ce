/** What `session.create()` takes and returns: column values plus optional relation values; a new object with every relation loaded. */
import type { AnySchema } from '../schema/define-schema.js'
import type { Collection, Reference } from './entity.js'
import type { Loaded } from './loaded.js'
import type { Insertable } from './rows.js'
import type { TableKey, TableRelations } from './schema-types.js'
import type { Entity } from './entity.js'

type RelationValue<H> = H extends Collection<infer E> ? readonly E[] : H extends Reference<infer E, infer N> ? (N extends true ? E | null : E) : never

/** Column values (the insert type) and, optionally, related objects. */
export type CreateValues<S extends AnySchema, K extends TableKey<S>> = Insertable<S, K> & {
  [R in keyof TableRelations<S, K> & keyof Entity<S, K>]?: RelationValue<Entity<S, K>[R]>
}

type AllLoaded<S extends AnySchema, K extends TableKey<S>> = { [R in keyof TableRelations<S, K>]: true }

/** A new object: its relations are loaded (empty), so they read and change like arrays and objects. */
export type NewEntity<S extends AnySchema, K extends TableKey<S>> = Loaded<S, K, AllLoaded<S, K>>
