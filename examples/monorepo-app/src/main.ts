/**
 * The app side of the monorepo example: the schema and its helpers come from
 * `@relata-examples/monorepo-db` by package name, as built (dist/), and so does @relata/core.
 * `npm start` runs it on PGlite in memory.
 */
import { pglite } from '@relata/core/pglite'
import { draftPost, openBlog, publishedPosts } from '@relata-examples/monorepo-db'

const orm = openBlog(pglite())
await orm.createTables()

// Create: two tags, a user with a profile and a post (through the db package's helper), another user, comments.
const session = orm.session()
const typescript = session.create('tags', { name: 'typescript' })
const databases = session.create('tags', { name: 'databases' })
const { author: ada, post: first } = draftPost(session, { email: 'ada@example.com', name: 'Ada', title: 'Types across packages', tags: [typescript, databases] })
first.status = 'published'
first.rating = '4.5'
const grace = session.create('users', { email: 'grace@example.com', name: 'Grace' })
session.create('comments', { post: first, author: grace, body: 'No any in sight.' })
session.create('comments', { post: first, author: null, body: 'Nice.' })
const second = session.create('posts', { title: 'Still a draft', author: grace, tags: [typescript] })
await session.commit()
console.log(`Committed: users ${ada.id} and ${grace.id}, posts ${first.id} and ${second.id}`)

// Read back in a new session: the query the db package defines, with its relations loaded.
const reader = orm.session()
for (const post of await publishedPosts(reader).all()) {
  const tags = post.tags.map((tag) => tag.name).join(', ')
  console.log(`"${post.title}" by ${post.author.name} [${tags}], rating ${post.rating}, ${post.views} views`)
  for (const comment of post.comments) console.log(`  ${comment.author?.name ?? 'anonymous'}: ${comment.body}`)
}

// The other way round: a tag's posts (many-to-many), a user's profile (one-to-one, loaded lazily).
const tag = await reader.query('tags').where({ name: 'typescript' }).with({ posts: (q) => q.orderBy('id') }).one()
console.log(`Tagged ${tag.name}: ${tag.posts.map((post) => post.title).join(', ')}`)
const user = await reader.query('users').where({ email: 'ada@example.com' }).one()
const profile = await user.profile?.load()
console.log(`Profile of ${user.name}: ${profile?.bio}`)
console.log(`Same author object through both paths: ${(await reader.query('posts').where({ id: first.id }).with({ author: true }).one()).author === user}`)

await orm.destroy()
