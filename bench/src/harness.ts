/**
 * Runs the scenarios on one database: checks every contestant's result against the floor's, then
 * times the rounds with contestants interleaved (each round visits every contestant, starting one
 * further each time), counting statements and sampling the heap.
 */
import { performance } from 'node:perf_hooks'
import { firstDifference } from './canonical.js'
import type { BenchDatabase, DatabaseName } from './databases.js'
import type { Contestant, ContestantOnDatabase, Operation, Scenario, ScenarioId } from './scenario.js'
import { statementCount } from './statements.js'

export interface HarnessOptions {
  /**
   * Timed rounds per contestant: fewer for a contestant whose one run exceeds `budgetMs / rounds`,
   * never under `minRounds`; none when one run exceeds `budgetMs`, whose check run is then its one sample.
   */
  readonly rounds: number
  /** Untimed rounds before the timed ones, for runs under `warmupBelowMs` (the check run has warmed up the slower ones). */
  readonly warmup: number
  readonly warmupBelowMs: number
  /** Time one contestant may spend on one scenario's timed rounds, before its rounds are cut (ms). */
  readonly budgetMs: number
  readonly minRounds: number
  readonly log: (line: string) => void
}

/** The contestant whose medians give the second ratio, `× raw`: the drivers alone. */
export const RAW = 'raw'

export interface Measurement {
  readonly database: DatabaseName
  readonly scenario: ScenarioId
  readonly contestant: string
  readonly status: 'ok' | 'skipped' | 'failed'
  /** Why it was skipped or failed. */
  readonly reason?: string
  /** Milliseconds of each timed round. */
  readonly times: number[]
  readonly median?: number
  readonly p90?: number
  /** Median / the floor's median. */
  ratio?: number
  /** Median / the median of `raw` (the drivers alone), when it ran. */
  rawRatio?: number
  /** Statements per operation (the median over rounds; they do not vary in practice). */
  readonly statements?: number
  /** Largest heap growth over a post-GC baseline during the untimed check run (bytes). */
  readonly peakHeap?: number
}

const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    throw new Error('run node with --expose-gc (npm run bench does)')
  })

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The nearest-rank 90th percentile. */
export function p90(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)]!
}

interface Sample {
  ms: number
  statements: number
  peakHeap: number
}

/**
 * One run of an operation, timed, with its statements. With `heap`, first a full collection and
 * then the heap sampled every 2 ms: its peak over that baseline. Only the untimed check run does
 * that: a collection forced before a timed run made every contestant 1.5–1.7× slower (V8 shrinks
 * the heap, then grows it again during the run), most of all those that allocate the most.
 */
async function measureOnce(operation: Operation, heap = false): Promise<Sample & { result: unknown }> {
  let base = 0
  let peak = 0
  let sampler: NodeJS.Timeout | undefined
  if (heap) {
    gc()
    base = peak = process.memoryUsage().heapUsed
    sampler = setInterval(() => {
      const used = process.memoryUsage().heapUsed
      if (used > peak) peak = used
    }, 2)
  }
  const before = statementCount()
  const start = performance.now()
  try {
    const result = await operation.run()
    const ms = performance.now() - start
    const statements = statementCount() - before
    if (heap) peak = Math.max(peak, process.memoryUsage().heapUsed)
    return { ms, statements, peakHeap: peak - base, result }
  } finally {
    clearInterval(sampler)
  }
}

/** An error in one line: its message (long SQL cut) and its cause's, where the database's words usually are. */
function message(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const own = error.message.replace(/\s+/g, ' ')
  const text = own.length > 240 ? `${own.slice(0, 240)}…` : own
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message.replace(/\s+/g, ' ').slice(0, 200)})` : ''
  return `${error.name}: ${text}${cause}`
}

interface Entry {
  contestant: string
  /** Heap peak of the check run (timed rounds do not measure the heap). */
  peakHeap: number
  operation: Operation
  samples: Sample[]
  rounds: number
  warmup: number
}

/** Measures every scenario on `db` for every opened contestant; the first contestant must be the floor. */
export async function measureDatabase(
  db: BenchDatabase,
  scenarios: readonly Scenario[],
  opened: readonly { contestant: Contestant; on: ContestantOnDatabase | string }[],
  options: HarnessOptions,
): Promise<Measurement[]> {
  const results: Measurement[] = []
  for (const scenario of scenarios) {
    const state = await scenario.on(db)
    const entries: Entry[] = []
    let expected: unknown
    let floorFailed = false
    for (const { contestant, on } of opened) {
      const base = { database: db.name, scenario: scenario.id, contestant: contestant.name, times: [] }
      const operation = typeof on === 'string' ? on : on.operations[scenario.id]
      if (operation === undefined || typeof operation === 'string') {
        results.push({ ...base, status: 'skipped', reason: operation ?? 'not implemented' })
        continue
      }
      if (floorFailed) {
        results.push({ ...base, status: 'failed', reason: 'not checked: the floor failed' })
        continue
      }
      // The check run (untimed): the result in canonical form must equal the floor's.
      let verifyMs = 0
      let check: Sample = { ms: 0, statements: 0, peakHeap: 0 }
      try {
        await state.reset()
        const { result, ...sample } = await measureOnce(operation, true)
        verifyMs = sample.ms
        check = sample
        const canonical = scenario.kind === 'read' ? operation.canonical!(result) : await state.readBack!()
        if (entries.length === 0 && expected === undefined) expected = canonical
        else {
          const diff = firstDifference(expected, canonical)
          if (diff !== undefined) throw new Error(`result differs from the floor's at ${diff}`)
        }
      } catch (error) {
        results.push({ ...base, status: 'failed', reason: message(error) })
        options.log(`  ${db.name} ${scenario.id} ${contestant.name}: FAILED ${message(error)}`)
        await state.reset().catch(() => undefined)
        if (expected === undefined) floorFailed = true // nothing to compare the others with
        continue
      }
      await state.reset()
      if (verifyMs >= options.budgetMs) {
        // One run takes the whole budget: the check run (statements and heap included) is its one sample.
        entries.push({ contestant: contestant.name, peakHeap: check.peakHeap, operation, samples: [check], rounds: 0, warmup: 0 })
        continue
      }
      const rounds = Math.min(options.rounds, Math.max(options.minRounds, Math.floor(options.budgetMs / Math.max(verifyMs, 1))))
      entries.push({ contestant: contestant.name, peakHeap: check.peakHeap, operation, samples: [], rounds, warmup: verifyMs < options.warmupBelowMs ? options.warmup : 0 })
    }
    const totalRounds = Math.max(0, ...entries.map((e) => e.warmup + e.rounds))
    const failed = new Map<string, string>()
    for (let round = 0; round < totalRounds; round++) {
      // Rotate the order each round so no contestant always runs right after the same one.
      const order = entries.map((_, i) => entries[(i + round) % entries.length]!)
      for (const entry of order) {
        if (failed.has(entry.contestant) || round >= entry.warmup + entry.rounds) continue
        try {
          const sample = await measureOnce(entry.operation)
          if (round >= entry.warmup) entry.samples.push({ ms: sample.ms, statements: sample.statements, peakHeap: sample.peakHeap })
        } catch (error) {
          failed.set(entry.contestant, message(error))
        } finally {
          await state.reset()
        }
      }
    }
    for (const entry of entries) {
      const base = { database: db.name, scenario: scenario.id, contestant: entry.contestant }
      const failure = failed.get(entry.contestant)
      if (failure !== undefined || entry.samples.length === 0) {
        results.push({ ...base, times: [], status: 'failed', reason: failure ?? 'no rounds' })
        continue
      }
      const times = entry.samples.map((s) => s.ms)
      results.push({
        ...base,
        status: 'ok',
        times,
        median: median(times),
        p90: p90(times),
        statements: median(entry.samples.map((s) => s.statements)),
        peakHeap: entry.peakHeap,
      })
    }
    // Report order: the contestants' order, skipped ones included.
    const order = opened.map((o) => o.contestant.name)
    const mine = results.filter((r) => r.database === db.name && r.scenario === scenario.id)
    results.splice(results.length - mine.length, mine.length, ...mine.sort((a, b) => order.indexOf(a.contestant) - order.indexOf(b.contestant)))
    const floor = results.find((r) => r.database === db.name && r.scenario === scenario.id && r.status === 'ok' && r.contestant === opened[0]!.contestant.name)
    for (const r of results) if (r.database === db.name && r.scenario === scenario.id && r.median !== undefined && floor?.median !== undefined) r.ratio = r.median / floor.median
    const raw = results.find((r) => r.database === db.name && r.scenario === scenario.id && r.status === 'ok' && r.contestant === RAW)
    for (const r of results) if (r.database === db.name && r.scenario === scenario.id && r.median !== undefined && raw?.median !== undefined) r.rawRatio = r.median / raw.median
    options.log(
      `  ${db.name} ${scenario.id}: ${results
        .filter((r) => r.database === db.name && r.scenario === scenario.id)
        .map((r) => `${r.contestant} ${r.median !== undefined ? `${r.median.toFixed(1)} ms` : r.status}`)
        .join(', ')}`,
    )
  }
  return results
}
