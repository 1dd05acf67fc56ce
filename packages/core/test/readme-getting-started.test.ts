/**
 * README's Getting started, pasted line by line into an empty folder: its commands run in order,
 * its files written where it shows them, with the packed @relata/core installed in place of the
 * registry's; the seed script prints what the README says and type-checks with its tsconfig.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, expect, test } from 'vitest'
import { mariadbTestServer, postgresTestServer, type TestServer } from '@relata/test-kit/servers'
import { describeEachDialect, type TargetName } from '@relata/test-kit/targets'
import { childEnv } from './support/child-env.js'

const run = promisify(execFile)
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const rootDir = fileURLToPath(new URL('../../..', import.meta.url))

/** A block of the section: `<!-- getting-started: KIND -->` before a fenced block; KIND is `shell`, `output` or a file name. */
interface Block {
  kind: string
  text: string
}

function gettingStartedBlocks(readme: string): Block[] {
  const start = readme.indexOf('\n## Getting started\n')
  if (start === -1) throw new Error('README.md has no "## Getting started" section')
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end === -1 ? undefined : end)
  return [...section.matchAll(/<!-- getting-started: (\S+) -->\n```\w*\n([\s\S]*?)```/g)].map((match) => ({ kind: match[1]!, text: match[2]! }))
}

/** Runs a command line with the shell, failing with its output. */
async function shell(cwd: string, line: string): Promise<string> {
  try {
    const { stdout } = await run('sh', ['-c', line], { cwd, env: childEnv(), maxBuffer: 16 * 1024 * 1024 })
    return stdout
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string }
    throw new Error(`\`${line}\` failed in ${cwd}:\n${failure.stdout ?? ''}\n${failure.stderr ?? failure.message}`)
  }
}

/**
 * The line as the test runs it: an `npm i` installs the packed package in place of the registry's
 * `@relata/core` (not published from here) and uses npm's cache first, quietly.
 */
function localLine(line: string, tarball: string): string {
  if (!/^npm (i|install)( |$)/.test(line)) return line
  return `${line.replace(/(^| )@relata\/core(?= |$)/, `$1${tarball}`)} --prefer-offline --no-audit --no-fund`
}

let dir: string | undefined
/** The project the main test set up, and the packed package, for the server variants. */
let project: string | undefined
let tarball: string | undefined
let blocks: Block[] = []

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

test("README's Getting started works pasted line by line into an empty folder", async () => {
  // The packed package is the built one; building it here would hide a stale or broken build.
  if (!existsSync(join(packageDir, 'dist', 'index.js'))) {
    throw new Error(`${join(packageDir, 'dist')} is missing: run \`npm run build -w @relata/core\` first (\`npm test\` does)`)
  }
  blocks = gettingStartedBlocks(await readFile(join(rootDir, 'README.md'), 'utf8'))
  const kinds = blocks.map((block) => block.kind)
  expect(kinds).toEqual(expect.arrayContaining(['shell', 'tsconfig.json', 'seed.ts', 'output']))
  const commands = blocks.filter((block) => block.kind === 'shell').flatMap((block) => block.text.split('\n'))
  expect(commands).toEqual(expect.arrayContaining(['npx tsx seed.ts', 'npx tsc --noEmit']))
  expect(commands.some((line) => /^npm i .*@relata\/core/.test(line))).toBe(true)

  dir = await mkdtemp(join(tmpdir(), 'relata-getting-started-'))
  project = join(dir, 'project')
  await mkdir(project)
  const packed = JSON.parse((await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: packageDir, env: childEnv() })).stdout) as { filename: string }[]
  tarball = join(dir, packed[0]!.filename)

  // In the README's order: a file is written, a command run, an output compared with the last command's.
  let lastOutput: string | undefined
  for (const block of blocks) {
    if (block.kind.startsWith('variant:')) continue
    if (block.kind === 'output') {
      expect(lastOutput?.trim(), 'the output the README shows').toBe(block.text.trim())
    } else if (block.kind === 'shell') {
      for (const line of block.text.split('\n').map((text) => text.trim())) {
        if (line === '' || line.startsWith('#')) continue
        lastOutput = await shell(project, localLine(line, tarball))
      }
    } else {
      await writeFile(join(project, block.kind), block.text)
    }
  }
}, 300_000)

/** The README's server variants: its dialect name, and the test server it runs on. */
const variants: Record<string, { target: TargetName; server: TestServer }> = {
  postgres: { target: 'postgres', server: postgresTestServer },
  mysql: { target: 'mariadb', server: mariadbTestServer },
}

describeEachDialect(
  "README's Getting started on a server",
  (target) => {
    const [name, variant] = Object.entries(variants).find(([, each]) => each.target === target.name)!
    test(`the ${name} variant: its driver installed, seed.ts with its two lines runs and type-checks`, async () => {
      if (project === undefined || tarball === undefined) throw new Error('the PGlite Getting started did not run')
      const shellBlock = blocks.find((block) => block.kind === `variant:${name}:shell`)
      const lines = blocks.find((block) => block.kind === `variant:${name}:seed.ts`)?.text.trim().split('\n')
      const seed = blocks.find((block) => block.kind === 'seed.ts')?.text
      const output = blocks.find((block) => block.kind === 'output')?.text
      if (shellBlock === undefined || lines?.length !== 2 || seed === undefined || output === undefined) {
        throw new Error(`README's Getting started has no ${name} variant (an install block and two lines of seed.ts)`)
      }
      const [importLine, ormLine] = lines as [string, string]
      for (const line of shellBlock.text.split('\n').map((text) => text.trim())) {
        if (line !== '' && !line.startsWith('#')) await shell(project, localLine(line, tarball))
      }
      const database = await variant.server.createDatabase()
      try {
        // The README's URL names a database of the reader's: here, a fresh one on the test server.
        const url = variant.server.url(database)
        const variantSeed = seed
          .replace(/^import \{ pglite \} from '@relata\/core\/pglite'$/m, importLine)
          .replace(/^const orm = createOrm\(.*\)$/m, ormLine.replace(/'(postgres|mysql):\/\/[^']*'/, `'${url}'`))
        expect(variantSeed).toContain(importLine)
        expect(variantSeed).not.toMatch(/dialect: pglite\(/)
        await writeFile(join(project, 'seed.ts'), variantSeed)
        expect((await shell(project, 'npx tsx seed.ts')).trim()).toBe(output.trim())
        await shell(project, 'npx tsc --noEmit')
      } finally {
        await variant.server.dropDatabase(database)
      }
    }, 300_000)
  },
  { only: ['postgres', 'mariadb'] },
)
