// Smoke test of the BUILT package: plain Node, no `@relata/source` condition, so every import
// below resolves through package.json's `exports` to dist/ as it would for an installed package.
// Run by `npm run check:package` after `npm run build`.
import assert from 'node:assert/strict'

const entries = ['@relata/core', '@relata/core/pglite', '@relata/core/postgres', '@relata/core/mysql']
for (const entry of entries) {
  const url = import.meta.resolve(entry)
  assert.match(url, /\/dist\/(index|pglite|postgres|mysql)\.js$/, `${entry} resolved to ${url}, not to dist/`)
}

const core = await import('@relata/core')
const { pglite } = await import('@relata/core/pglite')
const { postgres } = await import('@relata/core/postgres')
const { mysql } = await import('@relata/core/mysql')

for (const name of ['createOrm', 'defineSchema', 'table', 'sql', 'QueryRecorder', 'RelataError', 'SchemaError', 'FlushError']) {
  assert.ok(core[name] !== undefined, `@relata/core exports ${name}`)
}
// The server dialects load their drivers and construct without connecting.
assert.equal(postgres('postgres://postgres@127.0.0.1:5432/none').name, 'postgres')
assert.equal(mysql('mysql://root@127.0.0.1:3306/none').name, 'mysql')

const { createOrm, defineSchema, t, table } = core
const authors = table('authors', { id: t.serial().primaryKey(), name: t.varchar(100) })
const books = table('books', { id: t.serial().primaryKey(), title: t.varchar(200), authorId: t.integer().references(() => authors.id) })
const schema = defineSchema({ authors, books }, ({ oneToMany, manyToOne }) => ({
  authors: { books: oneToMany('books', { backPopulates: 'author' }) },
  books: { author: manyToOne('authors', { backPopulates: 'books' }) },
}))
assert.throws(() => schema.table('nope'), core.SchemaError)
assert.throws(() => schema.table('nope'), core.RelataError)

// A round trip on PGlite: create, commit, read back with a relation loaded.
const orm = createOrm({ schema, dialect: pglite() })
try {
  await orm.createTables()
  const session = orm.session()
  const author = session.create('authors', { name: 'Ada' })
  session.create('books', { title: 'Notes', author })
  session.create('books', { title: 'Letters', author })
  await session.commit()
  const found = await orm.session().query('authors').with({ books: (q) => q.orderBy('title') }).one()
  assert.equal(found.name, 'Ada')
  assert.deepEqual(found.books.map((book) => book.title), ['Letters', 'Notes'])
} finally {
  await orm.destroy()
}
console.log(`smoke: @relata/core from dist/ works on Node ${process.versions.node} (${entries.length} entry points, a PGlite round trip)`)
