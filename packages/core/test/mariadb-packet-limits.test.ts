/** MariaDB's max_allowed_packet: flush batches split by bytes as well as parameters; a row too large alone is a clear error. */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { createConnection } from 'mysql2/promise'
import { privateServerUnavailable, startPrivateMariadb, type PrivateServer } from '@relata/test-kit/private-server'
import { createOrm, defineSchema, QueryRecorder, RelataError, t, table, type Orm } from '../src/index.js'
import { mysql } from '../src/dialect/mysql/mysql.js'

const blobs = table('pk_blob', {
  id: t.serial().primaryKey(),
  a: t.text(),
  b: t.text(),
  c: t.text(),
  d: t.text(),
  e: t.text(),
  f: t.text(),
  doc: t.json<string>().nullable(),
})
const parents = table('pk_parent', { id: t.serial().primaryKey() })
const children = table('pk_child', { id: t.serial().primaryKey(), parentId: t.integer().references(() => parents.id), note: t.text() })
const schema = defineSchema(
  { blobs, parents, children },
  ({ oneToMany, manyToOne }) => ({
    parents: { children: oneToMany('children', { backPopulates: 'parent' }) },
    children: { parent: manyToOne('parents', { backPopulates: 'children' }) },
  }),
  { casing: 'snake_case' },
)

const packet = 1024 * 1024
const piece = (char: string) => char.repeat(50_000)
const columns = ['a', 'b', 'c', 'd', 'e', 'f'] as const
/** About 300 KB: three fit one 1 MiB statement, eight do not. */
const big = (tag: string) => Object.fromEntries(columns.map((c) => [c, piece(tag) + c])) as Record<(typeof columns)[number], string>

const unavailable = privateServerUnavailable('mariadb')
const suite = unavailable === undefined ? describe : describe.skip
if (unavailable !== undefined) console.warn(`[relata] skipping the packet-limit suite: cannot start a private MariaDB: ${unavailable}`)

suite('MariaDB max_allowed_packet (a private server with 1 MiB)', () => {
  let server: PrivateServer
  let orm: Orm<typeof schema>
  const recorder = new QueryRecorder()

  beforeAll(async () => {
    server = await startPrivateMariadb({ args: [`--max-allowed-packet=${packet}`] })
    const admin = await createConnection({ uri: server.url })
    await admin.query('create database relata')
    await admin.end()
    orm = createOrm({ schema, dialect: mysql(server.url.replace(/\/mysql$/, '/relata')), plugins: [recorder] })
    await orm.createTables()
  }, 60_000)
  afterAll(async () => {
    await orm?.destroy()
    await server?.destroy()
  })
  beforeEach(async () => {
    await orm.db.deleteFrom('pk_blob').execute()
    recorder.clear()
  })

  /** The bytes each recorded statement sent, its values inlined. */
  const sentBytes = () => recorder.queries.map((q) => Buffer.byteLength(q.sql) + q.parameters.reduce((sum: number, p) => sum + Buffer.byteLength(String(p)) + 3, 0))
  const rows = () => orm.db.selectFrom('pk_blob').select(['id', 'a', 'f']).orderBy('id').execute()

  test('rows that fit one by one but not together are inserted in several statements, each under the limit', async () => {
    const session = orm.session()
    const made = ['1', '2', '3', '4', '5', '6', '7', '8'].map((tag) => session.create('blobs', big(tag)))
    await session.commit()
    const inserts = recorder.queries.filter((q) => q.sql.startsWith('insert'))
    expect(inserts.length).toBe(3)
    expect(Math.max(...sentBytes())).toBeLessThan(packet)
    expect(await rows()).toEqual(made.map((m) => ({ id: m.id, a: m.a, f: m.f })))
  })

  test('batched updates with values per row split the same way', async () => {
    const setup = orm.session()
    for (const tag of ['1', '2', '3', '4', '5', '6', '7', '8']) setup.create('blobs', { ...big(tag), a: 'small', b: 'small', c: 'small', d: 'small', e: 'small', f: 'small' })
    await setup.commit()
    const session = orm.session()
    const loaded = await session.query('blobs').orderBy('id').all()
    loaded.forEach((blob, i) => Object.assign(blob, big(String.fromCharCode(97 + i))))
    recorder.clear()
    await session.commit()
    expect(recorder.queries.filter((q) => q.sql.startsWith('update')).length).toBe(3)
    expect(Math.max(...sentBytes())).toBeLessThan(packet)
    expect((await rows()).map((r) => r.a[0])).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])
  })

  test('a single row larger than the limit fails before any SQL, naming the table and its largest columns', async () => {
    const session = orm.session()
    session.create('blobs', big('1'))
    session.create('blobs', { ...big('2'), doc: 'é'.repeat(600_000) })
    const error = await session.commit().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(RelataError)
    expect((error as Error).message).toBe(
      'Cannot insert a blobs row of about 1.43 MiB (largest: pk_blob.doc 1.14 MiB, pk_blob.a 0.05 MiB, pk_blob.b 0.05 MiB): ' +
        'the server takes statements of at most 1.00 MiB (max_allowed_packet); raise max_allowed_packet or store less in one row',
    )
    expect(recorder.queries.filter((q) => q.sql.startsWith('insert'))).toEqual([])
    expect(await rows()).toEqual([])
  })

  test('a join-loaded collection whose JSON exceeds max_allowed_packet fails naming the relation; the connection stays usable and selectIn reads it', async () => {
    await orm.db.insertInto('pk_parent').values({ id: 1 }).execute()
    for (let batch = 0; batch < 3; batch++) {
      await orm.db.insertInto('pk_child').values(Array.from({ length: 500 }, (_, i) => ({ parent_id: 1, note: `${batch}-${i}-${'x'.repeat(1000)}` }))).execute()
    }
    const error = await orm.session().query('parents').with({ children: 'join' }).one().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(RelataError)
    expect((error as Error).message).toMatch(
      /^parents\.children: the join-loaded rows of one parents came back cut off at \d+ bytes of JSON \(more than the server aggregates into one value: MariaDB's max_allowed_packet\); load this relation with selectIn: \.with\(\{ children: 'selectIn' \}\)$/,
    )
    const parent = await orm.session().query('parents').with({ children: 'selectIn' }).one()
    expect(parent.children).toHaveLength(1500)
    await orm.db.deleteFrom('pk_child').execute()
    await orm.db.deleteFrom('pk_parent').execute()
  })
})
