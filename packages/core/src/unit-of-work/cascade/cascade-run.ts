/** What a relation kind's cascade reads and decides during one flush: the session's side, and the deletions so far. */
import type { ForeignKeyModel, RelationModel } from '../../schema/model.js'
import type { EntityState } from '../../tracking/entity-state.js'
import type { LinkRecord } from '../link-records.js'

/** The session as cascades see it (a part of the flush's source). */
export interface CascadeSource {
  readonly pending: ReadonlySet<object>
  /** Objects the user deleted. */
  readonly deleted: ReadonlySet<object>
  persistent(): Iterable<object>
  readonly links: Iterable<LinkRecord>
  /** Loads a relation that a cascade must see (a delete cascade over an unloaded collection). */
  load(entity: object, relation: RelationModel): Promise<void>
  /** The object a foreign key's values point at: from the identity map, else read from the database. */
  fetch(key: ForeignKeyModel, values: readonly unknown[]): Promise<object | undefined>
}

/** One flush's cascade: the objects to delete, and the keys to unset or link rows to purge for them. */
export interface CascadeRun {
  readonly source: CascadeSource
  /** Every object deleted so far, by the user or by a cascade. */
  readonly entities: ReadonlySet<object>
  /**
   * Deletes an object; its own relations cascade in turn. `via`: the single-parent key through
   * which the one row pointing at it was deleted or pointed elsewhere, so nothing else points at it.
   */
  delete(entity: object, via?: ForeignKeyModel): void
  /**
   * Whether a new object takes over `entity`'s row (a row switch): the row is never deleted, so
   * nothing is left to the database's `ON DELETE` (no cascade is passive for it).
   */
  replaced(entity: object): boolean
  /** Whether `delete(entity, key)` said that no row points at `entity` through `key` any more. */
  released(entity: object, key: ForeignKeyModel): boolean
  /** Unsets, in one statement, the key of every unloaded row pointing at `parent` through `key`. */
  nullKey(key: ForeignKeyModel, parent: object): void
  /** Deletes, in one statement, the link rows pointing at `entity` through `key`. */
  purgeLinks(key: ForeignKeyModel, entity: object): void
}

/** The cascades of one relation kind: SQLAlchemy's dependency processor, for deletes and orphans. */
export interface CascadeKind {
  /** `owner` is deleted: delete, unlink or leave the objects `relation` reaches. */
  ownerDeleted(run: CascadeRun, owner: object, state: EntityState, relation: RelationModel): Promise<void>
}
