/**
 * An ORM with no database behind it: each family's real Kysely adapter and query compiler (taken
 * from the `postgres()` and `mysql()` dialects through their public entry points), a driver that
 * answers every statement from a script (no rows unless told), and a `QueryRecorder`.
 */
import { readFileSync } from 'node:fs'
import { DummyDriver, type DatabaseConnection, type Driver, type Kysely, type QueryResult } from 'kysely'
import type { mysql as Mysql } from '@relata/core/mysql'
import type { postgres as Postgres } from '@relata/core/postgres'
import { createOrm, QueryRecorder, type AnySchema, type Orm, type RecordedQuery, type RelataDialect } from '../../../src/index.js'

/**
 * A dialect entry point of the package, found through its `exports` (the `@relata/source`
 * condition, as the type checker resolves it): source files may move, the entry points stay.
 */
async function entryPoint<T>(subpath: './postgres' | './mysql'): Promise<T> {
  const packageUrl = new URL('../../../package.json', import.meta.url)
  const manifest = JSON.parse(readFileSync(packageUrl, 'utf8')) as { exports: Record<string, Record<string, string>> }
  return (await import(new URL(manifest.exports[subpath]!['@relata/source']!, packageUrl).href)) as T
}

const { postgres } = await entryPoint<{ postgres: typeof Postgres }>('./postgres')
const { mysql } = await entryPoint<{ mysql: typeof Mysql }>('./mysql')

/**
 * The servers the unit tier compiles for: PostgreSQL (and PGlite, the same SQL), MariaDB (the
 * `mysql` family with `RETURNING` and `JSON_ARRAYAGG ... ORDER BY`), and MySQL 8 (neither).
 */
export type OfflineTarget = 'postgres' | 'mariadb' | 'mysql'

export const offlineTargets: readonly OfflineTarget[] = ['postgres', 'mariadb', 'mysql']

/** What the scripted driver answers one statement with: rows, and the counts a write reports. */
export interface Answer {
  readonly rows?: readonly Record<string, unknown>[]
  /** Rows an UPDATE or DELETE matched (`numAffectedRows`). */
  readonly affected?: number
  /** MySQL: the first id an INSERT generated. */
  readonly insertId?: number
}

/** Answers statements in the order they arrive; once the queue is empty, with no rows (as Kysely's `DummyDriver`). */
class Script {
  readonly #queue: Answer[] = []

  push(answers: readonly Answer[]): void {
    this.#queue.push(...answers)
  }

  get pending(): number {
    return this.#queue.length
  }

  answer(): QueryResult<any> {
    const next = this.#queue.shift() ?? {}
    return {
      rows: [...(next.rows ?? [])],
      ...(next.affected === undefined ? {} : { numAffectedRows: BigInt(next.affected) }),
      ...(next.insertId === undefined ? {} : { insertId: BigInt(next.insertId) }),
    }
  }
}

/** Kysely's `DummyDriver` (transactions and savepoints do nothing), with connections that answer from the script. */
class ScriptedDriver extends DummyDriver {
  constructor(private readonly script: Script) {
    super()
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const script = this.script
    return {
      executeQuery: async <R>() => script.answer() as QueryResult<R>,
      streamQuery: () => {
        throw new Error('offline ORM: streaming is not scripted')
      },
    }
  }
}

/** The dialect Relata builds for `target`, before any connection: nothing here opens one. */
function realDialect(target: OfflineTarget): RelataDialect {
  if (target === 'postgres') return postgres('postgres://offline@127.0.0.1:1/offline')
  return mysql('mysql://offline@127.0.0.1:1/offline', { server: target === 'mariadb' ? 'mariadb' : 'mysql' })
}

/**
 * `base` with its Kysely dialect's driver replaced; everything else (adapter, query compiler,
 * capabilities, platform, any member added later) is the real dialect's, read through. No
 * commit-outcome probe: it would send a statement of its own on COMMIT.
 */
function offlineDialect(base: RelataDialect, script: Script): RelataDialect {
  const createKyselyDialect = () => {
    const real = base.createKyselyDialect()
    return {
      createAdapter: () => real.createAdapter(),
      createQueryCompiler: () => real.createQueryCompiler(),
      createIntrospector: (db: Kysely<any>) => real.createIntrospector(db),
      createDriver: (): Driver => new ScriptedDriver(script),
    }
  }
  // A blank target: the dialects are frozen objects or classes with private fields, so read through, methods bound to the real one.
  return new Proxy({} as RelataDialect, {
    get(_, property) {
      if (property === 'createKyselyDialect') return createKyselyDialect
      if (property === 'commitOutcome') return undefined
      const value: unknown = Reflect.get(base, property, base)
      return typeof value === 'function' ? value.bind(base) : value
    },
  })
}

/** What `offlineOrm` returns: the ORM, what it sent, and the script of answers. */
export interface OfflineOrm<S extends AnySchema> {
  readonly target: OfflineTarget
  readonly orm: Orm<S>
  readonly recorder: QueryRecorder
  /** Queues answers for the next statements, in order; later statements get no rows. */
  answer(...answers: Answer[]): void
  /** Answers queued and not yet used: a test that scripted more than ran fails on it. */
  readonly unanswered: number
  /** The statements recorded since the last call, then forgets them. */
  take(): readonly RecordedQuery[]
}

/**
 * An ORM on `schema` that compiles `target`'s SQL and sends it nowhere.
 *
 * @example
 * ```ts
 * const db = offlineOrm(schema, 'postgres')
 * db.answer({ rows: [{ id: 1, name: 'Ann' }] })
 * await db.orm.session().query('authors').all()
 * db.take()   // [{ sql: 'select "t0"."id", "t0"."name" from "authors" as "t0"', parameters: [] }]
 * ```
 */
export function offlineOrm<S extends AnySchema>(schema: S, target: OfflineTarget): OfflineOrm<S> {
  const script = new Script()
  const recorder = new QueryRecorder()
  const orm = createOrm({ schema, dialect: offlineDialect(realDialect(target), script), plugins: [recorder] })
  return {
    target,
    orm,
    recorder,
    answer: (...answers) => script.push(answers),
    get unanswered() {
      return script.pending
    },
    take() {
      const queries = recorder.queries
      recorder.clear()
      return queries
    },
  }
}

/**
 * A statement written in PostgreSQL's spelling, as `target` spells it: on MySQL and MariaDB,
 * backquotes for double quotes and `?` for `$n`. Only for SQL the two families share word for word.
 *
 * @example
 * ```ts
 * spelled('mariadb', 'select "id" from "books" where "id" = $1')   // 'select `id` from `books` where `id` = ?'
 * ```
 */
export function spelled(target: OfflineTarget, postgresSql: string): string {
  return target === 'postgres' ? postgresSql : postgresSql.replaceAll('"', '`').replace(/\$\d+/g, '?')
}

/**
 * Picks the SQL of the current target from a table of expectations; `mysql` falls back to
 * `mariadb` where the two servers get the same statement.
 *
 * @example
 * ```ts
 * expect(sql).toBe(per(target, { postgres: 'select ...', mariadb: 'select ...' }))
 * ```
 */
export function per<T>(target: OfflineTarget, table: { readonly postgres: T; readonly mariadb: T; readonly mysql?: T }): T {
  return target === 'mysql' ? (table.mysql ?? table.mariadb) : table[target]
}
