/** The Kysely MySQL dialect with an adapter that keeps the rows of `RETURNING` on MariaDB, and SQL that reads the same in every `sql_mode`. */
import {
  MysqlAdapter,
  MysqlDialect,
  MysqlDriver,
  MysqlQueryCompiler,
  type CompiledQuery,
  type ControlConnectionProvider,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type MysqlDialectConfig,
  type QueryCompiler,
  type QueryResult,
} from 'kysely'
import type { Timezone } from 'mysql2'
import { inlineParameters, mysqlStringLiteral } from './mysql-literals.js'
import { typeCastQuery } from './mysql-row-reads.js'

/**
 * Kysely's `MysqlAdapter` says MySQL has no `RETURNING` and drops the rows a statement returns;
 * MariaDB 10.5+ does return them for `INSERT` and `DELETE`. This adapter asks, per statement,
 * whether the server supports it.
 *
 * @example
 * ```ts
 * new ReturningMysqlAdapter(() => server?.kind === 'mariadb')
 * ```
 */
export class ReturningMysqlAdapter extends MysqlAdapter {
  readonly #serverReturns: () => boolean

  constructor(serverReturns: () => boolean) {
    super()
    this.#serverReturns = serverReturns
  }

  override get supportsReturning(): boolean {
    return this.#serverReturns()
  }
}

/**
 * Kysely's MySQL compiler, with string literals (`sql.lit`, defaults) written by
 * `mysqlStringLiteral`: Kysely's backslash escaping is read differently under `NO_BACKSLASH_ESCAPES`.
 *
 * @example
 * ```ts
 * new ModeProofMysqlQueryCompiler().compileQuery(node, queryId)
 * ```
 */
export class ModeProofMysqlQueryCompiler extends MysqlQueryCompiler {
  protected override appendStringLiteral(value: string): void {
    this.append(mysqlStringLiteral(value))
  }
}

/**
 * A connection whose statements reach mysql2 with their parameters written in (`inlineParameters`)
 * and, on a pool Relata created, with the `typeCast` each needs (`typeCastQuery`).
 */
class InliningConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    readonly timezone: Timezone,
    readonly typeCastPerQuery: boolean,
  ) {}

  #driverQuery(query: CompiledQuery): CompiledQuery {
    const inlined = inlineParameters(query, this.timezone)
    return this.typeCastPerQuery ? typeCastQuery(inlined) : inlined
  }

  executeQuery<R>(query: CompiledQuery, options?: Parameters<DatabaseConnection['executeQuery']>[1]): Promise<QueryResult<R>> {
    return this.inner.executeQuery(this.#driverQuery(query), options)
  }

  streamQuery<R>(query: CompiledQuery, chunkSize: number, options?: Parameters<DatabaseConnection['streamQuery']>[2]): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery(this.#driverQuery(query), chunkSize, options)
  }

  async cancelQuery(provider: ControlConnectionProvider): Promise<void> {
    await this.inner.cancelQuery?.(provider)
  }

  async killSession(provider: ControlConnectionProvider): Promise<void> {
    await this.inner.killSession?.(provider)
  }

  async collectSessionInfo(): Promise<void> {
    await this.inner.collectSessionInfo?.()
  }
}

/**
 * Kysely's MySQL driver, with every statement's values written into its text by Relata rather
 * than by the pool's `queryFormat`: pools Relata creates and pools passed in send the same SQL, and
 * no value can turn into SQL whatever `sql_mode` the session is in, now or after a `SET`.
 * `typeCastPerQuery`: the pool has no `typeCast` of its own (Relata created it): each statement
 * is given `relataTypeCast`, but the entity reads the column codecs decode.
 *
 * @example
 * ```ts
 * new ModeProofMysqlDriver({ pool }, () => 'Z', true)
 * ```
 */
export class ModeProofMysqlDriver extends MysqlDriver {
  readonly #wrapped = new WeakMap<DatabaseConnection, InliningConnection>()
  readonly #timezone: () => Timezone
  readonly #typeCastPerQuery: boolean

  constructor(config: MysqlDialectConfig, timezone: () => Timezone, typeCastPerQuery = false) {
    super(config)
    this.#timezone = timezone
    this.#typeCastPerQuery = typeCastPerQuery
  }

  override async acquireConnection(options?: Parameters<Driver['acquireConnection']>[0]): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection(options)
    let wrapped = this.#wrapped.get(connection)
    if (wrapped === undefined) {
      wrapped = new InliningConnection(connection, this.#timezone(), this.#typeCastPerQuery)
      this.#wrapped.set(connection, wrapped)
    }
    return wrapped
  }

  override async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await super.releaseConnection((connection instanceof InliningConnection ? connection.inner : connection) as Parameters<MysqlDriver['releaseConnection']>[0])
  }
}

/**
 * Kysely's `MysqlDialect` with the `ReturningMysqlAdapter`, the `ModeProofMysqlQueryCompiler` and
 * the `ModeProofMysqlDriver`.
 *
 * @example
 * ```ts
 * new ReturningMysqlDialect({ pool }, () => true)
 * ```
 */
export class ReturningMysqlDialect extends MysqlDialect {
  readonly #config: MysqlDialectConfig
  readonly #serverReturns: () => boolean
  readonly #timezone: () => Timezone
  readonly #typeCastPerQuery: boolean

  /** `timezone`: the pool's, asked once the pool exists; `typeCastPerQuery`: see `ModeProofMysqlDriver`. */
  constructor(config: MysqlDialectConfig, serverReturns: () => boolean, timezone: () => Timezone = () => 'Z', typeCastPerQuery = false) {
    super(config)
    this.#config = config
    this.#serverReturns = serverReturns
    this.#timezone = timezone
    this.#typeCastPerQuery = typeCastPerQuery
  }

  override createDriver(): Driver {
    return new ModeProofMysqlDriver(this.#config, this.#timezone, this.#typeCastPerQuery)
  }

  override createQueryCompiler(): QueryCompiler {
    return new ModeProofMysqlQueryCompiler()
  }

  override createAdapter(): DialectAdapter {
    return new ReturningMysqlAdapter(this.#serverReturns)
  }
}
