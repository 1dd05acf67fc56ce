/**
 * Budgets of what the types cost (issue #19): the type instantiations TypeScript needs to check a
 * generated 50-table schema (bench/type-cost's plan) and a few queries over it, and the length of
 * a query result's hover there. Both are deterministic for one TypeScript version and one set of
 * sources, unlike times; a change that makes the types much dearer fails here, not in users' editors.
 */
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { expect, test } from 'vitest'
// @ts-expect-error bench/ is plain JavaScript without declarations
import { key, plan, schemaSource } from '../../../../bench/type-cost/relata-schema.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..')
const dir = resolve(dirname(fileURLToPath(import.meta.url)), 'type-cost-fixtures')

/** 168k measured at 50 tables with TypeScript 6.0.3, library sources included: room for growth, not for a regression. */
const instantiationBudget = 220_000
const hoverBudget = 200

test('a 50-table schema and queries over it stay within the instantiation and hover budgets', () => {
  const n = 50
  const { source } = schemaSource(n) as { source: string }
  const entities = (plan(n) as { i: number; link: boolean; parent?: number }[]).filter((d) => !d.link && d.parent !== undefined)
  const k = key(entities[Math.floor(entities.length / 2)]!.i) as string
  // One file, schema and use, as bench/editor measures it (the schema's type named, as README recommends).
  const usage = [
    source.replace(`import { defineSchema, t, table, type AnyColumn } from '@relata/core'`, `import { defineSchema, t, table, type AnyColumn, type Session } from '@relata/core'`),
    `type AppSchemaInferred = typeof schema`,
    `export interface AppSchema extends AppSchemaInferred {}`,
    `declare const session: Session<AppSchema>`,
    `export async function run(): Promise<unknown> {`,
    `  const /*@hover*/loaded = await session.query('${k}').with({ parent: true }).where({ active: true }).first()`,
    `  const entity = await session.query('${k}').orderBy('name').one()`,
    `  return [loaded?.parent?.name, await entity.parent?.load()]`,
    `}`,
  ].join('\n')
  const files = new Map([[join(dir, 'app.ts'), usage]])
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })
  if (config === undefined) throw new Error('tsconfig.json could not be read')
  const options = { ...config.options, noEmit: true }
  const host = ts.createCompilerHost(options)
  const readFile = host.readFile.bind(host)
  const fileExists = host.fileExists.bind(host)
  host.readFile = (file) => files.get(file) ?? readFile(file)
  host.fileExists = (file) => files.has(file) || fileExists(file)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (file, language, ...rest) => {
    const text = files.get(file)
    return text === undefined ? getSourceFile(file, language, ...rest) : ts.createSourceFile(file, text, language, true)
  }
  const program = ts.createProgram([...files.keys()], options, host)
  const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.file !== undefined && files.has(d.file.fileName))
  expect(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([])

  const instantiations = program.getInstantiationCount()
  expect(instantiations, `${instantiations} instantiations`).toBeLessThan(instantiationBudget)

  const app = program.getSourceFile(join(dir, 'app.ts'))!
  const position = usage.indexOf('/*@hover*/') + '/*@hover*/'.length
  const identifier = (function find(node: ts.Node): ts.Node | undefined {
    if (node.getStart(app) === position && ts.isIdentifier(node)) return node
    return ts.forEachChild(node, find)
  })(app)!
  const checker = program.getTypeChecker()
  const hover = `const loaded: ${checker.typeToString(checker.getTypeAtLocation(identifier), identifier, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope)}`
  expect(hover).toBe(`const loaded: Loaded<AppSchema, "${k}", { parent: true; }> | undefined`)
  expect(hover.length).toBeLessThan(hoverBudget)
}, 300_000)
