/**
 * The layers of packages/core/src (README, Layout): each folder imports only from the folders
 * below it, so the folder graph has no cycle, and no module imports (at run time) one that imports
 * it back; and no module outside dialect/ asks which database it talks to (vendor behaviour lives
 * in the dialect adapters).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src')

/** Lowest first: a module may import from its own layer and from the layers before it. */
export const layers = [
  ['errors', 'query-log', 'testing'],
  ['schema'],
  ['sql'],
  ['values'],
  ['dialect'],
  ['tracking'],
  ['query'],
  ['types'],
  ['loading'],
  ['unit-of-work'],
  ['ddl'],
  ['session'],
  ['orm'],
  ['index', 'internal'],
] as const

const rank = new Map<string, number>(layers.flatMap((names, i) => names.map((name) => [name, i] as const)))

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  )
}

/** The layer of a module: its top folder under src/, or its file name for the modules at the root. */
const layerOf = (file: string): string => relative(src, file).split('/')[0]!.replace(/\.ts$/, '')

/** Every relative import, `import type` and re-exports included: a type-only cycle still ties the folders together. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')))
}

/** The modules a file loads at run time: `import type` and `export type` are erased by the compiler. */
function runtimeImportsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/^(?:import|export)(?!\s+type\b)[^;']*?from\s*'(\.{1,2}\/[^']+)'/gm)].map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')))
}

/** The first cycle found by a depth-first walk of the module graph, as a path of module names; none: undefined. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (module: string): string[] | undefined => {
    state.set(module, 'open')
    path.push(module)
    for (const next of graph.get(module) ?? []) {
      if (state.get(next) === 'open') return [...path.slice(path.indexOf(next)), next]
      if (state.get(next) === undefined) {
        const cycle = visit(next)
        if (cycle !== undefined) return cycle
      }
    }
    path.pop()
    state.set(module, 'done')
    return undefined
  }
  for (const module of graph.keys()) {
    if (state.get(module) === undefined) {
      const cycle = visit(module)
      if (cycle !== undefined) return cycle.map((m) => relative(src, m))
    }
  }
  return undefined
}

const files = sourceFiles(src)

describe('layers of packages/core/src', () => {
  test('every folder has a layer', () => {
    expect(files.map(layerOf).filter((layer) => !rank.has(layer))).toEqual([])
  })

  test('no module imports from a layer above its own', () => {
    const upward = files.flatMap((file) =>
      importsOf(file)
        .filter((target) => rank.get(layerOf(target))! > rank.get(layerOf(file))!)
        .map((target) => `${relative(src, file)} -> ${relative(src, target)}`),
    )
    expect(upward).toEqual([])
  })

  test('no module loads, through its imports, a module that loads it back', () => {
    expect(findCycle(new Map(files.map((file) => [file, runtimeImportsOf(file)])))).toBeUndefined()
  })

  test('the cycle finder finds a cycle', () => {
    const graph = new Map([[join(src, 'a.ts'), [join(src, 'b.ts')]], [join(src, 'b.ts'), [join(src, 'c.ts')]], [join(src, 'c.ts'), [join(src, 'a.ts')]]])
    expect(findCycle(graph)).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts'])
  })
})

/**
 * What asking "which database is this?" looks like: the family, a family's or dialect's name, the
 * JSON aggregation kind, or code named after one database (`postgresElementType`, `mariadbRelation`).
 */
const vendorQuestion = /\bfamily\b|\bjsonAggregation\b|'(?:postgres|mysql|mariadb|pglite)'|\b(?:postgres|mysql|mariadb|pglite)[A-Z]\w*/

describe('vendor behaviour', () => {
  test('no module outside dialect/ asks which database it talks to', () => {
    const outside = files.filter((file) => layerOf(file) !== 'dialect')
    const questions = outside.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line: line.trim(), at: `${relative(src, file)}:${i + 1}` }))
        // Comments may name databases; code may not branch on them.
        .filter(({ line }) => !line.startsWith('*') && !line.startsWith('//') && !line.startsWith('/*') && vendorQuestion.test(line))
        .map(({ at, line }) => `${at}: ${line}`),
    )
    expect(questions).toEqual([])
  })
})
