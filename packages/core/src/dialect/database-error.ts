/** Reads what PostgreSQL and MariaDB errors say (message, constraint, a conflict, a missing table) so an error can name them. */
import { isAbortedTransactionError } from 'kysely'
import { MissingTableError, type TransactionConflictKind } from '../errors.js'

export interface DatabaseErrorInfo {
  readonly message: string
  readonly constraint: string | undefined
  readonly detail: string | undefined
}

export function describeDatabaseError(error: unknown): DatabaseErrorInfo {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>
  const message = String(e.sqlMessage ?? e.message ?? error)
  let constraint = typeof e.constraint === 'string' ? e.constraint : undefined
  if (constraint === undefined) {
    // MariaDB names the key or constraint inside its message.
    const match = /for key '([^']+)'|CONSTRAINT `([^`]+)`|constraint `([^`]+)`/.exec(message)
    constraint = match?.[1] ?? match?.[2] ?? match?.[3]
    if (constraint?.includes('.')) constraint = constraint.slice(constraint.lastIndexOf('.') + 1)
  }
  return { message, constraint, detail: typeof e.detail === 'string' ? e.detail : undefined }
}

/** A driver error that says a concurrent transaction or a timeout stopped the statement, not the statement itself. */
export type TransientDatabaseError =
  | { readonly kind: 'conflict'; readonly conflict: TransactionConflictKind; readonly code: string | number; readonly error: unknown }
  | { readonly kind: 'timeout'; readonly code: string | number; readonly error: unknown }

/** PostgreSQL SQLSTATEs. */
const postgresConflicts: Record<string, TransactionConflictKind> = { '40P01': 'deadlock', '40001': 'serialization', '55P03': 'lock timeout' }
/** MySQL / MariaDB error numbers: ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT, ER_CHECKREAD ("Record has changed since last read"). */
const mysqlConflicts: Record<number, TransactionConflictKind> = { 1213: 'deadlock', 1205: 'lock timeout', 1020: 'serialization' }
/** MariaDB's max_statement_time (ER_STATEMENT_TIMEOUT) and MySQL's max_execution_time (ER_QUERY_TIMEOUT). */
const mysqlTimeouts = new Set([1969, 3024])

/**
 * Finds, along `error` and its `cause` chain (an error wrapped by Relata or by the caller), a
 * driver error that reports a transaction conflict or a statement timeout. Read from `pg`'s
 * SQLSTATE `code` and `mysql2`'s `errno`.
 */
export function transientDatabaseError(error: unknown): TransientDatabaseError | undefined {
  const seen = new Set<unknown>()
  for (let current = error; typeof current === 'object' && current !== null && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current)
    const e = current as Record<string, unknown>
    if (typeof e.errno === 'number') {
      const conflict = mysqlConflicts[e.errno]
      if (conflict !== undefined) return { kind: 'conflict', conflict, code: e.errno, error: current }
      if (mysqlTimeouts.has(e.errno)) return { kind: 'timeout', code: e.errno, error: current }
    } else if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
      const conflict = postgresConflicts[e.code]
      if (conflict !== undefined) return { kind: 'conflict', conflict, code: e.code, error: current }
      // 57014 is also a cancel asked for by pg_cancel_backend(): only the timeout is a timeout.
      if (e.code === '57014' && /statement timeout/.test(String(e.message))) return { kind: 'timeout', code: e.code, error: current }
    }
  }
  return undefined
}

/**
 * Whether a failed COMMIT may have committed: the server never answered it (the connection was
 * lost, reset or ended before a reply). A reply with an error (a SQLSTATE, a MySQL error number,
 * Kysely's aborted-transaction error) means the transaction did not commit.
 */
export function commitMayHaveLanded(error: unknown): boolean {
  if (isAbortedTransactionError(error)) return false
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>
  if (typeof e.sqlState === 'string' || (typeof e.errno === 'number' && e.errno > 0 && e.fatal !== true)) return false
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return false
  return true
}

/**
 * A driver error that says a statement named a table the database does not have, as a
 * `MissingTableError` (the driver's error its cause); any other error as it is. Read from `pg`'s
 * (and PGlite's) SQLSTATE `42P01`, `relation "x" does not exist`, and `mysql2`'s errno 1146
 * (ER_NO_SUCH_TABLE), `Table 'database.x' doesn't exist`.
 */
export function withMissingTable(error: unknown): unknown {
  if (typeof error !== 'object' || error === null || error instanceof MissingTableError) return error
  const e = error as Record<string, unknown>
  const message = String(e.sqlMessage ?? e.message)
  if (e.errno === 1146 && typeof e.sqlState === 'string') {
    // The name is always the database's, then the table's; neither can contain a dot.
    const name = /^Table '(?:[^'.]*\.)?([^']*)' doesn't exist/.exec(message)?.[1]
    return new MissingTableError(name, { cause: error })
  }
  if (e.code === '42P01' && typeof e.errno !== 'number') {
    return new MissingTableError(/relation "([^"]+)" does not exist/.exec(message)?.[1], { cause: error })
  }
  return error
}
