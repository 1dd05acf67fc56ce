/**
 * MariaDB under the server modes administrators set (issue 12.1, 12.8): whatever the session's
 * `sql_mode`, now or after a `SET`, no value becomes SQL; and no value is changed on the way in
 * (non-strict sessions, latin1 databases). Each mode is set per connection (`SET SESSION`, when
 * the pool opens it, as a server-wide mode would be), never globally.
 *
 * Seeded: RELATA_FC_SEED and RELATA_FC_RUNS override the seed and the runs of the property.
 */
import fc from 'fast-check'
import { sql } from 'kysely'
import { createPool, type Pool, type PoolOptions } from 'mysql2'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { mariadbTestServer } from '@relata/test-kit/servers'
import { describeEachDialect } from '@relata/test-kit/targets'
import { createOrm, QueryRecorder, RelataError, type Orm } from '../src/index.js'
import { mysql } from '../src/dialect/mysql/mysql.js'
import { relataPoolOptions } from '../src/dialect/mysql/mysql-pool-options.js'
import { schema } from './fixtures/sql-modes.js'

type ModeOrm = Orm<typeof schema>

const seed = Number(process.env.RELATA_FC_SEED ?? 20261207)
const runs = (base: number) => Number(process.env.RELATA_FC_RUNS ?? base)

/** A pool whose every connection starts in `mode`, as if the server's global mode were it. */
function poolInMode(database: string, mode: string | undefined, options: PoolOptions = {}): Pool {
  const pool = createPool({ uri: mariadbTestServer.url(database), connectionLimit: 2, ...options })
  if (mode !== undefined) pool.on('connection', (connection) => void connection.query(`set session sql_mode = '${mode}'`))
  return pool
}

function ormOn(pool: Pool, recorder?: QueryRecorder): ModeOrm {
  return createOrm({ schema, dialect: mysql(pool), plugins: recorder === undefined ? [] : [recorder] })
}

const sessionMode = async (orm: ModeOrm): Promise<string> => {
  const { rows } = await sql<{ mode: string }>`select @@session.sql_mode as mode`.execute(orm.db)
  return rows[0]!.mode
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const WHERE_ATTACKS = ["' OR 1=1 -- ", "\\' OR 1=1 -- ", "\\' OR 1=1 #", "' OR '1'='1", '" OR 1=1 -- ']
const STORED_AS_WRITTEN = ["O'Brien", 'C:\\dir\\', "\\'", '\\0', 'a\u0000b', '100%_\\%', '"double" `tick`', "'' ''", 'tail\\', '😀 Ünïcödé ✓', '\\x27']

describeEachDialect('MariaDB sql_mode and charset', () => {
  let database: string
  const opened: ModeOrm[] = []
  const open = (orm: ModeOrm): ModeOrm => {
    opened.push(orm)
    return orm
  }

  beforeAll(async () => {
    database = await mariadbTestServer.createDatabase()
    const orm = open(ormOn(poolInMode(database, undefined, relataPoolOptions)))
    await orm.createTables()
  })

  afterAll(async () => {
    for (const orm of opened) await orm.destroy()
    await mariadbTestServer.dropDatabase(database)
  })

  async function emptyTables(orm: ModeOrm): Promise<void> {
    await orm.db.deleteFrom('mode_pets' as never).execute()
    await orm.db.deleteFrom('mode_owners' as never).execute()
  }

  /** The two attacks of the issue: a filter value that would match every row, and a saved name that would rewrite every row. */
  async function expectNoInjection(orm: ModeOrm): Promise<void> {
    await emptyTables(orm)
    const session = orm.session()
    const ann = session.create('owners', { name: 'Ann' })
    const bob = session.create('owners', { name: 'Bob' })
    for (const name of ['Rex', 'Tom', 'Kit']) session.create('pets', { name, owner: bob })
    await session.commit()

    for (const attack of WHERE_ATTACKS) {
      expect(await orm.session().query('owners').where({ name: attack }).all(), attack).toEqual([])
      expect(await orm.session().query('owners').where('name', 'in', [attack, 'nobody']).count(), attack).toBe(0)
      expect(await orm.session().query('pets').where({ name: attack }).count(), attack).toBe(0)
    }

    const writer = orm.session()
    const rex = await writer.query('pets').where({ name: 'Rex' }).one()
    const attack = `' , owner_id = ${ann.id} WHERE 1=1 -- `
    rex.name = attack
    await writer.commit()
    const rows = await orm.db.selectFrom('mode_pets' as never).select(['name', 'owner_id'] as never).orderBy('id' as never).execute()
    expect(rows).toEqual([
      { name: attack, owner_id: bob.id },
      { name: 'Tom', owner_id: bob.id },
      { name: 'Kit', owner_id: bob.id },
    ])
  }

  /** Quotes, backslashes and NUL are stored as written and found by where() and raw SQL. */
  async function expectStoredAsWritten(orm: ModeOrm): Promise<void> {
    await emptyTables(orm)
    const session = orm.session()
    const created = STORED_AS_WRITTEN.map((name) => session.create('owners', { name }))
    await session.commit()
    const stored = await orm.db.selectFrom('mode_owners' as never).select(['id', 'name'] as never).orderBy('id' as never).execute()
    expect(stored.map((row) => (row as { name: string }).name)).toEqual(STORED_AS_WRITTEN)
    for (const [index, name] of STORED_AS_WRITTEN.entries()) {
      const found = await orm.session().query('owners').where({ name }).all()
      expect(found.map((owner) => owner.id), name).toEqual([created[index]!.id])
      const { rows } = await sql<{ value: string }>`select ${name} as value`.execute(orm.db)
      expect(rows[0]!.value, name).toBe(name)
    }
  }

  const MODES: readonly (readonly [label: string, mode: string | undefined, options: PoolOptions])[] = [
    ["the server's default mode", undefined, relataPoolOptions],
    ["''", '', relataPoolOptions],
    ['NO_BACKSLASH_ESCAPES', 'NO_BACKSLASH_ESCAPES', relataPoolOptions],
    ['NO_BACKSLASH_ESCAPES, on a pool with mysql2 defaults', 'NO_BACKSLASH_ESCAPES', {}],
    ['ANSI_QUOTES', 'ANSI_QUOTES', relataPoolOptions],
    ['ANSI', 'ANSI', relataPoolOptions],
    ['PIPES_AS_CONCAT', 'PIPES_AS_CONCAT', relataPoolOptions],
    ['NO_BACKSLASH_ESCAPES,ANSI_QUOTES,PIPES_AS_CONCAT,IGNORE_SPACE', 'NO_BACKSLASH_ESCAPES,ANSI_QUOTES,PIPES_AS_CONCAT,IGNORE_SPACE', relataPoolOptions],
    ['TRADITIONAL', 'TRADITIONAL', relataPoolOptions],
    ['ORACLE (removed from the session: its grammar reads begin as a block)', 'ORACLE', relataPoolOptions],
  ]

  for (const [label, mode, options] of MODES) {
    test(`${label}: a where() value never becomes SQL, and a saved value never rewrites other rows`, async () => {
      const orm = open(ormOn(poolInMode(database, mode, options)))
      await expectNoInjection(orm)
      if (mode !== undefined) expect((await sessionMode(orm)).split(',')).toEqual(expect.arrayContaining([...mode.split(',').filter((m) => m !== '' && !['ANSI', 'TRADITIONAL', 'ORACLE'].includes(m)), 'STRICT_ALL_TABLES']))
    })

    test(`${label}: quotes, backslashes and NUL are stored and found as written`, async () => {
      await expectStoredAsWritten(open(ormOn(poolInMode(database, mode, options))))
    })
  }

  test('a SET sql_mode run later through orm.db on a pooled connection: values still never become SQL', async () => {
    const orm = open(createOrm({ schema, dialect: mysql({ uri: mariadbTestServer.url(database), connectionLimit: 1 }) }))
    await sql`set session sql_mode = 'NO_BACKSLASH_ESCAPES,ANSI_QUOTES'`.execute(orm.db)
    expect(await sessionMode(orm)).toBe('ANSI_QUOTES,NO_BACKSLASH_ESCAPES')
    await expectNoInjection(orm)
    await expectStoredAsWritten(orm)
    expect(await sessionMode(orm)).toBe('ANSI_QUOTES,NO_BACKSLASH_ESCAPES')
  })

  test('string literals Relata writes into DDL and queries (defaults, sql.lit) read the same under NO_BACKSLASH_ESCAPES', async () => {
    const own = await mariadbTestServer.createDatabase()
    const orm = ormOn(poolInMode(own, 'NO_BACKSLASH_ESCAPES', relataPoolOptions))
    try {
      await orm.createTables()
      const session = orm.session()
      const row = session.create('values', { text: 'x' })
      await session.commit()
      const stored = await orm.db.selectFrom('mode_values' as never).select('note' as never).where('id' as never, '=', row.id as never).executeTakeFirstOrThrow()
      expect(stored).toEqual({ note: "back\\slash and quote'" })
      const { rows } = await sql<{ value: string }>`select ${sql.lit('a\\b\'c')} as value`.execute(orm.db)
      expect(rows[0]!.value).toBe("a\\b'c")
    } finally {
      await orm.destroy()
      await mariadbTestServer.dropDatabase(own)
    }
  })

  test('a latin1 database and a non-strict session: tables are utf8mb4 (utf8mb4_bin) and text is stored as written, not as ?', async () => {
    const own = await mariadbTestServer.createDatabase()
    const orm = ormOn(poolInMode(own, '', relataPoolOptions))
    try {
      await sql`alter database ${sql.id(own)} character set latin1 collate latin1_swedish_ci`.execute(orm.db)
      await orm.createTables()
      const { rows: collations } = await sql<{ name: string; collation: string }>`
        select table_name as name, table_collation as collation from information_schema.tables where table_schema = ${own} order by table_name`.execute(orm.db)
      expect(collations).toEqual(['mode_owners', 'mode_pets', 'mode_values'].map((name) => ({ name, collation: 'utf8mb4_bin' })))
      const names = ['😀 Ünïcödé ✓', '中文', 'Ωmega', 'Zoë']
      const session = orm.session()
      for (const name of names) session.create('owners', { name })
      await session.commit()
      const stored = await orm.db.selectFrom('mode_owners' as never).select('name' as never).orderBy('id' as never).execute()
      expect(stored.map((row) => (row as { name: string }).name)).toEqual(names)
      // Case-sensitive, as on PostgreSQL.
      expect(await orm.session().query('owners').where({ name: 'zoë' }).count()).toBe(0)
    } finally {
      await orm.destroy()
      await mariadbTestServer.dropDatabase(own)
    }
  })

  test('a non-strict session is made strict: a value a column cannot hold is an error, not truncated, clipped or stored as ?', async () => {
    const orm = open(ormOn(poolInMode(database, 'EMPTY_STRING_IS_NULL', relataPoolOptions)))
    const mode = (await sessionMode(orm)).split(',')
    expect(mode).toContain('STRICT_ALL_TABLES')
    expect(mode).not.toContain('EMPTY_STRING_IS_NULL')
    const insert = (values: Record<string, unknown>) => orm.db.insertInto('mode_values' as never).values(values as never).execute()
    await expect(insert({ short: 'nine char' })).rejects.toThrow(/too long/i)
    await expect(insert({ count: 2 ** 40 })).rejects.toThrow(/out of range/i)
    await expect(insert({ amount: '12345678901.5' })).rejects.toThrow(/out of range/i)
    await expect(insert({ day: '2024-02-30' })).rejects.toThrow(/incorrect/i)
    await expect(insert({ kind: 'z' })).rejects.toThrow(/truncated/i)
    // An empty string stays an empty string (EMPTY_STRING_IS_NULL is removed).
    const session = orm.session()
    const row = session.create('values', { text: '', short: '' })
    await session.commit()
    const stored = await orm.db.selectFrom('mode_values' as never).select(['text', 'short'] as never).where('id' as never, '=', row.id as never).executeTakeFirstOrThrow()
    expect(stored).toEqual({ text: '', short: '' })
  })

  test('a connection whose character set is not utf8mb4 is refused, naming the charset', async () => {
    const orm = open(ormOn(poolInMode(database, undefined, { ...relataPoolOptions, charset: 'LATIN1_SWEDISH_CI' })))
    const error = await orm.session().query('owners').all().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RelataError)
    expect(String(error)).toMatch(/latin1.*utf8mb4/)
  })

  const FLAGS = [
    'NO_BACKSLASH_ESCAPES', 'ANSI_QUOTES', 'PIPES_AS_CONCAT', 'IGNORE_SPACE', 'ONLY_FULL_GROUP_BY', 'ANSI', 'REAL_AS_FLOAT',
    'STRICT_TRANS_TABLES', 'NO_ZERO_DATE', 'NO_ZERO_IN_DATE', 'ERROR_FOR_DIVISION_BY_ZERO', 'NO_AUTO_VALUE_ON_ZERO',
    'HIGH_NOT_PRECEDENCE', 'NO_UNSIGNED_SUBTRACTION', 'EMPTY_STRING_IS_NULL', 'PAD_CHAR_TO_FULL_LENGTH',
    'SIMULTANEOUS_ASSIGNMENT', 'TIME_ROUND_FRACTIONAL', 'TRADITIONAL', 'NO_ENGINE_SUBSTITUTION', 'ORACLE', 'MSSQL', 'POSTGRESQL',
  ]
  const hostileText = fc.oneof(
    fc.constantFrom(...WHERE_ATTACKS, ...STORED_AS_WRITTEN, "' , text = 'owned' WHERE 1=1 -- ", '\\', "\\'", '?', '??', '-- ', '/*', '#'),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.string({ unit: fc.constantFrom("'", '\\', '"', '`', '\u0000', '?', '-', '#', '/', '*', ' ', 'a', '😀'), maxLength: 30 }),
  ).filter((text) => !LONE_SURROGATE.test(text))

  test('property: under random sql_mode sets, hostile strings and every kind of value are stored and found exactly, and never become SQL', async () => {
    const model = new Map<number, Record<string, unknown>>()
    await open(ormOn(poolInMode(database, undefined, relataPoolOptions))).db.deleteFrom('mode_values' as never).execute()
    const columns = ['text', 'short', 'count', 'amount', 'ratio', 'at', 'day', 'doc', 'kind'] as const
    const rowValues = fc.record({
      text: hostileText,
      short: hostileText.filter((text) => text.length <= 8),
      count: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      amount: fc.integer({ min: -(10 ** 11) + 1, max: 10 ** 11 - 1 }).map((cents) => (cents / 100).toFixed(2)),
      ratio: fc.oneof(fc.integer().map((n) => n / 1024), fc.constantFrom(0.1, 1 / 3, 1e300, -2.5e-300)),
      at: fc.date({ min: new Date(Date.UTC(1000, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }),
      day: fc.integer({ min: -300_000, max: 2_900_000 }).map((days) => new Date(days * 86_400_000)),
      doc: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.dictionary(hostileText, hostileText, { maxKeys: 3 })).map((doc) => JSON.parse(JSON.stringify(doc)) as unknown),
      kind: fc.constantFrom('a', "it's", 'b"c', 'd\\e'),
    })
    await fc.assert(
      fc.asyncProperty(fc.subarray(FLAGS), fc.array(rowValues, { minLength: 1, maxLength: 3 }), hostileText, async (flags, rows, replacement) => {
        const orm = ormOn(poolInMode(database, flags.join(','), relataPoolOptions))
        try {
          const session = orm.session()
          const created = rows.map((values) => session.create('values', values as never))
          await session.commit()
          for (const [index, entity] of created.entries()) model.set(entity.id, { ...rows[index]! })
          // An update of one row's text changes that row only.
          const first = await orm.session().get('values', created[0]!.id)
          const editor = orm.session()
          const edited = (await editor.get('values', created[0]!.id))!
          edited.text = replacement
          await editor.commit()
          expect(first).not.toBeNull()
          model.get(created[0]!.id)!.text = replacement

          const all = await orm.session().query('values').untracked().all()
          expect(all.length).toBe(model.size)
          for (const row of all) {
            const expected = model.get(row.id)!
            for (const column of columns) expect((row as Record<string, unknown>)[column], `${column} of ${row.id} in ${flags.join(',')}`).toEqual(expected[column])
            expect(row.note).toBe("back\\slash and quote'")
          }
          for (const entity of created) {
            const expected = model.get(entity.id)!
            const byText = await orm.session().query('values').where({ text: expected.text as string }).all()
            expect(byText.map((row) => row.id).sort((a, b) => a - b)).toEqual([...model].filter(([, values]) => values.text === expected.text).map(([id]) => id))
            expect(await orm.session().query('values').where({ id: entity.id, short: expected.short as string }).count()).toBe(1)
          }
        } finally {
          await orm.destroy()
        }
      }),
      { seed, numRuns: runs(30), endOnFailure: true },
    )
  })
}, { only: ['mariadb'] })
