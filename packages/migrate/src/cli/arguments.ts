/** The `relata` command line read into a command and its options (node:util's parseArgs). */
import { parseArgs } from 'node:util'
import { MigrateError } from '../migrate-error.js'

/**
 * One invocation of `relata`.
 *
 * @example
 * ```ts
 * parseCommandLine(['generate', 'add subtitle', '--rename', 'books.title=name'])
 * ```
 */
export interface CommandLine {
  readonly command: 'generate' | 'migrate' | 'status' | 'check' | 'pull' | 'help'
  /** generate: the migration's name; migrate: latest | up | down. */
  readonly positional: readonly string[]
  readonly config?: string
  readonly schema?: string
  readonly url?: string
  readonly migrations?: string
  readonly renames: Readonly<Record<string, string>>
  readonly drops: readonly string[]
  readonly to?: string
  /** generate: compare with the database instead of the last snapshot. */
  readonly fromDatabase: boolean
  /** pull: the file to write the declarations to (default: standard output). */
  readonly out?: string
}

const commands = new Set(['generate', 'migrate', 'status', 'check', 'pull', 'help'])

/**
 * Reads `argv` (without node and the script).
 *
 * @example
 * ```ts
 * const line = parseCommandLine(process.argv.slice(2))
 * ```
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      schema: { type: 'string' },
      url: { type: 'string' },
      migrations: { type: 'string' },
      rename: { type: 'string', multiple: true },
      drop: { type: 'string', multiple: true },
      to: { type: 'string' },
      'from-database': { type: 'boolean' },
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const [command = 'help', ...positional] = positionals
  if (!commands.has(command)) throw new MigrateError(`Unknown command '${command}': relata generate | migrate | status | check | pull | help`)
  const renames: Record<string, string> = {}
  for (const rename of values.rename ?? []) {
    const [from, to, ...rest] = rename.split('=')
    if (from === undefined || to === undefined || from === '' || to === '' || rest.length > 0) {
      throw new MigrateError(`--rename ${rename}: write --rename table.old_column=new_column or --rename old_table=new_table`)
    }
    renames[from] = to
  }
  return {
    command: values.help === true ? 'help' : (command as CommandLine['command']),
    positional,
    config: values.config,
    schema: values.schema,
    url: values.url,
    migrations: values.migrations,
    renames,
    drops: values.drop ?? [],
    to: values.to,
    fromDatabase: values['from-database'] === true,
    out: values.out,
  }
}

/** What `relata help` prints. */
export const usage = `relata: migrations for Relata schemas, run by Kysely's Migrator

  relata generate <name> [--rename table.old=new | --rename old_table=new_table]... [--drop table.column | --drop table]... [--from-database]
      Compare the schema with the last migration's snapshot (or the database) and write migrations/<timestamp>_<name>.ts
  relata migrate [latest | up | down] [--to <migration name | 0>]
      Apply pending migrations (latest, the default), the next one (up), undo the last one (down), or move to a migration
  relata status
      List applied and pending migrations, and the differences between the database and the schema
  relata check
      Exit 1 when the schema has changes that no migration holds (for CI)
  relata pull [--url <url>] [--out src/schema.ts]
      Read an existing database and write table() / defineSchema() declarations for it (standard output without --out)

Options: --config <relata.config.ts> --schema <module[#export]> --url <postgres://… | mysql://… | pglite:<dir>> --migrations <folder>`
