/** The Chinook loader: every row of the dataset, exact values, and keys that keep counting after it. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { beforeAll, describe, expect, test } from 'vitest'
import { chinookDir, chinookInserts, loadChinook, schema, splitStatements } from '@relata/test-kit/chinook'
import { describeEachDialect } from '@relata/test-kit/targets'

/** The row counts the dataset's README gives, by SQL table name. */
const expectedCounts = {
  artist: 275,
  album: 347,
  track: 3503,
  genre: 25,
  media_type: 5,
  playlist: 18,
  playlist_track: 8715,
  customer: 59,
  invoice: 412,
  invoice_line: 2240,
  employee: 8,
} as const

describe('splitStatements', () => {
  test('splits at semicolons outside strings, quoted names and comments', () => {
    const script = [
      '/* a; comment */',
      "INSERT INTO a (x) VALUES (N'Guns N'' Roses; live'), ('x -- y');",
      '\\c chinook;',
      '-- a line; comment',
      'INSERT INTO `b;c` ("d;e") VALUES (1)',
    ].join('\n')
    expect(splitStatements(script)).toEqual([
      "INSERT INTO a (x) VALUES (N'Guns N'' Roses; live'), ('x -- y')",
      '\\c chinook',
      'INSERT INTO `b;c` ("d;e") VALUES (1)',
    ])
  })

  test('the dataset folder: shared/datasets/chinook beside the repository, or RELATA_CHINOOK_DIR', () => {
    const saved = process.env.RELATA_CHINOOK_DIR
    try {
      delete process.env.RELATA_CHINOOK_DIR
      expect(chinookDir()).toBe(join(fileURLToPath(new URL('../../../', import.meta.url)), '..', 'shared', 'datasets', 'chinook') + '/')
      process.env.RELATA_CHINOOK_DIR = '/elsewhere/chinook'
      expect(chinookDir()).toBe('/elsewhere/chinook')
    } finally {
      if (saved === undefined) delete process.env.RELATA_CHINOOK_DIR
      else process.env.RELATA_CHINOOK_DIR = saved
    }
  })

  test('finds the 24 INSERTs of each dataset file', async () => {
    for (const file of ['Chinook_PostgreSql.sql', 'Chinook_MySql.sql']) {
      const statements = splitStatements(await readFile(join(chinookDir(), file), 'utf8'))
      expect(statements.filter((s) => s.startsWith('INSERT INTO ')), file).toHaveLength(24)
    }
  })
})

describeEachDialect('loadChinook', (target) => {
  const ctx = target.setup(schema)
  let elapsedMs = 0

  beforeAll(async () => {
    const started = performance.now()
    await loadChinook(ctx.orm)
    elapsedMs = performance.now() - started
  })

  test('runs only the INSERTs, with table and column names the schema declares', async () => {
    const inserts = await chinookInserts(ctx.orm)
    expect(inserts).toHaveLength(24)
    const quote = target.family === 'mysql' ? '`' : ''
    expect(inserts[0]).toMatch(new RegExp(`^INSERT INTO ${quote}genre${quote} \\(${quote}genre_id${quote}, ${quote}name${quote}\\) VALUES`))
    expect(inserts.map((s) => /^INSERT INTO [`]?(\w+)/.exec(s)![1])).toEqual([
      'genre', 'media_type', 'artist', 'album',
      'track', 'track', 'track', 'track',
      'employee', 'customer', 'invoice',
      'invoice_line', 'invoice_line', 'invoice_line',
      'playlist',
      ...Array<string>(9).fill('playlist_track'),
    ])
  })

  test('takes seconds, not minutes', () => {
    expect(elapsedMs).toBeGreaterThan(0)
    expect(elapsedMs).toBeLessThan(30_000)
  })

  test('loads every row the README counts', async () => {
    const counts: Record<string, number> = {}
    for (const table of Object.keys(expectedCounts)) {
      const row = await ctx.orm.db
        .selectFrom(table as keyof typeof expectedCounts)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
      counts[table] = Number(row.n)
    }
    expect(counts).toEqual(expectedCounts)
  })

  test('numerics come back as exact strings, timestamps as UTC dates', async () => {
    const line = await ctx.orm.db.selectFrom('invoice_line').selectAll().where('invoice_line_id', '=', 1).executeTakeFirstOrThrow()
    expect(line).toEqual({ invoice_line_id: 1, invoice_id: 1, track_id: 2, unit_price: '0.99', quantity: 1 })
    const invoice = await ctx.orm.db.selectFrom('invoice').selectAll().where('invoice_id', '=', 1).executeTakeFirstOrThrow()
    expect(invoice).toEqual({
      invoice_id: 1,
      customer_id: 2,
      invoice_date: new Date('2021-01-01T00:00:00.000Z'),
      billing_address: 'Theodor-Heuss-Straße 34',
      billing_city: 'Stuttgart',
      billing_state: null,
      billing_country: 'Germany',
      billing_postal_code: '70174',
      total: '1.98',
    })
    const last = await ctx.orm.db.selectFrom('invoice').select(['invoice_date', 'total']).where('invoice_id', '=', 412).executeTakeFirstOrThrow()
    expect(last).toEqual({ invoice_date: new Date('2025-12-22T00:00:00.000Z'), total: '1.99' })
    const text = sql.raw(target.family === 'mysql' ? 'char' : 'text')
    const { rows } = await sql<{ total: string }>`select cast(sum(total) as ${text}) as total from invoice`.execute(ctx.orm.db)
    expect(rows).toEqual([{ total: '2328.60' }])
  })

  test('employees report to employees; customers have support reps', async () => {
    const employees = await ctx.orm.db.selectFrom('employee').select(['employee_id', 'reports_to', 'birth_date', 'hire_date']).orderBy('employee_id').execute()
    expect(employees.map((e) => [e.employee_id, e.reports_to])).toEqual([
      [1, null], [2, 1], [3, 2], [4, 2], [5, 2], [6, 1], [7, 6], [8, 6],
    ])
    expect(employees[0]!.birth_date).toEqual(new Date('1962-02-18T00:00:00.000Z'))
    expect(employees[0]!.hire_date).toEqual(new Date('2002-08-14T00:00:00.000Z'))
    const reps = await ctx.orm.db
      .selectFrom('customer')
      .select(['support_rep_id', (eb) => eb.fn.countAll().as('n')])
      .groupBy('support_rep_id')
      .orderBy('support_rep_id')
      .execute()
    expect(reps.map((r) => [r.support_rep_id, Number(r.n)])).toEqual([[3, 21], [4, 20], [5, 18]])
  })

  test('strings arrive as written: doubled quotes, backslashes, accents', async () => {
    const artist = await ctx.orm.db.selectFrom('artist').selectAll().where('artist_id', '=', 88).executeTakeFirstOrThrow()
    expect(artist).toEqual({ artist_id: 88, name: "Guns N' Roses" })
    const track = await ctx.orm.db.selectFrom('track').selectAll().where('track_id', '=', 3435).executeTakeFirstOrThrow()
    expect(track).toEqual({
      track_id: 3435,
      name: 'Cavalleria Rusticana \\ Act \\ Intermezzo Sinfonico',
      album_id: 302,
      media_type_id: 2,
      genre_id: 24,
      composer: 'Pietro Mascagni',
      milliseconds: 243436,
      bytes: 4001276,
      unit_price: '0.99',
    })
    const composerless = await ctx.orm.db.selectFrom('track').select((eb) => eb.fn.countAll().as('n')).where('composer', 'is', null).executeTakeFirstOrThrow()
    expect(Number(composerless.n)).toBe(977)
  })

  test('new rows get keys after the loaded ones', async () => {
    const artist = await ctx.orm.db.insertInto('artist').values({ name: 'Loaded Later' }).executeTakeFirst()
    const row = await ctx.orm.db.selectFrom('artist').selectAll().where('name', '=', 'Loaded Later').executeTakeFirstOrThrow()
    expect(row.artist_id).toBe(276)
    if (target.family === 'mysql') expect(artist.insertId).toBe(276n)
    const line = await ctx.orm.db
      .insertInto('invoice_line')
      .values({ invoice_id: 1, track_id: 1, unit_price: '1.00', quantity: 3 })
      .executeTakeFirst()
    expect(line.numInsertedOrUpdatedRows).toBe(1n)
    const lines = await ctx.orm.db.selectFrom('invoice_line').select('invoice_line_id').where('quantity', '=', 3).execute()
    expect(lines).toEqual([{ invoice_line_id: 2241 }])
  })
})
