/**
 * A small blog, declared once in a package of its own. Nothing here is annotated: every exported
 * type is inferred, and `tsc` emits it into dist/schema.d.ts as references to `@relata/core`'s
 * public types (the point of this example: no TS2742, no `any` across the package boundary).
 */
import { defineSchema, sql, t, table } from '@relata/core'

export const users = table('users', {
  id: t.serial().primaryKey(),
  email: t.varchar(200).unique(),
  name: t.text(),
  joinedAt: t.timestamp().default(sql`now()`),
})

export const profiles = table('profiles', {
  userId: t.integer().primaryKey().references(() => users.id, { onDelete: 'cascade' }),
  bio: t.text().nullable(),
  links: t.jsonb<{ label: string; url: string }[]>().default([]),
})

export const posts = table('posts', {
  id: t.serial().primaryKey(),
  authorId: t.integer().references(() => users.id),
  title: t.varchar(200),
  status: t.enum(['draft', 'published']).default('draft'),
  rating: t.numeric(3, 1).nullable(),
  views: t.bigint().default(0n),
})

export const comments = table('comments', {
  id: t.serial().primaryKey(),
  postId: t.integer().references(() => posts.id, { onDelete: 'cascade' }),
  authorId: t.integer().nullable().references(() => users.id, { onDelete: 'set null' }),
  body: t.text(),
})

export const tags = table('tags', {
  id: t.serial().primaryKey(),
  name: t.varchar(50).unique(),
})

export const postTags = table('post_tags', {
  postId: t.integer().primaryKey().references(() => posts.id, { onDelete: 'cascade' }),
  tagId: t.integer().primaryKey().references(() => tags.id, { onDelete: 'cascade' }),
})

const blogSchema = defineSchema(
  { users, profiles, posts, comments, tags, postTags },
  ({ oneToMany, manyToOne, oneToOne, manyToMany }) => ({
    users: {
      profile: oneToOne('profiles', { backPopulates: 'user' }),
      posts: oneToMany('posts', { backPopulates: 'author' }),
      comments: oneToMany('comments', { backPopulates: 'author' }),
    },
    profiles: { user: oneToOne('users', { backPopulates: 'profile' }) },
    posts: {
      author: manyToOne('users', { backPopulates: 'posts' }),
      comments: oneToMany('comments', { backPopulates: 'post', cascade: { delete: true, deleteOrphan: true } }),
      tags: manyToMany('tags', { via: 'postTags', backPopulates: 'posts' }),
    },
    comments: {
      post: manyToOne('posts', { backPopulates: 'comments' }),
      author: manyToOne('users', { backPopulates: 'comments' }),
    },
    tags: { posts: manyToMany('posts', { via: 'postTags', backPopulates: 'tags' }) },
  }),
  { casing: 'snake_case' },
)

/**
 * The blog's schema under one name: types (hovers, errors, this package's emitted declarations)
 * then say `BlogSchema`, not every table and column.
 */
export interface BlogSchema extends InferredBlogSchema {}
type InferredBlogSchema = typeof blogSchema
export const schema: BlogSchema = blogSchema
