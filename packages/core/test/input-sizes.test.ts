/**
 * Input sizes up to 1 MB for every string a user can pass (column values of each type, numeric
 * strings, like patterns, JSON, UUIDs, names from untyped JavaScript): each is accepted and
 * round-trips, or is refused before any SQL, and the library's time grows linearly with the size.
 *
 * Timing asserts scaling, not speed: the best of a few runs at 1 MB against ten times the best at
 * 100 KB, plus a small constant (a quadratic path costs a hundred times as much).
 *
 * Seeded: RELATA_FC_SEED and RELATA_FC_RUNS override the seed and the runs per property.
 */
import fc from 'fast-check'
import { expect, test } from 'vitest'
import { describeEachDialect, type TestTarget } from '@relata/test-kit/targets'
import { RelataError } from '../src/index.js'
import { schema } from './fixtures/query-inputs.js'

const seed = Number(process.env.RELATA_FC_SEED ?? 20261207)
const runs = (base: number) => Number(process.env.RELATA_FC_RUNS ?? base)

const KB100 = 100_000
const MB = 1_000_000

/** The best of `tries` timings of `run`, in milliseconds. */
function best(run: () => void, tries = 5): number {
  let fastest = Number.POSITIVE_INFINITY
  for (let i = 0; i < tries; i++) {
    const start = performance.now()
    run()
    fastest = Math.min(fastest, performance.now() - start)
  }
  return fastest
}

/** Calls `action`, ignoring a RelataError (a refusal is a fine outcome here; anything else is not). */
function settle(action: () => unknown): void {
  try {
    action()
  } catch (error) {
    if (!(error instanceof RelataError)) throw error
  }
}

/**
 * Asserts that `make(size)`'s action at 1 MB takes less than ten times its time at 100 KB, plus
 * 30 ms. On a loaded machine a linear path can miss once; a quadratic one misses every time, so it
 * is measured up to three times.
 */
function expectLinear(label: string, make: (size: number) => () => unknown): void {
  const small = make(KB100)
  const large = make(MB)
  settle(small)
  settle(large)
  let tSmall = 0
  let tLarge = Number.POSITIVE_INFINITY
  for (let attempt = 0; attempt < 3 && tLarge >= 10 * tSmall + 30; attempt++) {
    tSmall = best(() => settle(small))
    tLarge = best(() => settle(large))
  }
  expect(tLarge, `${label}: ${tLarge.toFixed(1)} ms at 1 MB, ${tSmall.toFixed(1)} ms at 100 KB`).toBeLessThan(10 * tSmall + 30)
}

describeEachDialect('input sizes', (target: TestTarget) => {
  const ctx = target.setup(schema)

  test('checks of column values grow linearly with their size', () => {
    const build = (values: Record<string, unknown>) => () => ctx.orm.build('items', values as never)
    // Written values: checked as soon as they are given.
    const values: [string, (n: number) => Record<string, unknown>][] = [
      ['text', (n) => ({ name: 'x'.repeat(n) })],
      ['text of 4-byte characters', (n) => ({ name: '😀'.repeat(n / 4) })],
      ['text with a lone surrogate at the end', (n) => ({ name: `${'é'.repeat(n / 2)}\uD800` })],
      ['text of quotes and NULs', (n) => ({ name: "'\u0000".repeat(n / 2) })],
      ['varchar(40)', (n) => ({ label: 'y'.repeat(n) })],
      ['enum', (n) => ({ kind: 'plain'.repeat(n / 5) })],
      ['numeric: trailing zeros', (n) => ({ price: `1${'0'.repeat(n)}` })],
      ['numeric: zeros after the point', (n) => ({ price: `0.${'0'.repeat(n)}1` })],
      ['numeric: zeros, then not a number', (n) => ({ price: `${'0'.repeat(n)}x` })],
      ['numeric: digits and a long exponent', (n) => ({ price: `1e${'9'.repeat(n)}` })],
      ['uuid', (n) => ({ token: 'a'.repeat(n) })],
      ['JSON string', (n) => ({ doc: 'j'.repeat(n) })],
      ['JSON array of short strings', (n) => ({ doc: Array.from({ length: n / 10 }, (_, i) => `s${i}`) })],
      ['JSON nested arrays', (n) => ({ doc: JSON.parse(`${'['.repeat(n / 2)}${']'.repeat(n / 2)}`) })],
    ]
    for (const [label, make] of values) expectLinear(`${label} (written)`, (n) => build(make(n)))
  })

  test('filter values and like patterns grow linearly with their size', () => {
    const q = ctx.orm.session().query('items') as any
    const filters: [string, (n: number) => () => unknown][] = [
      ['where({ name })', (n) => () => q.where({ name: 'x'.repeat(n) })],
      ['like pattern', (n) => () => q.where('name', 'like', `%${'_%'.repeat(n / 2)}`)],
      ['in list of long strings', (n) => () => q.where('name', 'in', ['a'.repeat(n / 2), 'b'.repeat(n / 2)])],
      ['numeric filter', (n) => () => q.where('price', '=', `1${'0'.repeat(n)}`)],
      ['uuid filter', (n) => () => q.where('token', '=', 'f'.repeat(n))],
      ['JSON filter', (n) => () => q.where({ doc: { text: 'd'.repeat(n) } })],
    ]
    for (const [label, make] of filters) expectLinear(label, make)
  })

  test('names from untyped JavaScript grow linearly with their size and are refused before SQL', async () => {
    const session = ctx.orm.session() as any
    ctx.recorder.clear()
    const names: [string, (name: string) => () => unknown][] = [
      ['query(name)', (name) => () => session.query(name)],
      ['where({ [name]: 1 })', (name) => () => session.query('items').where({ [name]: 1 })],
      ['where(name, =, 1)', (name) => () => session.query('items').where(name, '=', 1)],
      ['where(id, operator, 1)', (name) => () => session.query('items').where('id', name, 1)],
      ['orderBy(name)', (name) => () => session.query('items').orderBy(name)],
      ['orderBy(id, direction)', (name) => () => session.query('items').orderBy('id', name)],
      ['with({ [name]: true })', (name) => () => session.query('folders').with({ [name]: true })],
      ['build(name)', (name) => () => ctx.orm.build(name as never, {} as never)],
      ['build(items, { [name]: 1 })', (name) => () => ctx.orm.build('items', { [name]: 1 } as never)],
    ]
    for (const [label, make] of names) {
      expect(() => make('z'.repeat(10))(), label).toThrow(RelataError)
      expectLinear(label, (n) => make('n'.repeat(n)))
    }
    expect(ctx.recorder.sql).toEqual([])
  })

  /** A string of about `size` UTF-16 units made of `unit`. */
  const sized = (unit: string, size: number) => unit.repeat(Math.max(1, Math.floor(size / unit.length)))
  const size = fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 60_000, max: 70_000 }), fc.integer({ min: 0, max: MB }), fc.constant(MB))
  const unit = fc.constantFrom('x', 'é', '😀', "'", '"', '`', ' ', '0', '1', '-')

  /** Values of each column a user can give as a string, at any size up to 1 MB. */
  const sample = fc.oneof(
    fc.tuple(unit, size).map(([u, n]) => ({ column: 'name', value: sized(u, n) })),
    fc.tuple(unit, size).map(([u, n]) => ({ column: 'label', value: sized(u, n) })),
    fc.tuple(unit, size).map(([u, n]) => ({ column: 'kind', value: sized(u, n) })),
    fc.tuple(fc.constantFrom('0', '1', '9', '00'), size, fc.constantFrom('', '.5', 'e3', 'x')).map(([u, n, tail]) => ({ column: 'price', value: `${sized(u, n)}${tail}` })),
    fc.tuple(fc.constantFrom('0', '1', '9'), size).map(([u, n]) => ({ column: 'price', value: `0.${sized(u, n)}` })),
    fc.tuple(fc.constantFrom('a', '0', '-'), size).map(([u, n]) => ({ column: 'token', value: sized(u, n) })),
    fc.tuple(unit, size).map(([u, n]) => ({ column: 'doc', value: sized(u, n) })),
    fc.tuple(unit, size).map(([u, n]) => ({ column: 'doc', value: { text: sized(u, n), list: [sized(u, n / 100)] } })),
  )

  test('values up to 1 MB round-trip through a flush, get, a filter and a like pattern, or are refused before SQL', async () => {
    let accepted = 0
    let refused = 0
    let largest = 0
    await fc.assert(
      fc.asyncProperty(sample, async ({ column, value }) => {
        const session = ctx.orm.session()
        ctx.recorder.clear()
        let item: Record<string, unknown>
        try {
          item = session.create('items', { [column]: value } as never) as Record<string, unknown>
        } catch (error) {
          expect(error).toBeInstanceOf(RelataError)
          expect((error as Error).message).toContain(`items.${column}`)
          expect(ctx.recorder.sql).toEqual([])
          refused++
          return
        }
        accepted++
        largest = Math.max(largest, JSON.stringify(value).length)
        await session.flush()
        const id = item.id as number
        const read = (await ctx.orm.session().get('items', id)) as Record<string, unknown>
        const expected = column === 'price' ? Number(value) : value
        expect(column === 'price' ? Number(read[column]) : read[column]).toEqual(expected)
        const reader = ctx.orm.session().query('items').where('id', '=', id)
        expect(await reader.where({ [column]: value } as never).count(), `${column} = value finds its row`).toBe(1)
        if (typeof value === 'string' && column !== 'price' && column !== 'doc' && !/[%_\\]/.test(value)) {
          expect(await reader.where(column as 'name', 'like', value).count(), `${column} like value finds its row`).toBe(1)
        }
        await ctx.orm.db.deleteFrom('qi_items').where('id', '=', id).execute()
      }),
      { seed, numRuns: runs(30), endOnFailure: true },
    )
    expect(accepted).toBeGreaterThan(0)
    expect(refused).toBeGreaterThan(0)
    expect(largest, 'some accepted value is near 1 MB').toBeGreaterThan(MB / 2)
  }, 300_000)
})
