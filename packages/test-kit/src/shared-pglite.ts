/**
 * One PGlite instance per test worker, each suite in a PostgreSQL schema of its own on it: an
 * instance takes seconds to start, a schema milliseconds. The instance is kept on `globalThis`, so
 * that every test file a worker runs finds it (with `isolate: false`, the files of a worker share
 * one process; with isolation, each file starts one).
 */
import { randomBytes } from 'node:crypto'
import type { PGlite } from '@electric-sql/pglite'
import { createOrm, defineSchema, sql, type RelataDialect } from '@relata/core'
import { pglite } from '@relata/core/pglite'

interface SharedInstance {
  readonly instance: Promise<PGlite>
  /** The schema the instance's `search_path` names now. */
  searchPath: string | undefined
  /** Each suite's statements run after the previous ones have finished, behind a `SET search_path` when the suite changes. */
  queue: Promise<unknown>
}

const KEY = Symbol.for('@relata/test-kit/shared-pglite')

const holder = globalThis as typeof globalThis & { [KEY]?: SharedInstance }

/**
 * Starts an instance as `pglite()` does (its options, Relata's type parsers), through a Relata
 * ORM's first query. An extension's `setup`, which PGlite calls with the instance, hands it over.
 */
async function startInstance(): Promise<PGlite> {
  let started: PGlite | undefined
  const dialect = pglite({
    extensions: {
      testKitHandle: {
        name: 'test-kit-handle',
        setup: async (instance) => {
          started = instance as PGlite
          return {}
        },
      },
    },
  })
  // Not destroyed: destroy() would close the instance the suites share.
  const orm = createOrm({ schema: defineSchema({}), dialect })
  await sql`select 1`.execute(orm.db)
  if (started === undefined) throw new Error('PGlite did not hand over its instance to the test-kit extension')
  return started
}

function sharedInstance(): SharedInstance {
  let shared = holder[KEY]
  if (shared === undefined) {
    const instance = startInstance()
    shared = { instance, searchPath: undefined, queue: Promise.resolve() }
    holder[KEY] = shared
    // A failed start is not kept: the next suite tries again, and reports its own error.
    instance.catch(() => {
      if (holder[KEY] === shared) delete holder[KEY]
    })
  }
  return shared
}

const quoted = (name: string): string => `"${name}"`

type Operation = (...args: unknown[]) => Promise<unknown>

/**
 * A stand-in for the shared instance, for one suite: its statements run with `search_path` set to
 * the suite's schema (created on first use); `close()` drops the schema and leaves the instance
 * open. What Kysely's PGlite driver reads (`ready`, `waitReady`, `closed`) answers before the
 * instance has started; any other member is the instance's own once it has.
 */
function suiteView(shared: SharedInstance): PGlite {
  const schemaName = `relata_${randomBytes(6).toString('hex')}`
  let started: PGlite | undefined
  let created = false
  let closed = false
  // One statement (or one whole transaction) at a time across suites, as PGlite itself runs
  // them, so that no suite's statement runs under another suite's search_path.
  const inTurn = <T>(work: (instance: PGlite) => Promise<T>): Promise<T> => {
    const run = async () => {
      const instance = (started ??= await shared.instance)
      if (!created) {
        await instance.exec(`create schema ${quoted(schemaName)}`)
        created = true
      }
      if (shared.searchPath !== schemaName) {
        await instance.exec(`set search_path to ${quoted(schemaName)}`)
        shared.searchPath = schemaName
      }
      return work(instance)
    }
    const result = shared.queue.then(run, run)
    shared.queue = result.catch(() => undefined)
    return result
  }
  const operation =
    (name: 'query' | 'sql' | 'exec' | 'transaction' | 'describeQuery'): Operation =>
    (...args) =>
      inTurn((instance) => (instance[name] as Operation).apply(instance, args))
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    if (created) await inTurn((instance) => instance.exec(`drop schema ${quoted(schemaName)} cascade`))
  }
  const view: Record<PropertyKey, unknown> = {
    query: operation('query'),
    sql: operation('sql'),
    exec: operation('exec'),
    transaction: operation('transaction'),
    describeQuery: operation('describeQuery'),
    close,
    [Symbol.asyncDispose]: close,
    get closed() {
      return closed
    },
    get ready() {
      return started?.ready ?? false
    },
    get waitReady() {
      return shared.instance.then((instance) => {
        started ??= instance
        return instance.waitReady
      })
    },
  }
  return new Proxy(view, {
    get(target, property) {
      if (property in target) return target[property]
      if (started === undefined) return undefined
      const value: unknown = Reflect.get(started, property, started)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(started) : value
    },
  }) as unknown as PGlite
}

/**
 * A `pglite()` dialect on this worker's shared instance, in a fresh schema `relata_<random>` that
 * `orm.destroy()` drops (the instance stays open). Its ORM sees only the tables and enum types it
 * creates, as on an instance of its own; `orm.dialect.name` is `'pglite'`. Every ORM built on one
 * such dialect shares its schema, and the first `destroy()` drops it. For a test that closes,
 * restarts or breaks its instance, or needs `dataDir`, use `pglite()` itself.
 *
 * @example
 * ```ts
 * const orm = createOrm({ schema, dialect: sharedPglite() })
 * await orm.createTables()
 * await orm.destroy() // drops the schema
 * ```
 */
export function sharedPglite(): RelataDialect {
  return pglite(suiteView(sharedInstance()))
}
