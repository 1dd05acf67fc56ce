/** MariaDB commit positions: GTID positions (`0-1-42`, one per replication domain), read on the primary after a commit and waited for on a replica with `MASTER_GTID_WAIT`. */
import { CompiledQuery } from 'kysely'
import type { CommitPositions } from '../replicas.js'

/** A GTID position as its sequence number per domain (`domain-server-sequence`, comma separated). */
function domains(position: string): Map<string, { server: string; sequence: bigint }> {
  const map = new Map<string, { server: string; sequence: bigint }>()
  for (const gtid of position.split(',')) {
    const [domain, server, sequence] = gtid.trim().split('-')
    if (domain === undefined || server === undefined || sequence === undefined) continue
    const seen = map.get(domain)
    if (seen === undefined || BigInt(sequence) > seen.sequence) map.set(domain, { server, sequence: BigInt(sequence) })
  }
  return map
}

/**
 * The primary's `@@gtid_binlog_pos` after a commit (every domain's latest GTID: at least the
 * commit's); a replica has applied it once `MASTER_GTID_WAIT(position, seconds)` returns 0.
 *
 * @example
 * ```ts
 * mysqlPositions.merge('0-1-42', '1-1-7')   // '0-1-42,1-1-7'
 * ```
 */
export const mysqlPositions: CommitPositions = {
  async current(connection) {
    const { rows } = await connection.executeQuery<{ position: string | null }>(CompiledQuery.raw('select @@global.gtid_binlog_pos as position'))
    const position = rows[0]?.position
    // Empty: the primary writes no binary log (no replica can follow it).
    return position === null || position === undefined || position === '' ? undefined : String(position)
  },

  async replayed(connection, position, waitMs) {
    const { rows } = await connection.executeQuery<{ waited: unknown }>(CompiledQuery.raw('select master_gtid_wait(?, ?) as waited', [position, waitMs / 1000]))
    return Number(rows[0]?.waited) === 0
  },

  async lag(connection) {
    const { rows } = await connection.executeQuery<Record<string, unknown>>(CompiledQuery.raw('show slave status'))
    const status = rows[0]
    if (status === undefined) return undefined
    // NULL while the SQL thread is stopped (or the IO thread lost the primary): not replaying, no bound.
    const seconds = status.Seconds_Behind_Master
    return seconds === null || seconds === undefined || status.Slave_SQL_Running !== 'Yes' ? Number.POSITIVE_INFINITY : Number(seconds) * 1000
  },

  covers(a, b) {
    const have = domains(a)
    for (const [domain, { sequence }] of domains(b)) {
      const seen = have.get(domain)
      if (seen === undefined || seen.sequence < sequence) return false
    }
    return true
  },

  merge(a, b) {
    const merged = domains(a)
    for (const [domain, gtid] of domains(b)) {
      const seen = merged.get(domain)
      if (seen === undefined || seen.sequence < gtid.sequence) merged.set(domain, gtid)
    }
    return [...merged].map(([domain, { server, sequence }]) => `${domain}-${server}-${sequence}`).join(',')
  },
}
