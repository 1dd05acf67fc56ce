/**
 * A throw-away PgBouncer (Debian's `pgbouncer`) in transaction pooling mode in front of a
 * PostgreSQL server, on a free port, run as the `postgres` user (PgBouncer refuses root) from a
 * temp directory that `destroy()` removes. Every database of the server is reachable through it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

const binary = '/usr/sbin/pgbouncer'

export interface PrivatePgbouncer {
  /** The URL of `database` through the pooler. */
  url(database: string): string
  readonly port: number
  /** Stops PgBouncer and removes its directory. Safe to call twice. */
  destroy(): Promise<void>
}

/** Why PgBouncer cannot be started here, or `undefined` when it can. */
export function pgbouncerUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'the tests must run as root to start PgBouncer as the postgres user'
  return existsSync(binary) ? undefined : `${binary} is missing: apt-get install -y pgbouncer (.ci/run installs it)`
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Removes the directories of PgBouncers whose test worker is gone (killed before its exit handler ran). */
function sweepOrphans(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = /^relata-pgbouncer-(\d+)-/.exec(name)?.[1]
    if (pid === undefined || alive(Number(pid))) continue
    rmSync(join(tmpdir(), name), { recursive: true, force: true })
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Starts PgBouncer with `pool_mode = transaction` in front of `server` (`host:port`), trusting
 * the users `postgres` and `root` (as the test servers do).
 * `poolSize` server connections per database and user (default 4, fewer than clients usually
 * open: so that clients share server connections, as in production).
 */
export async function startPgbouncer(server: { host: string; port: number }, options: { poolSize?: number } = {}): Promise<PrivatePgbouncer> {
  const unavailable = pgbouncerUnavailable()
  if (unavailable !== undefined) throw new Error(unavailable)
  sweepOrphans()
  // The creating process's id in the name: a later start removes what a killed worker left.
  const dir = await mkdtemp(join(tmpdir(), `relata-pgbouncer-${process.pid}-`))
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString())
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString())
  await chown(dir, uid, gid)
  const port = await freePort()
  const ini = join(dir, 'pgbouncer.ini')
  await writeFile(
    ini,
    [
      '[databases]',
      `* = host=${server.host} port=${server.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize ?? 4}`,
      'max_client_conn = 500',
      // Relata's own pools may send these; PgBouncer refuses unknown startup parameters.
      'ignore_startup_parameters = extra_float_digits',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  )
  // trust still wants the user listed.
  await writeFile(join(dir, 'users.txt'), '"postgres" ""\n"root" ""\n')
  await chown(ini, uid, gid)
  // A shell that ends PgBouncer and removes the directory when it gets SIGTERM, from destroy() or,
  // through setpriv --pdeathsig, when the test worker dies without running its exit handlers.
  const script = 'pgbouncer_bin=$1; "$pgbouncer_bin" "$2" & child=$!; trap \'kill $child; wait $child; rm -rf "$3"\' TERM; wait $child'
  let child: ChildProcess | undefined = spawn('setpriv', ['--pdeathsig', 'TERM', 'sh', '-c', script, 'sh', binary, ini, dir], { uid, gid, stdio: 'ignore' })
  const kill = () => {
    child?.kill('SIGTERM')
  }
  process.once('exit', kill)
  const destroy = async () => {
    process.removeListener('exit', kill)
    const current = child
    child = undefined
    if (current !== undefined && current.exitCode === null && current.signalCode === null) {
      const exited = new Promise((resolve) => current.once('exit', resolve))
      current.kill('SIGTERM')
      await Promise.race([exited, pause(3000).then(() => current.kill('SIGKILL'))])
    }
    await rm(dir, { recursive: true, force: true })
  }
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`
  const deadline = Date.now() + 10_000
  for (;;) {
    try {
      const client = new pg.Client({ connectionString: url('postgres') })
      await client.connect()
      await client.query('select 1')
      await client.end()
      break
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        await destroy()
        throw new Error(`PgBouncer did not accept connections: ${String(error)}`)
      }
      await pause(25)
    }
  }
  return { url, port, destroy }
}
