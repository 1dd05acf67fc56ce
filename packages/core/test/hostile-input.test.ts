/**
 * Hostile input, property-based: every value either round-trips exactly (written through the unit
 * of work; read back by get, a query, both loading strategies; found by a where() filter) or is
 * refused before any SQL with an error naming the table and column. Names that reach the library
 * from untyped JavaScript are checked against the schema and never reach SQL.
 *
 * Seeded: RELATA_FC_SEED and RELATA_FC_RUNS override the seed and the runs per property.
 */
import fc from 'fast-check'
import { afterAll, expect, test } from 'vitest'
import { describeEachDialect, type TestTarget } from '@relata/test-kit/targets'
import { RelataError, type Orm } from '../src/index.js'
import { SAMPLE_COLUMNS, STATUSES, schema, type SampleColumn } from './fixtures/hostile.js'

const seed = Number(process.env.RELATA_FC_SEED ?? 20261122)
const runs = (base: number) => Number(process.env.RELATA_FC_RUNS ?? base)
const params = (base: number): fc.Parameters<unknown> => ({ seed, numRuns: runs(base), endOnFailure: true })

const injections = [
  "'); drop table hostile_parents; --",
  "\\'; drop table hostile_samples; --",
  '"; drop table hostile_samples; --',
  '`; drop table hostile_samples; --',
  "' or '1'='1",
  '\\',
  "\\'",
  '%_\\%',
  '$1',
  '?',
  ':name',
  '/* */ --',
]
const oddStrings = ['', ' ', 'trailing ', 'a\u0000b', '\u0000', '😀', '𝄞 non-BMP', '\uD800', 'x\uDC00', '\uDBFF\uDFFF', 'é', 'e\u0301', '\u202Eright-to-left', '\r\n\t', 'ß', 'İ', '\uFEFF']

const hostileString = fc.oneof(
  fc.constantFrom(...injections, ...oddStrings),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  // Long strings, some past MySQL's 65,535-byte TEXT, some built of 4-byte characters.
  fc.record({ n: fc.integer({ min: 20_000, max: 120_000 }), unit: fc.constantFrom('x', '😀', "'", '\u0000') }).map(({ n, unit }) => unit.repeat(Math.ceil(n / unit.length))),
)

const uuid = fc.uuid().map((u) => u.toLowerCase())
const intValue = fc.oneof(fc.integer(), fc.constantFrom(2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 53, -0, 0.5, Number.NaN, Number.POSITIVE_INFINITY), fc.double())
const bigValue = fc.oneof(
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.constantFrom(2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, -(2n ** 63n) - 1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 0n),
)
const digits = (max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: max })
const decimalValue = fc.oneof(
  fc.tuple(fc.constantFrom('', '-', '+'), digits(40), digits(36), fc.option(fc.integer({ min: -40, max: 40 }), { nil: undefined })).map(
    ([sign, int, frac, exp]) => `${sign}${int || '0'}${frac === '' ? '' : `.${frac}`}${exp === undefined ? '' : `e${exp}`}`,
  ),
  fc.constantFrom('1.2.3', '', ' 1', '1 ', 'NaN', 'Infinity', '1e', '0x10', '١٢', '1e99999', '-0', '.5', '5.', '1_000', "1'; drop table x; --"),
)
const doubleValue = fc.oneof(fc.double(), fc.constantFrom(Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, 2.2250738585072014e-308, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.1, 1e-45))
const realValue = fc.oneof(doubleValue, fc.float({ noNaN: false }), fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 100), fc.constantFrom(3.4028234663852886e38, 3.4e38, 1e39, 1.5))

const MAX_TIME = 8.64e15
const dateEdges = [
  Date.UTC(-4713, 10, 24), Date.UTC(-4713, 10, 24) - 1, Date.UTC(-4713, 10, 23), Date.UTC(0, 0, 1), Date.UTC(1, 0, 1) - 1,
  Date.UTC(1000, 0, 1), Date.UTC(1000, 0, 1) - 1, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1),
  Date.UTC(1970, 0, 1), -1, MAX_TIME, -MAX_TIME, Date.UTC(275760, 8, 12),
].map((time) => new Date(time))
const timestampValue = fc.oneof(fc.date({ noInvalidDate: false }), fc.constantFrom(...dateEdges, new Date(Number.NaN)))
const dayValue = fc.oneof(
  fc.integer({ min: -100_000_000, max: 100_000_000 }).map((days) => new Date(days * 86_400_000)),
  fc.constantFrom(...dateEdges, new Date(Number.NaN)),
  timestampValue,
)

const oddKey = fc.oneof(fc.constantFrom('', '"', "'", '__proto__', 'constructor', '😀', '\\', 'a.b', '$', '\u0000', '\uD800', "'); drop table x; --"), fc.string({ unit: 'binary', maxLength: 8 }))
const nested = (depth: number, leaf: unknown): unknown => (depth === 0 ? leaf : depth % 2 === 0 ? [nested(depth - 1, leaf)] : { [`k${depth}`]: nested(depth - 1, leaf) })
const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(oddKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  fc.tuple(fc.integer({ min: 1, max: 40 }), fc.jsonValue({ maxDepth: 1 })).map(([depth, leaf]) => nested(depth, leaf)),
  fc.constantFrom<unknown>([Number.NaN], { a: Number.POSITIVE_INFINITY }, [-0], { d: new Date(0) }, [undefined], { u: undefined, v: 1 }, ['\u0000'], { s: hostile() }, 1e300, 5e-324, 'text', true, [], {}),
)
function hostile(): string {
  return injections[0]!
}

const valueOf: Record<SampleColumn, fc.Arbitrary<unknown>> = {
  int: intValue,
  big: bigValue,
  text: hostileString,
  short: fc.oneof(hostileString, fc.string({ unit: 'binary', maxLength: 9 })),
  flag: fc.oneof(fc.boolean(), fc.constantFrom(0, 1, 'true', null)),
  exact: decimalValue,
  decimal: decimalValue,
  single: realValue,
  double: doubleValue,
  at: timestampValue,
  zoned: timestampValue,
  day: dayValue,
  doc: jsonValue,
  docb: jsonValue,
  token: fc.oneof(uuid, uuid.map((u) => u.toUpperCase()), hostileString),
  status: fc.oneof(fc.constantFrom(...STATUSES), hostileString),
}

interface Case {
  readonly column: SampleColumn
  readonly value: unknown
}

const cases = (columns: readonly SampleColumn[]) =>
  fc.array(fc.constantFrom(...columns).chain((column) => valueOf[column].map((value): Case => ({ column, value }))), { minLength: 1, maxLength: 8 })

/** Decimal strings compared by value: the database writes them at the column's scale. */
function decimalKey(text: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text)!
  const [, sign, int = '', frac = '', exp = '0'] = match
  let all = int + frac
  let point = int.length + Number(exp)
  if (point < 0) {
    all = '0'.repeat(-point) + all
    point = 0
  }
  all = all.padEnd(point, '0')
  const whole = all.slice(0, point).replace(/^0+/, '') || '0'
  const fraction = all.slice(point).replace(/0+$/, '')
  const zero = whole === '0' && fraction === ''
  return `${sign === '-' && !zero ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`
}

/** A value as it must read back. */
function normal(column: SampleColumn, value: unknown): unknown {
  if (value === null) return null
  if (column === 'exact' || column === 'decimal') return decimalKey(value as string)
  if (column === 'at' || column === 'zoned' || column === 'day') return (value as Date).getTime()
  if (column === 'doc' || column === 'docb') return JSON.parse(JSON.stringify(value))
  return value
}

function expectRead(column: SampleColumn, read: unknown, written: unknown, via: string): void {
  const label = `${column} via ${via}`
  if (column === 'at' || column === 'zoned' || column === 'day') expect(read, label).toBeInstanceOf(Date)
  // An integer column holds integers: -0 is 0. Floats keep their sign of zero.
  if (column === 'int') {
    expect(read === written, `${label}: ${String(read)} is not ${String(written)}`).toBe(true)
    return
  }
  if (column === 'single' || column === 'double') {
    expect(Object.is(read, written), `${label}: ${String(read)} is not ${Object.is(written, -0) ? '-0' : String(written)}`).toBe(true)
    return
  }
  expect(normal(column, read), label).toEqual(normal(column, written))
}

/** A refusal before SQL: a RelataError naming the table and the column, and no statement. */
function expectRefusal(error: unknown, column: string, sqlColumn: string, statements: number): void {
  if (!(error instanceof RelataError)) throw error
  expect(error.message).toContain(`samples.${column}`)
  expect(error.message).toContain(`hostile_samples.${sqlColumn}`)
  expect(statements, 'no SQL before a refusal').toBe(0)
}

const snake = (property: string) => property.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** Figures for the closing note: inputs tried and refused per property and database. */
const figures: string[] = []

async function tablesIntact(orm: Orm<typeof schema>): Promise<void> {
  const parents = await orm.db.selectFrom('hostile_parents').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  const samples = await orm.db.selectFrom('hostile_samples').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  expect(Number(parents.n)).toBeGreaterThan(0)
  expect(Number(samples.n)).toBeGreaterThan(0)
}

describeEachDialect('hostile input', (target: TestTarget) => {
  const ctx = target.setup(schema)
  const tally = new Map<string, { tried: number; refused: number }>()
  const count = (property: string, refused: boolean) => {
    const entry = tally.get(property) ?? { tried: 0, refused: 0 }
    entry.tried++
    if (refused) entry.refused++
    tally.set(property, entry)
  }

  afterAll(() => {
    for (const [property, { tried, refused }] of tally) figures.push(`${target.name}\t${property}\t${tried} inputs\t${refused} refused`)
  })

  /** Writes a batch of values through the unit of work, then reads each back every way; refusals must come before SQL. */
  async function roundTrip(property: string, batch: readonly Case[]): Promise<void> {
    const session = ctx.orm.session()
    const parent = session.create('parents', { name: 'p' })
    const written: { row: Record<string, unknown>; case: Case }[] = []
    for (const each of batch) {
      ctx.recorder.clear()
      try {
        const row = session.create('samples', { parent, [each.column]: each.value } as never) as Record<string, unknown>
        written.push({ row, case: each })
        count(property, false)
      } catch (error) {
        expectRefusal(error, each.column, snake(each.column), ctx.recorder.sql.length)
        count(property, true)
      }
    }
    await session.flush()
    const parentId = (parent as { id: number }).id
    const ids = written.map(({ row }) => row.id as number)

    const reader = ctx.orm.session()
    const byId = new Map((await reader.query('samples').where('id', 'in', ids).all()).map((row) => [(row as { id: number }).id, row as Record<string, unknown>]))
    const joined = await ctx.orm.session().query('parents').where({ id: parentId }).with({ children: true }).strategy('join').one()
    const selected = await ctx.orm.session().query('parents').where({ id: parentId }).with({ children: true }).one()
    const children = (entity: object) => new Map([...((entity as { children: Iterable<Record<string, unknown>> }).children)].map((row) => [row.id as number, row]))
    const viaJoin = children(joined)
    const viaSelectIn = children(selected)
    expect(viaJoin.size).toBe(written.length)
    expect(viaSelectIn.size).toBe(written.length)

    for (const { row, case: { column, value } } of written) {
      const id = row.id as number
      expectRead(column, row[column], value, 'the written object')
      expectRead(column, byId.get(id)![column], value, 'query')
      expectRead(column, viaJoin.get(id)![column], value, "with({ children }) strategy('join')")
      expectRead(column, viaSelectIn.get(id)![column], value, 'with({ children }) selectIn')
      const got = (await ctx.orm.session().get('samples', id)) as Record<string, unknown>
      expectRead(column, got[column], value, 'get')
      // As a filter value: the row is found by it, alone and in a list.
      const filters = ctx.orm.session()
      ctx.recorder.clear()
      let equal
      try {
        equal = filters.query('samples').where({ id, [column]: value } as never)
      } catch (error) {
        // PostgreSQL compares no json values: refused before SQL, naming the column.
        expect(target.family === 'postgres' && column === 'doc', `${column} filter refused: ${String(error)}`).toBe(true)
        expectRefusal(error, column, snake(column), ctx.recorder.sql.length)
        continue
      }
      expect(await equal.count(), `${column} = value finds its row`).toBe(1)
      expect(await filters.query('samples').where('id', '=', id).where(column, 'in', [value]).count(), `${column} in [value] finds its row`).toBe(1)
    }
  }

  const roundTripProperty = (name: string, columns: readonly SampleColumn[], numRuns: number) =>
    test(`${name}: round-trip exactly or are refused before SQL`, async () => {
      await fc.assert(fc.asyncProperty(cases(columns), (batch) => roundTrip(name, batch)), params(numRuns))
      await tablesIntact(ctx.orm)
    })

  roundTripProperty('strings (text, varchar(8), enum, uuid)', ['text', 'short', 'status', 'token'], 40)
  roundTripProperty('integers, bigints, booleans', ['int', 'big', 'flag'], 40)
  roundTripProperty('decimals', ['exact', 'decimal'], 40)
  roundTripProperty('floats (real, double precision)', ['single', 'double'], 40)
  roundTripProperty('dates (timestamp, timestamptz, date)', ['at', 'zoned', 'day'], 40)
  roundTripProperty('JSON (json, jsonb)', ['doc', 'docb'], 40)
  roundTripProperty('every column at once', SAMPLE_COLUMNS, 25)

  test('filter values that no column value could be are refused before SQL, naming the column', async () => {
    const property = 'filter values'
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SAMPLE_COLUMNS).chain((column) => valueOf[column].map((value) => ({ column, value }))), async ({ column, value }) => {
        const session = ctx.orm.session()
        ctx.recorder.clear()
        let query
        try {
          query = session.query('samples').where(column, '=', value as never)
        } catch (error) {
          expectRefusal(error, column, snake(column), ctx.recorder.sql.length)
          count(property, true)
          return
        }
        count(property, false)
        // Accepted: it runs, and finds nothing or rows (never a driver or syntax error).
        expect(await query.count()).toBeGreaterThanOrEqual(0)
      }),
      params(60),
    )
    await tablesIntact(ctx.orm)
  })

  const badName = fc.oneof(
    fc.constantFrom(...injections, 'nope', '', ' id', 'ID', 'id ', 'id; --', 'hostile_samples', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'parent_id', 'samples.id', '"id"', '`id`', 'children'),
    fc.string({ unit: 'binary', maxLength: 12 }),
  )
  const columnNames = new Set<string>(['id', 'parentId', ...SAMPLE_COLUMNS])

  test('names from untyped JavaScript are checked against the schema, never sent as SQL', async () => {
    const property = 'names'
    const session = ctx.orm.session() as any
    const parent = session.create('parents', { name: 'names' })
    await session.flush()
    await fc.assert(
      fc.asyncProperty(badName, async (name) => {
        ctx.recorder.clear()
        const refused = async (action: () => unknown, ...mentions: string[]) => {
          let error: unknown
          try {
            await action()
          } catch (e) {
            error = e
          }
          expect(error, `'${name}' refused`).toBeInstanceOf(RelataError)
          for (const mention of mentions) expect((error as Error).message).toContain(mention)
          count(property, true)
        }
        const any = session
        if (name !== 'parents' && name !== 'samples') {
          await refused(() => any.query(name), name)
          await refused(() => any.get(name, 1), name)
          await refused(() => any.create(name, {}), name)
        }
        if (!columnNames.has(name)) {
          await refused(() => any.query('samples').where({ [name]: 1 }), `'samples'`, name)
          await refused(() => any.query('samples').where(name, '=', 1), `'samples'`, name)
          await refused(() => any.query('samples').orderBy(name), `'samples'`, name)
          await refused(() => any.create('samples', { [name]: 1 }), `'samples'`, name)
        }
        if (name.toLowerCase() !== 'in' && !['=', '<>', '!=', '<', '<=', '>', '>=', 'like', 'not like', 'ilike', 'not ilike', 'in', 'not in', 'is', 'is not'].includes(name.toLowerCase())) {
          await refused(() => any.query('samples').where('int', name, 1), `'samples'`, JSON.stringify(name))
        }
        if (name !== 'children') {
          await refused(() => any.query('parents').with({ [name]: true }), `'parents'`, name)
          await refused(() => any.load(parent, name), `'parents'`, name)
        }
        await refused(() => any.query('parents').orderBy('id', name))
        expect(ctx.recorder.sql).toEqual([])
      }),
      params(100),
    )
    await tablesIntact(ctx.orm)
  })
})

afterAll(() => {
  if (figures.length > 0) console.log(`[hostile input] seed ${seed}\n${figures.join('\n')}`)
})
