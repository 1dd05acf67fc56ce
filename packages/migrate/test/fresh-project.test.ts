/**
 * `npx relata` in a new project, as a user meets it: @relata/core and @relata/migrate packed (built
 * by `npm test` first) and installed from their tarballs with npm beside PGlite, a schema and a
 * relata.config.ts in TypeScript, then generate, migrate, check and pull on a PGlite data directory.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { childEnv } from '../../core/test/support/child-env.js'

const run = promisify(execFile)
const packages = { core: fileURLToPath(new URL('../../core', import.meta.url)), migrate: fileURLToPath(new URL('..', import.meta.url)) }

/** Runs a command in the project; a failure carries its output. */
async function runIn(cwd: string, file: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(file, args, { cwd, env: childEnv(), maxBuffer: 16 * 1024 * 1024 })
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string }
    throw new Error(`\`${[file, ...args].join(' ')}\` failed in ${cwd}:\n${failure.stdout ?? ''}\n${failure.stderr ?? failure.message}`)
  }
}

const schemaSource = (withPages: boolean) => `import { defineSchema, t, table } from '@relata/core'
export const authors = table('authors', { id: t.serial().primaryKey(), name: t.varchar(100) })
export const books = table('books', {
  id: t.serial().primaryKey(),
  title: t.varchar(200),
  authorId: t.integer().references(() => authors.id),${withPages ? '\n  pages: t.integer().default(0),' : ''}
})
export const schema = defineSchema({ authors, books }, ({ oneToMany, manyToOne }) => ({
  authors: { books: oneToMany('books', { backPopulates: 'author' }) },
  books: { author: manyToOne('authors', { backPopulates: 'books' }) },
}), { casing: 'snake_case' })
`

let root: string
let project: string

beforeAll(async () => {
  for (const dir of Object.values(packages)) {
    if (!existsSync(join(dir, 'dist', 'index.js'))) throw new Error(`${join(dir, 'dist')} is missing: run \`npm run build\` first (\`npm test\` does)`)
  }
  root = await mkdtemp(join(tmpdir(), 'relata-migrate-fresh-'))
  const tarballs: Record<string, string> = {}
  for (const [name, dir] of Object.entries(packages)) {
    const packed = JSON.parse((await runIn(dir, 'npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', root])).stdout) as { filename: string }[]
    tarballs[name] = join(root, packed[0]!.filename)
  }
  project = join(root, 'app')
  await mkdir(project)
  const packageJson = {
    name: 'fresh-migrate',
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies: { '@relata/core': `file:${tarballs.core}`, '@electric-sql/pglite': '0.5.16' },
    devDependencies: { '@relata/migrate': `file:${tarballs.migrate}` },
  }
  await writeFile(join(project, 'package.json'), JSON.stringify(packageJson, null, 2))
  await writeFile(join(project, 'schema.ts'), schemaSource(false))
  await writeFile(
    join(project, 'relata.config.ts'),
    `import { defineConfig } from '@relata/migrate'\nexport default defineConfig({ schema: './schema.ts', url: 'pglite:./data', migrations: './migrations' })\n`,
  )
  await runIn(project, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'])
}, 300_000)

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true })
})

test('npx relata generates, applies and checks migrations, and pulls the declarations back', async () => {
  const init = await runIn(project, 'npx', ['relata', 'generate', 'init'])
  expect(init.stdout).toMatch(/^Wrote migrations\/\d{14}_init\.ts\n {2}\+ table authors\n {2}\+ table books\n/)
  expect((await runIn(project, 'npx', ['relata', 'migrate'])).stdout).toMatch(/^↑ applied \d{14}_init\n$/)
  expect((await runIn(project, 'npx', ['relata', 'check'])).stdout).toBe('The migrations match the schema.\n')

  await writeFile(join(project, 'schema.ts'), schemaSource(true))
  const second = await runIn(project, 'npx', ['relata', 'generate', 'add_pages'])
  expect(second.stdout).toContain('+ column books.pages')
  expect((await runIn(project, 'npx', ['relata', 'migrate'])).stdout).toMatch(/^↑ applied \d{14}_add_pages\n$/)
  expect((await runIn(project, 'npx', ['relata', 'status'])).stdout).toContain('The database matches the schema.')
  expect((await readdir(join(project, 'migrations'))).filter((file) => file.endsWith('.ts'))).toHaveLength(2)

  const pulled = await runIn(project, 'npx', ['relata', 'pull', '--out', 'pulled.ts'])
  expect(pulled.stdout).toBe('Wrote pulled.ts\n')
  const source = await readFile(join(project, 'pulled.ts'), 'utf8')
  expect(source).toContain("from '@relata/core'")
  expect(source).toContain('pages: t.integer().default(0),')
  expect(source).not.toContain('kysely_migration')
}, 300_000)
