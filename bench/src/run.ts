/**
 * `npm run bench`: Relata against hand-written Kysely and peer ORMs on Chinook.
 *
 * Knobs (environment): BENCH_ROUNDS (timed rounds, default 5), BENCH_WARMUP (default 10, for
 * runs under 500 ms only: the check run warms up the slower ones; fewer leaves a library's code
 * partly unoptimised by V8 in the timed rounds), BENCH_BUDGET_MS (time one
 * contestant may spend on one scenario's rounds, default 3000; its
 * rounds are cut to fit, never under BENCH_MIN_ROUNDS, default 3; a contestant whose one run
 * exceeds it is timed by its check run alone), BENCH_DATABASES
 * (postgres,mariadb,pglite), BENCH_SCENARIOS (R1,R2,R3,W1,W2), BENCH_CONTESTANTS (names; the
 * floor, kysely, and the drivers alone, raw, always run). Servers: RELATA_POSTGRES_URL, RELATA_MARIADB_URL.
 */
import 'reflect-metadata'
import { mkdirSync, writeFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { contestants as allContestants } from './contestants/index.js'
import { databaseNames, openDatabase, probe, type DatabaseName } from './databases.js'
import { measureDatabase, type Measurement } from './harness.js'
import { svgChart } from './chart.js'
import { json, markdown, type RunInfo } from './report.js'
import type { Contestant, ContestantOnDatabase } from './scenario.js'
import { scenarios as allScenarios } from './scenarios/index.js'
import { installStatementCounters } from './statements.js'

function list(name: string, known: readonly string[]): string[] | undefined {
  const value = process.env[name]
  if (value === undefined || value.trim() === '') return undefined
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '')
  const unknown = items.filter((item) => !known.includes(item))
  if (unknown.length > 0) throw new Error(`${name}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`)
  return items
}

const int = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`)
  return value
}

const log = (line: string): void => void process.stderr.write(`${line}\n`)

async function main(): Promise<void> {
  const started = performance.now()
  const startedAt = new Date().toISOString()
  const budgetMs = int('BENCH_BUDGET_MS', 3000)
  const minRounds = int('BENCH_MIN_ROUNDS', 3)
  const rounds = Math.max(1, int('BENCH_ROUNDS', 5))
  const warmup = int('BENCH_WARMUP', 10)
  const databases = (list('BENCH_DATABASES', databaseNames) ?? databaseNames) as DatabaseName[]
  const scenarioFilter = list('BENCH_SCENARIOS', allScenarios.map((s) => s.id))
  const scenarios = allScenarios.filter((s) => scenarioFilter === undefined || scenarioFilter.includes(s.id))
  const contestantFilter = list('BENCH_CONTESTANTS', allContestants.map((c) => c.name))
  const contestants = allContestants.filter((c, i) => i <= 1 || contestantFilter === undefined || contestantFilter.includes(c.name))
  installStatementCounters()

  const results: Measurement[] = []
  const skippedDatabases: RunInfo['skippedDatabases'] = []
  for (const name of databases) {
    const unreachable = await probe(name)
    if (unreachable !== undefined) {
      log(`${name}: skipped, ${unreachable}`)
      skippedDatabases.push({ database: name, reason: unreachable })
      continue
    }
    log(`${name}: loading Chinook`)
    const db = await openDatabase(name)
    const opened: { contestant: Contestant; on: ContestantOnDatabase | string }[] = []
    try {
      for (const contestant of contestants) {
        const reason = contestant.unsupported?.(db)
        if (reason !== undefined) {
          log(`  ${name} ${contestant.name}: skipped, ${reason}`)
          opened.push({ contestant, on: reason })
          continue
        }
        try {
          opened.push({ contestant, on: await contestant.open(db) })
        } catch (error) {
          const reason = `could not connect: ${error instanceof Error ? error.message : String(error)}`
          log(`  ${name} ${contestant.name}: ${reason}`)
          opened.push({ contestant, on: reason })
        }
      }
      results.push(
        ...(await measureDatabase(db, scenarios, opened, {
          rounds,
          warmup,
          warmupBelowMs: 500,
          budgetMs,
          minRounds,
          log,
        })),
      )
    } finally {
      for (const { on } of opened) if (typeof on !== 'string') await on.close().catch((error) => log(`  close: ${String(error)}`))
      await db.drop()
    }
  }

  const info: RunInfo = {
    startedAt,
    wallSeconds: (performance.now() - started) / 1000,
    node: process.version,
    rounds,
    warmup,
    minRounds,
    budgetMs,
    skippedDatabases,
  }
  const measured = databases.filter((d) => !skippedDatabases.some((s) => s.database === d))
  const table = markdown(results, scenarios, measured, info)
  process.stdout.write(table)
  const dir = new URL('../results/', import.meta.url)
  mkdirSync(dir, { recursive: true })
  writeFileSync(new URL('latest.md', dir), table)
  writeFileSync(new URL('latest.json', dir), json(results, scenarios, measured, info))
  const note = `${startedAt.slice(0, 10)}, Node ${info.node}, up to ${rounds} rounds${process.env.BENCH_CHART_NOTE === undefined ? '' : `; ${process.env.BENCH_CHART_NOTE}`}`
  writeFileSync(new URL('latest.svg', dir), svgChart(results, scenarios.map((s) => s.id), measured, { note }))
  log(`wrote bench/results/latest.md, latest.json and latest.svg (${info.wallSeconds.toFixed(0)} s)`)
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
