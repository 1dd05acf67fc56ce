#!/usr/bin/env node
// The `relata` command: the built CLI when the package is installed; inside the Relata monorepo,
// before a build, the TypeScript sources run through tsx with the `@relata/source` condition.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const built = new URL('../dist/cli.js', import.meta.url)
if (existsSync(fileURLToPath(built))) {
  await import(built.href)
} else {
  const tsx = createRequire(import.meta.url).resolve('tsx')
  const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))
  const child = spawnSync(process.execPath, ['--conditions=@relata/source', '--import', tsx, source, ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exitCode = child.status ?? 1
}
