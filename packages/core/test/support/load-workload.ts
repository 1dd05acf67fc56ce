/**
 * The load test's workers: each runs short sessions one after another until the deadline, every
 * session a seeded random mix of relation loads and unit-of-work commits. Workers write only the
 * teams they created (and their members and links) and the shared counters; they read their own
 * teams, the seeded ones, and the shared tags.
 */
import type { Orm, Session } from '../../src/index.js'
import type { LoadSchema } from '../fixtures/load.js'
import { describeError, failureReason, GraphCheck, Problems, SessionOwnership, type FailureReason } from './load-checks.js'
import type { LoadModel } from './load-model.js'
import { seededRandom, type Random } from './load-random.js'

export interface LoadStats {
  sessions: number
  /** Queries, `get`s and relation loads issued. */
  loads: number
  commitsSucceeded: number
  commitsFailed: Record<FailureReason, number>
  /** Commits built to break a unique key that did not fail. */
  unexpectedSuccesses: number
  /** How many times each operation ran, and how many commits of each kind landed. */
  operations: Record<string, number>
  landed: Record<string, number>
}

export interface LoadRun {
  readonly orm: Orm<LoadSchema>
  readonly model: LoadModel
  readonly workers: number
  readonly seconds: number
  readonly seed: number
  /** A handle no worker ever creates but a seeded member has: the intended unique violation. */
  readonly takenHandle: string
}

export interface LoadResult {
  readonly stats: LoadStats
  readonly problems: Problems
  readonly ownership: SessionOwnership
}

type S = Session<LoadSchema>

/** What one operation works with. */
interface Step {
  readonly session: S
  readonly serial: number
  readonly worker: number
  readonly rng: Random
  /** Fresh names for this worker's rows. */
  name(kind: string): string
}

export async function runLoad(run: LoadRun): Promise<LoadResult> {
  const stats: LoadStats = {
    sessions: 0,
    loads: 0,
    commitsSucceeded: 0,
    commitsFailed: { intendedViolation: 0, deadlock: 0, serialization: 0, staleVersion: 0, lockTimeout: 0, other: 0 },
    unexpectedSuccesses: 0,
    operations: {},
    landed: {},
  }
  const problems = new Problems()
  const ownership = new SessionOwnership(problems)
  const check = new GraphCheck(run.model, problems)
  const { model, orm } = run
  const deadline = Date.now() + run.seconds * 1000
  const seedTeams = [...model.teams].filter(([, row]) => row.worker === 0).map(([id]) => id)
  const tagIds = [...model.tags.keys()]
  const counterIds = [...model.counters.keys()]

  /** Teams whose rows no other worker changes: seeded and the worker's own. */
  const comparableTeams = (worker: number) => [...seedTeams, ...model.teamsOf(worker)]
  const comparable = (worker: number) => (teamId: number) => model.teams.get(teamId)?.worker === 0 || model.teams.get(teamId)?.worker === worker
  const ownMembers = (worker: number) => model.teamsOf(worker).flatMap((id) => model.membersOf(id))
  const claim = (step: Step, ...entities: (object | null | undefined)[]) => ownership.claim(step.serial, step.session, entities)

  /** Commits; on failure counts the reason and forgets the session's changes. Returns whether it landed. */
  async function commit(step: Step, kind: string, intended: boolean, apply: () => void): Promise<boolean> {
    try {
      await step.session.commit()
    } catch (error) {
      const reason = failureReason(error, intended)
      stats.commitsFailed[reason]++
      if (reason === 'other') problems.add(`worker ${step.worker}: commit failed: ${describeError(error)}`)
      await step.session.rollback()
      return false
    }
    stats.commitsSucceeded++
    stats.landed[kind] = (stats.landed[kind] ?? 0) + 1
    if (intended) {
      stats.unexpectedSuccesses++
      problems.add(`worker ${step.worker}: a commit that breaks members.handle's unique key succeeded`)
    }
    apply()
    return true
  }

  // Relation loads ---------------------------------------------------------------------------

  async function queryTeams(step: Step, strategy: 'join' | 'selectIn'): Promise<boolean> {
    const ids = step.rng.sample(comparableTeams(step.worker), 1 + step.rng.int(3))
    stats.loads++
    const teams = await step.session.query('teams').where('id', 'in', ids).with({ members: { tags: true } }).strategy(strategy).orderBy('id').all()
    if (teams.length !== ids.length) problems.add(`worker ${step.worker}: ${strategy} query of teams [${ids}] returned ${teams.length}`)
    for (const team of teams) {
      claim(step, team, ...team.members, ...team.members.flatMap((m) => [...m.tags]))
      check.team(team, team.members, (m) => (m as (typeof team.members)[number]).tags)
      stats.loads++
      if ((await step.session.get('teams', team.id)) !== team) problems.add(`worker ${step.worker}: get('teams', ${team.id}) is not the queried object`)
    }
    return true
  }

  async function lazyLoads(step: Step): Promise<boolean> {
    const candidates = comparableTeams(step.worker).flatMap((id) => model.membersOf(id))
    if (candidates.length === 0) return true
    const memberId = step.rng.pick(candidates)
    stats.loads++
    const member = await step.session.get('members', memberId)
    if (member === undefined) {
      problems.add(`worker ${step.worker}: member ${memberId} not found`)
      return true
    }
    stats.loads += 2
    const [team, tags] = await Promise.all([member.team.load(), member.tags.load()])
    claim(step, member, team, ...tags)
    check.member(member, tags)
    if (team.id !== member.teamId) problems.add(`member ${member.id}: team loaded ${team.id}, key ${member.teamId}`)
    stats.loads++
    const members = await team.members.load()
    claim(step, ...members)
    check.team(team, members)
    // Loads of one relation of many objects in the same tick: batched into one query.
    stats.loads += members.length
    const tagLists = await Promise.all(members.map((m) => m.tags.load()))
    members.forEach((m, i) => {
      claim(step, ...tagLists[i]!)
      check.member(m, tagLists[i])
    })
    return true
  }

  async function byKey(step: Step): Promise<boolean> {
    const tagId = step.rng.pick(tagIds)
    stats.loads += 2
    const tag = await step.session.get('tags', tagId)
    claim(step, tag)
    if (tag?.label !== model.tags.get(tagId)) problems.add(`tag ${tagId}: loaded ${tag?.label}`)
    if ((await step.session.get('tags', tagId)) !== tag) problems.add(`worker ${step.worker}: get('tags', ${tagId}) twice gave two objects`)
    const teamId = step.rng.pick(comparableTeams(step.worker))
    stats.loads++
    const team = await step.session.get('teams', teamId)
    if (team === undefined) {
      problems.add(`worker ${step.worker}: team ${teamId} not found`)
      return true
    }
    claim(step, team)
    check.team(team)
    return true
  }

  async function tagMembers(step: Step): Promise<boolean> {
    const tagId = step.rng.pick(tagIds)
    stats.loads += 2
    const tag = await step.session.get('tags', tagId)
    const members = await tag!.members.load()
    claim(step, tag, ...members)
    check.tagMembers(tagId, members, comparable(step.worker))
    return true
  }

  // Unit-of-work commits ---------------------------------------------------------------------

  async function loadTags(step: Step, count: number) {
    stats.loads++
    const ids = step.rng.sample(tagIds, count)
    if (ids.length === 0) return []
    const tags = await step.session.query('tags').where('id', 'in', ids).all()
    claim(step, ...tags)
    return tags
  }

  async function createGraph(step: Step): Promise<boolean> {
    const { session, rng, worker } = step
    const tags = await loadTags(step, 3)
    const team = session.create('teams', { name: step.name('t'), worker })
    const members = Array.from({ length: 1 + rng.int(3) }, () => session.create('members', { handle: step.name('m'), score: rng.int(1000), team }))
    for (const member of members) for (const tag of rng.sample(tags, rng.int(3))) member.tags.add(tag)
    claim(step, team, ...members)
    return commit(step, 'create', false, () => {
      model.addTeam(team.id, { name: team.name, worker })
      for (const member of members) {
        model.addMember(member.id, { handle: member.handle, score: member.score, teamId: team.id })
        for (const tag of member.tags) model.link(member.id, tag.id)
      }
    })
  }

  async function updateScores(step: Step): Promise<boolean> {
    const withMembers = model.teamsOf(step.worker).filter((id) => model.membersOf(id).length > 0)
    if (withMembers.length === 0) return createGraph(step)
    const teamId = step.rng.pick(withMembers)
    stats.loads++
    const team = await step.session.query('teams').where({ id: teamId }).with({ members: true }).one()
    claim(step, team, ...team.members)
    check.team(team, team.members)
    const changed = step.rng.sample(team.members, 1 + step.rng.int(2))
    for (const member of changed) member.score = step.rng.int(1000)
    return commit(step, 'update', false, () => {
      for (const member of changed) model.members.get(member.id)!.score = member.score
    })
  }

  async function moveMember(step: Step): Promise<boolean> {
    const own = model.teamsOf(step.worker)
    const sources = own.filter((id) => model.membersOf(id).length > 0)
    if (own.length < 2 || sources.length === 0) return createGraph(step)
    const from = step.rng.pick(sources)
    const to = step.rng.pick(own.filter((id) => id !== from))
    const memberId = step.rng.pick(model.membersOf(from))
    stats.loads += 2
    const [member, target] = await Promise.all([step.session.get('members', memberId), step.session.get('teams', to)])
    claim(step, member, target)
    if (step.rng.chance(0.5)) member!.team = target!
    else {
      stats.loads++
      const members = await target!.members.load()
      members.add(member!)
    }
    return commit(step, 'move', false, () => model.moveMember(memberId, to))
  }

  async function relink(step: Step): Promise<boolean> {
    const members = ownMembers(step.worker)
    if (members.length === 0) return createGraph(step)
    const memberId = step.rng.pick(members)
    stats.loads += 2
    const member = (await step.session.get('members', memberId))!
    const tags = await member.tags.load()
    claim(step, member, ...tags)
    if (tags.length > 0 && step.rng.chance(0.5)) {
      const tag = step.rng.pick(tags)
      member.tags.remove(tag)
      return commit(step, 'unlink', false, () => model.unlink(memberId, tag.id))
    }
    const free = tagIds.filter((id) => !tags.some((t) => t.id === id))
    if (free.length === 0) return true
    stats.loads++
    const tag = (await step.session.get('tags', step.rng.pick(free)))!
    claim(step, tag)
    member.tags.add(tag)
    return commit(step, 'link', false, () => model.link(memberId, tag.id))
  }

  async function deleteTeam(step: Step): Promise<boolean> {
    const own = model.teamsOf(step.worker)
    if (own.length === 0) return createGraph(step)
    const teamId = step.rng.pick(own)
    stats.loads++
    const team = (await step.session.get('teams', teamId))!
    claim(step, team)
    step.session.delete(team)
    return commit(step, 'delete', false, () => model.deleteTeam(teamId))
  }

  /**
   * A multi-table flush that breaks a unique key in its middle: a new team goes in first, then
   * its members, one of them with a seeded member's handle; an update and link rows ride along.
   */
  async function failingCommit(step: Step): Promise<boolean> {
    const { session, worker } = step
    const tags = await loadTags(step, 1)
    const members = ownMembers(worker)
    const updated = members.length > 0 ? (stats.loads++, await session.get('members', step.rng.pick(members))) : undefined
    claim(step, updated)
    const before = updated?.score
    if (updated !== undefined) updated.score = before! + 1
    const team = session.create('teams', { name: step.name('t'), worker })
    const fine = session.create('members', { handle: step.name('m'), score: 1, team })
    const duplicate = session.create('members', { handle: step.rng.chance(0.5) ? run.takenHandle : fine.handle, score: 2, team })
    fine.tags.add(...tags)
    claim(step, team, fine, duplicate)
    const landed = await commit(step, 'failing', true, () => undefined)
    if (!landed) {
      // Rolled back: no key assigned, and (after session.rollback()) the update forgotten.
      if (team.id !== undefined || fine.id !== undefined) problems.add(`worker ${worker}: a failed flush left ids on new objects (team ${team.id}, member ${fine.id})`)
      if (updated !== undefined && updated.score !== before) problems.add(`worker ${worker}: session.rollback() left member ${updated.id}'s score at ${updated.score}, loaded ${before}`)
    }
    return landed
  }

  /**
   * Two counters incremented in random order, flushed one at a time in one transaction: opposite
   * orders deadlock, and versions refuse lost updates. Only a committed transaction counts.
   */
  async function bumpCounters(step: Step): Promise<boolean> {
    const order = step.rng.sample(counterIds, 2)
    const serial = ++stats.sessions
    try {
      await orm.transaction(async (session) => {
        for (const id of order) {
          stats.loads++
          const counter = (await session.get('counters', id))!
          ownership.claim(serial, session, [counter])
          counter.hits += 1
          await session.flush()
        }
      })
    } catch (error) {
      const reason = failureReason(error, false)
      stats.commitsFailed[reason]++
      if (reason === 'other') problems.add(`worker ${step.worker}: counter transaction failed: ${describeError(error)}`)
      return true
    }
    stats.commitsSucceeded++
    stats.landed.counters = (stats.landed.counters ?? 0) + 1
    for (const id of order) {
      const counter = model.counters.get(id)!
      counter.hits++
      counter.version++
    }
    return true
  }

  const operations: [name: string, weight: number, run: (step: Step) => Promise<boolean>][] = [
    ['queryJoin', 14, (step) => queryTeams(step, 'join')],
    ['querySelectIn', 14, (step) => queryTeams(step, 'selectIn')],
    ['lazyLoads', 14, lazyLoads],
    ['byKey', 8, byKey],
    ['tagMembers', 3, tagMembers],
    ['createGraph', 14, createGraph],
    ['updateScores', 8, updateScores],
    ['moveMember', 6, moveMember],
    ['relink', 6, relink],
    ['deleteTeam', 4, deleteTeam],
    ['failingCommit', 4, failingCommit],
    ['bumpCounters', 5, bumpCounters],
  ]
  const totalWeight = operations.reduce((sum, [, weight]) => sum + weight, 0)
  const chooseOperation = (rng: Random) => {
    let roll = rng.int(totalWeight)
    for (const [name, weight, operation] of operations) {
      if (roll < weight) {
        stats.operations[name] = (stats.operations[name] ?? 0) + 1
        return operation
      }
      roll -= weight
    }
    throw new Error('unreachable')
  }

  async function worker(index: number): Promise<void> {
    const worker = index + 1
    const rng = seededRandom(run.seed * 1009 + worker)
    let names = 0
    while (Date.now() < deadline) {
      const session = orm.session()
      const serial = ++stats.sessions
      const step: Step = { session, serial, worker, rng, name: (kind) => `w${worker}-${kind}${++names}` }
      try {
        for (let i = 1 + rng.int(4); i > 0 && Date.now() < deadline; i--) {
          // A commit that failed ends the session: its identity map may hold what the failure left.
          if (!(await chooseOperation(rng)(step))) break
        }
      } catch (error) {
        problems.add(`worker ${worker}, session #${serial}: ${describeError(error)}`)
      } finally {
        ownership.claimIdentityMap(serial, session)
      }
    }
  }

  await Promise.all(Array.from({ length: run.workers }, (_, i) => worker(i)))
  return { stats, problems, ownership }
}
