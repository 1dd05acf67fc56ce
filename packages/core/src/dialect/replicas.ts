/** What a dialect with read replicas tells Relata: the replicas' Kysely dialects, how to read and compare commit positions, and the routing settings. */
import type { DatabaseConnection, Dialect as KyselyDialect } from 'kysely'
import { RelataError } from '../errors.js'

/**
 * Where a session's (or `orm.db`'s) reads outside a transaction go when the dialect has replicas:
 * `'primary'` always to the primary; `'causal'` (the default) to a replica that has replayed the
 * session's own commits and its `after` token, else to the primary; `'replica'` to a replica
 * whatever it has replayed (a read may miss recent commits: stale).
 *
 * @example
 * ```ts
 * const session = orm.session({ consistency: 'replica' })   // dashboards: fast, maybe a little behind
 * ```
 */
export type ReadConsistency = 'primary' | 'causal' | 'replica'

/**
 * A commit's position on the primary (PostgreSQL: a WAL LSN, `16/B374D848`; MariaDB: a GTID
 * position, `0-1-42`), as a string to carry across requests (a cookie, a header): give it to
 * `orm.session({ after: token })` and that session's reads see that commit.
 *
 * @example
 * ```ts
 * const token: CommitToken | undefined = orm.commitToken()
 * const next = orm.session({ after: token })
 * ```
 */
export type CommitToken = string & { readonly __commitToken?: never }

/**
 * How reads pick a replica, and how long they wait for one to catch up. Given with the replicas:
 * `postgres({ primary, replicas, ...ReplicaOptions })`, `mysql({ primary, replicas, ... })`.
 *
 * @example
 * ```ts
 * postgres({ primary, replicas: [standby1, standby2], causalWait: 20, retryAfter: 5_000, maxLag: 5_000, choose: (healthy) => healthy[0]! })
 * ```
 */
export interface ReplicaOptions {
  /**
   * Which replica a read goes to, among those not left out after a failure (indexes into
   * `replicas`); must return one of them. Default: round robin.
   */
  readonly choose?: (healthy: readonly number[]) => number
  /**
   * Milliseconds a `'causal'` read waits for a replica to replay the commit it must see before it
   * goes to the primary instead (default 50). A replica lagging further is skipped, never waited on longer.
   */
  readonly causalWait?: number
  /** Milliseconds a replica that failed (unreachable, connection lost) is left out before reads try it again (default 2 000). */
  readonly retryAfter?: number
  /** The default consistency of sessions and `orm.db` (default `'causal'`). */
  readonly consistency?: ReadConsistency
  /** Milliseconds to wait for a new connection to a replica before reading on the primary (default 2 000). */
  readonly replicaConnectTimeout?: number
  /**
   * Milliseconds a replica may lag behind the primary and still serve reads, in every consistency
   * mode (default: no bound). A replica measured further behind (PostgreSQL: time since the last
   * transaction it replayed while WAL it received waits, `now() - pg_last_xact_replay_timestamp()`;
   * MariaDB: `Seconds_Behind_Master`, and a stopped SQL thread counts as unbounded) is skipped —
   * reads go to another replica or the primary — until a later measurement finds it caught up.
   */
  readonly maxLag?: number
  /** Milliseconds between two measurements of a replica's lag, taken on a read's connection, never more than one per interval (default 1 000). Only with `maxLag`. */
  readonly lagCheckInterval?: number
}

/**
 * Commit positions of one database family: read on the primary after a commit, waited for on a
 * replica, compared.
 *
 * @example
 * ```ts
 * const position = await positions.current(connection)   // after COMMIT, on the primary
 * await positions.replayed(replicaConnection, position, 50)   // true once the replica has it
 * ```
 */
export interface CommitPositions {
  /** The primary's position now (at least that of every commit it has acknowledged); `undefined` when it keeps none. */
  current(connection: DatabaseConnection): Promise<string | undefined>
  /** Whether the replica behind `connection` has replayed `position`, waiting at most `waitMs`. */
  replayed(connection: DatabaseConnection, position: string, waitMs: number): Promise<boolean>
  /**
   * How far (milliseconds) the replica behind `connection` lags behind its primary: 0 when it has
   * replayed all it received, `Infinity` when it is not replaying, `undefined` when it is no replica.
   */
  lag(connection: DatabaseConnection): Promise<number | undefined>
  /** Whether position `a` includes everything `b` does. */
  covers(a: string, b: string): boolean
  /** A position that includes `a` and `b`. */
  merge(a: string, b: string): string
}

/**
 * A dialect's read replicas: one Kysely dialect per replica, its positions, and the settings.
 *
 * @example
 * ```ts
 * orm.dialect.replication?.createReplicaDialects().length   // 2
 * ```
 */
export interface Replication {
  /** One Kysely dialect per replica, in the order they were given: the reader pool of each. */
  createReplicaDialects(): readonly KyselyDialect[]
  readonly positions: CommitPositions
  readonly settings: Required<Omit<ReplicaOptions, 'choose' | 'replicaConnectTimeout'>> & Pick<ReplicaOptions, 'choose'>
}

const consistencies: readonly ReadConsistency[] = ['primary', 'causal', 'replica']

/**
 * `options` checked, with defaults: a value that cannot be honoured is refused, naming the call.
 *
 * @example
 * ```ts
 * const settings = replicaSettings('postgres()', { causalWait: 20 })
 * ```
 */
export function replicaSettings(call: string, options: ReplicaOptions & { readonly replicas?: readonly unknown[] }): Replication['settings'] {
  if (!Array.isArray(options.replicas)) throw new RelataError(`${call}: replicas must be an array of connections, got ${String(options.replicas)}`)
  const ms = (name: 'causalWait' | 'retryAfter' | 'replicaConnectTimeout' | 'maxLag' | 'lagCheckInterval', fallback: number): number => {
    const value = options[name]
    if (value === undefined) return fallback
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) throw new RelataError(`${call}: ${name} must be a number of milliseconds, got ${String(value)}`)
    return value
  }
  const consistency = options.consistency ?? 'causal'
  if (!consistencies.includes(consistency)) throw new RelataError(`${call}: consistency must be 'primary', 'causal' or 'replica', got ${String(consistency)}`)
  if (options.choose !== undefined && typeof options.choose !== 'function') throw new RelataError(`${call}: choose must be a function, got ${String(options.choose)}`)
  ms('replicaConnectTimeout', 0)
  return {
    causalWait: ms('causalWait', 50),
    retryAfter: ms('retryAfter', 2_000),
    // Infinity: no bound, and no lag measured.
    maxLag: ms('maxLag', Number.POSITIVE_INFINITY),
    lagCheckInterval: ms('lagCheckInterval', 1_000),
    consistency,
    choose: options.choose,
  }
}

/**
 * Whether `connection` is `{ primary, replicas }` rather than a connection of the driver's own.
 *
 * @example
 * ```ts
 * if (hasReplicas(connection)) connectReplicas(connection.replicas)
 * ```
 */
export function hasReplicas<C>(connection: unknown): connection is { readonly primary: C; readonly replicas: readonly C[] } {
  return typeof connection === 'object' && connection !== null && 'primary' in connection && 'replicas' in connection
}
