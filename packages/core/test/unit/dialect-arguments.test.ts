/** Dialect arguments a user can get wrong, refused at the call; a server that cannot be reached, reported as a `ConnectionError`. */
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { sql } from 'kysely'
import { describe, expect, test } from 'vitest'
import { connectionError } from '../../src/dialect/connect-errors.js'
import { importDriver } from '../../src/dialect/driver-import.js'
import { maskPassword } from '../../src/dialect/connection-url.js'
import { mysql } from '../../src/dialect/mysql/mysql.js'
import { pglite } from '../../src/dialect/postgres/pglite.js'
import { postgres } from '../../src/dialect/postgres/postgres.js'
import { ConnectionError, createOrm, RelataError } from '../../src/index.js'
import { schema } from '../fixtures/books.js'

describe('connection URLs', () => {
  test("a URL of the other dialect's scheme is refused at the call, its password masked", () => {
    const call = () => postgres('mysql://root:secret@127.0.0.1:3306/app')
    expect(call).toThrow(RelataError)
    expect(call).toThrow('postgres() takes a postgres:// or postgresql:// URL, got mysql://root:***@127.0.0.1:3306/app')
    expect(() => mysql('postgres://postgres:hunter2@127.0.0.1:5432/app')).toThrow(
      'mysql() takes a mysql:// or mariadb:// URL, got postgres://postgres:***@127.0.0.1:5432/app',
    )
    expect(() => postgres({ connectionString: 'mysql://root@db/app' })).toThrow('postgres() takes a postgres:// or postgresql:// URL, got mysql://root@db/app')
    expect(() => mysql({ uri: 'postgresql://db/app' })).toThrow('mysql() takes a mysql:// or mariadb:// URL, got postgresql://db/app')
  })

  test('a string that is not a URL is refused at the call', () => {
    expect(() => postgres('not a url')).toThrow(RelataError)
    expect(() => postgres('not a url')).toThrow('postgres() takes a postgres:// or postgresql:// URL, got "not a url", which is not a URL')
    expect(() => mysql('localhost:3306')).toThrow(RelataError)
    expect(() => mysql('')).toThrow('mysql() takes a mysql:// or mariadb:// URL, got "", which is not a URL')
  })

  test('the URLs each dialect takes are accepted', () => {
    for (const url of ['postgres://u:p@h:5432/d', 'postgresql://h/d', 'socket:/var/run/postgresql?db=d', '/var/run/postgresql d']) {
      expect(() => postgres(url)).not.toThrow()
    }
    for (const url of ['mysql://u:p@h:3306/d', 'mariadb://h/d']) expect(() => mysql(url)).not.toThrow()
  })

  test('passwords are masked, also in what is not a URL', () => {
    expect(maskPassword('postgres://u:p%40ss@h/d')).toBe('postgres://u:***@h/d')
    expect(maskPassword('mysql://u:pa ss@h:x/d')).toBe('mysql://u:***@h:x/d')
    expect(maskPassword('postgres://h/d')).toBe('postgres://h/d')
  })
})

describe('pglite() arguments from JavaScript', () => {
  test('anything but a string, options or an instance is refused at the call', () => {
    const untyped = pglite as (...args: unknown[]) => unknown
    expect(() => untyped(5432)).toThrow(RelataError)
    expect(() => untyped(5432)).toThrow('pglite() takes a data directory (a string), PGlite options or a PGlite instance, got 5432 (a number)')
    expect(() => untyped(true)).toThrow('got true (a boolean)')
    expect(() => untyped(null)).toThrow('got null')
    expect(() => untyped('./data', 'debug')).toThrow('pglite(dataDir, options): options must be an object, got debug (a string)')
  })
})

describe('a server that cannot be reached', () => {
  // Port 1 is closed: the connection is refused at once.
  test.each([
    ['PostgreSQL', () => postgres('postgres://postgres@127.0.0.1:1/test')],
    ['MySQL/MariaDB', () => mysql('mysql://root@127.0.0.1:1/test')],
  ])('%s: a closed port fails the first query with a ConnectionError that says where and keeps the cause', async (server, dialect) => {
    const orm = createOrm({ schema, dialect: dialect(), acquireTimeout: 10_000 })
    try {
      const error = await sql`select 1`.execute(orm.db).then(
        () => undefined,
        (thrown: unknown) => thrown,
      )
      expect(error).toBeInstanceOf(ConnectionError)
      expect(error).toMatchObject({ kind: 'unreachable', address: '127.0.0.1:1', cause: expect.objectContaining({ code: 'ECONNREFUSED' }) })
      expect((error as Error).message).toMatch(new RegExp(`^cannot reach ${server} at 127\\.0\\.0\\.1:1: is it running\\? \\(.*ECONNREFUSED.*\\)$`))
    } finally {
      await orm.destroy()
    }
  })

  test('driver errors are read by their codes; other errors pass unchanged', () => {
    const target = { server: 'PostgreSQL', address: 'db.example:5432', user: 'app' }
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND db.example'), { code: 'ENOTFOUND' })
    expect(connectionError(notFound, target)?.message).toBe('cannot reach PostgreSQL at db.example:5432: is the host name right? (getaddrinfo ENOTFOUND db.example)')
    const refusedEverywhere = Object.assign(new AggregateError([new Error('connect ECONNREFUSED ::1:5432'), new Error('connect ECONNREFUSED 127.0.0.1:5432')], ''), {
      code: 'ECONNREFUSED',
    })
    expect(connectionError(refusedEverywhere, target)?.message).toBe(
      'cannot reach PostgreSQL at db.example:5432: is it running? (connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432)',
    )
    expect(connectionError(new Error('timeout expired'), target)?.kind).toBe('unreachable')
    const badPassword = Object.assign(new Error('password authentication failed for user "app"'), { code: '28P01' })
    expect(connectionError(badPassword, target)).toMatchObject({
      kind: 'authentication',
      message: 'PostgreSQL at db.example:5432 refused user "app": check the user and password (password authentication failed for user "app")',
      cause: badPassword,
    })
    const accessDenied = Object.assign(new Error("Access denied for user 'app'@'localhost'"), { code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 })
    expect(connectionError(accessDenied, { ...target, server: 'MariaDB' })?.kind).toBe('authentication')
    expect(connectionError(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }), target)).toBeUndefined()
    expect(connectionError(new RelataError('mysql(): the connection character sets are latin1'), target)).toBeUndefined()
  })
})

describe('a driver package that is not installed', () => {
  test('fails the first connection with the command that installs it', async () => {
    const error = await importDriver('postgres()', 'relata-no-such-driver', () => import('relata-no-such-driver' as string)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    )
    expect(error).toBeInstanceOf(RelataError)
    expect((error as Error).message).toBe('postgres() needs the relata-no-such-driver package, which is not installed: npm i relata-no-such-driver')
    expect((error as Error).cause).toMatchObject({ message: expect.stringContaining("'relata-no-such-driver'") })
  })

  test("a project without pg or @electric-sql/pglite imports the dialects, and each first query says what to install", async () => {
    // A project whose node_modules holds @relata/core (this package's sources) and its dependencies, no driver;
    // --preserve-symlinks makes the sources resolve packages from that project, not from this repository.
    const project = await mkdtemp(join(tmpdir(), 'relata-no-drivers-'))
    const modules = fileURLToPath(new URL('../../../../node_modules/', import.meta.url))
    try {
      await mkdir(join(project, 'node_modules/@relata'), { recursive: true })
      await symlink(fileURLToPath(new URL('../..', import.meta.url)), join(project, 'node_modules/@relata/core'))
      for (const dependency of ['kysely', 'type-fest']) await symlink(join(modules, dependency), join(project, 'node_modules', dependency))
      await copyFile(fileURLToPath(new URL('../fixtures/without-drivers.mjs', import.meta.url)), join(project, 'main.mjs'))
      const tsx = createRequire(import.meta.url).resolve('tsx/esm')
      const { stdout } = await promisify(execFile)(process.execPath, ['--preserve-symlinks', '--conditions=@relata/source', '--import', tsx, 'main.mjs'], {
        cwd: project,
        timeout: 30_000,
      })
      expect(stdout.trim().split('\n')).toEqual([
        'RelataError: postgres() needs the pg package, which is not installed: npm i pg',
        'RelataError: pglite() needs the @electric-sql/pglite package, which is not installed: npm i @electric-sql/pglite',
      ])
    } finally {
      await rm(project, { recursive: true, force: true })
    }
  })

  test('any other failure while loading it passes unchanged', async () => {
    const broken = new SyntaxError('Unexpected token')
    await expect(importDriver('mysql()', 'mysql2', () => Promise.reject(broken))).rejects.toBe(broken)
  })
})
