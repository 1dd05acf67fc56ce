/** `relata.config.ts`: where the schema, the database and the migrations are; `defineConfig` types it, `loadConfig` reads it. */
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { AnySchema, RelataDialect } from '@relata/core'
import { MigrateError } from '../migrate-error.js'
import { importModule } from '../run/load-typescript.js'

/**
 * What `relata.config.ts` exports (default export).
 *
 * @example
 * ```ts
 * export default defineConfig({ schema: './src/schema.ts', url: process.env.DATABASE_URL, migrations: './migrations' })
 * ```
 */
export interface RelataConfig {
  /** The module that exports the schema (`defineSchema(...)`), relative to the config file; `#name` picks an export other than `schema` or the default. */
  readonly schema: string
  /** `postgres://…`, `mysql://…` (MariaDB too) or `pglite:<data directory>`; or give `dialect`. */
  readonly url?: string
  /** Makes the dialect (`() => postgres(process.env.DATABASE_URL!)`), when a URL is not enough. */
  readonly dialect?: () => RelataDialect | Promise<RelataDialect>
  /** The migrations folder, relative to the config file (default `./migrations`). */
  readonly migrations?: string
}

/**
 * Types a configuration (returns it as given).
 *
 * @example
 * ```ts
 * export default defineConfig({ schema: './src/schema.ts#schema', url: 'pglite:./data', migrations: './migrations' })
 * ```
 */
export function defineConfig(config: RelataConfig): RelataConfig {
  return config
}

/**
 * A configuration with its paths made absolute and its schema loaded.
 *
 * @example
 * ```ts
 * const { schema, migrations } = await loadConfig('relata.config.ts')
 * ```
 */
export interface LoadedConfig {
  readonly schema: AnySchema
  readonly schemaModule: string
  readonly migrations: string
  readonly dialect: () => Promise<RelataDialect>
}

const configNames = ['relata.config.ts', 'relata.config.mts', 'relata.config.js', 'relata.config.mjs']

/**
 * Reads `relata.config.ts` (or the file given), loads the schema module and picks its export.
 * `overrides` are the command line's `--schema`, `--url`, `--migrations`.
 *
 * @example
 * ```ts
 * const config = await loadConfig(undefined, { url: process.env.DATABASE_URL })
 * ```
 */
export async function loadConfig(file?: string, overrides: Partial<Pick<RelataConfig, 'schema' | 'url' | 'migrations'>> = {}): Promise<LoadedConfig> {
  const { config, base } = await readConfigFile(file)
  const from = (p: string, dir: string) => path.resolve(dir, p)
  const schemaSpec = overrides.schema ?? config.schema
  if (schemaSpec === undefined) throw new MigrateError(`No schema module: write relata.config.ts (export default defineConfig({ schema: './src/schema.ts', ... })) or pass --schema <module>`)
  const [modulePath, exportName] = schemaSpec.split('#') as [string, string | undefined]
  const schemaModule = from(modulePath, overrides.schema === undefined ? base : process.cwd())
  if (!existsSync(schemaModule)) throw new MigrateError(`The schema module ${schemaModule} does not exist`)
  const exports = await importModule(schemaModule)
  const schema = (exportName !== undefined ? exports[exportName] : (exports.schema ?? exports.default)) as AnySchema | undefined
  if (schema === undefined || typeof schema !== 'object' || !('tables' in schema)) {
    throw new MigrateError(`${schemaModule} exports no schema ${exportName === undefined ? "named 'schema' (nor a default export)" : `named '${exportName}'`}: export the value defineSchema() returns`)
  }
  const migrations = overrides.migrations !== undefined ? from(overrides.migrations, process.cwd()) : from(config.migrations ?? './migrations', base)
  return { schema, schemaModule, migrations, dialect: databaseOf(config, overrides.url) }
}

/** The config file given, or the first of `configNames` in the working directory, read; none: an empty config. */
async function readConfigFile(file: string | undefined): Promise<{ config: Partial<RelataConfig>; base: string }> {
  const found = file === undefined ? configNames.map((n) => path.resolve(n)).find((p) => existsSync(p)) : path.resolve(file)
  if (found === undefined) return { config: {}, base: process.cwd() }
  if (!existsSync(found)) throw new MigrateError(`No config file at ${found}`)
  const loaded = await importModule(found)
  return { config: (loaded.default ?? loaded) as RelataConfig, base: path.dirname(found) }
}

/** The dialect a config (or the command line's `--url`) names, made when first asked for. */
function databaseOf(config: Partial<RelataConfig>, urlOverride: string | undefined): () => Promise<RelataDialect> {
  const url = urlOverride ?? config.url
  const makeDialect = config.dialect
  return async () => {
    if (url !== undefined) return dialectFromUrl(url)
    if (makeDialect !== undefined) return makeDialect()
    throw new MigrateError('No database: give url (postgres://, mysql://, pglite:<dir>) or dialect in relata.config.ts, or pass --url')
  }
}

/**
 * The database of `relata.config.ts` (or `--url`) alone, for commands that need no schema (`pull`).
 *
 * @example
 * ```ts
 * const dialect = await (await loadDatabase(undefined, 'postgres://postgres@127.0.0.1:5432/app'))()
 * ```
 */
export async function loadDatabase(file?: string, url?: string): Promise<() => Promise<RelataDialect>> {
  return databaseOf((await readConfigFile(file)).config, url)
}

/**
 * The Relata dialect for a connection URL: `postgres://` / `postgresql://`, `mysql://` / `mariadb://`,
 * `pglite:<data directory>` (`pglite:` alone: in memory).
 *
 * @example
 * ```ts
 * const dialect = await dialectFromUrl('postgres://postgres@127.0.0.1:5432/app')
 * ```
 */
export async function dialectFromUrl(url: string): Promise<RelataDialect> {
  if (/^postgres(ql)?:\/\//.test(url)) return (await import('@relata/core/postgres')).postgres(url)
  if (/^mysql:\/\//.test(url)) return (await import('@relata/core/mysql')).mysql(url)
  if (/^mariadb:\/\//.test(url)) return (await import('@relata/core/mysql')).mysql(url.replace(/^mariadb:/, 'mysql:'))
  if (url.startsWith('pglite:')) {
    const dir = url.slice('pglite:'.length)
    const { pglite } = await import('@relata/core/pglite')
    return dir === '' ? pglite() : pglite(path.resolve(dir))
  }
  throw new MigrateError(`Unknown database URL scheme in ${url.replace(/\/\/[^@/]*@/, '//***@')}: use postgres://, mysql://, mariadb:// or pglite:<dir>`)
}
