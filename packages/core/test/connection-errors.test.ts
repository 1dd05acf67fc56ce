/** A server that refuses the user fails with a `ConnectionError` naming the user; pools Relata creates let the process exit when idle. */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { sql } from 'kysely'
import { expect, test } from 'vitest'
import { mariadbTestServer, postgresTestServer } from '@relata/test-kit/servers'
import { describeEachDialect } from '@relata/test-kit/targets'
import { mysql } from '../src/dialect/mysql/mysql.js'
import { postgres } from '../src/dialect/postgres/postgres.js'
import { ConnectionError, createOrm } from '../src/index.js'
import { schema } from './fixtures/books.js'

const run = promisify(execFile)

function asUser(url: string, user: string): { url: string; address: string } {
  const parsed = new URL(url)
  parsed.username = user
  parsed.password = 'wrong'
  return { url: parsed.toString(), address: `${parsed.hostname}:${parsed.port || (url.startsWith('mysql') ? 3306 : 5432)}` }
}

describeEachDialect(
  'a server that refuses the user',
  (target) => {
    test('fails the first query with a ConnectionError naming the server, the user and what to check', async () => {
      // The shared PostgreSQL trusts every local user, so a wrong password passes: a role that does not exist does not.
      const { url, address } = asUser((target.name === 'postgres' ? postgresTestServer : mariadbTestServer).url('test'), 'nobody')
      const orm = createOrm({ schema, dialect: target.name === 'postgres' ? postgres(url) : mysql(url) })
      try {
        const error = await sql`select 1`.execute(orm.db).then(
          () => undefined,
          (thrown: unknown) => thrown,
        )
        expect(error).toBeInstanceOf(ConnectionError)
        expect(error).toMatchObject({ kind: 'authentication', address })
        if (target.name === 'postgres') {
          expect((error as Error).message).toBe(`PostgreSQL at ${address} refused user "nobody": check the user and password (role "nobody" does not exist)`)
          expect((error as Error).cause).toMatchObject({ code: '28000' })
        } else {
          expect((error as Error).message).toMatch(
            new RegExp(`^MySQL/MariaDB at ${address.replaceAll('.', '\\.')} refused user "nobody": check the user and password \\(Access denied for user 'nobody'@.*\\)$`),
          )
          // ER_ACCESS_DENIED_ERROR, or ER_ACCESS_DENIED_NO_PASSWORD_ERROR (which MariaDB answers for a user it does not know)
          expect([1045, 1698]).toContain(((error as Error).cause as { errno: number }).errno)
        }
      } finally {
        await orm.destroy()
      }
    })
  },
  { only: ['postgres', 'mariadb'] },
)

describeEachDialect(
  'a script that forgets orm.destroy()',
  () => {
    test('exits once its last query is done: the pool lets an idle process end', async () => {
      const script = fileURLToPath(new URL('fixtures/forgotten-destroy.ts', import.meta.url))
      const { stdout } = await run(process.execPath, ['--conditions=@relata/source', '--import', 'tsx', script, 'postgres', postgresTestServer.url('test')], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        timeout: 30_000,
      })
      const lingered = Date.now() - Number(/^done (\d+)$/m.exec(stdout)![1])
      // pg's pool would otherwise keep its idle connection, and the process, 10 s (idleTimeoutMillis).
      expect(lingered).toBeLessThan(2_000)
    })
  },
  // mysql2's pools keep the process alive until they are ended (their idle sweep re-arms a timer every second).
  { only: ['postgres'] },
)
