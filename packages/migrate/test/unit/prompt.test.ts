/** The rename question on a terminal: one per disappearance, a number picks a candidate or the drop, anything else asks again. */
import { PassThrough } from 'node:stream'
import { expect, test } from 'vitest'
import { askRenames } from '../../src/cli/prompt.js'

test('answers become renames and drops; a wrong answer is asked again', async () => {
  const input = new PassThrough()
  const output = new PassThrough()
  let shown = ''
  output.on('data', (chunk: Buffer) => (shown += chunk.toString()))
  const answers = askRenames(
    [
      { kind: 'ambiguous', table: 'books', dropped: 'title', candidates: ['name', 'pages'] },
      { kind: 'ambiguous', table: null, dropped: 'authors', candidates: ['writers'] },
    ],
    { input, output },
  )
  input.write('7\n1\n2\n')
  expect(await answers).toEqual({ renames: { 'books.title': 'name' }, drops: ['authors'] })
  expect(shown).toContain('Column books.title is gone and name, pages appeared. Was it\n  1) renamed to name\n  2) renamed to pages\n  3) dropped\n> ')
  expect(shown.match(/Column books\.title is gone/g)).toHaveLength(2)
  expect(shown).toContain('Table authors is gone and writers appeared. Was it\n  1) renamed to writers\n  2) dropped\n> ')
})

test('input that ends before an answer is an error naming the question', async () => {
  const input = new PassThrough()
  const answers = askRenames([{ kind: 'ambiguous', table: 'books', dropped: 'title', candidates: ['name'] }], { input, output: new PassThrough() })
  input.end()
  await expect(answers).rejects.toThrow('No answer for column books.title: pass --rename or --drop')
})
