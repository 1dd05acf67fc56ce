/** Reads what PostgreSQL and MariaDB errors say (message, constraint) so a flush error can name them. */

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
