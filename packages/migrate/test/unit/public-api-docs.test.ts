/** Every public export of @relata/migrate has a TSDoc comment with an `@example`, as the language service shows it on hover. */
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { expect, test } from 'vitest'

const entry = fileURLToPath(new URL('../../src/index.ts', import.meta.url))

test('every public export of @relata/migrate has a TSDoc comment with an @example', () => {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    // Without the @relata/source condition @relata/core's types are not read: only our own exports matter here.
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  })
  const checker = program.getTypeChecker()
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!
  const missing: string[] = []
  const exports = checker.getExportsOfModule(module)
  for (const exported of exports) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
    const hasDoc = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() !== ''
    const hasExample = symbol.getJsDocTags(checker).some((tag) => tag.name === 'example')
    if (!hasDoc || !hasExample) missing.push(`${exported.name} (${[hasDoc ? '' : 'no doc comment', hasExample ? '' : 'no @example'].filter(Boolean).join(', ')})`)
  }
  expect(exports.length).toBeGreaterThan(30)
  expect(missing, `exports without a doc comment and an @example:\n${missing.join('\n')}`).toEqual([])
})
