/** The results as a markdown table (per database × scenario × contestant) with the #6 targets, and as JSON. */
import type { DatabaseName } from './databases.js'
import { RAW, type Measurement } from './harness.js'
import type { Scenario, ScenarioId } from './scenario.js'

export interface RunInfo {
  readonly startedAt: string
  readonly wallSeconds: number
  readonly node: string
  readonly rounds: number
  readonly warmup: number
  readonly minRounds: number
  readonly budgetMs: number
  readonly skippedDatabases: { database: DatabaseName; reason: string }[]
}

const FLOOR = 'kysely'
const RELATA = ['relata-selectin', 'relata-join']
const ms = (value: number | undefined): string => (value === undefined ? '' : value < 10 ? value.toFixed(2) : value.toFixed(1))
const mb = (bytes: number | undefined): string => (bytes === undefined ? '' : (bytes / 2 ** 20).toFixed(1))

/** #6's limits on PostgreSQL: reads within 1.3× of the floor, writes within 1.5×; #15's read paths within 1.2×. */
const limits: Record<ScenarioId, number> = { R1: 1.3, R2: 1.3, R3: 1.3, W1: 1.5, W2: 1.5, F1: 1.2, F2: 1.2, F3: 1.2 }

export interface TargetCheck {
  readonly target: string
  readonly met: boolean | undefined
  readonly detail: string
}

function bestRelata(results: readonly Measurement[], database: DatabaseName, scenario: ScenarioId): Measurement | undefined {
  return results
    .filter((r) => r.database === database && r.scenario === scenario && RELATA.includes(r.contestant) && r.median !== undefined)
    .sort((a, b) => a.median! - b.median!)[0]
}

export function targets(results: readonly Measurement[], scenarios: readonly Scenario[], databases: readonly DatabaseName[]): TargetCheck[] {
  const checks: TargetCheck[] = []
  for (const scenario of scenarios) {
    const best = bestRelata(results, 'postgres', scenario.id)
    const limit = limits[scenario.id]
    const ratios = results
      .filter((r) => r.database === 'postgres' && r.scenario === scenario.id && RELATA.includes(r.contestant) && r.ratio !== undefined)
      .map((r) => `${r.contestant} ${r.ratio!.toFixed(2)}×`)
      .join(', ')
    checks.push({
      target: `${scenario.id} within ${limit}× of ${FLOOR} on PostgreSQL`,
      met: best?.ratio === undefined ? undefined : best.ratio <= limit,
      detail: best?.ratio === undefined ? 'not measured' : ratios,
    })
  }
  for (const database of databases) {
    for (const scenario of scenarios) {
      const best = bestRelata(results, database, scenario.id)
      const peers = results.filter(
        (r) => r.database === database && r.scenario === scenario.id && r.contestant !== FLOOR && r.contestant !== RAW && !RELATA.includes(r.contestant) && r.median !== undefined,
      )
      if (best === undefined) {
        checks.push({ target: `Relata faster than every peer: ${database} ${scenario.id}`, met: undefined, detail: 'Relata not measured' })
        continue
      }
      const faster = peers.filter((p) => p.median! <= best.median!)
      checks.push({
        target: `Relata faster than every peer: ${database} ${scenario.id}`,
        met: peers.length === 0 ? undefined : faster.length === 0,
        detail:
          peers.length === 0
            ? 'no peer measured'
            : faster.length === 0
              ? `${best.contestant} ${ms(best.median)} ms; fastest peer ${[...peers].sort((a, b) => a.median! - b.median!)[0]!.contestant} ${ms(Math.min(...peers.map((p) => p.median!)))} ms`
              : `${best.contestant} ${ms(best.median)} ms; faster: ${faster.map((p) => `${p.contestant} ${ms(p.median)} ms`).join(', ')}`,
      })
    }
  }
  return checks
}

export function markdown(results: readonly Measurement[], scenarios: readonly Scenario[], databases: readonly DatabaseName[], info: RunInfo): string {
  const lines: string[] = []
  lines.push(`# Relata benchmark`, '')
  lines.push(
    `Started ${info.startedAt}, Node ${info.node}, wall time ${info.wallSeconds.toFixed(0)} s. Up to ${info.rounds} timed rounds per contestant after an untimed check run ` +
      `(and ${info.warmup} warm-up round(s) for runs under 0.5 s); fewer, at least ${Math.min(info.minRounds, info.rounds)}, when they would take over ${info.budgetMs / 1000} s; ` +
      `a contestant whose one run takes longer is timed by its check run alone (rounds = 1).`,
    '',
  )
  for (const skipped of info.skippedDatabases) lines.push(`- ${skipped.database}: skipped, ${skipped.reason}`)
  if (info.skippedDatabases.length > 0) lines.push('')
  lines.push('Times in ms; × floor = median / kysely median (hand-written Kysely: the floor the targets use); × raw = median / raw median (the same statements through the driver alone, no Kysely); statements per operation counted at the driver (BEGIN/COMMIT included); peak heap = largest heap growth over a post-GC baseline during the untimed check run (timed rounds force no collection).', '')
  for (const database of databases) {
    const rows = results.filter((r) => r.database === database)
    if (rows.length === 0) continue
    lines.push(`## ${database}`, '')
    // A contestant skipped on every scenario for one reason gets one line under the table, not a row each.
    const notRun = new Map<string, string>()
    for (const name of new Set(rows.map((r) => r.contestant))) {
      const own = rows.filter((r) => r.contestant === name)
      if (own.every((r) => r.status === 'skipped' && r.reason === own[0]!.reason)) notRun.set(name, own[0]!.reason ?? '')
    }
    lines.push('| scenario | contestant | median | p90 | × floor | × raw | statements | peak heap MB | rounds |', '|---|---|--:|--:|--:|--:|--:|--:|--:|')
    for (const scenario of scenarios) {
      for (const r of rows.filter((m) => m.scenario === scenario.id && !notRun.has(m.contestant))) {
        if (r.status !== 'ok') {
          lines.push(`| ${scenario.id} | ${r.contestant} | ${r.status}: ${(r.reason ?? '').replace(/\|/g, '\\|')} | | | | | | |`)
          continue
        }
        lines.push(
          `| ${scenario.id} | ${r.contestant} | ${ms(r.median)} | ${ms(r.p90)} | ${r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`} | ${r.rawRatio === undefined ? '' : `${r.rawRatio.toFixed(2)}×`} | ${r.statements} | ${mb(r.peakHeap)} | ${r.times.length} |`,
        )
      }
    }
    lines.push('')
    for (const [name, reason] of notRun) lines.push(`- not run on ${database}: ${name}, ${reason}`)
    if (notRun.size > 0) lines.push('')
  }
  lines.push('## Scenarios', '')
  for (const scenario of scenarios) lines.push(`- **${scenario.id}** ${scenario.title}. Floor: ${scenario.floorNote}.`)
  lines.push('', '## #6 targets', '')
  for (const check of targets(results, scenarios, databases)) {
    lines.push(`- ${check.met === undefined ? 'n/a' : check.met ? 'MET' : 'MISSED'}: ${check.target} (${check.detail})`)
  }
  lines.push('')
  return lines.join('\n')
}

export function json(results: readonly Measurement[], scenarios: readonly Scenario[], databases: readonly DatabaseName[], info: RunInfo): string {
  return `${JSON.stringify({ ...info, results, targets: targets(results, scenarios, databases) }, null, 2)}\n`
}
