// `npm run bench`: generates the Prisma clients when missing, type-checks the bench, then runs
// src/run.ts through tsx with Relata's sources (`--conditions=@relata/source`) and --expose-gc.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const bench = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(path.join(bench, 'package.json'))
const run = (file, args, env = {}) => execFileSync(process.execPath, [file, ...args], { cwd: bench, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } })

for (const db of ['postgres', 'mariadb']) {
  if (existsSync(path.join(bench, '.generated', `prisma-${db}`, 'client.ts'))) continue
  process.stderr.write(`generating the Prisma client for ${db}\n`)
  // Offline: generate needs no engine binary; the schema engine is only for migrate, which the bench does not use.
  run(require.resolve('prisma/build/index.js'), ['generate', '--schema', `prisma/${db}.prisma`], { PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false', PRISMA_HIDE_UPDATE_MESSAGE: '1' })
}

if (process.env.BENCH_TYPECHECK !== '0') {
  process.stderr.write('type-checking bench/ (BENCH_TYPECHECK=0 skips)\n')
  run(require.resolve('typescript/bin/tsc'), ['-p', 'tsconfig.json'])
}

const result = spawnSync(process.execPath, ['--expose-gc', '--conditions=@relata/source', '--import', 'tsx', 'src/run.ts'], { cwd: bench, stdio: 'inherit' })
process.exit(result.status ?? 1)
