/** PostgreSQL: whether a COMMIT whose reply was lost took effect, asked by the transaction's id (`pg_xact_status`) on a connection of its own. */
import { CompiledQuery } from 'kysely'
import type pg from 'pg'
import type { CommitOutcome } from '../dialect.js'

/** How long to wait for a transaction the server still lists as running (its backend has not yet noticed the lost connection). */
const settleMs = 5_000
const pollMs = 50

/** `pool` gives the settings to connect with: a new connection, outside the pool, which may have none free. */
export function postgresCommitOutcome(pool: () => pg.Pool | undefined): CommitOutcome {
  return {
    async mark(connection) {
      const { rows } = await connection.executeQuery<{ xid: string }>(CompiledQuery.raw('select pg_current_xact_id()::text as xid'))
      return rows[0]!.xid
    },

    async resolve(marker) {
      const options = pool()?.options
      if (options === undefined) return 'unknown'
      // `pg` is loaded: a pool was created with it. Imported here so that `postgres()` loads it at the first connection only.
      const { default: driver } = await import('pg')
      const client = new driver.Client({ ...options, connectionTimeoutMillis: settleMs })
      client.on('error', () => undefined)
      const deadline = Date.now() + settleMs
      try {
        await client.connect()
        for (;;) {
          const { rows } = await client.query<{ status: string | null }>('select pg_xact_status($1::xid8) as status', [String(marker)])
          const status = rows[0]?.status
          if (status === 'committed' || status === 'aborted') return status
          // 'in progress': the server has not yet noticed the lost connection; null: too old to tell.
          if (status !== 'in progress' || Date.now() > deadline) return 'unknown'
          await new Promise((resolve) => setTimeout(resolve, pollMs))
        }
      } catch {
        return 'unknown'
      } finally {
        await client.end().catch(() => undefined)
      }
    },
  }
}
