/**
 * Statements counted at the driver, the same way for every contestant: each call that sends SQL
 * to the server (BEGIN and COMMIT included) adds one. Wrapped: `pg`'s `Client.prototype.query`,
 * `mysql2`'s connection `query` and `execute`, `mariadb`'s promise connection and pool `query`,
 * `execute` and `batch` (Prisma's MariaDB adapter), and PGlite's per-statement entry (`_runExclusiveQuery`,
 * which `query`, `exec` and the statements of `transaction()` all pass through). Every installed
 * copy of a driver is wrapped (MikroORM brings its own `pg` and `mysql2`).
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'

let count = 0

/** Statements sent so far (read before and after an operation). */
export function statementCount(): number {
  return count
}

const wrapped = Symbol('bench.counted')

function wrap(proto: Record<PropertyKey, any> | undefined, method: string): void {
  const original = proto?.[method]
  if (typeof original !== 'function' || original[wrapped] === true) return
  const counted = function (this: unknown, ...args: unknown[]) {
    count++
    return original.apply(this, args)
  }
  Object.defineProperty(counted, wrapped, { value: true })
  proto![method] = counted
}

/** The CommonJS `require` of a package as seen from another package's entry point (nested copies). */
function requireFrom(fromPackage: string | undefined): NodeJS.Require {
  const base = fromPackage === undefined ? import.meta.url : import.meta.resolve(fromPackage)
  return createRequire(base)
}

function packageDir(require: NodeJS.Require, name: string): string | undefined {
  try {
    let dir = dirname(require.resolve(name))
    while (!dir.endsWith(join('node_modules', name))) dir = dirname(dir)
    return dir
  } catch {
    return undefined
  }
}

/** Installs the counters; call once before any connection is made. */
export function installStatementCounters(): void {
  for (const from of [undefined, '@mikro-orm/postgresql', '@prisma/adapter-pg']) {
    const require = requireFrom(from)
    const pg = require('pg') as { Client: { prototype: object } }
    wrap(pg.Client.prototype as Record<string, unknown>, 'query')
  }
  for (const from of [undefined, '@mikro-orm/mysql']) {
    const dir = packageDir(requireFrom(from), 'mysql2')
    if (dir === undefined) continue
    const base = createRequire(fileURLToPath(import.meta.url))(join(dir, 'lib/base/connection.js')) as { prototype: object } | { default: { prototype: object } }
    const proto = 'prototype' in base ? base.prototype : base.default.prototype
    wrap(proto as Record<string, unknown>, 'query')
    wrap(proto as Record<string, unknown>, 'execute')
  }
  const mariadbDir = packageDir(requireFrom('@prisma/adapter-mariadb'), 'mariadb')
  if (mariadbDir !== undefined) {
    const require = createRequire(fileURLToPath(import.meta.url))
    // The promise API's connection and pool (a pool's query goes straight to an internal connection, not through the former).
    for (const file of ['lib/connection-promise.js', 'lib/pool-promise.js']) {
      const api = require(join(mariadbDir, file)) as { prototype: object }
      for (const method of ['query', 'execute', 'batch']) wrap(api.prototype as Record<string, unknown>, method)
    }
  }
  wrap(PGlite.prototype as unknown as Record<string, unknown>, '_runExclusiveQuery')
}
