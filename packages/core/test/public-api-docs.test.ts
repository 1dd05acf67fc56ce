/**
 * Every public export of @relata/core (its entry points `.`, `./pglite`, `./postgres` and `./mysql`)
 * has a TSDoc comment with an `@example`, as the TypeScript language service shows it on hover.
 */
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { expect, test } from 'vitest'

const entryPoints = ['index.ts', 'dialect/postgres/pglite.ts', 'dialect/postgres/postgres.ts', 'dialect/mysql/mysql.ts'].map((file) =>
  fileURLToPath(new URL(`../src/${file}`, import.meta.url)),
)

/** Each export of each entry point, as `entry: name`, with what its documentation lacks. */
function undocumentedExports(): { checked: number; missing: string[] } {
  const program = ts.createProgram(entryPoints, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  })
  const checker = program.getTypeChecker()
  const missing: string[] = []
  let checked = 0
  for (const file of entryPoints) {
    const source = program.getSourceFile(file)
    const module = source && checker.getSymbolAtLocation(source)
    if (module === undefined) throw new Error(`${file} is not a module`)
    for (const exported of checker.getExportsOfModule(module)) {
      checked++
      // A re-export (`export { x } from`) is documented where it is declared.
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      const hasDoc = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() !== ''
      const hasExample = symbol.getJsDocTags(checker).some((tag) => tag.name === 'example')
      if (!hasDoc || !hasExample) {
        const lacks = [hasDoc ? undefined : 'no doc comment', hasExample ? undefined : 'no @example'].filter(Boolean).join(', ')
        missing.push(`${file.slice(file.lastIndexOf('/src/') + 5)}: ${exported.name} (${lacks})`)
      }
    }
  }
  return { checked, missing }
}

test('every public export has a TSDoc comment with an @example', () => {
  const { checked, missing } = undocumentedExports()
  expect(checked, 'no exports found: the entry points moved?').toBeGreaterThan(50)
  expect(missing, `exports without a doc comment and an @example:\n${missing.join('\n')}`).toEqual([])
})
