/**
 * PgBouncer in transaction pooling mode in front of a private PostgreSQL: `statementTimeout` with
 * `pooler: 'transaction'` cancels every statement that overruns it, inside and outside
 * transactions, and no statement of another orm sharing the pooler's server connections.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { pgbouncerUnavailable, startPgbouncer, type PrivatePgbouncer } from '@relata/test-kit/private-pgbouncer'
import { privateServerUnavailable, startPrivatePostgres, type PrivateServer } from '@relata/test-kit/private-server'
import { testTargets } from '@relata/test-kit/targets'
import { createOrm, sql, type Orm } from '../src/index.js'
import { postgres } from '../src/dialect/postgres/postgres.js'
import { schema } from './fixtures/books.js'

const title = 'PgBouncer in transaction mode: statementTimeout holds per transaction [postgres]'
const unavailable = privateServerUnavailable('postgres') ?? pgbouncerUnavailable()

/** Whether a statement failed because the server cancelled it (a timeout or a cancel). */
const cancelled = (outcome: PromiseSettledResult<unknown>) => outcome.status === 'rejected' && (outcome.reason as { code?: string }).code === '57014'

if (!testTargets.some((t) => t.family === 'postgres' && t.name !== 'pglite')) {
  // PostgreSQL is not in this run's targets.
} else if (unavailable !== undefined) {
  if (process.env.CI) describe(title, () => test('PgBouncer and a private server can be started', () => { throw new Error(unavailable) }))
  else describe.skip(title, () => undefined)
} else {
  describe(title, () => {
    let server: PrivateServer | undefined
    let bouncer: PrivatePgbouncer | undefined
    const orms: Orm<typeof schema>[] = []
    /** Two server connections for many clients: statements of different orms share them. */
    const poolSize = 2
    const timeoutMs = 200

    beforeAll(async () => {
      server = await startPrivatePostgres()
      const url = new URL(server.url)
      bouncer = await startPgbouncer({ host: url.hostname, port: Number(url.port) }, { poolSize })
      const setup = createOrm({ schema, dialect: postgres(bouncer.url('postgres'), { pooler: 'transaction' }) })
      orms.push(setup)
      await setup.createTables()
    })

    afterAll(async () => {
      for (const orm of orms) await orm.destroy()
      await bouncer?.destroy()
      await server?.destroy()
    })

    const make = (options: Parameters<typeof postgres>[1], max = 4) => {
      const orm = createOrm({ schema, dialect: postgres({ connectionString: bouncer!.url('postgres'), max }, options) })
      orms.push(orm)
      return orm
    }
    const sleep = (orm: Orm<typeof schema>, seconds: number) => sql`select pg_sleep(${seconds})`.execute(orm.db)

    test('every overrunning statement of the timed orm is cancelled, none of an untimed orm sharing the server connections', async () => {
      const timed = make({ pooler: 'transaction', statementTimeout: timeoutMs })
      const untimed = make({ pooler: 'transaction' })
      // Interleaved: the pooler hands each transaction whichever of its two server connections is free.
      const outcomes = await Promise.allSettled([
        ...Array.from({ length: 5 }, () => sleep(timed, 0.5)),
        ...Array.from({ length: 10 }, () => sleep(untimed, 0.3)),
        ...Array.from({ length: 5 }, () => sleep(timed, 0.01)),
      ])
      const timedLong = outcomes.slice(0, 5)
      const untimedAll = outcomes.slice(5, 15)
      const timedShort = outcomes.slice(15)
      expect(timedLong.filter(cancelled)).toHaveLength(5)
      expect(untimedAll.filter((o) => o.status === 'rejected')).toEqual([])
      expect(timedShort.filter((o) => o.status === 'rejected')).toEqual([])
      // Nothing was left on the server connections: a plain connection through the pooler has no timeout.
      const { rows } = await sql<{ timeout: string }>`select current_setting('statement_timeout') as timeout`.execute(untimed.db)
      expect(rows[0]!.timeout).toBe('0')
    })

    test('inside transactions: a flush and session.db statements overrunning it are cancelled; the transaction before and after is unaffected', async () => {
      const timed = make({ pooler: 'transaction', statementTimeout: timeoutMs })
      const outcomes = await Promise.allSettled(
        Array.from({ length: 4 }, (_, i) =>
          timed.transaction(async (session) => {
            session.create('authors', { name: `T${i}` })
            await session.flush()
            await sql`select pg_sleep(0.5)`.execute(session.db)
          }),
        ),
      )
      expect(outcomes.filter(cancelled)).toHaveLength(4)
      // Nothing of the cancelled transactions was written.
      expect(await timed.db.selectFrom('authors').select('name').where('name', 'like', 'T%').execute()).toEqual([])
      await timed.transaction(async (session) => {
        session.create('authors', { name: 'Kept' })
        await sql`select pg_sleep(0.05)`.execute(session.db)
      })
      expect(await timed.db.selectFrom('authors').select('name').where('name', '=', 'Kept').execute()).toEqual([{ name: 'Kept' }])
    })

    test('without pooler declared, the per-connection SET lands on whichever server connection the pooler picked (the reason for the option)', async () => {
      const sessionLevel = make({ statementTimeout: timeoutMs }, 2)
      const other = make({ pooler: 'transaction' }, 4)
      const outcomes = await Promise.allSettled([
        ...Array.from({ length: 5 }, () => sleep(sessionLevel, 0.5)),
        ...Array.from({ length: 10 }, () => sleep(other, 0.3)),
      ])
      const missed = outcomes.slice(0, 5).filter((o) => !cancelled(o)).length
      const leaked = outcomes.slice(5).filter(cancelled).length
      console.info(`[pgbouncer] a session-level statement_timeout through PgBouncer: ${missed} of 5 overrunning statements not cancelled, ${leaked} of 10 statements of another orm cancelled`)
    })
  })
}
