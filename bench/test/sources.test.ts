/**
 * The benchmark's sources parse. They are type-checked only when `npm run bench` runs (its type
 * check needs the generated Prisma clients), so a syntax error could otherwise reach main unseen;
 * this costs no compiler program, only a parse per file.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { expect, test } from 'vitest'

const src = fileURLToPath(new URL('../src', import.meta.url))
const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'))

test('every bench/src file parses', () => {
  expect(files.length).toBeGreaterThan(10)
  const errors = files.flatMap((file) => {
    const { diagnostics = [] } = ts.transpileModule(readFileSync(join(src, file), 'utf8'), { fileName: file, reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } })
    return diagnostics.map((d) => `${file}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
  })
  expect(errors).toEqual([])
})
