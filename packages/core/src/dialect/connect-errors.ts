/** Turns a failure to open a connection (server unreachable, user refused) into a `ConnectionError` that says where and what to check. */
import type { DatabaseConnection, Dialect, Driver } from 'kysely'
import { ConnectionError } from '../errors.js'

/** What a dialect knows of the server it connects to, for messages. */
export interface ConnectTarget {
  /** `PostgreSQL`, `MySQL`, `MariaDB`. */
  readonly server: string
  /** `host:port`, or a socket path. */
  readonly address: string
  readonly user: string | undefined
}

/** Node's error codes for a server that cannot be reached, with what to check. */
const unreachableHints: Record<string, string> = {
  ECONNREFUSED: 'is it running?',
  ETIMEDOUT: 'is it running, and reachable from this machine?',
  EHOSTUNREACH: 'is it running, and reachable from this machine?',
  ENETUNREACH: 'is it running, and reachable from this machine?',
  ENOTFOUND: 'is the host name right?',
  EAI_AGAIN: 'is the host name right?',
}
/** Refused users: PostgreSQL's SQLSTATEs (invalid password, invalid authorization: a role that does not exist); MySQL's ER_ACCESS_DENIED_ERROR and ER_ACCESS_DENIED_NO_PASSWORD_ERROR. */
const refusedUser = new Set<string | number>(['28P01', '28000', 1045, 1698])
/** `pg`'s own connect timeouts (`connectionTimeoutMillis`) carry no code. */
const pgTimeout = /timeout expired|connection timeout/i

function driverText(error: Record<string, unknown>): string {
  if (typeof error.message === 'string' && error.message !== '') return error.message
  // Node's AggregateError (each address of a host name tried and refused) has an empty message.
  if (Array.isArray(error.errors)) return error.errors.map((each) => String((each as Error)?.message ?? each)).join('; ')
  return String(error.code ?? error)
}

/**
 * The `ConnectionError` that `error`, thrown while opening a connection, stands for; `undefined`
 * when it is something else (a failing statement, Relata's own checks), which passes unchanged.
 *
 * @example
 * ```ts
 * throw connectionError(error, { server: 'PostgreSQL', address: '127.0.0.1:5432', user: 'app' }) ?? error
 * ```
 */
export function connectionError(error: unknown, target: ConnectTarget): ConnectionError | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const e = error as Record<string, unknown>
  const code = typeof e.errno === 'number' && refusedUser.has(e.errno) ? e.errno : e.code
  const text = driverText(e)
  if (refusedUser.has(code as string | number)) {
    const who = target.user === undefined ? 'the user' : `user ${JSON.stringify(target.user)}`
    return new ConnectionError(`${target.server} at ${target.address} refused ${who}: check the user and password (${text})`, 'authentication', target.address, { cause: error })
  }
  // A socket path that does not exist: the server is not running (or listens elsewhere).
  const socketMissing = code === 'ENOENT' && e.syscall === 'connect'
  const hint = socketMissing ? 'is it running?' : typeof code === 'string' && Object.hasOwn(unreachableHints, code) ? unreachableHints[code] : pgTimeout.test(text) ? unreachableHints.ETIMEDOUT : undefined
  if (hint === undefined) return undefined
  return new ConnectionError(`cannot reach ${target.server} at ${target.address}: ${hint} (${text})`, 'unreachable', target.address, { cause: error })
}

/**
 * `inner` with a driver whose `acquireConnection` throws a `ConnectionError` when a new connection
 * cannot be opened. `target` is read when that happens (the pool exists by then).
 *
 * @example
 * ```ts
 * withConnectionErrors(new PostgresDialect({ pool }), () => ({ server: 'PostgreSQL', address: '127.0.0.1:5432', user: 'app' }))
 * ```
 */
export function withConnectionErrors(inner: Dialect, target: () => ConnectTarget): Dialect {
  return {
    createDriver: () => {
      const driver = inner.createDriver()
      const acquire = async (): Promise<DatabaseConnection> => {
        try {
          return await driver.acquireConnection()
        } catch (error) {
          throw connectionError(error, target()) ?? error
        }
      }
      return new Proxy(driver, {
        get: (object, property) => {
          if (property === 'acquireConnection') return acquire
          const value: unknown = Reflect.get(object, property, object)
          // Kysely's drivers keep their pool in private fields: their methods run on the driver itself.
          return typeof value === 'function' ? value.bind(object) : value
        },
      }) as Driver
    },
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
  }
}
