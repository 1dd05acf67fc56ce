/**
 * Runs the Chinook tour as a user would (`npm start`) on PGlite, PostgreSQL and MariaDB, and checks
 * every line it prints: the same data, order, strategies and statement counts on all three.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { mariadbTestServer, postgresTestServer, type TestServer } from '@relata/test-kit/servers'

const run = promisify(execFile)
const example = fileURLToPath(new URL('../../chinook', import.meta.url))

/** Loading ~15,600 rows and touring them takes a while on PGlite on a busy machine. */
const TIMEOUT = 240_000

const expected = [
  'Loaded the Chinook dataset: 15607 rows',
  "1. A playlist's tracks, each with its album and the album's artist",
  "   'Grunge' with selectIn: 15 tracks, in 4 statements (one per level: playlist, tracks through playlist_track, albums, artists)",
  "   'Grunge' with join: 15 tracks, in 1 statement (tracks, albums and artists aggregated as JSON into the playlist's row)",
  "   'Grunge' with the defaults: 15 tracks, in 2 statements (to-many selectIn, to-one join: the playlist, then tracks with album and artist joined)",
  '   Same tracks, albums and artists all three ways: true',
  '     Alive (Ten, Pearl Jam)',
  '     Black Hole Sun (A-Sides, Soundgarden)',
  '     Come As You Are (Nevermind, Nirvana)',
  '     Daughter (Vs., Pearl Jam)',
  '     Drain You (Nevermind, Nirvana)',
  '     Evenflow (Ten, Pearl Jam)',
  '     Hunger Strike (Temple of the Dog, Temple of the Dog)',
  '     In Bloom (Nevermind, Nirvana)',
  '     Jeremy (Ten, Pearl Jam)',
  '     Lithium (Nevermind, Nirvana)',
  '     Man In The Box (Facelift, Alice In Chains)',
  '     On A Plain (Nevermind, Nirvana)',
  '     Outshined (A-Sides, Soundgarden)',
  '     Plush (Core, Stone Temple Pilots)',
  '     Smells Like Teen Spirit (Nevermind, Nirvana)',
  "   'Music' with selectIn: 3290 tracks on 335 albums by 198 artists, in 4 statements",
  '2. Employees: who reports to whom, loaded level by level',
  '   Andrew Adams, General Manager',
  '     Nancy Edwards, Sales Manager',
  '       Jane Peacock, Sales Support Agent',
  '       Margaret Park, Sales Support Agent',
  '       Steve Johnson, Sales Support Agent',
  '     Michael Mitchell, IT Manager',
  '       Robert King, IT Staff',
  '       Laura Callahan, IT Staff',
  '   4 statements: the top of the tree, then one per level (the last one finds nobody)',
  '   Chain of command: Laura Callahan → Michael Mitchell → Andrew Adams, in 0 statements (get() and reportsTo.load() answer from the identity map)',
  "3. A customer's invoices, their lines and the tracks bought",
  '   Helena Holý of Prague, served by Steve Johnson',
  '   7 invoices, 38 lines, in 3 statements (customer with its support rep joined; invoices selectIn; lines selectIn, each with its track joined)',
  '   2021-07-11  invoice 46: 9 tracks for 8.91 (its lines add up to it), first When You Gonna Learn (Digeridoo)',
  '   2023-02-15  invoice 175: 2 tracks for 1.98 (its lines add up to it), first How The West Was Won And Where It Got Us',
  '   2023-05-20  invoice 198: 4 tracks for 3.96 (its lines add up to it), first Heartland',
  '   2023-08-22  invoice 220: 6 tracks for 5.94 (its lines add up to it), first My Time After Awhile',
  '   2024-04-11  invoice 272: 1 track for 0.99 (its lines add up to it), first Revolta Olodum',
  '   2025-10-03  invoice 393: 2 tracks for 1.98 (its lines add up to it), first Winterlong',
  '   2025-11-13  invoice 404: 14 tracks for 25.86 (its lines add up to it), first Insensível',
  '   Spent in all: 49.62 (adding the totals as JS numbers would give 49.620000000000005)',
]

const servers: [string, TestServer | undefined][] = [
  ['pglite', undefined],
  ['postgres', postgresTestServer],
  ['mariadb', mariadbTestServer],
]

for (const [name, server] of servers) {
  describe(`chinook example [${name}]`, () => {
    let database: string | undefined
    beforeAll(async () => {
      const problem = await server?.probe()
      if (problem !== undefined) {
        if (process.env.CI) throw new Error(`${server!.label} is unreachable: ${problem}`)
        console.warn(`[relata] ${server!.label} is unreachable, the Chinook example run on it is skipped: ${problem}`)
        return
      }
      database = await server?.createDatabase()
    })
    afterAll(async () => {
      if (database !== undefined) await server?.dropDatabase(database)
    })

    test('tours the relations and prints what it finds', { timeout: TIMEOUT }, async (context) => {
      if (server !== undefined && database === undefined) return context.skip()
      const env = { ...process.env, DATABASE_URL: server && database ? server.url(database) : '', RELATA_ECHO: '' }
      const { stdout } = await run('npm', ['start', '--silent'], { cwd: example, env, timeout: TIMEOUT - 10_000 })
      expect(stdout.split('\n').filter((line) => line !== '' && !line.startsWith('Database:'))).toEqual(expected)
    })
  })
}
