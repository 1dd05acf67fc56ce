/** The errors Relata throws. Each names the table, relation or column at fault. */

/** Base class of every error Relata throws on purpose. */
export class RelataError extends Error {
  override name = 'RelataError'
}

/** A schema declaration that cannot work: raised by `defineSchema`, before any query runs. */
export class SchemaError extends RelataError {
  override name = 'SchemaError'
}

/** `one()` found no row. */
export class NotFoundError extends RelataError {
  override name = 'NotFoundError'
}

/** `one()` found more than one row. */
export class MultipleResultsError extends RelataError {
  override name = 'MultipleResultsError'
}

/** A statement of a flush failed: the transaction was rolled back and the session is as it was before the flush. */
export class FlushError extends RelataError {
  override name = 'FlushError'
  constructor(
    message: string,
    /** The table the failing statement wrote. */
    readonly table: string,
    /** The constraint the database named, when it named one. */
    readonly constraint: string | undefined,
    options: { cause: unknown },
  ) {
    super(message, options)
  }
}

/** An UPDATE or DELETE guarded by a version column matched no row: someone else changed or deleted it. */
export class StaleObjectError extends RelataError {
  override name = 'StaleObjectError'
}
