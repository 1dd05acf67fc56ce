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

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

test("README's Getting started works pasted line by line into an empty folder", async () => {
  // The packed package is the built one; building it here would hide a stale or broken build.
  if (!existsSync(join(packageDir, 'dist', 'index.js'))) {
    throw new Error(`${join(packageDir, 'dist')} is missing: run \`npm run build -w @relata/core\` first (\`npm test\` does)`)
  }
  const blocks = gettingStartedBlocks(await readFile(join(rootDir, 'README.md'), 'utf8'))
  const kinds = blocks.map((block) => block.kind)
  expect(kinds).toEqual(expect.arrayContaining(['shell', 'tsconfig.json', 'seed.ts', 'output']))
  const commands = blocks.filter((block) => block.kind === 'shell').flatMap((block) => block.text.split('\n'))
  expect(commands).toEqual(expect.arrayContaining(['npx tsx seed.ts', 'npx tsc --noEmit']))
  expect(commands.some((line) => /^npm i .*@relata\/core/.test(line))).toBe(true)

  dir = await mkdtemp(join(tmpdir(), 'relata-getting-started-'))
  const project = join(dir, 'project')
  await mkdir(project)
  const packed = JSON.parse((await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: packageDir, env: childEnv() })).stdout) as { filename: string }[]
  const tarball = join(dir, packed[0]!.filename)

  // In the README's order: a file is written, a command run, an output compared with the last command's.
  let lastOutput: string | undefined
  for (const block of blocks) {
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
