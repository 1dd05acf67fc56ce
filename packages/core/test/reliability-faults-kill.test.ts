/**
 * Faults: the connection of a flush is ended by the server (`pg_terminate_backend` / `KILL`)
 * between two of its statements. Nothing of the flush is written, the session is as before, the
 * pool does not hand the dead connection out again, and the retried flush writes everything once.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { mariadbTestServer, postgresTestServer } from '@relata/test-kit/servers'
import { describeEachDialect } from '@relata/test-kit/targets'
import { createOrm, FlushError, type Orm } from '../src/index.js'
import { mysql } from '../src/dialect/mysql/mysql.js'
import { postgres } from '../src/dialect/postgres/postgres.js'
import { emptyTables, schema } from './fixtures/unit-of-work.js'
import { backendId, connectAdmin, withStatementHook, type Admin, type HookedDialect } from './support/fault-injection.js'
import { failure, inside } from './support/session-state.js'

describeEachDialect(
  'faults: the connection is killed in the middle of a flush',
  (target) => {
    const server = target.family === 'postgres' ? postgresTestServer : mariadbTestServer
    let database: string
    let dialect: HookedDialect
    let orm: Orm<typeof schema>
    let admin: Admin

    beforeAll(async () => {
      database = await server.createDatabase()
      const url = server.url(database)
      // One connection: a dead connection handed out again would fail the next statement.
      dialect = withStatementHook(target.family === 'postgres' ? postgres({ connectionString: url, max: 1 }) : mysql({ uri: url, connectionLimit: 1 }))
      orm = createOrm({ schema, dialect })
      await orm.createTables()
      admin = await connectAdmin(target.family, url)
    })

    afterAll(async () => {
      await orm?.destroy()
      await admin?.close()
      if (database !== undefined) await server.dropDatabase(database)
    })

    beforeEach(async () => {
      dialect.hook = undefined
      await emptyTables(orm)
    })

    const table = (name: 'owners' | 'pets' | 'toys') => orm.db.selectFrom(name as 'owners').selectAll().orderBy('id').execute()
    const tables = async () => ({ owners: await table('owners'), pets: await table('pets'), toys: await table('toys') })

    /**
     * Kills the connection before the statement `at` (0-based, counted from the first statement
     * the hook sees) and records the ids of the connections killed and of every statement's connection.
     */
    function killBefore(at: number) {
      const seen: { sql: string; id: number }[] = []
      const killed: number[] = []
      dialect.hook = async (statement) => {
        const id = await backendId(target.family, statement)
        seen.push({ sql: statement.sql, id })
        if (seen.length - 1 === at) {
          await admin.kill(id)
          killed.push(id)
        }
      }
      return { seen, killed }
    }

    test('at every statement boundary: nothing written, the session as before; the retry writes everything once on a new connection', async () => {
      const session = orm.session()
      const ann = session.create('owners', { name: 'Ann' })
      const rex = session.create('pets', { name: 'Rex', chip: 'X1', owner: ann })
      const ball = session.create('toys', { name: 'ball', owner: ann })
      await session.commit()
      const before = await tables()

      // Inserts into three tables, updates of two, a delete.
      ann.name = 'Ann B'
      rex.name = 'Rex B'
      const cy = session.create('owners', { name: 'Cy' })
      const fido = session.create('pets', { name: 'Fido', chip: 'X2', owner: cy })
      const kite = session.create('toys', { name: 'kite', owner: cy })
      ball.owner = cy
      session.delete(rex)
      const plan = await session.plan()
      expect(plan.map((p) => `${p.operation} ${p.table}`)).toEqual(['insert owners', 'insert pets', 'insert toys', 'update owners', 'update toys', 'delete pets'])
      const objects = [ann, rex, ball, cy, fido, kite]
      const memory = objects.map(inside)

      // Kill before each statement of the flush in turn (the hook sees them after BEGIN), up to COMMIT.
      const kills: { at: number; error: Error; killed: number; sql: string }[] = []
      for (let at = 0; kills.at(-1)?.sql !== 'commit'; at++) {
        expect(at, 'the flush never reached COMMIT').toBeLessThan(20)
        const { seen, killed } = killBefore(at)
        const error = await failure(session.flush())
        dialect.hook = undefined
        expect(killed).toHaveLength(1)
        const last = seen.at(-1)!.sql
        kills.push({ at, error, killed: killed[0]!, sql: last })
        if (last === 'commit' || /pg_current_xact_id/.test(last)) {
          // Killed before COMMIT (or before reading the transaction's id, just before it): no table to name.
          expect(error).not.toBeInstanceOf(FlushError)
        } else {
          expect(error).toBeInstanceOf(FlushError)
          expect(last.replace(/[`"]/g, '')).toContain(` ${(error as FlushError).table}`)
          expect(error.message).toMatch(/The transaction was rolled back; the session is as it was before the flush\.$/)
        }
        expect(await tables()).toEqual(before)
        expect(objects.map(inside)).toEqual(memory)
        expect(cy.id).toBeUndefined()
        expect(fido.id).toBeUndefined()
        expect(kite.ownerId).toBeUndefined()
        expect(await session.plan()).toEqual(plan)
      }
      // One fault per statement of the plan, and one before COMMIT (on PostgreSQL also one before
      // the transaction's id is read, to ask the server afterwards whether a lost COMMIT landed).
      expect(kills.length).toBe(plan.length + (target.family === 'postgres' ? 2 : 1))
      // Each fault ended a different connection; the last kill was before COMMIT.
      expect(new Set(kills.map((k) => k.killed)).size).toBe(kills.length)
      expect(kills.at(-1)!.error).not.toBeInstanceOf(FlushError)

      // The retry: on a connection none of the killed ones, everything written once.
      const retry = killBefore(-1)
      await session.flush()
      dialect.hook = undefined
      expect(retry.seen.map((s) => s.id).filter((id) => kills.some((k) => k.killed === id))).toEqual([])
      expect(await tables()).toEqual({
        owners: [
          { id: ann.id, name: 'Ann B' },
          { id: cy.id, name: 'Cy' },
        ],
        pets: [{ id: fido.id, name: 'Fido', chip: 'X2', owner_id: cy.id }],
        toys: [
          { id: ball.id, name: 'ball', owner_id: cy.id },
          { id: kite.id, name: 'kite', owner_id: cy.id },
        ],
      })
      expect(inside(cy).status).toBe('persistent')
      expect(inside(rex).status).toBe('detached')
      expect(await session.plan()).toEqual([])
      // The server lists one connection of the pool (max 1), a live one.
      const live = (await admin.running()).map((r) => r.id)
      expect(live.filter((id) => kills.some((k) => k.killed === id))).toEqual([])
      console.info(`[relata] ${target.name}: ${kills.length} connections killed mid-flush (before ${kills.map((k) => k.at + 1).join(', ')}th statement), all survived; the retry wrote once`)
    })

    test('inside orm.transaction(): the transaction fails with the flush error, memory is undone, and running it again commits once', async () => {
      const setup = orm.session()
      const ann = setup.create('owners', { name: 'Ann' })
      await setup.commit()

      const work = async (session: ReturnType<typeof orm.session>) => {
        const owner = (await session.get('owners', ann.id))!
        owner.name = 'Ann T'
        const bob = session.create('owners', { name: 'Bob' })
        session.create('pets', { name: 'Rex', owner: bob })
        await session.flush()
        session.create('toys', { name: 'kite', owner: bob })
        return { owner, bob }
      }
      let inTransaction: Awaited<ReturnType<typeof work>> | undefined
      // Kill before the pets insert of the first flush.
      const killed: number[] = []
      dialect.hook = async (statement) => {
        const id = await backendId(target.family, statement)
        if (killed.length === 0 && /insert into .pets./.test(statement.sql)) {
          await admin.kill(id)
          killed.push(id)
        }
      }
      const error = await failure(
        orm.transaction(async (session) => {
          inTransaction = await work(session)
        }),
      )
      dialect.hook = undefined
      expect(killed).toHaveLength(1)
      expect(error).toBeInstanceOf(FlushError)
      expect(error).toMatchObject({ table: 'pets' })
      expect(inTransaction).toBeUndefined()
      expect(await table('owners')).toEqual([{ id: ann.id, name: 'Ann' }])
      expect(await table('pets')).toEqual([])

      const result = await orm.transaction(work)
      expect(result.owner.name).toBe('Ann T')
      expect((await table('owners')).map((r) => r.name)).toEqual(['Ann T', 'Bob'])
      expect((await orm.db.selectFrom('pets').select('owner_id').execute()).map((r) => r.owner_id)).toEqual([result.bob.id])
      expect((await orm.db.selectFrom('toys').select('owner_id').execute()).map((r) => r.owner_id)).toEqual([result.bob.id])
    })
  },
  { only: ['postgres', 'mariadb'] },
)
