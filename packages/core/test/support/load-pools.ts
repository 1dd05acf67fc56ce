/**
 * Pools of a fixed size created by the test and handed to the dialect, so that the test can see
 * what the pool holds; and what the server says about the test database's connections.
 *
 * A pool given to `postgres()` / `mysql()` is used as it is, with the driver's own type parsing
 * (pg: int8 and numeric as strings, timestamps in local time; mysql2: TINYINT(1) as a number).
 * The load schema has only integer and text columns, which both drivers read as Relata would.
 */
import { createConnection } from 'mysql2/promise'
import { createPool, type Pool as MysqlPool } from 'mysql2'
import pg from 'pg'
import { mariadbTestServer, postgresTestServer } from '@relata/test-kit/servers'
import type { TargetName } from '@relata/test-kit/targets'
import { mysql } from '../../src/dialect/mysql/mysql.js'
import { postgres } from '../../src/dialect/postgres/postgres.js'
import type { RelataDialect } from '../../src/index.js'

export interface PoolState {
  /** Connections the pool holds. */
  readonly total: number
  /** Of them, lent to no one. */
  readonly idle: number
  /** Requests waiting for a connection. */
  readonly waiting: number
  /**
   * Connections to the test database the server still sees busy (not idle / sleeping) after a
   * short grace, other than the one asking: each as its command, state and statement.
   */
  readonly busyOnServer: readonly string[]
}

// A connection the pool closed after an error (a deadlock victim, a lock timeout) can stay
// listed on the server for a moment while the server rolls its work back. That is not a leak; a
// statement still running or a transaction left open seconds later is.
const serverGraceMs = 5_000

async function settledBusy(read: () => Promise<string[]>): Promise<string[]> {
  const deadline = Date.now() + serverGraceMs
  for (;;) {
    const busy = await read()
    if (busy.length === 0 || Date.now() >= deadline) return busy
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export interface LoadPool {
  readonly dialect: RelataDialect
  readonly limit: number
  state(): Promise<PoolState>
}

/** A pool of `limit` connections to `database` on the target's server, and a dialect over it. */
export function loadPool(target: TargetName, database: string, limit: number): LoadPool {
  if (target === 'postgres') {
    const pool = new pg.Pool({ connectionString: postgresTestServer.url(database), max: limit })
    // A pool of our own: as for any pool given to postgres(), its owner listens for connection
    // errors. The suite's teardown drops the database with force, which the server reports to
    // connections still closing; unheard, that error would fail the run.
    pool.on('error', () => undefined)
    pool.on('connect', (client) => client.on('error', () => undefined))
    return {
      dialect: postgres(pool),
      limit,
      async state() {
        const admin = new pg.Client({ connectionString: postgresTestServer.url(database) })
        await admin.connect()
        try {
          const busy = await settledBusy(async () => {
            const { rows } = await admin.query<{ state: string; query: string }>(
              `select state, query from pg_stat_activity where datname = $1 and state <> 'idle' and pid <> pg_backend_pid()`,
              [database],
            )
            return rows.map((row) => `${row.state}: ${row.query}`)
          })
          return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, busyOnServer: busy }
        } finally {
          await admin.end()
        }
      },
    }
  }
  if (target === 'mariadb') {
    const pool: MysqlPool = createPool({ uri: mariadbTestServer.url(database), connectionLimit: limit })
    // mysql2 keeps its bookkeeping in these queues; there is no public accessor.
    const queues = pool as unknown as { _allConnections: { length: number }; _freeConnections: { length: number }; _connectionQueue: { length: number } }
    return {
      dialect: mysql(pool),
      limit,
      async state() {
        const admin = await createConnection({ uri: mariadbTestServer.url(database) })
        try {
          const busy = await settledBusy(async () => {
            const [rows] = await admin.query(
              `select command as command, state as state, info as info from information_schema.processlist where db = ? and command <> 'Sleep' and id <> connection_id()`,
              [database],
            )
            return (rows as { command: string; state: string; info: string | null }[]).map((row) => `${row.command} (${row.state}): ${row.info ?? ''}`)
          })
          return { total: queues._allConnections.length, idle: queues._freeConnections.length, waiting: queues._connectionQueue.length, busyOnServer: busy }
        } finally {
          await admin.end()
        }
      },
    }
  }
  throw new Error(`The load test runs on servers only, not on ${target}`)
}
