/** The snapshot beside each generated migration: the SchemaShape it leads to, as `<migration>.snapshot.json` (Kysely's provider skips .json files). */
import { existsSync, promises as fs } from 'node:fs'
import path from 'node:path'
import type { SchemaShape } from '../shape/schema-shape.js'
import { MigrateError } from '../migrate-error.js'

const suffix = '.snapshot.json'
const migrationFile = /^(.+)\.(ts|mts|js|mjs)$/

/**
 * The snapshot file of migration `name` in `folder`.
 *
 * @example
 * ```ts
 * snapshotPath('migrations', '20261207120000_init')   // 'migrations/20261207120000_init.snapshot.json'
 * ```
 */
export function snapshotPath(folder: string, name: string): string {
  return path.join(folder, `${name}${suffix}`)
}

/**
 * The names of the folder's migrations, in Kysely's order (alphabetical); none when the folder does not exist.
 *
 * @example
 * ```ts
 * const names = await migrationNames('migrations')
 * ```
 */
export async function migrationNames(folder: string): Promise<string[]> {
  if (!existsSync(folder)) return []
  const files = await fs.readdir(folder)
  return files
    .filter((f) => !f.endsWith('.d.ts'))
    .map((f) => migrationFile.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort()
}

/**
 * The snapshot of the newest migration that has one, or undefined (no migration yet).
 *
 * @example
 * ```ts
 * const previous = (await lastSnapshot('migrations'))?.shape ?? { family: 'postgres', tables: {} }
 * ```
 */
export async function lastSnapshot(folder: string): Promise<{ readonly migration: string; readonly shape: SchemaShape } | undefined> {
  for (const name of (await migrationNames(folder)).reverse()) {
    const file = snapshotPath(folder, name)
    if (!existsSync(file)) continue
    try {
      return { migration: name, shape: JSON.parse(await fs.readFile(file, 'utf8')) as SchemaShape }
    } catch (error) {
      throw new MigrateError(`Cannot read the snapshot ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    }
  }
  return undefined
}

/**
 * Writes the snapshot of migration `name`.
 *
 * @example
 * ```ts
 * await writeSnapshot('migrations', '20261207120000_init', shape)
 * ```
 */
export async function writeSnapshot(folder: string, name: string, shape: SchemaShape): Promise<string> {
  const file = snapshotPath(folder, name)
  await fs.writeFile(file, `${JSON.stringify(shape, null, 2)}\n`)
  return file
}
