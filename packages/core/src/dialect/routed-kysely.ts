/**
 * A Kysely whose statements run where `route()` says when each one executes: how `session.db`
 * follows its session into and out of its transactions, even when captured before one opens.
 */
import { Kysely, type CompiledQuery, type DatabaseConnection, type Dialect, type Driver, type KyselyPlugin, type QueryResult } from 'kysely'
import { RelataError } from '../errors.js'

/**
 * Where a routed Kysely's statements go, asked once per statement: the pool's Kysely, or an open
 * transaction's; `refusal` names what to use instead of a transaction of its own.
 */
export interface Route {
  current(): Promise<Kysely<any>>
  readonly refusal: string
}

/** Each statement goes to the Kysely the route names, on a connection that Kysely lends (its transaction's, when it is one). */
class RoutedConnection implements DatabaseConnection {
  constructor(private readonly route: Route) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const db = await this.route.current()
    // The connection, not `db.executeQuery()`: the plugins' result transforms already run in the routed Kysely.
    return db.getExecutor().provideConnection((connection) => connection.executeQuery<R>(query))
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new RelataError('stream() is not available on session.db: run the query with execute(), or stream through orm.db outside the transaction')
  }
}

class RoutedDriver implements Driver {
  constructor(private readonly route: Route) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutedConnection(this.route)
  }

  async beginTransaction(): Promise<void> {
    throw new RelataError(this.route.refusal)
  }

  async commitTransaction(): Promise<void> {
    throw new RelataError(this.route.refusal)
  }

  async rollbackTransaction(): Promise<void> {
    throw new RelataError(this.route.refusal)
  }

  async releaseConnection(): Promise<void> {}

  /** The pool belongs to the ORM: `orm.destroy()` closes it. */
  async destroy(): Promise<void> {}
}

/**
 * A Kysely on `dialect`'s adapter and compiler whose statements run where `route` says at the
 * moment each executes. Its own transactions are refused with `route.refusal`. Statements are
 * logged by the Kysely they run on.
 *
 * @example
 * ```ts
 * const db = routedKysely(dialect, plugins, { current: async () => trx ?? pool, refusal: 'use session.transaction()' })
 * await db.selectFrom('books').selectAll().execute()   // on `trx` while it is open
 * ```
 */
export function routedKysely(dialect: Dialect, plugins: readonly KyselyPlugin[], route: Route): Kysely<any> {
  const driver = new RoutedDriver(route)
  return new Kysely<any>({
    dialect: {
      createDriver: () => driver,
      createAdapter: () => dialect.createAdapter(),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      createIntrospector: (db) => dialect.createIntrospector(db),
    },
    plugins: [...plugins],
  })
}
