/**
 * README.md's TypeScript is code that compiles: every ```ts block quotes a file that the root
 * tsconfig type-checks or the tests run (examples/*\/src, packages/core/test). Each block's lines,
 * trimmed, without blank and comment-only lines, must appear in that order in one such file.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const root = fileURLToPath(new URL('../../..', import.meta.url))

/** Trimmed lines, without blank lines and lines that are only a comment. */
function codeLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(\/\/|\/\*.*\*\/$|\/\*\*|\*\/|\*( |$))/.test(line))
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : tsFiles(path)
    return /\.(ts|mts|tsx)$/.test(entry.name) ? [path] : []
  })
}

const sources = [
  ...readdirSync(join(root, 'examples'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      try {
        return tsFiles(join(root, 'examples', entry.name, 'src'))
      } catch {
        return [] // an example without src/
      }
    }),
  ...tsFiles(join(root, 'packages/core/test')),
].map((path) => ({ path: relative(root, path), lines: codeLines(readFileSync(path, 'utf8')) }))

/** How many of `block`'s lines appear in order in `file` before the first one that does not. */
function matched(block: readonly string[], file: readonly string[]): number {
  let at = 0
  for (const line of file) if (at < block.length && line === block[at]) at++
  return at
}

/** The ```ts blocks of README.md, with the line each starts on. */
const readme = readFileSync(join(root, 'README.md'), 'utf8').split('\n')
const blocks: { line: number; lines: string[] }[] = []
for (let i = 0; i < readme.length; i++) {
  if (readme[i]!.trim() !== '```ts') continue
  const end = readme.findIndex((line, j) => j > i && line.trim() === '```')
  if (end === -1) throw new Error(`README.md:${i + 1}: a \`\`\`ts block is not closed`)
  blocks.push({ line: i + 1, lines: codeLines(readme.slice(i + 1, end).join('\n')) })
  i = end
}

describe('README.md', () => {
  test('has TypeScript blocks to check', () => {
    expect(blocks.length).toBeGreaterThan(0)
    expect(sources.length).toBeGreaterThan(0)
  })

  for (const block of blocks) {
    const best = sources
      .map((source) => ({ path: source.path, count: matched(block.lines, source.lines) }))
      .reduce((a, b) => (b.count > a.count ? b : a))
    const found = best.count === block.lines.length && block.lines.length > 0
    test(`the ts block at line ${block.line} quotes ${found ? best.path : 'a compiled file'}`, () => {
      expect(block.lines.length, `README.md:${block.line}: the block has no code`).toBeGreaterThan(0)
      if (!found) {
        expect.fail(
          `README.md:${block.line}: the block's lines do not appear in order in any file under examples/*/src or packages/core/test.\n` +
            `Closest: ${best.path} has the first ${best.count} of ${block.lines.length}; it lacks (after those, in order):\n  ${block.lines[best.count]}`,
        )
      }
    })
  }
})
