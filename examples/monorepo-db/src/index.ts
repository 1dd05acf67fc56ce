/**
 * @relata-examples/monorepo-db: the blog's schema, its entity types, and a few functions over it.
 * `openBlog` and `publishedPosts` leave their return types to inference, so dist/index.d.ts names
 * Relata's `Orm` and `EntityQuery` for them; `draftPost` returns entities and says so.
 */
import { createOrm, type Entity, type NewEntity, type RelataDialect, type Session } from '@relata/core'
import { schema, type BlogSchema } from './schema.js'

export { comments, postTags, posts, profiles, schema, tags, users } from './schema.js'
export type { BlogSchema } from './schema.js'

export type User = Entity<BlogSchema, 'users'>
export type Profile = Entity<BlogSchema, 'profiles'>
export type Post = Entity<BlogSchema, 'posts'>
export type Comment = Entity<BlogSchema, 'comments'>
export type Tag = Entity<BlogSchema, 'tags'>

/** An orm on the blog's schema; the return type is inferred: `Orm<BlogSchema>`. */
export function openBlog(dialect: RelataDialect, log?: 'console') {
  return createOrm({ schema, dialect, log })
}

/** Published posts with their author, tags and comments (each comment with its author) loaded. */
export function publishedPosts(session: Session<BlogSchema>) {
  return session
    .query('posts')
    .where({ status: 'published' })
    .with({ author: true, tags: (q) => q.orderBy('name'), comments: (q) => q.orderBy('id').with({ author: true }) })
    .orderBy('id')
}

/** What `draftPost` creates. */
export interface DraftedPost {
  author: NewEntity<BlogSchema, 'users'>
  profile: NewEntity<BlogSchema, 'profiles'>
  post: NewEntity<BlogSchema, 'posts'>
}

/**
 * Adds a user with a profile and one post in a few tags; returns the new objects.
 *
 * The return type is written out: an inferred entity type is an anonymous, recursive object type
 * (user → posts → author → …) that the declaration emitter cannot name, so it would print it
 * structurally and cut each cycle with `any`. `NewEntity`, `Entity` and `Loaded` name it.
 */
export function draftPost(session: Session<BlogSchema>, values: { email: string; name: string; title: string; tags: readonly Tag[] }): DraftedPost {
  const author = session.create('users', { email: values.email, name: values.name })
  const profile = session.create('profiles', { user: author, bio: `${values.name} writes here` })
  const post = session.create('posts', { title: values.title, author })
  for (const tag of values.tags) post.tags.add(tag)
  return { author, profile, post }
}
