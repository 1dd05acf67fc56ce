/**
 * Random interleavings on one session, property-based: edits, creations, flushes, commits and
 * rollbacks, the calls started without awaiting and awaited in random order, checked against a
 * model of what the database must hold: no change lost, no row written twice.
 *
 * Seeded: RELATA_FC_SEED and RELATA_FC_RUNS override the seed and the runs.
 */
import fc from 'fast-check'
import { expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { stateOf } from '../src/tracking/entity-state.js'
import { emptyTables, schema } from './fixtures/unit-of-work.js'

const seed = Number(process.env.RELATA_FC_SEED ?? 20261207)
const runs = Number(process.env.RELATA_FC_RUNS ?? 40)

type Command =
  | { readonly kind: 'create' }
  | { readonly kind: 'rename'; readonly which: number; readonly name: string }
  | { readonly kind: 'reown'; readonly which: number; readonly owner: number | null }
  | { readonly kind: 'flush' | 'commit' | 'rollback' }
  | { readonly kind: 'await'; readonly which: number }
  | { readonly kind: 'yield' }

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.constant({ kind: 'create' as const }),
  fc.record({ kind: fc.constant('rename' as const), which: fc.nat(), name: fc.constantFrom('a', 'b', 'c') }),
  fc.record({ kind: fc.constant('reown' as const), which: fc.nat(), owner: fc.option(fc.nat({ max: 1 }), { nil: null }) }),
  fc.constantFrom({ kind: 'flush' as const }, { kind: 'commit' as const }, { kind: 'rollback' as const }),
  fc.record({ kind: fc.constant('await' as const), which: fc.nat() }),
  fc.constant({ kind: 'yield' as const }),
)

/** What the test last asked of one object, and at which step (a rollback that runs later may undo it). */
interface Tracked {
  readonly toy: { id: number; name: string; ownerId: number | null; owner: unknown }
  name: string
  owner: number | null
  readonly createdAt: number
  renamedAt: number
  reownedAt: number
}

describeEachDialect('session: random interleavings of flushes, commits, rollbacks and edits', (target) => {
  const ctx = target.setup(schema)

  test('no change is lost and no row is written twice', async () => {
    await emptyTables(ctx.orm)
    const setup = ctx.orm.session()
    const owners = [setup.create('owners', { name: 'Ann' }), setup.create('owners', { name: 'Bob' })]
    await setup.commit()
    let run = 0

    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 30 }), async (commands) => {
        const prefix = `r${++run}-`
        const session = ctx.orm.session()
        const mine = owners.map((o) => session.get('owners', o.id))
        const sessionOwners = (await Promise.all(mine)) as { id: number }[]
        const tracked: Tracked[] = []
        const running: Promise<void>[] = []
        // The step during which the last rollback was seen to finish: edits made up to then may be undone by it.
        let lastRollback = -1
        let step = 0
        const live = () => tracked.filter((t) => ['pending', 'persistent'].includes(stateOf(t.toy)!.status))

        for (const c of commands) {
          step++
          switch (c.kind) {
            case 'create': {
              const toy = session.create('toys', { name: `${prefix}new` }) as unknown as Tracked['toy']
              tracked.push({ toy, name: `${prefix}new`, owner: null, createdAt: step, renamedAt: step, reownedAt: step })
              break
            }
            case 'rename': {
              const t = live()[c.which % Math.max(1, live().length)]
              if (t === undefined) break
              t.toy.name = t.name = prefix + c.name
              t.renamedAt = step
              break
            }
            case 'reown': {
              const t = live()[c.which % Math.max(1, live().length)]
              if (t === undefined) break
              t.toy.owner = c.owner === null ? null : sessionOwners[c.owner]!
              t.owner = c.owner === null ? null : sessionOwners[c.owner]!.id
              t.reownedAt = step
              break
            }
            case 'flush':
              running.push(session.flush())
              break
            case 'commit':
              running.push(session.commit())
              break
            case 'rollback':
              running.push(
                session.rollback().then(() => {
                  lastRollback = step
                }),
              )
              break
            case 'await':
              if (running.length > 0) await running.splice(c.which % running.length, 1)[0]
              break
            case 'yield':
              await new Promise((resolve) => setImmediate(resolve))
              break
          }
        }
        // Awaited in the order drawn above; what is left, now; then one last commit writes the rest.
        step++
        await Promise.all(running)
        await session.commit()
        expect(await session.plan()).toEqual([])

        const rows = await ctx.orm.db.selectFrom('toys').select(['id', 'name', 'owner_id']).where('name', 'like', `${prefix}%`).orderBy('id').execute()
        const persistent = tracked.filter((t) => stateOf(t.toy)!.status === 'persistent')
        // No row twice, none astray: exactly one row per object the session holds as persistent.
        expect(rows.map((r) => r.id)).toEqual(persistent.map((t) => t.toy.id).sort((a, b) => a - b))
        for (const t of persistent) {
          const row = rows.find((r) => r.id === t.toy.id)!
          // The database holds what the object holds.
          expect(row).toEqual({ id: t.toy.id, name: t.toy.name, owner_id: t.toy.ownerId ?? null })
          // No change lost: what was asked after the last rollback had run is in the database.
          if (t.renamedAt > lastRollback) expect(row.name).toBe(t.name)
          if (t.reownedAt > lastRollback) expect(row.owner_id).toBe(t.owner)
        }
        for (const t of tracked) if (t.createdAt > lastRollback) expect(stateOf(t.toy)!.status).toBe('persistent')
      }),
      { seed, numRuns: runs, endOnFailure: true },
    )
  })
})
