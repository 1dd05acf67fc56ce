/**
 * Throw-away database servers of a test's own, to restart without disturbing the shared servers
 * other test files use: PostgreSQL from `initdb` + `pg_ctl` (run as `postgres`), MariaDB from
 * `mariadb-install-db` + `mariadbd --no-defaults` (run as `mysql`). Each lives in a fresh temp
 * directory (data, socket, pid file, log) on a free TCP port; `destroy()` stops it and removes it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createConnection } from 'mysql2/promise'
import pg from 'pg'

const run = promisify(execFile)

export interface PrivateServer {
  readonly kind: 'postgres' | 'mariadb'
  /** The URL of its default database (`postgres` / `mysql`), TCP, no password. */
  readonly url: string
  /** Milliseconds from nothing to accepting connections (initialisation included). */
  readonly startMs: number
  /** Stops the server (fast shutdown: sessions are ended) and starts it again on the same port; resolves when it accepts connections. Returns the milliseconds it took. */
  restart(): Promise<number>
  /** Stops the server and removes its directory. Safe to call twice, and after a failed start. */
  destroy(): Promise<void>
  /** Stops the server at once (PostgreSQL: immediate shutdown; MariaDB: SIGKILL), keeping its data. */
  kill(): Promise<void>
  /** Starts a killed server again on the same port; resolves when it accepts connections. */
  start(): Promise<void>
}

/** Why a private server cannot be started here, or `undefined` when it can. */
export function privateServerUnavailable(kind: 'postgres' | 'mariadb'): string | undefined {
  if (process.getuid?.() !== 0) return 'the tests must run as root to start a server as its own user'
  if (kind === 'postgres') return postgresBin() === undefined ? 'no PostgreSQL binaries in /usr/lib/postgresql/<version>/bin' : undefined
  return existsSync(mariadbd) && existsSync(installDb) ? undefined : `${mariadbd} or ${installDb} is missing`
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export async function workDir(owner: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `relata-${owner}-`))
  const { stdout } = await run('id', ['-u', owner])
  const { stdout: group } = await run('id', ['-g', owner])
  await chown(dir, Number(stdout), Number(group))
  return dir
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Retries `probe` until it succeeds (the server accepts connections) or `timeoutMs` pass. */
export async function waitUntil(probe: () => Promise<void>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await probe()
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what} did not accept connections within ${timeoutMs} ms: ${String(error)}`)
      await pause(25)
    }
  }
}

export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin')
}

export const asPostgres = (bin: string, tool: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args])

export async function startPrivatePostgres(): Promise<PrivateServer> {
  const bin = postgresBin()
  if (bin === undefined) throw new Error(privateServerUnavailable('postgres'))
  const started = performance.now()
  const dir = await workDir('postgres')
  const data = join(dir, 'data')
  let running = false
  const destroy = async () => {
    if (running) await asPostgres(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined)
    running = false
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const port = await freePort()
    await asPostgres(bin, 'initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'])
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`
    running = true
    await asPostgres(bin, 'pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start'])
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`
    const ready = () =>
      waitUntil(
        async () => {
          const client = new pg.Client({ connectionString: url })
          await client.connect()
          await client.end()
        },
        10_000,
        'the private PostgreSQL',
      )
    await ready()
    return {
      kind: 'postgres',
      url,
      startMs: performance.now() - started,
      async restart() {
        const begun = performance.now()
        // pg_ctl restart keeps the options the server was started with (postmaster.opts).
        await asPostgres(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-l', join(dir, 'log'), '-w', 'restart'])
        await ready()
        return performance.now() - begun
      },
      destroy,
      async kill() {
        await asPostgres(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
        running = false
      },
      async start() {
        running = true
        await asPostgres(bin, 'pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start'])
        await ready()
      },
    }
  } catch (error) {
    await destroy()
    throw error
  }
}

const mariadbd = '/usr/sbin/mariadbd'
const installDb = '/usr/bin/mariadb-install-db'

/** `args`: further `mariadbd` options, e.g. `['--max-allowed-packet=1M']`. */
export async function startPrivateMariadb(options: { readonly args?: readonly string[] } = {}): Promise<PrivateServer> {
  const unavailable = privateServerUnavailable('mariadb')
  if (unavailable !== undefined) throw new Error(unavailable)
  const started = performance.now()
  const dir = await workDir('mysql')
  const data = join(dir, 'data')
  let child: ChildProcess | undefined
  const stop = async () => {
    const current = child
    child = undefined
    if (current === undefined || current.exitCode !== null || current.signalCode !== null) return
    const exited = new Promise((resolve) => current.once('exit', resolve))
    current.kill('SIGTERM')
    await Promise.race([exited, pause(10_000).then(() => current.kill('SIGKILL'))])
    await exited
  }
  const destroy = async () => {
    await stop()
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const port = await freePort()
    await run(installDb, ['--no-defaults', `--datadir=${data}`, '--user=mysql', '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'])
    const args = [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${join(dir, 'mysqld.sock')}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      `--log-error=${join(dir, 'error.log')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--user=mysql',
      '--skip-name-resolve',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      '--innodb-flush-log-at-trx-commit=0',
      ...(options.args ?? []),
    ]
    const url = `mysql://root@127.0.0.1:${port}/mysql`
    const launch = async () => {
      child = spawn(mariadbd, args, { stdio: 'ignore' })
      const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`mariadbd exited with ${code}; see ${join(dir, 'error.log')}`))))
      exited.catch(() => undefined)
      await Promise.race([
        exited,
        waitUntil(
          async () => {
            const connection = await createConnection({ uri: url })
            await connection.end()
          },
          10_000,
          'the private MariaDB',
        ),
      ])
    }
    await launch()
    return {
      kind: 'mariadb',
      url,
      startMs: performance.now() - started,
      async restart() {
        const begun = performance.now()
        await stop()
        await launch()
        return performance.now() - begun
      },
      destroy,
      async kill() {
        const current = child
        child = undefined
        if (current === undefined || current.exitCode !== null || current.signalCode !== null) return
        const exited = new Promise((resolve) => current.once('exit', resolve))
        current.kill('SIGKILL')
        await exited
      },
      start: launch,
    }
  } catch (error) {
    await destroy()
    throw error
  }
}
