/**
 * packages/migrate/src is layered, lowest first; a folder imports only from its own layer and the
 * ones before it, so the folder graph has no cycle. Vendor differences stay in family/ (and in the
 * shape modules' introspection): no other folder names a family.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const src = fileURLToPath(new URL('../../src', import.meta.url))
const layers = [['shape', 'ts'], ['family'], ['diff'], ['codegen'], ['generate', 'run', 'pull'], ['config'], ['cli']]
const layerOf = (folder: string) => layers.findIndex((layer) => layer.includes(folder))

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []))
}

test('folders import only from their layer and the ones below', () => {
  const wrong: string[] = []
  for (const file of files(src)) {
    const path = relative(src, file)
    const folder = path.includes('/') ? path.slice(0, path.indexOf('/')) : undefined
    if (folder === undefined) continue // index.ts and migrate-error.ts
    expect(layerOf(folder), `${folder}/ is in no layer`).toBeGreaterThanOrEqual(0)
    for (const [, target] of readFileSync(file, 'utf8').matchAll(/from '\.\.\/([a-z-]+)\//g)) {
      if (layerOf(target!) > layerOf(folder)) wrong.push(`${path} imports ${target}/`)
    }
  }
  expect(wrong).toEqual([])
})

test('only family/ and the shape modules name a SQL family in code', () => {
  const naming = files(src)
    .map((file) => relative(src, file))
    .filter((path) => !path.startsWith('family/') && !path.startsWith('shape/') && !path.startsWith('pull/') && path !== 'config/relata-config.ts')
    .filter((path) => /=== '(postgres|mysql)'/.test(readFileSync(join(src, path), 'utf8')))
  expect(naming).toEqual([])
})
