/** `pglite()`: Relata on PGlite, PostgreSQL compiled to WebAssembly and run in-process (the `@relata/core/pglite` entry point).
 *
 * @module @relata/core/pglite
 */
import type { PGlite, PGliteOptions } from '@electric-sql/pglite'
import { PGliteDialect, type Kysely } from 'kysely'
import { RelataError } from '../../errors.js'
import { importDriver } from '../driver-import.js'
import type { DialectCapabilities, RelataDialect } from '../dialect.js'
import { postgresCapabilities } from './postgres-capabilities.js'
import { postgresPlatform } from './postgres-platform.js'
import { postgresTypeParsers } from './postgres-type-parsers.js'

/**
 * PGlite: an in-memory PostgreSQL by default, or one stored in `dataDir` (given alone as a string, as
 * `new PGlite('./data')` takes it, or in the options). Relata starts the
 * instance when the first query runs, with `parsers` that make `orm.db` return what the schema
 * declares (`bigint` for `int8`, UTC for `timestamp` and `date`); they override the same OIDs in
 * `options.parsers`. Given a `PGlite` instance, Relata uses it as it is, with its own parsers;
 * `orm.destroy()` closes it. Capabilities are PostgreSQL's.
 *
 * @example
 * ```ts
 * import { createOrm } from '@relata/core'
 * import { pglite } from '@relata/core/pglite'
 *
 * const orm = createOrm({ schema, dialect: pglite() })                         // in memory
 * const stored = createOrm({ schema, dialect: pglite({ dataDir: './data' }) })  // on disk
 * const same = createOrm({ schema, dialect: pglite('./data') })                 // on disk too
 * ```
 */
export function pglite(dataDir: string, options?: PGliteOptions): RelataDialect
export function pglite(options?: PGliteOptions | PGlite): RelataDialect
export function pglite(first: string | PGliteOptions | PGlite = {}, second: PGliteOptions = {}): RelataDialect {
  const options = pgliteOptions(first, second)
  const instance = async (): Promise<PGlite> => {
    if (isInstance(options)) return options
    // Loaded here, not imported by this module: without the package, the first query says how to install it.
    const { PGlite } = await importDriver('pglite()', '@electric-sql/pglite', () => import('@electric-sql/pglite'))
    return new PGlite({ ...options, parsers: { ...options.parsers, ...postgresTypeParsers } })
  }
  return Object.freeze({
    name: 'pglite',
    capabilities: postgresCapabilities,
    platform: postgresPlatform,
    createKyselyDialect: () => new PGliteDialect({ pglite: instance }),
    resolveCapabilities: async (_db: Kysely<any>): Promise<DialectCapabilities> => postgresCapabilities,
    maxConnections: () => 1,
    // In-process: a COMMIT that failed was answered, so it did not commit.
    commitOutcome: { resolve: async () => 'aborted' as const },
  })
}

/** The options `pglite()` was called with, a data directory given alone included; anything else (from JavaScript) refused. */
function pgliteOptions(first: unknown, second: unknown): PGliteOptions | PGlite {
  if (typeof first === 'string') {
    if (typeof second !== 'object' || second === null) throw new RelataError(`pglite(dataDir, options): options must be an object, got ${describe(second)}`)
    return { ...second, dataDir: first }
  }
  if (typeof first !== 'object' || first === null) {
    throw new RelataError(`pglite() takes a data directory (a string), PGlite options or a PGlite instance, got ${describe(first)}`)
  }
  return first as PGliteOptions | PGlite
}

const describe = (value: unknown): string => (value === null ? 'null' : `${String(value)} (a ${typeof value})`)

function isInstance(options: PGliteOptions | PGlite): options is PGlite {
  return typeof (options as PGlite).query === 'function'
}
