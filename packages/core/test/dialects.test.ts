import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'kysely'
import { createPool } from 'mysql2'
import { createPool as createPromisePool } from 'mysql2/promise'
import pg from 'pg'
import { describe, expect, test, vi } from 'vitest'
import { mariadbTestServer, postgresTestServer } from '@relata/test-kit/servers'
import { describeEachDialect } from '@relata/test-kit/targets'
import { mysql } from '../src/dialect/mysql/mysql.js'
import { mysqlCapabilities, parseMysqlVersion } from '../src/dialect/mysql/mysql-server.js'
import { pglite } from '../src/dialect/postgres/pglite.js'
import { postgres } from '../src/dialect/postgres/postgres.js'
import { formatUtcTimestamp, parsePostgresTimestamp } from '../src/values/timestamps.js'
import { createOrm, type QueryEvent } from '../src/index.js'
import { schema } from './fixtures/books.js'

describe('server detection and type parsing', () => {
  test('tells MariaDB from MySQL by the version string', () => {
    expect(parseMysqlVersion('10.11.19-MariaDB-0+deb12u1')).toEqual({ kind: 'mariadb', version: [10, 11] })
    expect(parseMysqlVersion('5.5.5-10.4.2-MariaDB')).toEqual({ kind: 'mariadb', version: [10, 4] })
    expect(parseMysqlVersion('8.0.36')).toEqual({ kind: 'mysql', version: [8, 0] })
  })

  test('RETURNING on MariaDB 10.5 and later only, unless switched off', () => {
    expect(mysqlCapabilities({ kind: 'mariadb', version: [10, 11] }, {}).returning).toBe(true)
    expect(mysqlCapabilities({ kind: 'mariadb', version: [10, 4] }, {}).returning).toBe(false)
    expect(mysqlCapabilities({ kind: 'mysql', version: [8, 0] }, {})).toMatchObject({ returning: false, jsonAggregation: 'mysql' })
    expect(mysqlCapabilities({ kind: 'mariadb', version: [10, 11] }, { returning: false })).toMatchObject({ returning: false, jsonAggregation: 'mariadb' })
  })

  test('a named server settles the capabilities without connecting', () => {
    const url = 'mysql://nobody@127.0.0.1:1/none'
    expect(mysql(url, { server: 'mysql' }).capabilities).toMatchObject({ returning: false, jsonAggregation: 'mysql', transactionalDdl: false })
    expect(mysql(url, { server: 'mariadb' }).capabilities).toMatchObject({ returning: true, jsonAggregation: 'mariadb' })
    expect(mysql(url, { server: 'mariadb', returning: false }).capabilities.returning).toBe(false)
  })

  test('PostgreSQL timestamps without time zone are read as UTC', () => {
    expect(parsePostgresTimestamp('2024-01-02 03:04:05.678901')).toEqual(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)))
    const idesOfMarch = new Date(0)
    idesOfMarch.setUTCFullYear(44, 2, 15)
    expect(parsePostgresTimestamp('0044-03-15')).toEqual(idesOfMarch)
    expect((parsePostgresTimestamp('0001-01-01 00:00:00 BC') as Date).getUTCFullYear()).toBe(0)
    expect(parsePostgresTimestamp('infinity')).toBe(Number.POSITIVE_INFINITY)
    expect(formatUtcTimestamp(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe('2024-01-02T03:04:05.006+00:00')
  })
})

describeEachDialect('dialect', (target) => {
  const ctx = target.setup(schema)

  test('capabilities', async () => {
    const capabilities = await ctx.dialect.resolveCapabilities(ctx.orm.db)
    expect(capabilities).toEqual(
      target.family === 'postgres'
        ? { family: 'postgres', returning: true, maxParameters: 65535, transactionalDdl: true, jsonAggregation: 'postgres', lockWaits: { noWait: true, skipLocked: true } }
        : { family: 'mysql', returning: true, maxParameters: 65535, maxStatementBytes: expect.any(Number), transactionalDdl: false, jsonAggregation: 'mariadb', lockWaits: { noWait: true, skipLocked: true }, shareLockClause: 'lock in share mode' },
    )
    expect(ctx.dialect.capabilities).toEqual(capabilities)
    expect(ctx.dialect.name).toBe(target.name === 'mariadb' ? 'mysql' : target.name === 'postgres-pgbouncer' ? 'postgres' : target.name)
  })

  test('INSERT ... RETURNING and DELETE ... RETURNING return rows through orm.db', async () => {
    const inserted = await ctx.orm.db.insertInto('authors').values([{ name: 'Ann' }, { name: 'Bo' }]).returning(['id', 'name']).execute()
    expect(inserted.map((row) => row.name)).toEqual(['Ann', 'Bo'])
    expect(inserted.every((row) => typeof row.id === 'number')).toBe(true)
    const deleted = await ctx.orm.db.deleteFrom('authors').where('name', '=', 'Bo').returning('name').execute()
    expect(deleted).toEqual([{ name: 'Bo' }])
  })

  test('aggregates are typed like columns: counts as bigint', async () => {
    const { n } = await ctx.orm.db.selectFrom('authors').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
    expect(typeof n).toBe('bigint')
  })
})

describeEachDialect(
  'mysql() on MariaDB',
  (target) => {
    const ctx = target.setup(schema, { dialect: { returning: false } })

    test('returning: false switches the capability off, and the MySQL 8 path works', async () => {
      expect(await ctx.dialect.resolveCapabilities(ctx.orm.db)).toMatchObject({ returning: false, jsonAggregation: 'mariadb' })
      const [result] = await ctx.orm.db.insertInto('authors').values({ name: 'Ann' }).execute()
      expect(result!.insertId).toBeTypeOf('bigint')
    })

    test('capabilities are provisional until a connection has told the server', async () => {
      const orm = createOrm({ schema, dialect: target.dialect() })
      try {
        expect(orm.dialect.capabilities.returning).toBe(false)
        expect(await orm.dialect.resolveCapabilities(orm.db)).toMatchObject({ returning: true, jsonAggregation: 'mariadb' })
        expect(orm.dialect.capabilities.returning).toBe(true)
      } finally {
        await orm.destroy()
      }
    })

    test('a pool passed in is used as it is, and ended by destroy()', async () => {
      const pool = createPool(mariadbTestServer.url('test'))
      const orm = createOrm({ schema, dialect: mysql(pool) })
      const { rows } = await sql<{ n: unknown }>`select count(*) as n`.execute(orm.db)
      expect(rows[0]!.n).toBe(1)
      await orm.destroy()
      await expect(new Promise((resolve, reject) => pool.getConnection((error, connection) => (error ? reject(error) : resolve(connection))))).rejects.toThrow()
    })

    test('a mysql2/promise pool works too', async () => {
      const pool = createPromisePool(mariadbTestServer.url('test'))
      const orm = createOrm({ schema, dialect: mysql(pool) })
      const { rows } = await sql<{ one: unknown }>`select ${1} as one`.execute(orm.db)
      expect(rows).toEqual([{ one: 1 }])
      await orm.destroy()
      await expect(pool.getConnection()).rejects.toThrow()
    })
  },
  { only: ['mariadb'] },
)

describeEachDialect(
  'postgres() with a pool passed in',
  () => {
    test('is used as it is, and ended by destroy()', async () => {
      const pool = new pg.Pool({ connectionString: postgresTestServer.url('test') })
      const orm = createOrm({ schema, dialect: postgres(pool) })
      const { rows } = await sql<{ n: unknown }>`select count(*) as n`.execute(orm.db)
      expect(rows[0]!.n).toBe('1')
      await orm.destroy()
      expect(pool.ended).toBe(true)
    })
  },
  { only: ['postgres'] },
)

describeEachDialect(
  'pglite() options',
  () => {
    test('an instance passed in is used as it is, and closed by destroy()', async () => {
      const instance = new PGlite()
      const orm = createOrm({ schema, dialect: pglite(instance) })
      const { rows } = await sql<{ n: unknown }>`select count(*) as n`.execute(orm.db)
      expect(rows[0]!.n).toBe(1)
      await orm.destroy()
      expect(instance.closed).toBe(true)
    })

    test('{ dataDir } keeps the data between instances', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'relata-pglite-'))
      try {
        const first = createOrm({ schema, dialect: pglite({ dataDir }) })
        await first.createTables()
        await first.db.insertInto('authors').values({ name: 'Kept' }).execute()
        await first.destroy()
        const second = createOrm({ schema, dialect: pglite({ dataDir }) })
        expect(await second.db.selectFrom('authors').select('name').execute()).toEqual([{ name: 'Kept' }])
        await second.destroy()
      } finally {
        await rm(dataDir, { recursive: true, force: true })
      }
    })

    test("a data directory given alone, pglite('./dir') as PGlite's own constructor takes it, keeps the data too", async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'relata-pglite-'))
      try {
        const first = createOrm({ schema, dialect: pglite(dataDir) })
        await first.createTables()
        await first.db.insertInto('authors').values({ name: 'Kept' }).execute()
        await first.destroy()
        const second = createOrm({ schema, dialect: pglite(dataDir, { relaxedDurability: false }) })
        expect(await second.db.selectFrom('authors').select('name').execute()).toEqual([{ name: 'Kept' }])
        await second.destroy()
      } finally {
        await rm(dataDir, { recursive: true, force: true })
      }
    })

    test('anything else from JavaScript is refused at the call, not ignored', () => {
      const untyped = pglite as (...args: unknown[]) => unknown
      expect(() => untyped(42)).toThrow('pglite() takes a data directory (a string), PGlite options or a PGlite instance, got 42 (a number)')
      expect(() => untyped(false)).toThrow('got false (a boolean)')
    })
  },
  { only: ['pglite'] },
)

describeEachDialect('log option', (target) => {
  const placeholder = target.family === 'postgres' ? '$1' : '?'

  test('reports sql, parameters and duration of every statement, failures included', async () => {
    const events: QueryEvent[] = []
    const orm = createOrm({ schema, dialect: target.dialect(), log: (event) => events.push(event) })
    try {
      await sql`select ${7} as seven`.execute(orm.db)
      await expect(sql`select * from no_such_table`.execute(orm.db)).rejects.toThrow()
    } finally {
      await orm.destroy()
    }
    expect(events).toHaveLength(2)
    expect(events[0]).toEqual({ sql: `select ${placeholder} as seven`, parameters: [7], durationMs: expect.any(Number) })
    expect(events[0]!.durationMs).toBeGreaterThanOrEqual(0)
    expect(events[1]).toMatchObject({ sql: 'select * from no_such_table', parameters: [], error: expect.any(Error) })
  })

  test("log: 'console' prints each statement", async () => {
    const print = vi.spyOn(console, 'log').mockImplementation(() => undefined)
    const orm = createOrm({ schema, dialect: target.dialect(), log: 'console' })
    let lines: unknown[][] = []
    try {
      await sql`select ${7} as seven`.execute(orm.db)
      lines = [...print.mock.calls]
    } finally {
      await orm.destroy()
      print.mockRestore()
    }
    expect(lines).toContainEqual([expect.stringMatching(new RegExp(`^\\[relata\\] \\d+\\.\\d ms  select \\${placeholder} as seven  -- \\[7\\]$`))])
  })
})
