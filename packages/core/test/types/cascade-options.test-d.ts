/** Relation options per kind: what a kind cannot honour fails to compile on the relation at fault, beside a correct twin. */
import { describe, expectTypeOf, test } from 'vitest'
import { defineSchema, t, table, type AnyColumn, type RelationHelpers } from '../../src/index.js'
import type { CheckRelations } from '../../src/schema/check-relations.js'

const prefs = table('prefs', { id: t.serial().primaryKey() })
const users = table('users', { id: t.serial().primaryKey(), prefId: t.integer().nullable().references((): AnyColumn => prefs.id) })
const tags = table('tags', { id: t.serial().primaryKey() })
const userTags = table('user_tags', { userId: t.integer().primaryKey().references(() => users.id), tagId: t.integer().primaryKey().references(() => tags.id) })
const tables = { users, prefs, tags, userTags }
type Tables = typeof tables
declare const h: RelationHelpers<keyof Tables & string>
type MessageOf<R, K extends keyof R, N extends keyof R[K]> = CheckRelations<Tables, R>[K][N & keyof CheckRelations<Tables, R>[K]]

describe('cascade options per relation kind', () => {
  test('deleteOrphan on a many-to-one needs singleParent: true', () => {
    defineSchema(tables, ({ manyToOne }) => ({
      users: { pref: manyToOne('prefs', { singleParent: true, cascade: { delete: true, deleteOrphan: true } }) },
    }))
    defineSchema(tables, ({ manyToOne }) => ({
      // @ts-expect-error cascade.deleteOrphan on a manyToOne needs singleParent: true
      users: { pref: manyToOne('prefs', { cascade: { delete: true, deleteOrphan: true } }) },
    }))
    const bad = { users: { pref: h.manyToOne('prefs', { cascade: { deleteOrphan: true } }) } }
    expectTypeOf<MessageOf<typeof bad, 'users', 'pref'>>().toEqualTypeOf<'cascade.deleteOrphan on a manyToOne needs singleParent: true: an object is an orphan only when it can have one parent'>()
    const off = { users: { pref: h.manyToOne('prefs', { cascade: { deleteOrphan: false } }) } }
    expectTypeOf<MessageOf<typeof off, 'users', 'pref'>>().toBeUnknown()
  })

  test('deleteOrphan on a many-to-many needs singleParent: true', () => {
    defineSchema(tables, ({ manyToMany }) => ({
      users: { tags: manyToMany('tags', { via: 'userTags', singleParent: true, cascade: { delete: true, deleteOrphan: true } }) },
    }))
    defineSchema(tables, ({ manyToMany }) => ({
      // @ts-expect-error cascade.deleteOrphan on a manyToMany needs singleParent: true
      users: { tags: manyToMany('tags', { via: 'userTags', cascade: { deleteOrphan: true } }) },
    }))
    const bad = { users: { tags: h.manyToMany('tags', { via: 'userTags', singleParent: false, cascade: { deleteOrphan: true } }) } }
    expectTypeOf<MessageOf<typeof bad, 'users', 'tags'>>().toEqualTypeOf<'cascade.deleteOrphan on a manyToMany needs singleParent: true: an object is an orphan only when it can have one parent'>()
  })

  test('passive is not an option of a many-to-one', () => {
    defineSchema(tables, ({ oneToMany }) => ({
      prefs: { users: oneToMany('users', { cascade: { delete: true, passive: true } }) },
    }))
    defineSchema(tables, ({ manyToOne }) => ({
      // @ts-expect-error cascade.passive means nothing on a manyToOne that holds the foreign key
      users: { pref: manyToOne('prefs', { cascade: { delete: true, passive: true } }) },
    }))
    const bad = { users: { pref: h.manyToOne('prefs', { cascade: { delete: true, passive: true } }) } }
    expectTypeOf<MessageOf<typeof bad, 'users', 'pref'>>().toEqualTypeOf<'cascade.passive means nothing on a manyToOne that holds the foreign key: no rows point at its owner for ON DELETE to remove'>()
  })

  test('an option the kind does not take', () => {
    defineSchema(tables, ({ oneToMany }) => ({
      prefs: { users: oneToMany('users', { cascade: { delete: true } }) },
    }))
    defineSchema(tables, ({ oneToMany }) => ({
      // @ts-expect-error 'singleParent' is not an option of oneToMany
      prefs: { users: oneToMany('users', { cascade: { delete: true }, singleParent: true }) },
    }))
    defineSchema(tables, ({ oneToMany }) => ({
      // @ts-expect-error 'onDelete' is not an option of oneToMany
      prefs: { users: oneToMany('users', { onDelete: 'cascade' }) },
    }))
    const bad = { prefs: { users: h.oneToMany('users', { cascade: { delete: true }, singleParent: true }) } }
    expectTypeOf<MessageOf<typeof bad, 'prefs', 'users'>>().toEqualTypeOf<"'singleParent' is not an option of oneToMany">()
  })

  test('a cascade option that does not exist', () => {
    defineSchema(tables, ({ oneToMany }) => ({
      // @ts-expect-error cascade.refresh is not a cascade option (save, delete, deleteOrphan, passive)
      prefs: { users: oneToMany('users', { cascade: { delete: true, refresh: true } }) },
    }))
    const bad = { prefs: { users: h.oneToMany('users', { cascade: { delete: true, refresh: true } }) } }
    expectTypeOf<MessageOf<typeof bad, 'prefs', 'users'>>().toEqualTypeOf<'cascade.refresh is not a cascade option (save, delete, deleteOrphan, passive)'>()
  })
})

describe('backPopulates on both sides', () => {
  test('a backPopulates whose mirror does not name it back', () => {
    defineSchema(tables, ({ oneToMany, manyToOne }) => ({
      users: { pref: manyToOne('prefs', { backPopulates: 'users' }) },
      prefs: { users: oneToMany('users', { backPopulates: 'pref' }) },
    }))
    defineSchema(tables, ({ oneToMany, manyToOne }) => ({
      // @ts-expect-error backPopulates: 'prefs.users' has no backPopulates; add backPopulates: 'pref' to it
      users: { pref: manyToOne('prefs', { backPopulates: 'users' }) },
      prefs: { users: oneToMany('users') },
    }))
    defineSchema(tables, ({ manyToMany }) => ({
      users: { tags: manyToMany('tags', { via: 'userTags' }) },
      // @ts-expect-error backPopulates: 'users.tags' has no backPopulates; add backPopulates: 'users' to it
      tags: { users: manyToMany('users', { via: 'userTags', backPopulates: 'tags' }) },
    }))
    const bad = { users: { pref: h.manyToOne('prefs', { backPopulates: 'users' }) }, prefs: { users: h.oneToMany('users') } }
    expectTypeOf<MessageOf<typeof bad, 'users', 'pref'>>().toEqualTypeOf<"backPopulates: 'prefs.users' has no backPopulates; add backPopulates: 'pref' to it (both sides of a pair name each other)">()
    expectTypeOf<MessageOf<typeof bad, 'prefs', 'users'>>().toBeUnknown()
  })
})
