/**
 * What the load test checks while it runs: that no entity object is reachable from two sessions,
 * that what a session loads is what the model says the database holds, and why a commit failed.
 */
import { StaleObjectError } from '../../src/index.js'
import { stateOf } from '../../src/tracking/entity-state.js'
import type { SessionImpl } from '../../src/session/session.js'
import type { LoadModel } from './load-model.js'

/** Unexpected findings, kept short: a count and the first few messages. */
export class Problems {
  count = 0
  readonly examples: string[] = []

  add(message: string): void {
    this.count++
    if (this.examples.length < 20) this.examples.push(message)
  }
}

/**
 * Remembers, weakly, which session each entity object came from. An object seen from a second
 * session, or whose bookkeeping names another session, is reported.
 */
export class SessionOwnership {
  readonly #owner = new WeakMap<object, number>()
  /** Entity objects checked (counted once per session that returned them). */
  claimed = 0

  constructor(private readonly problems: Problems) {}

  claim(serial: number, session: object, entities: Iterable<object | null | undefined>): void {
    for (const entity of entities) {
      if (entity === null || entity === undefined) continue
      const owner = this.#owner.get(entity)
      if (owner === undefined) {
        this.#owner.set(entity, serial)
        this.claimed++
      } else if (owner !== serial) {
        this.problems.add(`an entity of session #${owner} was returned by session #${serial}`)
      }
      const state = stateOf(entity)
      if (state === undefined) this.problems.add(`session #${serial} returned an object that is not an entity`)
      else if (state.session !== undefined && state.session !== session) this.problems.add(`session #${serial} returned a ${state.table.key} object of another session`)
    }
  }

  /** Everything in a session's identity map. */
  claimIdentityMap(serial: number, session: object): void {
    this.claim(serial, session, (session as unknown as SessionImpl).identityMap.entities())
  }
}

interface TeamLike {
  id: number
  name: string
  worker: number
}
interface MemberLike {
  id: number
  handle: string
  score: number
  teamId: number
}

const sameIds = (loaded: readonly { id: number }[], expected: readonly number[]): boolean => {
  const a = loaded.map((e) => e.id).sort((x, y) => x - y)
  const b = [...expected].sort((x, y) => x - y)
  return a.length === b.length && a.every((id, i) => id === b[i])
}

/**
 * Compares loaded objects with the model. Only rows no other worker can change while this one
 * reads are compared: seeded rows and the reading worker's own.
 */
export class GraphCheck {
  constructor(
    private readonly model: LoadModel,
    private readonly problems: Problems,
  ) {}

  team(team: TeamLike, members?: readonly MemberLike[], tagsOf?: (member: MemberLike) => readonly { id: number }[] | undefined): void {
    const row = this.model.teams.get(team.id)
    if (row === undefined) return this.problems.add(`loaded team ${team.id}, which the model does not have`)
    if (team.name !== row.name || team.worker !== row.worker) this.problems.add(`team ${team.id}: loaded ${team.name}/${team.worker}, expected ${row.name}/${row.worker}`)
    if (members === undefined) return
    const expected = this.model.membersOf(team.id)
    if (!sameIds(members, expected)) this.problems.add(`team ${team.id}: loaded members [${members.map((m) => m.id)}], expected [${expected}]`)
    for (const member of members) this.member(member, tagsOf?.(member))
  }

  member(member: MemberLike, tags?: readonly { id: number }[]): void {
    const row = this.model.members.get(member.id)
    if (row === undefined) return this.problems.add(`loaded member ${member.id}, which the model does not have`)
    if (member.handle !== row.handle || member.score !== row.score || member.teamId !== row.teamId) {
      this.problems.add(`member ${member.id}: loaded ${member.handle}/${member.score}/team ${member.teamId}, expected ${row.handle}/${row.score}/team ${row.teamId}`)
    }
    if (tags === undefined) return
    const expected = this.model.tagsOf(member.id)
    if (!sameIds(tags, expected)) this.problems.add(`member ${member.id}: loaded tags [${tags.map((t) => t.id)}], expected [${expected}]`)
  }

  /** Of a tag's loaded members, those of teams the reader may compare must be exactly the model's. */
  tagMembers(tagId: number, members: readonly MemberLike[], comparable: (teamId: number) => boolean): void {
    const loaded = members.filter((m) => comparable(m.teamId))
    const expected = [...this.model.members].filter(([id, row]) => comparable(row.teamId) && this.model.tagsOf(id).includes(tagId)).map(([id]) => id)
    if (!sameIds(loaded, expected)) this.problems.add(`tag ${tagId}: loaded members [${loaded.map((m) => m.id)}], expected [${expected}]`)
  }
}

export type FailureReason = 'intendedViolation' | 'deadlock' | 'serialization' | 'staleVersion' | 'lockTimeout' | 'other'

/** The driver error codes along an error's `cause` chain. */
function driverCodes(error: unknown): unknown[] {
  const codes: unknown[] = []
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, errno } = e as { code?: unknown; errno?: unknown }
    codes.push(code, errno)
  }
  return codes
}

/**
 * Why a commit failed. `intended`: the commit was built to break a unique key; only a unique
 * violation counts as the intended failure then, and never otherwise.
 */
export function failureReason(error: unknown, intended: boolean): FailureReason {
  const codes = driverCodes(error)
  if (codes.includes('40P01') || codes.includes(1213)) return 'deadlock'
  if (codes.includes('40001')) return 'serialization'
  if (codes.includes(1205) || codes.includes('55P03')) return 'lockTimeout'
  if (error instanceof StaleObjectError) return 'staleVersion'
  if (intended && (codes.includes('23505') || codes.includes(1062))) return 'intendedViolation'
  return 'other'
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
