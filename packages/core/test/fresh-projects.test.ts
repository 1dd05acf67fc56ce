/**
 * What a user gets from npm: the packed @relata/core installed into new projects (ESM TypeScript
 * with `module: nodenext`, ESM TypeScript with `moduleResolution: bundler`, CommonJS with
 * `require`, plain JavaScript ESM), at both ends of the PGlite peer range, each running a seed
 * scenario with `node`; the TypeScript ones type-checked, one of them also with the oldest and the
 * newest TypeScript of the peer range and with the release below it.
 * The workspace links of this repository hide all of this.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { mariadbTestServer, postgresTestServer, type TestServer } from '@relata/test-kit/servers'
import { describeEachDialect, type TargetName } from '@relata/test-kit/targets'
import { childEnv } from './support/child-env.js'

const run = promisify(execFile)
const packageDir = fileURLToPath(new URL('..', import.meta.url))

/**
 * The TypeScript peer range `>=5.4` at both ends, and the release below it, each installed beside
 * the project's own TypeScript 6 (npm aliases: one install) to type-check the same sources.
 */
const typescriptVersions = { oldest: '5.4.5', newest: '7.0.2', tooOld: '5.3.3' }

/**
 * The oldest and the newest pg and mysql2 that the peer ranges `^8.23.0` and `^3.24.0` admit: the
 * CommonJS project gets the oldest, the plain JavaScript one the newest.
 */
const oldestDrivers = { pg: '8.23.0', mysql2: '3.24.0' }
const newestDrivers = { pg: '8.23.1', mysql2: '3.26.1' }

/** The oldest and the newest PGlite that the peer range `>=0.5.16 <0.7` admits. */
const oldestPglite = '0.5.16'
const newestPglite = '0.6.1'

/** The seed scenario, in the syntax of each kind of project; every one prints the same line. */
const tables = `
const authors = table('authors', { id: t.serial().primaryKey(), name: t.varchar(100) })
const books = table('books', { id: t.serial().primaryKey(), title: t.varchar(200), authorId: t.integer().references(() => authors.id) })
const schema = defineSchema({ authors, books }, ({ oneToMany, manyToOne }) => ({
  authors: { books: oneToMany('books', { backPopulates: 'author' }) },
  books: { author: manyToOne('authors', { backPopulates: 'books' }) },
}))`
const scenario = `
  const orm = createOrm({ schema, dialect: pglite() })
  try {
    await orm.createTables()
    const session = orm.session()
    const author = session.create('authors', { name: 'Ada' })
    session.create('books', { title: 'Notes', author })
    session.create('books', { title: 'Letters', author })
    await session.commit()
    const found = await orm.session().query('authors').with({ books: (q) => q.orderBy('title') }).one()
    TYPE_CHECKS
    console.log(JSON.stringify({ name: found.name, books: found.books.map((book) => book.title) }))
  } finally {
    await orm.destroy()
  }`
/** The same scenario on a server: the dialect from `DATABASE_URL`'s scheme. */
const serverScenario = scenario
  .replace('pglite()', "process.env.DATABASE_URL.startsWith('mysql:') ? mysql(process.env.DATABASE_URL) : postgres(process.env.DATABASE_URL)")
  .replace('TYPE_CHECKS', '')
const expectedOutput = JSON.stringify({ name: 'Ada', books: ['Letters', 'Notes'] })

// Typed results: were `found` `any`, the `@ts-expect-error` below would be unused, an error.
const typeChecks = `const titles: string[] = found.books.map((book) => book.title)
    void titles
    // @ts-expect-error: authors have no column \`nope\`
    void found.nope`

/** The example of the package's README, which users paste first. */
const readme = await readFile(join(packageDir, 'README.md'), 'utf8')
const readmeExample = /```ts\n([\s\S]*?)```/.exec(readme)?.[1]
if (readmeExample === undefined) throw new Error('packages/core/README.md has no ```ts example')

interface Project {
  name: string
  pglite: string
  /** The pg and mysql2 installed beside it, for the server scenario `serverMain`. */
  drivers?: { pg: string; mysql2: string }
  serverMain?: string
  packageJson: Record<string, unknown>
  files: Record<string, string>
  /** After the install, `[bin relative to the project, ...args]`, run with `node`. */
  build?: string[]
  /** The seed scenario's script, run with `node`. */
  main: string
}

const projects: Project[] = [
  {
    name: 'esm-typescript-nodenext',
    pglite: newestPglite,
    packageJson: {
      type: 'module',
      devDependencies: {
        typescript: '6.0.3',
        '@types/node': '20.19.43',
        'typescript-oldest': `npm:typescript@${typescriptVersions.oldest}`,
        'typescript-newest': `npm:typescript@${typescriptVersions.newest}`,
        'typescript-too-old': `npm:typescript@${typescriptVersions.tooOld}`,
      },
    },
    files: {
      // skipLibCheck as `tsc --init` writes it: PGlite's own declarations name Emscripten's types,
      // which only its devDependencies install.
      'tsconfig.json': JSON.stringify({
        compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, skipLibCheck: true, types: ['node'], rootDir: 'src', outDir: 'build' },
        include: ['src'],
      }),
      'src/seed.ts': `import { createOrm, defineSchema, t, table } from '@relata/core'
import { pglite } from '@relata/core/pglite'
${tables}
${scenario.replace('TYPE_CHECKS', typeChecks)}
`,
      'src/readme.ts': readmeExample,
    },
    // tsc type-checks (it fails on any error) and emits the JavaScript that node runs.
    build: ['node_modules/typescript/bin/tsc', '-p', '.'],
    main: 'build/seed.js',
  },
  {
    // As behind Vite, esbuild or webpack: types resolved with `moduleResolution: bundler`; the
    // emitted ES modules then run on Node, which reads the same `exports`.
    name: 'esm-typescript-bundler',
    pglite: oldestPglite,
    packageJson: { type: 'module', devDependencies: { typescript: '6.0.3', '@types/node': '20.19.43' } },
    files: {
      'tsconfig.json': JSON.stringify({
        compilerOptions: { module: 'esnext', moduleResolution: 'bundler', target: 'es2022', strict: true, skipLibCheck: true, types: ['node'], rootDir: 'src', outDir: 'build' },
        include: ['src'],
      }),
      'src/seed.ts': `import { createOrm, defineSchema, t, table } from '@relata/core'
import { pglite } from '@relata/core/pglite'
${tables}
${scenario.replace('TYPE_CHECKS', typeChecks)}
`,
    },
    build: ['node_modules/typescript/bin/tsc', '-p', '.'],
    main: 'build/seed.js',
  },
  {
    name: 'commonjs-require',
    pglite: oldestPglite,
    drivers: oldestDrivers,
    packageJson: {},
    files: {
      'seed-server.cjs': `const { createOrm, defineSchema, t, table } = require('@relata/core')
const { postgres } = require('@relata/core/postgres')
const { mysql } = require('@relata/core/mysql')
${tables}
async function main() {${serverScenario}
}
main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
`,
      'seed.cjs': `const { createOrm, defineSchema, t, table } = require('@relata/core')
const { pglite } = require('@relata/core/pglite')
${tables}
async function main() {${scenario.replace('TYPE_CHECKS', '')}
}
main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
`,
    },
    main: 'seed.cjs',
    serverMain: 'seed-server.cjs',
  },
  {
    name: 'plain-javascript-esm',
    pglite: newestPglite,
    drivers: newestDrivers,
    packageJson: { type: 'module' },
    files: {
      'seed-server.js': `import { createOrm, defineSchema, t, table } from '@relata/core'
import { postgres } from '@relata/core/postgres'
import { mysql } from '@relata/core/mysql'
${tables}
${serverScenario}
`,
      'seed.js': `import { createOrm, defineSchema, t, table } from '@relata/core'
import { pglite } from '@relata/core/pglite'
${tables}
${scenario.replace('TYPE_CHECKS', '')}
`,
    },
    main: 'seed.js',
    serverMain: 'seed-server.js',
  },
]

/** Runs a command, failing with its output (npm's and node's errors are on stderr). */
async function runIn(cwd: string, file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout } = await run(file, args, { cwd, env: { ...childEnv(), ...env }, maxBuffer: 16 * 1024 * 1024 })
    return stdout
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string }
    throw new Error(`\`${[file, ...args].join(' ')}\` failed in ${cwd}:\n${failure.stdout ?? ''}\n${failure.stderr ?? failure.message}`)
  }
}

let root: string
let tarball: string
let packedFiles: string[]
const projectDirs = new Map<string, string>()

beforeAll(async () => {
  // The suites test the built package that `npm test` builds first; building it here would hide a
  // stale or broken build.
  if (!existsSync(join(packageDir, 'dist', 'index.js'))) {
    throw new Error(`${join(packageDir, 'dist')} is missing: run \`npm run build -w @relata/core\` first (\`npm test\` does)`)
  }
  root = await mkdtemp(join(tmpdir(), 'relata-fresh-'))
  const packed = JSON.parse(await runIn(packageDir, 'npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', root])) as {
    filename: string
    files: { path: string }[]
  }[]
  tarball = join(root, packed[0]!.filename)
  packedFiles = packed[0]!.files.map((file) => file.path)

  // One install per project, all at once: they share npm's cache.
  await Promise.all(
    projects.map(async (project) => {
      const dir = join(root, project.name)
      projectDirs.set(project.name, dir)
      await mkdir(dir)
      const packageJson = {
        name: `fresh-${project.name}`,
        version: '1.0.0',
        private: true,
        ...project.packageJson,
        dependencies: { '@relata/core': `file:${tarball}`, '@electric-sql/pglite': project.pglite, ...project.drivers },
      }
      await writeFile(join(dir, 'package.json'), JSON.stringify(packageJson, null, 2))
      for (const [file, text] of Object.entries(project.files)) {
        await mkdir(dirname(join(dir, file)), { recursive: true })
        await writeFile(join(dir, file), text)
      }
      await runIn(dir, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'])
      if (project.build !== undefined) await runIn(dir, process.execPath, project.build)
    }),
  )
}, 240_000)

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true })
})

test('the packed package ships its README, LICENSE, built files and sources', () => {
  expect(packedFiles).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'src/index.ts']))
})

test('npm and node in the projects run on the Node that runs the tests (CI runs them on the oldest and the newest supported)', async () => {
  const dir = projectDirs.get('plain-javascript-esm')!
  expect((await runIn(dir, 'node', ['--version'])).trim()).toBe(process.version)
  const npmVersions = JSON.parse(await runIn(dir, 'npm', ['version', '--json'])) as { node: string }
  expect(`v${npmVersions.node}`).toBe(process.version)
})

describe.each(projects)('a fresh $name project with @electric-sql/pglite $pglite', (project) => {
  test('runs the seed scenario', async () => {
    const dir = projectDirs.get(project.name)!
    const installed = JSON.parse(await readFile(join(dir, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }
    expect(installed.version).toBe(project.pglite)
    const output = await runIn(dir, process.execPath, [project.main])
    expect(output.trim()).toBe(expectedOutput)
  }, 180_000)
})

/** The projects with pg and mysql2, each run once on PostgreSQL and once on MariaDB, in a database of its own. */
const serverProjects = projects.filter((project) => project.drivers !== undefined)
const servers: Partial<Record<TargetName, TestServer>> = { postgres: postgresTestServer, mariadb: mariadbTestServer }
describeEachDialect(
  'the seed scenario on a server, with pg and mysql2 at both ends of their peer ranges',
  (target) => {
    const server = servers[target.name]!
    const driver = target.name === 'postgres' ? 'pg' : 'mysql2'
    test.each(serverProjects.map((project) => [project.name, project.drivers![driver], project] as const))('%s with %s', async (_name, version, project) => {
      const dir = projectDirs.get(project.name)!
      const installed = JSON.parse(await readFile(join(dir, `node_modules/${driver}/package.json`), 'utf8')) as { version: string }
      expect(installed.version).toBe(version)
      const database = await server.createDatabase()
      try {
        const output = await runIn(dir, process.execPath, [project.serverMain!], { DATABASE_URL: server.url(database) })
        expect(output.trim()).toBe(expectedOutput)
      } finally {
        await server.dropDatabase(database)
      }
    })
  },
  { only: ['postgres', 'mariadb'] },
)

describe('TypeScript at the ends of the peer range `>=5.4` type-checks the nodenext project', () => {
  test.each([typescriptVersions.oldest, typescriptVersions.newest])('TypeScript %s', async (version) => {
    const dir = projectDirs.get('esm-typescript-nodenext')!
    const alias = version === typescriptVersions.oldest ? 'typescript-oldest' : 'typescript-newest'
    expect(await runIn(dir, process.execPath, [`node_modules/${alias}/bin/tsc`, '--version'])).toContain(version)
    // The `@ts-expect-error` in seed.ts makes an `any` result an error too.
    await runIn(dir, process.execPath, [`node_modules/${alias}/bin/tsc`, '-p', '.', '--noEmit'])
  })

  test(`npm refuses to install the package beside a TypeScript pinned to ${typescriptVersions.tooOld}, below the range`, async () => {
    const dir = join(root, 'typescript-too-old')
    await mkdir(dir)
    const packageJson = { name: 'fresh-typescript-too-old', version: '1.0.0', private: true, dependencies: { '@relata/core': `file:${tarball}` }, devDependencies: { typescript: typescriptVersions.tooOld } }
    await writeFile(join(dir, 'package.json'), JSON.stringify(packageJson, null, 2))
    const failure = await runIn(dir, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline']).then(
      () => 'installed',
      (error: Error) => error.message,
    )
    expect(failure).toContain('ERESOLVE')
    expect(failure).toContain('peerOptional typescript@">=5.4" from @relata/core')
  })

  test(`TypeScript ${typescriptVersions.tooOld}, below it, fails at the first use with a type that says what to install`, async () => {
    const dir = projectDirs.get('esm-typescript-nodenext')!
    const failure = await runIn(dir, process.execPath, ['node_modules/typescript-too-old/bin/tsc', '-p', '.', '--noEmit']).then(
      () => undefined,
      (error: Error) => error.message,
    )
    expect(failure).toMatch(/src\/seed\.ts\(\d+,\d+\): error TS\d+: This expression is not callable\.\n\s+Type 'Relata_needs_TypeScript_5_4_or_newer__npm_i_D_typescript' has no call signatures/)
  })
})

test("the package README's example runs as written (type-checked and compiled in the TypeScript project)", async () => {
  const output = await runIn(projectDirs.get('esm-typescript-nodenext')!, process.execPath, ['build/readme.js'])
  expect(output.trim()).toBe("Ada [ 'Notes' ]")
})
