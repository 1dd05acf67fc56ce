/**
 * What an editor shows (issue #19): the quick info (hover) of entities, query results and
 * relations, and the text of the type errors a user meets most, read from a TypeScript language
 * service over small in-memory files, as an editor reads them. No database.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { beforeAll, describe, expect, test } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..')
/** The in-memory files sit beside this test, so that `@relata/core` resolves as it does for the tests. */
const dir = resolve(dirname(fileURLToPath(import.meta.url)), 'editor-fixtures')

const tables = `
import { defineSchema, t, table, type Session } from '@relata/core'

const authors = table('authors', { id: t.serial().primaryKey(), name: t.varchar(100) })
const books = table('books', { id: t.serial().primaryKey(), title: t.varchar(200), authorId: t.integer().references(() => authors.id) })
`

/** The schema as README recommends it for editors: one named interface, so types name it instead of spelling it out. */
const namedSchema = `${tables}
const librarySchema = defineSchema({ authors, books }, ({ oneToMany, manyToOne }) => ({
  authors: { books: oneToMany('books', { backPopulates: 'author' }) },
  books: { author: manyToOne('authors', { backPopulates: 'books' }) },
}))
type LibrarySchema = typeof librarySchema
export interface Library extends LibrarySchema {}
export const schema: Library = librarySchema
declare const session: Session<Library>
`

const files: Record<string, string> = {
  'hovers.ts': `${namedSchema}
export async function hovers(): Promise<unknown> {
  const /*@entity*/first = await session.query('authors').first()
  const /*@result*/loaded = await session.query('authors').with({ books: true }).one()
  const /*@loadedRelation*/loadedBooks = loaded.books
  const /*@unloadedRelation*/unloadedBooks = (await session.query('authors').one()).books
  const /*@unloadedReference*/unloadedAuthor = (await session.query('books').one()).author
  return [first, loadedBooks, unloadedBooks, unloadedAuthor]
}
`,
  // The schema left to inference (typeof schema): errors must still say what to do.
  'errors.ts': `${tables}
const schema = defineSchema({ authors, books }, ({ oneToMany, manyToOne }) => ({
  authors: { books: oneToMany('books', { backPopulates: 'author' }) },
  books: { author: manyToOne('authors', { backPopulates: 'books' }) },
}))
declare const session: Session<typeof schema>

export async function errors(): Promise<unknown> {
  const author = await session.query('authors').one()
  const book = await session.query('books').one()
  return [
    /*@unloadedCollection*/author.books.length,
    /*@unloadedReference*/book.author.name,
    /*@unknownTable*/session.query('bookz'),
    /*@unknownOrderColumn*/session.query('books').orderBy('titel'),
  ]
}
`,
  // The same mistakes with the schema named: the messages name it, and never spell out its structure.
  'named-errors.ts': `${namedSchema}
export async function errors(): Promise<unknown> {
  const author = await session.query('authors').one()
  return [
    /*@unloadedCollection*/author.books.length,
    /*@unknownTable*/session.query('bookz'),
    /*@unknownWhereColumn*/session.query('books').where({ titel: 'x' }),
  ]
}
`,
  'completions.ts': `${namedSchema}
export const query = session.query('authors').with({ books: (q) => q./*@relationQuery*/orderBy('title') })
export async function handle(): Promise<unknown> {
  const author = await session.query('authors').one()
  return author.books./*@handle*/load()
}
`,
}

let service: ts.LanguageService

beforeAll(() => {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })
  if (config === undefined) throw new Error('tsconfig.json could not be read')
  const virtual = new Map(Object.entries(files).map(([name, text]) => [join(dir, name), text]))
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [...virtual.keys()],
    getScriptVersion: () => '1',
    getScriptSnapshot: (file) => {
      const text = virtual.get(file) ?? (existsSync(file) ? readFileSync(file, 'utf8') : undefined)
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text)
    },
    fileExists: (file) => virtual.has(file) || ts.sys.fileExists(file),
    readFile: (file) => virtual.get(file) ?? ts.sys.readFile(file),
    getCurrentDirectory: () => root,
    getCompilationSettings: () => ({ ...config.options, noEmit: true }),
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  }
  service = ts.createLanguageService(host)
}, 120_000)

/** Position just after `/*@name*\/` in one of the files. */
function at(file: string, name: string): { path: string; position: number } {
  const text = files[file]!
  const index = text.indexOf(`/*@${name}*/`)
  if (index < 0) throw new Error(`${file} has no marker ${name}`)
  return { path: join(dir, file), position: index + `/*@${name}*/`.length }
}

function hover(name: string): string {
  const { path, position } = at('hovers.ts', name)
  return ts.displayPartsToString(service.getQuickInfoAtPosition(path, position)?.displayParts)
}

/** The message of the error on a marker's line. */
function errorAt(name: string, file = 'errors.ts'): string {
  const { path, position } = at(file, name)
  const lineEnd = files[file]!.indexOf('\n', position)
  const diagnostics = service.getSemanticDiagnostics(path).filter((d) => d.start !== undefined && d.start >= position && d.start < lineEnd)
  expect(diagnostics, `one error at ${name}`).toHaveLength(1)
  return ts.flattenDiagnosticMessageText(diagnostics[0]!.messageText, '\n')
}

/** What a hover of these seed tables may cost: about as long as MikroORM's, far from the 700 characters of the spelt-out schema. */
const budget = 200

describe('hovers name the schema and the table, never the schema structure', () => {
  test('the file type-checks', () => {
    const errors = service.getSemanticDiagnostics(join(dir, 'hovers.ts'))
    expect(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([])
  }, 120_000)

  test('an entity from first()', () => {
    const text = hover('entity')
    expect(text).toBe('const first: Loaded<Library, "authors", {}> | undefined')
  })

  test('a query result with a loaded relation says which', () => {
    const text = hover('result')
    expect(text.replace(/\s+/g, ' ')).toBe('const loaded: Loaded<Library, "authors", { books: true; }>')
    expect(text.length).toBeLessThan(budget)
  })

  test('a loaded relation is a LoadedCollection of the related entity', () => {
    const text = hover('loadedRelation')
    expect(text.replace(/\s+/g, ' ')).toBe('const loadedBooks: LoadedCollection<Loaded<Library, "books", {}>, { id: number; title: string; authorId: number; }>')
    expect(text.length).toBeLessThan(budget)
  })

  test('an unloaded relation says it is not loaded and how to load it', () => {
    const books = hover('unloadedRelation')
    expect(books).toBe(
      'const unloadedBooks: NotLoaded<"not loaded: .with({ books: true }) or await .load()", Collection<Entity<Library, "books">, ColumnsOnly<Entity<Library, "books">>>>',
    )
    expect(books.length).toBeLessThan(budget)
    const author = hover('unloadedReference')
    expect(author).toBe('const unloadedAuthor: NotLoaded<"not loaded: .with({ author: true }) or await .load()", Reference<Entity<Library, "authors">, false>>')
    expect(author.length).toBeLessThan(budget)
  })

  test('no hover spells out the schema', () => {
    for (const name of ['entity', 'result', 'loadedRelation', 'unloadedRelation', 'unloadedReference']) {
      expect(hover(name)).not.toMatch(/Schema<|Table<|Column<|RelationDef</)
    }
  })
})

describe('errors say how to fix them', () => {
  test('reading an unloaded collection as an array names the way to load it', () => {
    const message = errorAt('unloadedCollection')
    expect(message).toMatch(/^Property 'length' does not exist on type 'NotLoaded<"not loaded: \.with\(\{ books: true \}\) or await \.load\(\)", Collection</)
  })

  test('reading through an unloaded reference names the way to load it', () => {
    const message = errorAt('unloadedReference')
    expect(message).toMatch(/^Property 'name' does not exist on type 'NotLoaded<"not loaded: \.with\(\{ author: true \}\) or await \.load\(\)", Reference</)
  })

  test('an unknown table lists the tables, not the schema', () => {
    expect(errorAt('unknownTable')).toBe(`Argument of type '"bookz"' is not assignable to parameter of type '"authors" | "books"'.`)
  })

  test('an unknown column in orderBy lists the columns', () => {
    expect(errorAt('unknownOrderColumn')).toBe(`Argument of type '"titel"' is not assignable to parameter of type '"id" | "title" | "authorId"'.`)
  })
})

describe('with the schema named, errors name it and never spell out its structure', () => {
  test('an unloaded relation', () => {
    const message = errorAt('unloadedCollection', 'named-errors.ts')
    expect(message).toBe(
      `Property 'length' does not exist on type 'NotLoaded<"not loaded: .with({ books: true }) or await .load()", Collection<Entity<Library, "books">, ColumnsOnly<Entity<Library, "books">>>>'.`,
    )
  })

  test('an unknown table', () => {
    expect(errorAt('unknownTable', 'named-errors.ts')).toBe(`Argument of type '"bookz"' is not assignable to parameter of type '"authors" | "books"'.`)
  })

  test('an unknown column in where({ ... }) is matched with the closest column', () => {
    const message = errorAt('unknownWhereColumn', 'named-errors.ts')
    expect(message).toContain("'titel' does not exist in type '{ readonly id?: number | undefined; readonly title?: string | undefined; readonly authorId?: number | undefined; }")
    expect(message).toContain("Did you mean to write 'title'?")
    expect(message).not.toMatch(/Schema<|Table<|Column<|RelationDef</)
  })
})

describe('completions', () => {
  test('a relation query inside .with() offers its methods, not the internal $loaded', () => {
    const { path, position } = at('completions.ts', 'relationQuery')
    const names = service.getCompletionsAtPosition(path, position, { triggerCharacter: '.' })?.entries.map((e) => e.name) ?? []
    expect(names).toContain('orderBy')
    expect(names).toContain('with')
    expect(names.filter((n) => n.startsWith('$'))).toEqual([])
    expect(names.length).toBe(new Set(names).size)
  })

  test("an unloaded relation offers the handle's methods, not its label", () => {
    const { path, position } = at('completions.ts', 'handle')
    const names = service.getCompletionsAtPosition(path, position, { triggerCharacter: '.' })?.entries.map((e) => e.name) ?? []
    expect(names.sort()).toEqual(['add', 'clear', 'count', 'load', 'remove', 'set'])
  })
})
