/**
 * Throw-away replication setups for the replica tests: a PostgreSQL hot standby of a private
 * primary (`pg_basebackup -R` with a replication slot), and a private MariaDB primary with a GTID
 * replica. Each lives in temp directories on free ports; `destroy()` removes it.
 */
import { join } from 'node:path'
import { rm } from 'node:fs/promises'
import { createConnection } from 'mysql2/promise'
import pg from 'pg'
import { asPostgres, freePort, postgresBin, startPrivateMariadb, waitUntil, workDir, type PrivateServer } from './private-server.js'

/** A replica: its URL (same database names as its primary), and how to kill it and start it again. */
export interface PrivateReplica {
  /** The URL of `database` on the replica. */
  url(database: string): string
  kill(): Promise<void>
  start(): Promise<void>
  destroy(): Promise<void>
}

const withDatabase = (base: string, database: string): string => {
  const url = new URL(base)
  url.pathname = `/${database}`
  return url.toString()
}

/**
 * A streaming hot standby of `primary` (a private PostgreSQL: initdb's pg_hba.conf trusts local
 * replication connections): `pg_basebackup -R -X stream -C -S <slot>`, then started on its own port.
 */
export async function startPostgresStandby(primary: PrivateServer): Promise<PrivateReplica> {
  const bin = postgresBin()
  if (bin === undefined) throw new Error('no PostgreSQL binaries in /usr/lib/postgresql/<version>/bin')
  const dir = await workDir('postgres')
  const data = join(dir, 'data')
  const primaryUrl = new URL(primary.url)
  const slot = `relata_standby_${primaryUrl.port}`
  const port = await freePort()
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c hot_standby=on`
  let running = false
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  const ready = () =>
    waitUntil(
      async () => {
        const client = new pg.Client({ connectionString: url })
        await client.connect()
        await client.end()
      },
      15_000,
      'the private standby',
    )
  const kill = async () => {
    if (running) await asPostgres(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined)
    running = false
  }
  const start = async () => {
    running = true
    await asPostgres(bin, 'pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start'])
    await ready()
  }
  const destroy = async () => {
    await kill()
    await rm(dir, { recursive: true, force: true })
    // The slot keeps WAL on the primary: dropped with the standby.
    const client = new pg.Client({ connectionString: primary.url })
    await client
      .connect()
      .then(() => client.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1', [slot]))
      .catch(() => undefined)
    await client.end().catch(() => undefined)
  }
  try {
    await asPostgres(bin, 'pg_basebackup', ['-h', '127.0.0.1', '-p', primaryUrl.port, '-U', 'postgres', '-D', data, '-R', '-X', 'stream', '-C', '-S', slot])
    await start()
    return { url: (database) => withDatabase(url, database), kill, start, destroy }
  } catch (error) {
    await destroy()
    throw error
  }
}

/** A private MariaDB primary (binary log, server id 1) and a replica following it by GTID (server id 2). */
export async function startMariadbReplication(): Promise<{ primary: PrivateServer; replica: PrivateServer; destroy(): Promise<void> }> {
  const primary = await startPrivateMariadb({ args: ['--log-bin=relata-bin', '--server-id=1', '--binlog-format=ROW'] })
  let replica: PrivateServer | undefined
  const destroy = async () => {
    await replica?.destroy()
    await primary.destroy()
  }
  try {
    replica = await startPrivateMariadb({ args: ['--server-id=2', '--read-only'] })
    const port = new URL(primary.url).port
    const admin = await createConnection({ uri: replica.url })
    try {
      await admin.query(`change master to master_host = '127.0.0.1', master_port = ${port}, master_user = 'root', master_password = '', master_use_gtid = slave_pos`)
      await admin.query('start slave')
      await waitUntil(
        async () => {
          const [rows] = await admin.query('show slave status')
          const status = (rows as Record<string, unknown>[])[0]
          if (status?.Slave_IO_Running !== 'Yes' || status?.Slave_SQL_Running !== 'Yes') throw new Error(`replica not running: ${String(status?.Last_Error ?? status?.Last_IO_Error)}`)
        },
        15_000,
        'the MariaDB replica',
      )
    } finally {
      await admin.end()
    }
    return { primary, replica, destroy }
  } catch (error) {
    await destroy()
    throw error
  }
}
