/**
 * Faults injected from outside the library: a dialect wrapper that runs a hook before each
 * statement a connection executes (and before COMMIT), and an administrator that ends a
 * connection from another one and waits until the server has let it go.
 */
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'
import { createConnection } from 'mysql2/promise'
import pg from 'pg'
import type { RelataDialect, SqlFamily } from '../../src/index.js'

/** What a hook is told: the statement about to run, and a way to run SQL on the same connection (unhooked). */
export interface StatementContext {
  readonly sql: string
  run<R>(sql: string): Promise<QueryResult<R>>
}

export type StatementHook = (statement: StatementContext) => Promise<void>

/** A `RelataDialect` whose connections call `hooked.hook` (when set) before each statement and COMMIT. */
export interface HookedDialect extends RelataDialect {
  hook: StatementHook | undefined
}

export function withStatementHook(dialect: RelataDialect): HookedDialect {
  const hooked: HookedDialect = {
    name: dialect.name,
    get capabilities() {
      return dialect.capabilities
    },
    platform: dialect.platform,
    resolveCapabilities: (db: Kysely<any>) => dialect.resolveCapabilities(db),
    maxConnections: () => dialect.maxConnections?.(),
    commitOutcome: dialect.commitOutcome,
    hook: undefined,
    createKyselyDialect: () => hookedKyselyDialect(dialect.createKyselyDialect(), (statement) => hooked.hook?.(statement) ?? Promise.resolve()),
  }
  return hooked
}

function hookedKyselyDialect(inner: Dialect, hook: StatementHook): Dialect {
  return {
    createDriver: () => new HookedDriver(inner.createDriver(), hook),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
  }
}

const contextOf = (connection: DatabaseConnection, sql: string): StatementContext => ({
  sql,
  run: (text) => connection.executeQuery(CompiledQuery.raw(text)),
})

/** Hands out wrapped connections; the driver's own methods get the connections it made (they use private fields). */
class HookedDriver implements Driver {
  readonly #wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>()
  readonly #inner = new WeakMap<DatabaseConnection, DatabaseConnection>()

  constructor(
    private readonly driver: Driver,
    private readonly hook: StatementHook,
  ) {}

  init(options?: Parameters<Driver['init']>[0]): Promise<void> {
    return this.driver.init(options)
  }

  async acquireConnection(options?: Parameters<Driver['acquireConnection']>[0]): Promise<DatabaseConnection> {
    const connection = await this.driver.acquireConnection(options)
    let wrapped = this.#wrapped.get(connection)
    if (wrapped === undefined) {
      const hook = this.hook
      wrapped = {
        async executeQuery<R>(query: CompiledQuery, queryOptions?: Parameters<DatabaseConnection['executeQuery']>[1]): Promise<QueryResult<R>> {
          await hook(contextOf(connection, query.sql))
          return connection.executeQuery<R>(query, queryOptions)
        },
        streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
      }
      this.#wrapped.set(connection, wrapped)
      this.#inner.set(wrapped, connection)
    }
    return wrapped
  }

  #unwrap(connection: DatabaseConnection): DatabaseConnection {
    return this.#inner.get(connection) ?? connection
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.driver.beginTransaction(this.#unwrap(connection), settings)
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const inner = this.#unwrap(connection)
    await this.hook(contextOf(inner, 'commit'))
    return this.driver.commitTransaction(inner)
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.driver.rollbackTransaction(this.#unwrap(connection))
  }

  savepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return this.driver.savepoint!(this.#unwrap(connection), name, compile)
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return this.driver.rollbackToSavepoint!(this.#unwrap(connection), name, compile)
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return this.driver.releaseSavepoint!(this.#unwrap(connection), name, compile)
  }

  releaseConnection(connection: DatabaseConnection, options?: Parameters<Driver['releaseConnection']>[1]): Promise<void> {
    return this.driver.releaseConnection(this.#unwrap(connection), options)
  }

  destroy(options?: Parameters<Driver['destroy']>[0]): Promise<void> {
    return this.driver.destroy(options)
  }
}

/** The server's id of the connection a statement runs on. */
export async function backendId(family: SqlFamily, statement: StatementContext): Promise<number> {
  const { rows } = await statement.run<{ id: unknown }>(family === 'postgres' ? 'select pg_backend_pid() as id' : 'select connection_id() as id')
  return Number(rows[0]!.id)
}

/** An administrator's connection to a server, to end or watch other connections. */
export interface Admin {
  /** Ends the connection (`pg_terminate_backend` / `KILL`) and waits until the server no longer lists it. */
  kill(id: number): Promise<void>
  /** The statements other connections are running now, with their connection ids. */
  running(): Promise<{ id: number; query: string; state: string }[]>
  query<R = Record<string, unknown>>(sql: string): Promise<R[]>
  close(): Promise<void>
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function connectAdmin(family: SqlFamily, url: string): Promise<Admin> {
  if (family === 'postgres') {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    const query = async <R>(sql: string, values: unknown[] = []) => (await client.query(sql, values)).rows as R[]
    return {
      query: (sql) => query(sql),
      async kill(id) {
        await query('select pg_terminate_backend($1)', [id])
        while ((await query('select 1 from pg_stat_activity where pid = $1', [id])).length > 0) await pause(10)
      },
      running: async () =>
        (await query<{ id: number; query: string; state: string }>(`select pid as id, query, state from pg_stat_activity where pid <> pg_backend_pid() and backend_type = 'client backend'`)).map(
          (row) => ({ ...row, id: Number(row.id) }),
        ),
      close: () => client.end(),
    }
  }
  const connection = await createConnection({ uri: url })
  const query = async <R>(sql: string, values: unknown[] = []) => (await connection.query(sql, values))[0] as R[]
  return {
    query: (sql) => query(sql),
    async kill(id) {
      await query(`kill ${Number(id)}`)
      while ((await query('select 1 from information_schema.processlist where id = ?', [id])).length > 0) await pause(10)
    },
    running: async () =>
      (await query<{ id: number; query: string | null; state: string }>(`select id, info as query, command as state from information_schema.processlist where id <> connection_id()`)).map(
        (row) => ({ id: Number(row.id), query: row.query ?? '', state: row.state }),
      ),
    close: () => connection.end(),
  }
}

/** A promise and its resolve function (Node 20 has no `Promise.withResolvers`). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** Resolves once `parties` callers have arrived: every caller waits until all have. */
export function barrier(parties: number): () => Promise<void> {
  let arrived = 0
  const all = deferred()
  return () => {
    if (++arrived >= parties) all.resolve()
    return all.promise
  }
}
