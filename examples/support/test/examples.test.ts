/** Runs each seed example as a user would (`npm start`), on PGlite, PostgreSQL and MariaDB, and checks what it prints. */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { mariadbTestServer, postgresTestServer, type TestServer } from '@relata/test-kit/servers'

const run = promisify(execFile)
const examples = fileURLToPath(new URL('../..', import.meta.url))

async function start(example: string, databaseUrl: string | undefined): Promise<string> {
  const env = { ...process.env, DATABASE_URL: databaseUrl ?? '' }
  const { stdout } = await run('npm', ['start', '--silent'], { cwd: `${examples}/${example}`, env, timeout: 90_000 })
  return stdout
}

const expected = {
  'one-to-many': [
    'Created John Doe with 2 books in memory: The Great Gatsby, To Kill a Mockingbird',
    'Committed: author id 1, book ids 1 and 2',
    'Books by John Doe: The Great Gatsby, To Kill a Mockingbird',
    'Author of The Great Gatsby: John Doe',
    'Same object through both paths (identity map): true',
  ],
  'many-to-many': [
    'Committed 2 books, 2 authors and 3 book_author rows',
    'Authors of Book 1: Author 1, Author 2',
    'Books of Author 2: Book 1, Book 2',
    'Removed Author 2 from Book 1: 2 book_author rows left',
    'Book 1 now has: Author 1; Author 2 now has: Book 2',
  ],
}

const servers: [string, TestServer | undefined][] = [
  ['pglite', undefined],
  ['postgres', postgresTestServer],
  ['mariadb', mariadbTestServer],
]

for (const [name, server] of servers) {
  describe(`seed examples [${name}]`, () => {
    let database: string | undefined
    beforeAll(async () => {
      const problem = await server?.probe()
      if (problem !== undefined) {
        if (process.env.CI) throw new Error(`${server!.label} is unreachable: ${problem}`)
        console.warn(`[relata] ${server!.label} is unreachable, the example runs on it are skipped: ${problem}`)
        return
      }
      database = await server?.createDatabase()
    })
    afterAll(async () => {
      if (database !== undefined) await server?.dropDatabase(database)
    })

    for (const [example, lines] of Object.entries(expected)) {
      test(`${example} prints what it finds`, async (context) => {
        if (server !== undefined && database === undefined) return context.skip()
        // npm, then tsx, then the example: the process gets 90 s, the test a little more.
        const output = await start(example, server && database ? server.url(database) : undefined)
        expect(output.split('\n').filter((line) => line !== '' && !line.startsWith('Database:'))).toEqual(lines)
      }, 120_000)
    }
  })
}
