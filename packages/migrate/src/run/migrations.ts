/** Runs migration files with Kysely's own Migrator (its table, lock and order): latest, up, down, to a name, and their status. */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { FileMigrationProvider, Migrator, NO_MIGRATIONS, type MigrationInfo, type MigrationResult, type MigrationResultSet } from 'kysely/migration'
import { migrateFamily } from '../family/families.js'
import { MigrateError } from '../migrate-error.js'
import { importModule } from './load-typescript.js'
import { resolveTarget, type MigrationTarget } from './migration-target.js'

/**
 * Where the migration files are.
 *
 * @example
 * ```ts
 * await migrateToLatest(orm, { folder: './migrations' })
 * ```
 */
export interface MigrationFolderOptions {
  /** The folder of migration files (`.ts` or `.js`), resolved from the working directory. */
  readonly folder: string
}

/**
 * Kysely's `Migrator` over the folder's files: `.ts` files load without a build step, and on
 * PostgreSQL its tables go in the connection's current schema.
 *
 * @example
 * ```ts
 * const migrator = await createMigrator(orm, { folder: './migrations' })
 * console.log(await migrator.getMigrations())
 * ```
 */
export async function createMigrator(target: MigrationTarget, options: MigrationFolderOptions): Promise<Migrator> {
  const { db, family } = resolveTarget(target)
  const migrationFolder = path.resolve(options.folder)
  const provider = new FileMigrationProvider({ fs, path, migrationFolder, import: (file: string) => importModule(file) })
  const migrationTableSchema = await migrateFamily(family).migrationTableSchema(db)
  return new Migrator({ db, provider, ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }) })
}

/** Throws the error of a failed run, naming the migration that failed; returns what ran otherwise. */
function outcome(set: MigrationResultSet): readonly MigrationResult[] {
  const results = set.results ?? []
  if (set.error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')
    const cause = set.error instanceof Error ? set.error.message : String(set.error)
    throw new MigrateError(failed === undefined ? `Migrations failed: ${cause}` : `Migration ${failed.migrationName} (${failed.direction.toLowerCase()}) failed: ${cause}`, { cause: set.error })
  }
  return results
}

/**
 * Runs every pending migration, oldest first. Returns what ran; a failure throws a `MigrateError`
 * naming the migration (on PostgreSQL none of the run is kept: Kysely runs it in one transaction).
 *
 * @example
 * ```ts
 * const ran = await migrateToLatest(orm, { folder: './migrations' })
 * for (const r of ran) console.log(`${r.direction} ${r.migrationName}`)
 * ```
 */
export async function migrateToLatest(target: MigrationTarget, options: MigrationFolderOptions): Promise<readonly MigrationResult[]> {
  return outcome(await (await createMigrator(target, options)).migrateToLatest())
}

/**
 * Runs the next pending migration.
 *
 * @example
 * ```ts
 * await migrateUp(orm, { folder: './migrations' })
 * ```
 */
export async function migrateUp(target: MigrationTarget, options: MigrationFolderOptions): Promise<readonly MigrationResult[]> {
  return outcome(await (await createMigrator(target, options)).migrateUp())
}

/**
 * Undoes the last applied migration (its `down`).
 *
 * @example
 * ```ts
 * await migrateDown(orm, { folder: './migrations' })
 * ```
 */
export async function migrateDown(target: MigrationTarget, options: MigrationFolderOptions): Promise<readonly MigrationResult[]> {
  return outcome(await (await createMigrator(target, options)).migrateDown())
}

/**
 * Migrates up or down until `name` is the last applied migration; `null` undoes them all.
 *
 * @example
 * ```ts
 * await migrateTo(orm, '20261207120000_init', { folder: './migrations' })
 * ```
 */
export async function migrateTo(target: MigrationTarget, name: string | null, options: MigrationFolderOptions): Promise<readonly MigrationResult[]> {
  const migrator = await createMigrator(target, options)
  if (name !== null && !(await migrator.getMigrations()).some((m) => m.name === name)) {
    throw new MigrateError(`No migration named ${name} in ${path.resolve(options.folder)}`)
  }
  return outcome(await migrator.migrateTo(name ?? NO_MIGRATIONS))
}

/**
 * Each migration of the folder (and any recorded in the database whose file is gone is reported
 * by Kysely's own checks when migrating), with when it was applied.
 *
 * @example
 * ```ts
 * const pending = (await listMigrations(orm, { folder })).filter((m) => m.executedAt === undefined)
 * ```
 */
export async function listMigrations(target: MigrationTarget, options: MigrationFolderOptions): Promise<readonly MigrationInfo[]> {
  return (await createMigrator(target, options)).getMigrations()
}
