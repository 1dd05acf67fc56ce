/** The errors Relata throws. Each names the table, relation or column at fault. */

/**
 * Base class of every error Relata throws on purpose.
 *
 * @example
 * ```ts
 * try {
 *   await session.commit()
 * } catch (error) {
 *   if (!(error instanceof RelataError)) throw error   // a bug or a driver error, not Relata's
 *   console.error(`${error.name}: ${error.message}`)
 * }
 * ```
 */
export class RelataError extends Error {
  override name = 'RelataError'
}

/**
 * A schema declaration that cannot work: raised by `defineSchema`, before any query runs.
 *
 * @example
 * ```ts
 * // books has two foreign keys to authors and the relation names neither:
 * expect(() => defineSchema({ authors, books }, ({ oneToMany }) => ({ authors: { books: oneToMany('books') } })))
 *   .toThrow(SchemaError)
 * ```
 */
export class SchemaError extends RelataError {
  override name = 'SchemaError'
}

/**
 * `one()` found no row.
 *
 * @example
 * ```ts
 * await expect(session.query('books').where({ title: 'Missing' }).one()).rejects.toThrow(NotFoundError)
 * ```
 */
export class NotFoundError extends RelataError {
  override name = 'NotFoundError'
}

/**
 * `one()` found more than one row.
 *
 * @example
 * ```ts
 * await expect(session.query('books').one()).rejects.toThrow(MultipleResultsError)   // with two books
 * ```
 */
export class MultipleResultsError extends RelataError {
  override name = 'MultipleResultsError'
}

/**
 * A statement of a flush failed: the transaction was rolled back and the session is as it was before the flush.
 * `cause` is the driver's error.
 *
 * @example
 * ```ts
 * try {
 *   await session.commit()
 * } catch (error) {
 *   if (error instanceof FlushError) console.error(error.table, error.constraint)   // 'owners', 'owners_name_key'
 *   else throw error
 * }
 * ```
 */
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

/**
 * An UPDATE or DELETE guarded by a version column matched no row: someone else changed or deleted it.
 *
 * @example
 * ```ts
 * // documents: { id: t.serial().primaryKey(), body: t.text(), version: t.integer().version() }
 * doc.body = 'edited'
 * await expect(session.commit()).rejects.toThrow(StaleObjectError)   // another session committed first
 * ```
 */
export class StaleObjectError extends RelataError {
  override name = 'StaleObjectError'
}
