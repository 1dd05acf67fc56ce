/** A pooled connection the server ends while idle does not crash the process; the next query opens a new one. */
import { sql } from 'kysely'
import { createConnection } from 'mysql2/promise'
import pg from 'pg'
import { expect, test } from 'vitest'
import { mariadbTestServer, postgresTestServer } from '@relata/test-kit/servers'
import { describeEachDialect } from '@relata/test-kit/targets'
import { createOrm } from '../src/index.js'
import { schema } from './fixtures/books.js'

/** Ends one server connection from another, as an administrator (or a restart) would. */
async function endConnection(family: 'postgres' | 'mysql', id: number): Promise<void> {
  if (family === 'postgres') {
    const admin = new pg.Client({ connectionString: postgresTestServer.url('test') })
    await admin.connect()
    try {
      await admin.query('select pg_terminate_backend($1)', [id])
    } finally {
      await admin.end()
    }
  } else {
    const admin = await createConnection({ uri: mariadbTestServer.url('test') })
    try {
      await admin.query(`kill ${Number(id)}`)
    } finally {
      await admin.end()
    }
  }
}

describeEachDialect(
  'an idle connection ended by the server',
  (target) => {
    test('is dropped from the pool without an unhandled error, and the next query succeeds', async () => {
      const orm = createOrm({ schema, dialect: target.dialect() })
      const connectionId = target.family === 'postgres' ? sql<{ id: number }>`select pg_backend_pid() as id` : sql<{ id: number }>`select connection_id() as id`
      try {
        const { rows } = await connectionId.execute(orm.db)
        await endConnection(target.family, Number(rows[0]!.id))
        // Give the pool time to hear of it.
        await new Promise((resolve) => setTimeout(resolve, 200))
        const after = await connectionId.execute(orm.db)
        expect(Number(after.rows[0]!.id)).not.toBe(Number(rows[0]!.id))
      } finally {
        await orm.destroy()
      }
    })
  },
  { only: ['postgres', 'mariadb'] },
)
