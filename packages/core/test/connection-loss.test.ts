/** A pooled connection the server ends while idle does not crash the process; the next query opens a new one. */
import { sql } from 'kysely'
import pg from 'pg'
import { expect, test } from 'vitest'
import { createOrm } from '../src/index.js'
import { postgresTestServer } from './support/servers.js'
import { describeEachDialect } from './support/targets.js'
import { schema } from './fixtures/books.js'

describeEachDialect(
  'an idle connection ended by the server',
  (target) => {
    test('is dropped from the pool without an unhandled error, and the next query succeeds', async () => {
      const orm = createOrm({ schema, dialect: target.dialect() })
      try {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(orm.db)
        const admin = new pg.Client({ connectionString: postgresTestServer.url('test') })
        await admin.connect()
        try {
          const killed = await admin.query('select pg_terminate_backend($1) as done', [rows[0]!.pid])
          expect(killed.rows[0].done).toBe(true)
        } finally {
          await admin.end()
        }
        // Give the pool time to hear of it: its 'error' event fires on the idle client.
        await new Promise((resolve) => setTimeout(resolve, 200))
        const after = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(orm.db)
        expect(after.rows[0]!.pid).not.toBe(rows[0]!.pid)
      } finally {
        await orm.destroy()
      }
    })
  },
  { only: ['postgres'] },
)
