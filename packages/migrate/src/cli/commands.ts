/** The `relata` commands: each loads the config, does its work through the programmatic API and prints what happened. */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { createOrm, defineSchema, type AnySchema, type Orm } from '@relata/core'
import { loadConfig, loadDatabase, type LoadedConfig } from '../config/relata-config.js'
import { describeStep } from '../diff/describe-step.js'
import { diffShapes } from '../diff/diff-shapes.js'
import { AmbiguousRenameError, generateMigration, pendingChanges } from '../generate/generate-migration.js'
import { MigrateError } from '../migrate-error.js'
import { withoutMigrationTables } from '../run/migration-tables.js'
import { listMigrations, migrateDown, migrateTo, migrateToLatest, migrateUp } from '../run/migrations.js'
import type { CommandLine } from './arguments.js'
import { shapeOfDatabase } from '../shape/shape-of-database.js'
import { shapeOfSchema } from '../shape/shape-of-schema.js'
import { askRenames } from './prompt.js'
import { pull as pullSource } from '../pull/pull.js'

/** Where a command writes: the process's streams, or a test's. */
export interface CommandOutput {
  log(line: string): void
  warn(line: string): void
}

async function withOrm<T>(config: LoadedConfig, work: (orm: Orm<AnySchema>) => Promise<T>): Promise<T> {
  const orm = createOrm({ schema: config.schema, dialect: await config.dialect() })
  try {
    return await work(orm)
  } finally {
    await orm.destroy()
  }
}

const relative = (file: string) => path.relative(process.cwd(), file) || file

async function generate(line: CommandLine, config: LoadedConfig, out: CommandOutput): Promise<number> {
  const words = line.positional.join(' ')
  if (words.trim() === '') throw new MigrateError('relata generate <name>: name the migration (e.g. relata generate add_subtitle)')
  const run = async (orm: Orm<AnySchema> | undefined) => {
    const family = orm?.dialect.capabilities.family ?? (await withOrm(config, async (o) => o.dialect.capabilities.family))
    const to = shapeOfSchema(config.schema, family)
    const from = orm === undefined ? undefined : withoutMigrationTables(await shapeOfDatabase(orm.db, family))
    const renames = { ...line.renames }
    const drops = [...line.drops]
    for (;;) {
      try {
        return await generateMigration({ folder: config.migrations, name: words, to, from, renames, drops })
      } catch (error) {
        if (!(error instanceof AmbiguousRenameError) || !process.stdin.isTTY) throw error
        const answers = await askRenames(error.ambiguities)
        Object.assign(renames, answers.renames)
        drops.push(...answers.drops)
      }
    }
  }
  const result = line.fromDatabase ? await withOrm(config, run) : await run(undefined)
  if (result.file === null) {
    out.log('No changes: the schema matches the last migration. Nothing written.')
    return 0
  }
  out.log(`Wrote ${relative(result.file)}`)
  for (const step of result.steps) out.log(`  ${describeStep(step)}`)
  for (const warning of result.warnings) out.warn(`Warning: destructive step: ${warning}`)
  return 0
}

async function migrate(line: CommandLine, config: LoadedConfig, out: CommandOutput): Promise<number> {
  const how = line.positional[0] ?? 'latest'
  const folder = { folder: config.migrations }
  const results = await withOrm(config, async (orm) => {
    if (line.to !== undefined) return migrateTo(orm, line.to === '0' ? null : line.to, folder)
    if (how === 'latest') return migrateToLatest(orm, folder)
    if (how === 'up') return migrateUp(orm, folder)
    if (how === 'down') return migrateDown(orm, folder)
    throw new MigrateError(`relata migrate ${how}: use latest, up, down or --to <name>`)
  })
  if (results.length === 0) out.log('Nothing to run: the database is at the requested migration.')
  for (const r of results) out.log(`${r.direction === 'Up' ? '↑ applied' : '↓ reverted'} ${r.migrationName}`)
  return 0
}

async function status(config: LoadedConfig, out: CommandOutput): Promise<number> {
  return withOrm(config, async (orm) => {
    const migrations = await listMigrations(orm, { folder: config.migrations })
    if (migrations.length === 0) out.log(`No migrations in ${relative(config.migrations)}`)
    for (const m of migrations) out.log(`${m.executedAt === undefined ? 'pending ' : 'applied '} ${m.name}${m.executedAt === undefined ? '' : `  (${m.executedAt.toISOString()})`}`)
    const family = orm.dialect.capabilities.family
    let drift
    try {
      drift = diffShapes(withoutMigrationTables(await shapeOfDatabase(orm.db, family)), shapeOfSchema(config.schema, family))
    } catch (error) {
      out.warn(`Drift not checked: ${error instanceof Error ? error.message : String(error)}`)
      return 0
    }
    if (drift.length === 0) out.log('The database matches the schema.')
    else {
      out.log(`The database differs from the schema${migrations.some((m) => m.executedAt === undefined) ? ' (pending migrations may explain it)' : ''}:`)
      for (const step of drift) out.log(`  ${describeStep(step)}`)
    }
    return 0
  })
}

async function check(config: LoadedConfig, out: CommandOutput): Promise<number> {
  const family = await withOrm(config, async (orm) => orm.dialect.capabilities.family)
  const steps = await pendingChanges({ folder: config.migrations, to: shapeOfSchema(config.schema, family) })
  if (steps.length === 0) {
    out.log('The migrations match the schema.')
    return 0
  }
  out.warn('The schema has changes that no migration holds (run relata generate <name>):')
  for (const step of steps) out.warn(`  ${describeStep(step)}`)
  return 1
}

/** `relata pull`: the database's tables (Kysely's migration tables left out) as declarations, to a file or standard output. */
async function pull(line: CommandLine, out: CommandOutput): Promise<number> {
  const dialect = await (await loadDatabase(line.config, line.url))()
  // No schema yet: the orm is only a connection to read the catalog through.
  const orm = createOrm({ schema: defineSchema({}), dialect })
  try {
    const family = orm.dialect.capabilities.family
    const source = pullSource(withoutMigrationTables(await shapeOfDatabase(orm.db, family)), { header: 'Written by relata pull: review the relation names, then import this schema.' })
    if (line.out === undefined) {
      out.log(source)
    } else {
      writeFileSync(line.out, source)
      out.log(`Wrote ${relative(path.resolve(line.out))}`)
    }
    return 0
  } finally {
    await orm.destroy()
  }
}

/**
 * Runs one command line; returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runCommand(parseCommandLine(process.argv.slice(2)), console)
 * ```
 */
export async function runCommand(line: CommandLine, out: CommandOutput): Promise<number> {
  if (line.command === 'pull') return pull(line, out)
  const config = await loadConfig(line.config, { schema: line.schema, url: line.url, migrations: line.migrations })
  switch (line.command) {
    case 'generate':
      return generate(line, config, out)
    case 'migrate':
      return migrate(line, config, out)
    case 'status':
      return status(config, out)
    case 'check':
      return check(config, out)
    case 'help':
      return 0
  }
}
