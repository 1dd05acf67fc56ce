/**
 * The load test's model of the database: what every successful commit wrote, and nothing of the
 * failed ones. Workers own the teams they create, so each row is changed by one worker at a time
 * and the model can say exactly what the database must hold; counters are shared, and counted.
 */
import type { Kysely } from 'kysely'

export interface TeamRow {
  readonly name: string
  readonly worker: number
}

export interface MemberRow {
  readonly handle: string
  score: number
  teamId: number
}

export interface CounterRow {
  readonly name: string
  hits: number
  version: number
}

/** The database as it must be: rows by id, link rows as `memberId:tagId`. */
export class LoadModel {
  readonly teams = new Map<number, TeamRow>()
  readonly members = new Map<number, MemberRow>()
  readonly tags = new Map<number, string>()
  readonly counters = new Map<number, CounterRow>()
  /** Member ids by team id, and tag ids by member id: the model's own relation indexes. */
  readonly #teamMembers = new Map<number, Set<number>>()
  readonly #memberTags = new Map<number, Set<number>>()
  /** Team ids by worker. */
  readonly #workerTeams = new Map<number, Set<number>>()

  addTeam(id: number, row: TeamRow): void {
    this.teams.set(id, row)
    this.#teamMembers.set(id, new Set())
    setOf(this.#workerTeams, row.worker).add(id)
  }

  addMember(id: number, row: MemberRow): void {
    this.members.set(id, { ...row })
    this.#teamMembers.get(row.teamId)!.add(id)
    this.#memberTags.set(id, new Set())
  }

  moveMember(id: number, teamId: number): void {
    const member = this.members.get(id)!
    this.#teamMembers.get(member.teamId)!.delete(id)
    member.teamId = teamId
    this.#teamMembers.get(teamId)!.add(id)
  }

  link(memberId: number, tagId: number): void {
    this.#memberTags.get(memberId)!.add(tagId)
  }

  unlink(memberId: number, tagId: number): void {
    this.#memberTags.get(memberId)!.delete(tagId)
  }

  /** A team and, with it, its members and their link rows. */
  deleteTeam(id: number): void {
    for (const memberId of this.#teamMembers.get(id)!) {
      this.members.delete(memberId)
      this.#memberTags.delete(memberId)
    }
    this.#teamMembers.delete(id)
    this.#workerTeams.get(this.teams.get(id)!.worker)!.delete(id)
    this.teams.delete(id)
  }

  teamsOf(worker: number): number[] {
    return [...(this.#workerTeams.get(worker) ?? [])]
  }

  membersOf(teamId: number): number[] {
    return [...this.#teamMembers.get(teamId)!]
  }

  tagsOf(memberId: number): number[] {
    return [...this.#memberTags.get(memberId)!]
  }

  /** Every link row, sorted, as `memberId:tagId`. */
  links(): string[] {
    const links: string[] = []
    for (const [memberId, tagIds] of this.#memberTags) for (const tagId of tagIds) links.push(`${memberId}:${tagId}`)
    return links.sort()
  }

  /** Every table as sorted plain rows, in the shape `databaseSnapshot` reads them. */
  snapshot(): DatabaseSnapshot {
    return {
      teams: sorted([...this.teams].map(([id, row]) => ({ id, name: row.name, worker: row.worker }))),
      members: sorted([...this.members].map(([id, row]) => ({ id, handle: row.handle, score: row.score, team_id: row.teamId }))),
      tags: sorted([...this.tags].map(([id, label]) => ({ id, label }))),
      member_tags: this.links(),
      counters: sorted([...this.counters].map(([id, row]) => ({ id, name: row.name, hits: row.hits, version: row.version }))),
    }
  }
}

export interface DatabaseSnapshot {
  teams: { id: number; name: string; worker: number }[]
  members: { id: number; handle: string; score: number; team_id: number }[]
  tags: { id: number; label: string }[]
  member_tags: string[]
  counters: { id: number; name: string; hits: number; version: number }[]
}

/** Every row of every table of the load schema, read with plain SQL (no mapper involved). */
export async function databaseSnapshot(db: Kysely<any>): Promise<DatabaseSnapshot> {
  const all = (table: string, columns: string[]) => db.selectFrom(table).select(columns).orderBy('id').execute()
  // Drivers read integers as numbers here, but a count or key may come back as a string or bigint elsewhere.
  const numbers = (rows: Record<string, unknown>[], keys: string[]) =>
    rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, keys.includes(k) ? Number(v) : v])) as { id: unknown })
  const [teams, members, tags, links, counters] = await Promise.all([
    all('teams', ['id', 'name', 'worker']),
    all('members', ['id', 'handle', 'score', 'team_id']),
    all('tags', ['id', 'label']),
    db.selectFrom('member_tags').select(['member_id', 'tag_id']).execute(),
    all('counters', ['id', 'name', 'hits', 'version']),
  ])
  return {
    teams: sorted(numbers(teams, ['id', 'worker'])) as DatabaseSnapshot['teams'],
    members: sorted(numbers(members, ['id', 'score', 'team_id'])) as DatabaseSnapshot['members'],
    tags: sorted(numbers(tags, ['id'])) as DatabaseSnapshot['tags'],
    member_tags: links.map((row) => `${Number(row.member_id)}:${Number(row.tag_id)}`).sort(),
    counters: sorted(numbers(counters, ['id', 'hits', 'version'])) as DatabaseSnapshot['counters'],
  }
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key)
  if (set === undefined) map.set(key, (set = new Set()))
  return set
}

function sorted<R extends { id: unknown }>(rows: R[]): R[] {
  return rows.sort((a, b) => Number(a.id) - Number(b.id))
}
