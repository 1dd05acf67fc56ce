/**
 * The monorepo example as a user runs it (`npm start`), against the built packages: @relata/core's
 * dist/ and @relata-examples/monorepo-db's dist/, both resolved by package name. `npm test` builds
 * them first (`npm run check:dist`); its type test, test/boundary.types.ts, runs there too.
 */
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, test } from 'vitest'

const run = promisify(execFile)
const app = fileURLToPath(new URL('..', import.meta.url))
const dbDist = fileURLToPath(new URL('../../monorepo-db/dist', import.meta.url))
const coreDist = fileURLToPath(new URL('../../../packages/core/dist', import.meta.url))

describe('monorepo example', () => {
  beforeAll(() => {
    for (const dist of [coreDist, dbDist]) {
      if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build && npm run build:examples\` (npm test does)`)
    }
  })

  test('the app resolves both packages to their built files, by name', async () => {
    const script = "for (const p of ['@relata/core', '@relata/core/pglite', '@relata-examples/monorepo-db']) console.log(import.meta.resolve(p))"
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app })
    expect(stdout.trim().split('\n').map((url) => fileURLToPath(url))).toEqual([`${coreDist}/index.js`, `${coreDist}/pglite.js`, `${dbDist}/index.js`])
  })

  test("the db package's declarations name Relata's types, with no any", () => {
    const declarations = readdirSync(dbDist).filter((file) => file.endsWith('.d.ts'))
    expect(declarations.sort()).toEqual(['index.d.ts', 'schema.d.ts'])
    for (const file of declarations) {
      const code = readFileSync(`${dbDist}/${file}`, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
      expect(code, file).not.toMatch(/\bany\b/)
      expect(code, file).not.toMatch(/node_modules|packages\/core|\/src\//)
    }
    // The schema travels under its declared name, whose structure is Relata's Schema type.
    const schemaDeclarations = readFileSync(`${dbDist}/schema.d.ts`, 'utf8')
    expect(schemaDeclarations).toContain('declare const blogSchema: import("@relata/core").Schema<')
    expect(schemaDeclarations).toContain('export interface BlogSchema extends InferredBlogSchema')
    expect(schemaDeclarations).toContain('export declare const schema: BlogSchema;')
  })

  test('npm start prints what it finds', async () => {
    const env = { ...process.env, DATABASE_URL: '', NODE_OPTIONS: '' }
    const { stdout } = await run('npm', ['start', '--silent'], { cwd: app, env, timeout: 90_000 })
    expect(stdout.split('\n').filter((line) => line !== '')).toEqual([
      'Committed: users 1 and 2, posts 1 and 2',
      '"Types across packages" by Ada [databases, typescript], rating 4.5, 0 views',
      '  Grace: No any in sight.',
      '  anonymous: Nice.',
      'Tagged typescript: Types across packages, Still a draft',
      'Profile of Ada: Ada writes here',
      'Same author object through both paths: true',
    ])
  }, 120_000)
})
