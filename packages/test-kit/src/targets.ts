/** The dialect test matrix: run a suite on PGlite, PostgreSQL and MariaDB, each in a database (or PGlite schema) of its own. */
import { afterAll, beforeAll, describe, test } from 'vitest'
import { createOrm, QueryRecorder, type AnySchema, type Orm, type RelataDialect, type SqlFamily } from '@relata/core'
import { mysql } from '@relata/core/mysql'
import { postgres } from '@relata/core/postgres'
import { mariadbTestServer, postgresTestServer, type TestServer } from './servers.js'
import { sharedPglite } from './shared-pglite.js'
import { pgbouncerUnavailable, startPgbouncer, type PrivatePgbouncer } from './private-pgbouncer.js'

/**
 * `postgres-pgbouncer`: the PostgreSQL test server through a PgBouncer in transaction pooling mode
 * that the test file starts (Debian's `pgbouncer`), with `pooler: 'transaction'` and a statement
 * timeout (set per transaction); only when named in `RELATA_TEST_TARGETS`.
 */
export type TargetName = 'pglite' | 'postgres' | 'mariadb' | 'postgres-pgbouncer'

export interface TargetDialectOptions {
  /** MariaDB only: `false` switches `RETURNING` off, to run the MySQL 8 code path. */
  readonly returning?: boolean
  /** Servers only: the database to connect to (default: the server's default database, shared). */
  readonly database?: string
}

export interface SetupOptions {
  /** Create the schema's tables before the first test (default `true`). */
  readonly createTables?: boolean
  /** Options for the dialect, as `target.dialect()` takes them. */
  readonly dialect?: Omit<TargetDialectOptions, 'database'>
}

/** What `target.setup()` returns. Its getters work inside tests and hooks, not while the suite is collected. */
export interface TestContext<S extends AnySchema> {
  readonly orm: Orm<S>
  /** Records the statements of the test; cleared after `createTables`. */
  readonly recorder: QueryRecorder
  /** The ORM's dialect. On PGlite, another ORM built on it shares the suite's schema, and its `destroy()` drops it. */
  readonly dialect: RelataDialect
}

export interface TestTarget {
  readonly name: TargetName
  readonly family: SqlFamily
  /**
   * Registers `beforeAll` / `afterAll` hooks: a fresh database (a `relata_<random>` schema on the
   * worker's shared PGlite instance, or a `relata_<random>` database on the server), an ORM with a
   * `QueryRecorder`, and the schema's tables; all dropped after the suite. Call it once per `describe`.
   */
  setup<S extends AnySchema>(schema: S, options?: SetupOptions): TestContext<S>
  /**
   * A dialect for this target; the caller owns the ORM built on it and must destroy it. On PGlite,
   * a fresh schema on the worker's shared instance, dropped by that `destroy()` (see `sharedPglite`).
   */
  dialect(options?: TargetDialectOptions): RelataDialect
}

function target(name: TargetName, family: SqlFamily, server: TestServer | undefined, make: (options: TargetDialectOptions) => RelataDialect): TestTarget {
  const self: TestTarget = {
    name,
    family,
    dialect: (options = {}) => make(options),
    setup<S extends AnySchema>(schema: S, options: SetupOptions = {}): TestContext<S> {
      let state: { orm: Orm<S>; recorder: QueryRecorder; dialect: RelataDialect; database?: string } | undefined
      beforeAll(async () => {
        const database = await server?.createDatabase()
        const dialect = self.dialect({ ...options.dialect, database })
        const recorder = new QueryRecorder()
        state = { orm: createOrm({ schema, dialect, plugins: [recorder] }), recorder, dialect, database }
        if (options.createTables !== false) await state.orm.createTables()
        recorder.clear()
      })
      afterAll(async () => {
        const current = state
        state = undefined
        await current?.orm.destroy()
        if (current?.database !== undefined) await server?.dropDatabase(current.database)
      })
      const ready = () => {
        if (state === undefined) throw new Error(`The ${name} test context is only available inside tests and hooks of the suite that called setup()`)
        return state
      }
      return {
        get orm() {
          return ready().orm
        },
        get recorder() {
          return ready().recorder
        },
        get dialect() {
          return ready().dialect
        },
      }
    },
  }
  return self
}

const noReturningOption = (name: TargetName, options: TargetDialectOptions): void => {
  if (options.returning === false) throw new Error(`${name} always supports RETURNING: the returning option is for the mariadb target only`)
}

const allTargets: readonly TestTarget[] = [
  target('pglite', 'postgres', undefined, (options) => {
    noReturningOption('pglite', options)
    return sharedPglite()
  }),
  target('postgres', 'postgres', postgresTestServer, (options) => {
    noReturningOption('postgres', options)
    return postgres(postgresTestServer.url(options.database ?? 'test'))
  }),
  target('mariadb', 'mysql', mariadbTestServer, (options) =>
    mysql(mariadbTestServer.url(options.database ?? 'test'), { returning: options.returning }),
  ),
]

/** The PgBouncer of this test file, started when the `postgres-pgbouncer` target is asked for. */
let pgbouncer: PrivatePgbouncer | undefined

const pgbouncerTarget = target('postgres-pgbouncer', 'postgres', postgresTestServer, (options) => {
  noReturningOption('postgres-pgbouncer', options)
  if (pgbouncer === undefined) throw new Error('the postgres-pgbouncer target has no PgBouncer: name it in RELATA_TEST_TARGETS')
  // A statement timeout far above any test's: every statement takes the SET LOCAL path the pooler needs.
  return postgres(pgbouncer.url(options.database ?? 'test'), { pooler: 'transaction', statementTimeout: 120_000 })
})

const serverOf: Partial<Record<TargetName, TestServer>> = { postgres: postgresTestServer, mariadb: mariadbTestServer, 'postgres-pgbouncer': postgresTestServer }

function selectedTargets(): readonly TestTarget[] {
  const requested = process.env.RELATA_TEST_TARGETS?.split(',').map((name) => name.trim()).filter((name) => name !== '')
  if (requested === undefined || requested.length === 0) return allTargets
  const known = [...allTargets, pgbouncerTarget]
  const unknown = requested.filter((name) => !known.some((t) => t.name === name))
  if (unknown.length > 0) throw new Error(`RELATA_TEST_TARGETS names unknown targets: ${unknown.join(', ')} (known: ${known.map((t) => t.name).join(', ')})`)
  return known.filter((t) => requested.includes(t.name))
}

/** The targets this run covers: all three, or those named in `RELATA_TEST_TARGETS=pglite,postgres`. */
export const testTargets: readonly TestTarget[] = selectedTargets()

/** Why each unreachable server cannot be used; probed once per test file. */
const unreachable = new Map<TargetName, string>()
if (testTargets.some((t) => t.name === 'postgres-pgbouncer')) {
  const problem = pgbouncerUnavailable()
  if (problem !== undefined) unreachable.set('postgres-pgbouncer', `PgBouncer cannot be started (${problem})`)
  else {
    const url = new URL(postgresTestServer.url('test'))
    pgbouncer = await startPgbouncer({ host: url.hostname, port: Number(url.port || 5432) }).catch((error: unknown) => {
      unreachable.set('postgres-pgbouncer', `PgBouncer did not start (${String(error)})`)
      return undefined
    })
  }
}
for (const [name, problem] of await Promise.all(
  testTargets.map(async (t) => [t.name, await serverOf[t.name]?.probe()] as const),
)) {
  if (problem === undefined || unreachable.has(name)) continue
  const server = serverOf[name]!
  unreachable.set(name, `${server.label} is unreachable (${problem}). Start it with: ${server.howToStart}; or set RELATA_TEST_TARGETS to leave it out.`)
  if (!process.env.CI) console.warn(`[relata] skipping the ${name} suites: ${unreachable.get(name)}`)
}

/**
 * Declares a suite once per target: `describe('<name> [<target>]')`. A server that cannot be
 * reached fails the suite when `CI` is set, and skips it (with a message on the console) otherwise.
 *
 * @example
 * ```ts
 * describeEachDialect('books', (target) => {
 *   const ctx = target.setup(schema)
 *   test('lists books', async () => {
 *     await ctx.orm.db.selectFrom('books').selectAll().execute()
 *     expect(ctx.recorder.sql).toHaveLength(1)
 *   })
 * })
 * ```
 */
export function describeEachDialect(name: string, body: (target: TestTarget) => void, options: { only?: readonly TargetName[] } = {}): void {
  for (const each of testTargets) {
    if (options.only !== undefined && !options.only.includes(each.name)) continue
    const title = `${name} [${each.name}]`
    const problem = unreachable.get(each.name)
    if (problem === undefined) describe(title, () => body(each))
    else if (process.env.CI) {
      describe(title, () => {
        test(`${each.name} is reachable`, () => {
          throw new Error(problem)
        })
      })
    } else describe.skip(title, () => body(each))
  }
}
