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
 * An UPDATE or DELETE of a flush matched fewer rows than it targeted: someone else deleted them
 * since they were loaded, or changed them (a version column's value no longer matches). Every
 * statement that targets rows by key checks its row count, link rows of a many-to-many included.
 * The transaction was rolled back; the session is as it was before the flush.
 *
 * @example
 * ```ts
 * // documents: { id: t.serial().primaryKey(), body: t.text(), version: t.integer().version() }
 * doc.body = 'edited'
 * try {
 *   await session.commit()   // another session deleted the row, or committed a change first
 * } catch (error) {
 *   if (error instanceof StaleObjectError) console.error(error.table, error.keys)   // 'documents', [{ id: 3 }]
 *   else throw error
 * }
 * ```
 */
export class StaleObjectError extends RelataError {
  override name = 'StaleObjectError'
  constructor(
    message: string,
    /** The table the statement wrote. */
    readonly table: string,
    /**
     * The keys (by SQL column name) of the rows found missing or changed. It can fall short of the
     * count in the message where the database cannot tell which rows they were (MySQL 8, which
     * has no RETURNING, deleting rows).
     */
    readonly keys: readonly Readonly<Record<string, unknown>>[],
  ) {
    super(message)
  }
}

/**
 * What kind of conflict with another transaction a `TransactionConflictError` reports:
 * - `'deadlock'`: two transactions waited on each other's locks; the database aborted this one
 *   (PostgreSQL `40P01`, MySQL/MariaDB `1213`);
 * - `'serialization'`: the transaction could not be serialized with concurrent ones at its
 *   isolation level (PostgreSQL `40001`, MariaDB `1020`);
 * - `'lock timeout'`: waiting for another transaction's lock took longer than the server allows
 *   (`lock_timeout` on PostgreSQL, `55P03`; `innodb_lock_wait_timeout` on MySQL/MariaDB, `1205`).
 *
 * @example
 * ```ts
 * if (error instanceof TransactionConflictError && error.kind === 'deadlock') console.warn('deadlock, retrying')
 * ```
 */
export type TransactionConflictKind = 'deadlock' | 'serialization' | 'lock timeout'

/**
 * The database aborted a statement or a commit because of a concurrent transaction (a deadlock, a
 * serialization failure, a lock wait timeout). The transaction was rolled back: running it again
 * usually succeeds, which `orm.transaction(fn, { retries })` does. In a flush, the session is as it
 * was before the flush, and `table` names the table the failing statement wrote. Inside a
 * transaction, the conflict ends it (MariaDB has already rolled all of it back): later flushes
 * and the commit fail with the same error, and the transaction rolls back.
 * `cause` is the driver's error.
 *
 * @example
 * ```ts
 * try {
 *   await session.commit()
 * } catch (error) {
 *   if (!(error instanceof TransactionConflictError)) throw error
 *   console.warn(error.kind, error.table)   // 'deadlock', 'accounts'
 * }
 * // Or let Relata run it again:
 * await orm.transaction(async (session) => { ... }, { retries: 3, isolation: 'serializable' })
 * ```
 */
export class TransactionConflictError extends RelataError {
  override name = 'TransactionConflictError'
  constructor(
    message: string,
    readonly kind: TransactionConflictKind,
    /** The table the failing statement of a flush wrote; `undefined` when it failed elsewhere (at commit). */
    readonly table: string | undefined,
    /** The driver's error code: `'40P01'`, `'40001'`, `'55P03'` on PostgreSQL; `1213`, `1205`, `1020` on MySQL/MariaDB. */
    readonly code: string | number,
    options: { cause: unknown },
  ) {
    super(message, options)
  }
}

/**
 * A statement ran longer than the dialect's `statementTimeout` (or the server's own limit) and the
 * server cancelled it. In a flush, the transaction was rolled back, the session is as it was before
 * the flush, and `table` names the table the statement wrote. `cause` is the driver's error.
 *
 * @example
 * ```ts
 * const orm = createOrm({ schema, dialect: postgres(url, { statementTimeout: 5_000 }) })
 * try {
 *   await session.commit()
 * } catch (error) {
 *   if (error instanceof QueryTimeoutError) console.error(`writing ${error.table} took too long`)
 *   else throw error
 * }
 * ```
 */
export class QueryTimeoutError extends RelataError {
  override name = 'QueryTimeoutError'
  constructor(
    message: string,
    /** The table the statement of a flush wrote; `undefined` when it ran elsewhere. */
    readonly table: string | undefined,
    /** The driver's error code: `'57014'` on PostgreSQL, `1969` on MariaDB, `3024` on MySQL. */
    readonly code: string | number,
    options: { cause: unknown },
  ) {
    super(message, options)
  }
}

/**
 * Why a statement could not get a connection: `timeout` (none became free within the ORM's
 * `acquireTimeout`), `deadlock` (every connection is held by a transaction whose own code is waiting
 * for another one, so the wait could never end), or `closed` (`orm.destroy()` was called).
 *
 * @example
 * ```ts
 * try {
 *   await orm.transaction(async () => {
 *     await orm.session().query('books').all()   // a second connection, from inside a transaction
 *   })
 * } catch (error) {
 *   if (error instanceof ConnectionWaitError) console.error(error.kind)   // 'deadlock' on PGlite (one connection)
 * }
 * ```
 */
export class ConnectionWaitError extends RelataError {
  override name = 'ConnectionWaitError'
  constructor(
    message: string,
    readonly kind: 'timeout' | 'deadlock' | 'closed',
  ) {
    super(message)
  }
}

/**
 * The connection was lost while COMMIT was on its way, and whether the server committed could not
 * be learnt (on PostgreSQL Relata asks the server with `pg_xact_status()` and only raises this when
 * even that fails; MySQL and MariaDB have no way to ask). The session keeps its changes as they were
 * before the flush; check the database before writing them again. `orm.transaction()` never retries it.
 *
 * @example
 * ```ts
 * try {
 *   await session.commit()
 * } catch (error) {
 *   if (error instanceof CommitUnknownError) await reconcile()   // look before writing again
 *   else throw error
 * }
 * ```
 */
export class CommitUnknownError extends RelataError {
  override name = 'CommitUnknownError'
}

/**
 * A new connection to the database server failed before any statement ran: the server could not
 * be reached (`kind: 'unreachable'`: connection refused, host not found, connect timeout), or it
 * refused the user (`kind: 'authentication'`: a wrong password, a user or role that does not
 * exist). `address` is the `host:port` (or socket path) Relata tried; `cause` is the driver's error.
 *
 * @example
 * ```ts
 * try {
 *   await orm.createTables()
 * } catch (error) {
 *   // "cannot reach PostgreSQL at 127.0.0.1:5432: is it running? (connect ECONNREFUSED 127.0.0.1:5432)"
 *   if (error instanceof ConnectionError && error.kind === 'unreachable') console.error(error.message)
 *   else throw error
 * }
 * ```
 */
export class ConnectionError extends RelataError {
  override name = 'ConnectionError'
  constructor(
    message: string,
    /** `'unreachable'`: no connection could be opened; `'authentication'`: the server refused the user. */
    readonly kind: 'unreachable' | 'authentication',
    /** Where Relata tried to connect: `host:port`, or a socket path. */
    readonly address: string,
    options: { cause: unknown },
  ) {
    super(message, options)
  }
}

/**
 * A statement named a table the database does not have: the tables were never created in this
 * database (or schema), or a migration that creates them has not run. Raised by queries, `get()`,
 * lazy loads, flushes and `orm.db` alike. `cause` is the driver's error (PostgreSQL's SQLSTATE
 * `42P01`, MySQL/MariaDB's error 1146), whose text names the table as the database spells it.
 *
 * @example
 * ```ts
 * try {
 *   await session.query('books').all()
 * } catch (error) {
 *   if (!(error instanceof MissingTableError)) throw error
 *   console.error(error.table)   // 'books': run orm.createTables() or the migrations first
 * }
 * ```
 */
export class MissingTableError extends RelataError {
  override name = 'MissingTableError'
  constructor(
    /** The table, as the database named it (`undefined` when its message could not be read: a server that speaks another language). */
    readonly table: string | undefined,
    options: { cause: unknown },
  ) {
    super(`${table === undefined ? 'a table the statement names does not exist' : `table "${table}" does not exist`}: run orm.createTables() or your migrations`, options)
  }
}
