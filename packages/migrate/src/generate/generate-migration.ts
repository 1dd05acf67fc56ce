/** `generateMigration`: diff the previous state (last snapshot, or a given shape) with the schema's shape, write the migration file and its snapshot. */
import { existsSync, promises as fs } from 'node:fs'
import path from 'node:path'
import { generateMigrationSource } from '../codegen/generate-source.js'
import { diffShapes, type DiffOptions } from '../diff/diff-shapes.js'
import { ambiguities, type MigrationStep } from '../diff/migration-step.js'
import { migrateFamily } from '../family/families.js'
import { MigrateError } from '../migrate-error.js'
import type { SchemaShape } from '../shape/schema-shape.js'
import { lastSnapshot, writeSnapshot } from './snapshots.js'

/**
 * What `generateMigration` compares and where it writes.
 *
 * @example
 * ```ts
 * const options: GenerateMigrationOptions = { folder: 'migrations', name: 'add subtitle', to: shapeOfSchema(schema, 'postgres') }
 * ```
 */
export interface GenerateMigrationOptions extends DiffOptions {
  readonly folder: string
  /** Words that name the change: `add subtitle` → `20261207120000_add_subtitle.ts`. */
  readonly name: string
  /** The shape the migration leads to (the schema's). */
  readonly to: SchemaShape
  /** The shape it starts from; default: the last migration's snapshot, or no tables. */
  readonly from?: SchemaShape
  /** The migration's timestamp (default: now). */
  readonly now?: Date
}

/**
 * What `generateMigration` did. `file` is null when the shapes agree (nothing written).
 *
 * @example
 * ```ts
 * const { file, warnings } = await generateMigration(options)
 * ```
 */
export interface GeneratedMigration {
  readonly name: string
  readonly file: string | null
  readonly snapshotFile: string | null
  readonly steps: readonly MigrationStep[]
  /** One line per step that can lose data. */
  readonly warnings: readonly string[]
}

/**
 * Thrown while a table or column disappeared and another appeared: `ambiguities` lists them, to be
 * answered with `renames` or `drops`.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof AmbiguousRenameError) console.log(e.ambiguities) }
 * ```
 */
export class AmbiguousRenameError extends MigrateError {
  constructor(readonly ambiguities: readonly Extract<MigrationStep, { kind: 'ambiguous' }>[]) {
    super(
      `Renamed or dropped? ${ambiguities
        .map((a) => (a.table === null ? `table ${a.dropped} (renamed to ${a.candidates.join(' | ')}?)` : `column ${a.table}.${a.dropped} (renamed to ${a.candidates.join(' | ')}?)`))
        .join('; ')}. Say which with --rename ${ambiguities[0]!.table === null ? '' : `${ambiguities[0]!.table}.`}${ambiguities[0]!.dropped}=${ambiguities[0]!.candidates[0]} or --drop ${ambiguities[0]!.table === null ? '' : `${ambiguities[0]!.table}.`}${ambiguities[0]!.dropped}`,
    )
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/**
 * `20261207120000_add_subtitle` for `add subtitle` at that UTC time.
 *
 * @example
 * ```ts
 * migrationName('add subtitle', new Date())
 * ```
 */
export function migrationName(words: string, now: Date): string {
  const slug = words.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '')
  if (slug === '') throw new MigrateError(`A migration needs a name made of letters or digits, got '${words}'`)
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`
  return `${stamp}_${slug}`
}

/**
 * Compares the previous state with `to` and writes `<folder>/<timestamp>_<name>.ts` (up and down on
 * Kysely's schema builder) and its snapshot. Writes nothing when nothing changed, except for the
 * first migration compared with a database (`from`): that one is the baseline, written even when
 * empty. Throws an `AmbiguousRenameError` while a disappearance may be a rename.
 *
 * @example
 * ```ts
 * const result = await generateMigration({ folder: 'migrations', name: 'rename title', to, renames: { 'books.title': 'name' } })
 * for (const warning of result.warnings) console.warn(warning)
 * ```
 */
export async function generateMigration(options: GenerateMigrationOptions): Promise<GeneratedMigration> {
  const folder = path.resolve(options.folder)
  const previous = await lastSnapshot(folder)
  const from = options.from ?? previous?.shape ?? { family: options.to.family, tables: {} }
  const steps = diffShapes(from, options.to, options)
  const open = ambiguities(steps)
  if (open.length > 0) throw new AmbiguousRenameError(open)
  const name = migrationName(options.name, options.now ?? new Date())
  // The first migration generated from an existing database is written even when it has no step:
  // a baseline whose snapshot the next `generate` starts from (Prisma's baselining), instead of
  // starting from no tables and creating every table again.
  const baseline = options.from !== undefined && previous === undefined
  if (steps.length === 0 && !baseline) return { name, file: null, snapshotFile: null, steps, warnings: [] }
  const file = path.join(folder, `${name}.ts`)
  if (existsSync(file)) throw new MigrateError(`${file} exists already`)
  await fs.mkdir(folder, { recursive: true })
  await fs.writeFile(file, generateMigrationSource(steps, migrateFamily(options.to.family), { title: options.name }))
  const snapshotFile = await writeSnapshot(folder, name, options.to)
  return { name, file, snapshotFile, steps, warnings: steps.flatMap((s) => (s.destructive === undefined ? [] : [s.destructive])) }
}

/**
 * Whether the migrations' last snapshot matches `to` (the schema): the steps a new migration would
 * hold, empty when they agree. For CI: `relata check` exits non-zero when this is not empty.
 *
 * @example
 * ```ts
 * const missing = await pendingChanges({ folder: 'migrations', to: shapeOfSchema(schema, 'postgres') })
 * if (missing.length > 0) throw new Error('run relata generate')
 * ```
 */
export async function pendingChanges(options: { readonly folder: string; readonly to: SchemaShape }): Promise<readonly MigrationStep[]> {
  const from = (await lastSnapshot(path.resolve(options.folder)))?.shape ?? { family: options.to.family, tables: {} }
  return diffShapes(from, options.to)
}
