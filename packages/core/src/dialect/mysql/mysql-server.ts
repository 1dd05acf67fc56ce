/** Which server a MySQL connection reached, and what that server can do. */
import type { DialectCapabilities } from '../dialect.js'

/**
 * The server behind a `mysql()` dialect.
 *
 * @example
 * ```ts
 * const server: MysqlServer = { kind: 'mariadb', version: [10, 11] }
 * ```
 */
export interface MysqlServer {
  readonly kind: 'mariadb' | 'mysql'
  /** `[major, minor]`; absent when the server was named in the options rather than asked. */
  readonly version?: readonly [number, number]
}

/**
 * Reads the answer of `SELECT VERSION()`: MariaDB says so in its version string.
 *
 * @example
 * ```ts
 * parseMysqlVersion('10.11.19-MariaDB-0+deb12u1')   // { kind: 'mariadb', version: [10, 11] }
 * parseMysqlVersion('8.0.36')                       // { kind: 'mysql', version: [8, 0] }
 * ```
 */
export function parseMysqlVersion(version: string): MysqlServer {
  const kind = /mariadb/i.test(version) ? 'mariadb' : 'mysql'
  const match = /^(?:5\.5\.5-)?(\d+)\.(\d+)/.exec(version)
  return match === null ? { kind } : { kind, version: [Number(match[1]), Number(match[2])] }
}

/**
 * MariaDB 10.5 added `INSERT ... RETURNING`; a MariaDB of unknown version is taken to be recent.
 *
 * @example
 * ```ts
 * supportsReturning({ kind: 'mariadb', version: [10, 4] })   // false
 * ```
 */
export function supportsReturning(server: MysqlServer): boolean {
  if (server.kind !== 'mariadb') return false
  const [major, minor] = server.version ?? [10, 5]
  return major > 10 || (major === 10 && minor >= 5)
}

/**
 * `NOWAIT` and `SKIP LOCKED` on locking reads: MySQL 8 has both, MariaDB `NOWAIT` from 10.3 and
 * `SKIP LOCKED` from 10.6; a server of unknown version is taken to be recent.
 *
 * @example
 * ```ts
 * lockWaits({ kind: 'mariadb', version: [10, 5] })   // { noWait: true, skipLocked: false }
 * ```
 */
export function lockWaits(server: MysqlServer | undefined): { readonly noWait: boolean; readonly skipLocked: boolean } {
  if (server?.kind !== 'mariadb' || server.version === undefined) return Object.freeze({ noWait: true, skipLocked: true })
  const [major, minor] = server.version
  const atLeast = (m: number) => major > 10 || (major === 10 && minor >= m)
  return Object.freeze({ noWait: atLeast(3), skipLocked: atLeast(6) })
}

/**
 * The capabilities of a MySQL-family server. `returning: false` turns `RETURNING` off even where
 * the server has it (to run the MySQL 8 code path on MariaDB).
 *
 * @example
 * ```ts
 * mysqlCapabilities({ kind: 'mariadb', version: [10, 11] }, { returning: false }).returning   // false
 * ```
 */
export function mysqlCapabilities(server: MysqlServer | undefined, options: { returning?: boolean }, maxStatementBytes?: number): DialectCapabilities {
  return Object.freeze({
    family: 'mysql',
    returning: server !== undefined && options.returning !== false && supportsReturning(server),
    maxParameters: 65535,
    maxStatementBytes,
    transactionalDdl: false,
    jsonAggregation: server?.kind === 'mariadb' ? 'mariadb' : 'mysql',
    lockWaits: lockWaits(server),
    shareLockClause: server?.kind === 'mysql' ? 'for share' : 'lock in share mode',
  })
}

/** Modes that change values on the way in or out (`''` stored as NULL, CHAR read padded) or the grammar Relata writes (MariaDB's ORACLE reads `begin` as a block). */
const REMOVED_MODES = new Set(['EMPTY_STRING_IS_NULL', 'PAD_CHAR_TO_FULL_LENGTH', 'ORACLE'])

/**
 * The `sql_mode` Relata sets on each connection: the server's, with `STRICT_ALL_TABLES` added (a
 * value the column cannot hold is an error, not truncated, clipped, zeroed or stored as '?') and
 * the modes that change values or Relata's grammar removed. Quoting modes (`ANSI_QUOTES`,
 * `NO_BACKSLASH_ESCAPES`, ...) stay: Relata's SQL reads the same under them.
 *
 * @example
 * ```ts
 * relataSqlMode('NO_BACKSLASH_ESCAPES,EMPTY_STRING_IS_NULL')   // 'NO_BACKSLASH_ESCAPES,STRICT_ALL_TABLES'
 * relataSqlMode('PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ORACLE,NO_KEY_OPTIONS,NO_TABLE_OPTIONS,NO_FIELD_OPTIONS,NO_AUTO_CREATE_USER,SIMULTANEOUS_ASSIGNMENT')
 * // the same without ORACLE, with STRICT_ALL_TABLES
 * ```
 */
export function relataSqlMode(serverMode: string): string {
  const modes = serverMode.split(',').filter((mode) => mode !== '' && !REMOVED_MODES.has(mode))
  if (!modes.includes('STRICT_ALL_TABLES')) modes.push('STRICT_ALL_TABLES')
  return modes.join(',')
}
