/** The Kysely MySQL dialect with an adapter that keeps the rows of `RETURNING` on MariaDB. */
import { MysqlAdapter, MysqlDialect, type DialectAdapter, type MysqlDialectConfig } from 'kysely'

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
 * Kysely's `MysqlDialect` with the `ReturningMysqlAdapter`.
 *
 * @example
 * ```ts
 * new ReturningMysqlDialect({ pool }, () => true)
 * ```
 */
export class ReturningMysqlDialect extends MysqlDialect {
  readonly #serverReturns: () => boolean

  constructor(config: MysqlDialectConfig, serverReturns: () => boolean) {
    super(config)
    this.#serverReturns = serverReturns
  }

  override createAdapter(): DialectAdapter {
    return new ReturningMysqlAdapter(this.#serverReturns)
  }
}
