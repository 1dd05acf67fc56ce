/**
 * The `relata` command in a project folder with relata.config.ts, on a PostgreSQL database of its
 * own: generate, check, status, migrate, a rename refused without an answer then given with
 * --rename, migrate down; pull. Each command is a process of its own (bin/relata.js), as `npx relata` runs it.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { postgresTestServer } from '@relata/test-kit/servers'
import { describeEachDialect } from '@relata/test-kit/targets'

const here = path.dirname(fileURLToPath(import.meta.url))
const bin = path.join(here, '../bin/relata.js')

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

function relata(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    // No terminal on stdin: generate must not prompt.
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const schemaModule = (name: 'libraryV1' | 'libraryV2') => `export { ${name} as schema } from '../fixtures/library-schemas.js'\n`

describeEachDialect('the relata command', () => {
  let project: string
  let database: string
  beforeAll(async () => {
    database = await postgresTestServer.createDatabase()
    project = await mkdtemp(path.join(here, '.cli-'))
    await writeFile(path.join(project, 'schema.ts'), schemaModule('libraryV1'))
    await writeFile(
      path.join(project, 'relata.config.ts'),
      `import { defineConfig } from '@relata/migrate'\nexport default defineConfig({ schema: './schema.ts', url: ${JSON.stringify(postgresTestServer.url(database))}, migrations: './migrations' })\n`,
    )
  })
  afterAll(async () => {
    await rm(project, { recursive: true, force: true })
    await postgresTestServer.dropDatabase(database)
  })

  test('generate, check, status, migrate; a rename asked for, then given; down', async () => {
    const init = await relata(project, 'generate', 'init')
    expect(init.stderr).toBe('')
    expect(init.stdout).toMatch(/^Wrote migrations\/\d{14}_init\.ts\n {2}\+ table authors\n {2}\+ table books\n/)
    expect((await readdir(path.join(project, 'migrations'))).filter((f) => f.endsWith('.snapshot.json'))).toHaveLength(1)
    expect((await relata(project, 'status')).stdout).toMatch(/^pending {2}\d{14}_init\nThe database differs from the schema \(pending migrations may explain it\):\n {2}\+ table authors/)
    expect((await relata(project, 'migrate')).stdout).toMatch(/^↑ applied \d{14}_init\n$/)
    expect((await relata(project, 'status')).stdout).toMatch(/^applied  \d{14}_init {2}\(.+\)\nThe database matches the schema\.\n$/)

    await writeFile(path.join(project, 'schema.ts'), schemaModule('libraryV2'))
    const stale = await relata(project, 'check')
    expect(stale.code).toBe(1)
    expect(stale.stderr).toContain('The schema has changes that no migration holds (run relata generate <name>):')
    expect(stale.stderr).toContain('? column books.title: renamed to name | pages, or dropped?')

    const asked = await relata(project, 'generate', 'second')
    expect(asked.code).toBe(1)
    expect(asked.stderr).toContain('relata: Renamed or dropped? column books.title (renamed to name | pages?); column books.legacy (renamed to name | pages?)')
    expect(asked.stderr).toContain('--rename books.title=name or --drop books.title')

    const second = await relata(project, 'generate', 'second', '--rename', 'books.title=name', '--drop', 'books.legacy')
    expect(second.code).toBe(0)
    expect(second.stdout).toContain('~ rename column books.title → name')
    expect(second.stderr).toBe('Warning: destructive step: drops column books.legacy and its values\n')
    expect((await relata(project, 'migrate')).stdout).toMatch(/^↑ applied \d{14}_second\n$/)
    expect((await relata(project, 'check')).stdout).toBe('The migrations match the schema.\n')
    expect((await relata(project, 'status')).stdout).toContain('The database matches the schema.')

    expect((await relata(project, 'migrate', 'down')).stdout).toMatch(/^↓ reverted \d{14}_second\n$/)
    const after = await relata(project, 'status')
    expect(after.stdout).toMatch(/applied  \d{14}_init .*\npending  \d{14}_second\nThe database differs/)
    // Twelve processes, each loading TypeScript through tsx: about two seconds each, twenty on a machine loaded 15-fold.
  }, 480_000)

  test('pull writes the declarations of the database the config names, without Kysely\'s migration tables', async () => {
    const pulled = await relata(project, 'pull', '--out', 'pulled.ts')
    expect(pulled.stderr).toBe('')
    expect(pulled.stdout).toBe('Wrote pulled.ts\n')
    const source = await readFile(path.join(project, 'pulled.ts'), 'utf8')
    expect(source).toContain("export const authors = table('authors', {")
    expect(source).toContain("export const books = table('books', {")
    expect(source).toContain('export const schema = defineSchema(')
    expect(source).not.toContain('kysely_migration')
    const toStdout = await relata(project, 'pull')
    expect(toStdout.stdout).toBe(`${source}\n`)
  }, 120_000)
}, { only: ['postgres'] })
