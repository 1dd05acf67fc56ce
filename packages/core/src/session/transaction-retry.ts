/** `orm.transaction(fn, { retries })`: runs a transaction again when a concurrent one made it fail. */
import { RelataError, TransactionConflictError } from '../errors.js'
import { transientDatabaseError } from '../dialect/database-error.js'

/** The longest pause between two attempts, in milliseconds. */
const maxBackoff = 250

/**
 * Whether `error` (or an error in its `cause` chain) says a concurrent transaction aborted this one:
 * a deadlock, a serialization failure or a lock wait timeout, however it surfaced (in a flush, at
 * COMMIT, in a read, in the caller's own statement).
 *
 * @example
 * ```ts
 * try {
 *   await session.commit()
 * } catch (error) {
 *   if (isTransactionConflict(error)) return retryLater()   // a deadlock or a serialization failure
 *   throw error
 * }
 * ```
 */
export function isTransactionConflict(error: unknown): boolean {
  return error instanceof TransactionConflictError || transientDatabaseError(error)?.kind === 'conflict'
}

/**
 * Calls `attempt` until it succeeds, a failure is not a transaction conflict, or `retries` more
 * attempts have failed; then throws the last error. Between attempts: a random pause of up to
 * 10 ms × 2^n (at most 250 ms), so that the transactions that collided do not collide again.
 */
export async function withRetries<T>(retries: number, attempt: (number: number) => Promise<T>): Promise<T> {
  if (!Number.isInteger(retries) || retries < 0) throw new RelataError(`orm.transaction(): retries must be a whole number of at least 0, got ${String(retries)}`)
  for (let number = 1; ; number++) {
    try {
      return await attempt(number)
    } catch (error) {
      if (number > retries || !isTransactionConflict(error)) throw error
    }
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(maxBackoff, 10 * 2 ** number)))
  }
}
