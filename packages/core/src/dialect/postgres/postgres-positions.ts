/** PostgreSQL commit positions: WAL LSNs (`16/B374D848`), read on the primary after a commit and waited for on a hot standby. */
import { CompiledQuery } from 'kysely'
import type { CommitPositions } from '../replicas.js'

/** An LSN as a number: the high and low 32 bits, in hex. */
function lsn(position: string): bigint {
  const [high, low] = position.split('/')
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`)
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The primary's WAL insert position after a commit (`pg_current_wal_insert_lsn()`: past the
 * commit record even with `synchronous_commit = off`); a standby has replayed it once
 * `pg_last_wal_replay_lsn()` reaches it, asked every 2 ms up to the wait.
 *
 * @example
 * ```ts
 * postgresPositions.covers('0/3000060', '0/3000028')   // true
 * ```
 */
export const postgresPositions: CommitPositions = {
  async current(connection) {
    const { rows } = await connection.executeQuery<{ position: string }>(CompiledQuery.raw('select pg_current_wal_insert_lsn()::text as position'))
    return rows[0]?.position
  },

  async replayed(connection, position, waitMs) {
    const wanted = lsn(position)
    const deadline = Date.now() + waitMs
    for (;;) {
      const { rows } = await connection.executeQuery<{ position: string | null }>(CompiledQuery.raw('select pg_last_wal_replay_lsn()::text as position'))
      const replayed = rows[0]?.position
      // null: not a standby (or not replaying): it cannot be known to have the commit.
      if (replayed === null || replayed === undefined) return false
      if (lsn(replayed) >= wanted) return true
      if (Date.now() >= deadline) return false
      await pause(2)
    }
  },

  async lag(connection) {
    // Caught up when it has replayed all the WAL it received: an idle primary is no lag. Otherwise
    // the age of the last transaction replayed (an upper bound after a long idle spell).
    const { rows } = await connection.executeQuery<{ standby: boolean; lag: number | string | null }>(
      CompiledQuery.raw(
        `select pg_is_in_recovery() as standby, case when pg_last_wal_receive_lsn() is not distinct from pg_last_wal_replay_lsn() then 0
           else extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000 end as lag`,
      ),
    )
    const row = rows[0]
    if (row === undefined || !row.standby) return undefined
    return row.lag === null ? Number.POSITIVE_INFINITY : Math.max(0, Number(row.lag))
  },

  covers: (a, b) => lsn(a) >= lsn(b),
  merge: (a, b) => (lsn(a) >= lsn(b) ? a : b),
}
