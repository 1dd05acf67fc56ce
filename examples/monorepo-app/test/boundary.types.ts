/**
 * Type test of the package boundary, checked by `tsc -p examples/monorepo-app` (part of `npm test`)
 * against the BUILT declarations of @relata/core and @relata-examples/monorepo-db (this package's
 * tsconfig has no `@relata/source` condition). Every `expectTypeOf` below compares exactly, so an
 * `any` anywhere on a checked path fails it; each `@ts-expect-error` must find its error.
 */
import { expectTypeOf } from 'vitest'
import type { Collection, Database, Entity, LoadedCollection, NewEntity, NumericString, Orm, Reference, Session, UnloadedHandle } from '@relata/core'
import { draftPost, openBlog, publishedPosts, schema, type BlogSchema, type Comment, type Post, type Profile, type Tag, type User } from '@relata-examples/monorepo-db'

declare const session: Session<BlogSchema>
declare const user: User
declare const post: Post

// The schema and the orm keep their precise types.
expectTypeOf(schema).not.toBeAny()
expectTypeOf<BlogSchema>().toEqualTypeOf<typeof schema>()
expectTypeOf(openBlog).returns.toEqualTypeOf<Orm<BlogSchema>>()
expectTypeOf<User>().toEqualTypeOf<Entity<typeof schema, 'users'>>()

// Columns: each with its own type.
expectTypeOf(user.id).toEqualTypeOf<number>()
expectTypeOf(user.email).toEqualTypeOf<string>()
expectTypeOf(user.joinedAt).toEqualTypeOf<Date>()
expectTypeOf(post.status).toEqualTypeOf<'draft' | 'published'>()
expectTypeOf(post.rating).toEqualTypeOf<NumericString | null>()
expectTypeOf(post.views).toEqualTypeOf<bigint>()
expectTypeOf<Profile['links']>().toEqualTypeOf<{ label: string; url: string }[]>()
expectTypeOf<Comment['authorId']>().toEqualTypeOf<number | null>()

// Relations: handles typed by kind and nullability, all the way round the graph.
type Target<H> = NonNullable<H> extends { load(): Promise<infer E> } ? E : never
expectTypeOf(post.author).toEqualTypeOf<UnloadedHandle<'author', Reference<User, false>>>()
expectTypeOf<Target<User['profile']>>().toEqualTypeOf<Profile | null>()
expectTypeOf<Target<Comment['author']>>().toEqualTypeOf<User | null>()
expectTypeOf<Target<Profile['user']>>().toEqualTypeOf<User>()
expectTypeOf(user.posts).toEqualTypeOf<UnloadedHandle<'posts', Collection<Post>>>()
expectTypeOf(post.tags).toEqualTypeOf<UnloadedHandle<'tags', Collection<Tag>>>()
expectTypeOf<Tag['posts']>().toEqualTypeOf<UnloadedHandle<'posts', Collection<Post>>>()
expectTypeOf(user.posts.load).returns.resolves.toEqualTypeOf<LoadedCollection<Post>>()
expectTypeOf(post.author.load).returns.resolves.toEqualTypeOf<User>()
// Four hops: user → posts → tags → posts → author, still precise.
type Hop<C> = C extends Collection<infer E> ? E : never
type FourHops = Hop<Hop<Hop<User['posts']>['tags']>['posts']>['author']
expectTypeOf<FourHops>().toEqualTypeOf<UnloadedHandle<'author', Reference<User, false>>>()

// A query defined in the db package: the loaded relations are arrays and objects, typed.
type Published = Awaited<ReturnType<ReturnType<typeof publishedPosts>['all']>>[number]
expectTypeOf<Published['title']>().toEqualTypeOf<string>()
expectTypeOf<Published['author']['name']>().toEqualTypeOf<string>()
expectTypeOf<Published['tags'][number]['name']>().toEqualTypeOf<string>()
expectTypeOf<Published['comments'][number]['body']>().toEqualTypeOf<string>()
expectTypeOf<Published['comments'][number]['author']>().not.toBeAny()
expectTypeOf<NonNullable<Published['comments'][number]['author']>['email']>().toEqualTypeOf<string>()
expectTypeOf<Published['comments'][number]['post']>().toEqualTypeOf<UnloadedHandle<'post', Reference<Post, false>>>()

// A helper of the db package that returns new objects.
const drafted = draftPost(session, { email: 'a@example.com', name: 'A', title: 'T', tags: [] })
expectTypeOf(drafted.post).toEqualTypeOf<NewEntity<BlogSchema, 'posts'>>()
expectTypeOf(drafted.post.author.name).toEqualTypeOf<string>()
expectTypeOf(drafted.author.posts[0]!.title).toEqualTypeOf<string>()
expectTypeOf(drafted.profile.user.email).toEqualTypeOf<string>()

// orm.db: Kysely over the SQL names.
expectTypeOf<Database<BlogSchema>['post_tags']>().not.toBeAny()
expectTypeOf<Database<BlogSchema>['users']['joined_at']>().not.toBeAny()

// What must not compile, across the boundary too.
// @ts-expect-error: not a table of the schema
session.query('articles')
// @ts-expect-error: not a column of posts
session.query('posts').where({ body: 'x' })
// @ts-expect-error: not a value of the enum
session.create('posts', { title: 'x', status: 'archived' })
// @ts-expect-error: a numeric is a string, not a number
post.rating = 4.5
// @ts-expect-error: an unloaded collection is not an array
void user.posts.length
// @ts-expect-error: a post's author is not nullable
post.author = null
// @ts-expect-error: tags is not a relation of users
void session.query('users').with({ tags: true })
