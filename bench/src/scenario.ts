/** What a scenario and a contestant are to the harness. */
import type { Kysely } from 'kysely'
import type { BenchDatabase } from './databases.js'
import type { ChinookDb } from './kysely-db.js'

export type ScenarioId = 'R1' | 'R2' | 'R3' | 'W1' | 'W2' | 'F1' | 'F2' | 'F3'
export const scenarioIds: readonly ScenarioId[] = ['R1', 'R2', 'R3', 'W1', 'W2', 'F1', 'F2', 'F3']

/** One timed operation of a contestant: `run` is timed; `canonical` (reads) turns its result into the scenario's canonical form, untimed. */
export interface Operation {
  run(): Promise<unknown>
  canonical?(result: any): unknown
}

/** A scenario's state on one database: how to undo a write between rounds, and how to read what a write left. */
export interface ScenarioOnDatabase {
  reset(): Promise<void>
  /** Writes: the rows the operation left, in canonical form. */
  readBack?(): Promise<unknown>
}

export interface Scenario {
  readonly id: ScenarioId
  readonly kind: 'read' | 'write'
  readonly title: string
  /** What the floor (hand-written Kysely) does, for the report. */
  readonly floorNote: string
  on(db: BenchDatabase): Promise<ScenarioOnDatabase>
  /** The floor: the best queries a person would write with Kysely. */
  floor(db: Kysely<ChinookDb>, family: 'postgres' | 'mysql'): Operation
}

/** A contestant connected to one database. An operation it cannot do is a string: the reason. */
export interface ContestantOnDatabase {
  readonly operations: Partial<Record<ScenarioId, Operation | string>>
  close(): Promise<void>
}

export interface Contestant {
  readonly name: string
  /** One line for the README and the report. */
  readonly description: string
  /** Why it cannot run on this database at all, or undefined. */
  unsupported?(db: BenchDatabase): string | undefined
  open(db: BenchDatabase): Promise<ContestantOnDatabase>
}
