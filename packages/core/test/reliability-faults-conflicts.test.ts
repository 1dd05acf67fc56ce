/**
 * Faults: transactions that conflict. Two sessions update two rows in opposite order (a deadlock
 * made certain by waiting until each holds its first lock), two serializable transactions read
 * each other's rows and write them (write skew); `orm.transaction(fn, { retries })` runs the loser
 * again with a fresh session.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { mariadbTestServer, postgresTestServer } from '@relata/test-kit/servers'
import { describeEachDialect } from '@relata/test-kit/targets'
import { createOrm, isTransactionConflict, RelataError, TransactionConflictError, type Orm, type Session, type TransactionOptions } from '../src/index.js'
import { mysql } from '../src/dialect/mysql/mysql.js'
import { postgres } from '../src/dialect/postgres/postgres.js'
import { stateOf } from '../src/tracking/entity-state.js'
import { emptyTables, schema } from './fixtures/unit-of-work.js'
import { barrier } from './support/fault-injection.js'

type S = Session<typeof schema>

describeEachDialect(
  'faults: conflicting transactions',
  (target) => {
    const server = target.family === 'postgres' ? postgresTestServer : mariadbTestServer
    const deadlockCode = target.family === 'postgres' ? '40P01' : 1213
    let database: string
    let orm: Orm<typeof schema>
    let ids: { a: number; b: number }

    beforeAll(async () => {
      database = await server.createDatabase()
      const url = server.url(database)
      // PostgreSQL looks for deadlocks after deadlock_timeout (1 s by default): 100 ms keeps the suite short.
      const dialect = target.family === 'postgres' ? postgres({ connectionString: url, options: '-c deadlock_timeout=100' }) : mysql(url)
      orm = createOrm({ schema, dialect })
      await orm.createTables()
    })

    afterAll(async () => {
      await orm?.destroy()
      if (database !== undefined) await server.dropDatabase(database)
    })

    beforeEach(async () => {
      await emptyTables(orm)
      const session = orm.session()
      const a = session.create('owners', { name: 'a' })
      const b = session.create('owners', { name: 'b' })
      await session.commit()
      ids = { a: a.id, b: b.id }
    })

    const names = async () => (await orm.db.selectFrom('owners').select(['id', 'name']).orderBy('id').execute()).map((r) => r.name)

    /**
     * Two transactions, each updating its first row (and holding the lock), waiting until the other
     * holds its own, then updating the other's row: a deadlock on the first attempt, whatever the timing.
     */
    function opposite(options: TransactionOptions = {}) {
      const bothLocked = barrier(2)
      const attempts = { ab: 0, ba: 0 }
      const objects: Record<string, { name: string; id: number }[]> = {}
      const run = (label: 'ab' | 'ba', first: number, second: number) =>
        orm.transaction(async (session: S) => {
          const attempt = ++attempts[label]
          const one = (await session.get('owners', first))!
          one.name = `${label}${attempt}-first`
          await session.flush()
          if (attempt === 1) await bothLocked()
          const two = (await session.get('owners', second))!
          two.name = `${label}${attempt}-second`
          const extra = session.create('owners', { name: `${label}${attempt}-extra` })
          objects[`${label}${attempt}`] = [one, two, extra]
          await session.flush()
          return label
        }, options)
      return { attempts, objects, results: Promise.allSettled([run('ab', ids.a, ids.b), run('ba', ids.b, ids.a)]) }
    }

    test('a deadlock: one transaction gets a TransactionConflictError naming the table and is rolled back, the other commits; run again, the loser commits', async () => {
      const { results, attempts, objects } = opposite()
      const [ab, ba] = await results
      expect(attempts).toEqual({ ab: 1, ba: 1 })
      const outcomes = [ab, ba].map((r) => r.status)
      expect(outcomes.sort()).toEqual(['fulfilled', 'rejected'])
      const lost = (ab.status === 'rejected' ? ab : ba) as PromiseRejectedResult
      const loser = ab.status === 'rejected' ? 'ab' : 'ba'
      const winner = loser === 'ab' ? 'ba' : 'ab'
      const error = lost.reason as TransactionConflictError
      expect(error).toBeInstanceOf(TransactionConflictError)
      expect(error).toBeInstanceOf(RelataError)
      expect(error).toMatchObject({ name: 'TransactionConflictError', kind: 'deadlock', table: 'owners', code: deadlockCode })
      expect(error.message).toMatch(/^Flush failed while running 'update' on 'owners' in table owners: deadlock with a concurrent transaction: /)
      expect(error.message).toContain('The transaction was rolled back; the session is as it was before the flush.')
      expect(isTransactionConflict(error)).toBe(true)
      expect(isTransactionConflict(error.cause)).toBe(true)
      // The winner's writes are in; nothing of the loser's (not even its first update, or its new row).
      expect(await names()).toEqual(winner === 'ab' ? ['ab1-first', 'ab1-second', 'ab1-extra'] : ['ba1-second', 'ba1-first', 'ba1-extra'])
      // The loser's objects are as they were before its transaction: names back, the new one without a key.
      expect(objects[`${loser}1`]!.map((e) => ({ name: e.name, status: stateOf(e)!.status, id: e.id }))).toEqual([
        { name: loser === 'ab' ? 'a' : 'b', status: 'persistent', id: loser === 'ab' ? ids.a : ids.b },
        { name: loser === 'ab' ? 'b' : 'a', status: 'persistent', id: loser === 'ab' ? ids.b : ids.a },
        { name: `${loser}1-extra`, status: 'transient', id: undefined },
      ])

      // Run again by hand, the loser commits.
      const [first, second] = loser === 'ab' ? [ids.a, ids.b] : [ids.b, ids.a]
      await orm.transaction(async (session) => {
        ;(await session.get('owners', first))!.name = `${loser}-first`
        ;(await session.get('owners', second))!.name = `${loser}-second`
        session.create('owners', { name: `${loser}-extra` })
      })
      expect(await names()).toEqual([...(loser === 'ab' ? ['ab-first', 'ab-second'] : ['ba-second', 'ba-first']), `${winner}1-extra`, `${loser}-extra`])
    })

    test('orm.transaction(fn, { retries }): the deadlock loser runs again with a fresh session and commits; each wrote once', async () => {
      const { results, attempts } = opposite({ retries: 2 })
      const settled = await results
      expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled'])
      // One attempt for the winner, two for the loser.
      expect(Object.values(attempts).sort()).toEqual([1, 2])
      const loser = attempts.ab === 2 ? 'ab' : 'ba'
      // The loser ran last: its values are the ones left; one extra row, from its second attempt.
      const [aName, bName] = loser === 'ab' ? ['ab2-first', 'ab2-second'] : ['ba2-second', 'ba2-first']
      const winner = loser === 'ab' ? 'ba' : 'ab'
      expect(await names()).toEqual([aName, bName, `${winner}1-extra`, `${loser}2-extra`])
      console.info(`[relata] ${target.name}: deadlock retried, attempts ${JSON.stringify(attempts)}`)
    })

    test('without retries nothing runs again; errors that are not conflicts are never retried', async () => {
      let calls = 0
      await expect(
        orm.transaction(
          async () => {
            calls++
            throw new Error('not a conflict')
          },
          { retries: 3 },
        ),
      ).rejects.toThrow('not a conflict')
      expect(calls).toBe(1)
      // A conflict the caller wrapped in an error of its own is still one (found along `cause`), and the last one is thrown.
      const { results } = opposite()
      const lost = (await results).find((r) => r.status === 'rejected') as PromiseRejectedResult
      calls = 0
      const wrapped = new Error('step 2 failed', { cause: lost.reason })
      await expect(
        orm.transaction(
          async () => {
            calls++
            throw wrapped
          },
          { retries: 2 },
        ),
      ).rejects.toBe(wrapped)
      expect(calls).toBe(3)
      await expect(orm.transaction(async () => undefined, { retries: -1 })).rejects.toThrow(
        new RelataError('orm.transaction(): retries must be a whole number of at least 0, got -1'),
      )
    })

    test('write skew at SERIALIZABLE: each reads the row the other writes; one fails and is retried, the outcome is a serial one', async () => {
      const bothRead = barrier(2)
      // PostgreSQL: both also wait until both have written, so the failure surfaces at COMMIT.
      const bothWrote = barrier(2)
      const attempts = { ab: 0, ba: 0 }
      const errors: unknown[] = []
      const run = (label: 'ab' | 'ba', read: number, write: number) =>
        orm.transaction(
          async (session: S) => {
            const attempt = ++attempts[label]
            const source = (await session.get('owners', read))!
            if (attempt === 1) await bothRead()
            const target_ = (await session.get('owners', write))!
            target_.name = `${source.name}+${label}`
            try {
              await session.flush()
            } catch (error) {
              errors.push(error)
              throw error
            }
            if (attempt === 1 && target.family === 'postgres') await bothWrote()
          },
          { isolation: 'serializable', retries: 3 },
        )
      const done = await Promise.allSettled([run('ab', ids.a, ids.b), run('ba', ids.b, ids.a)])
      expect(done.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled'])
      expect(Object.values(attempts).sort()).toEqual([1, 2])
      const loser = attempts.ab === 2 ? 'ab' : 'ba'
      // The serial outcomes: ab then ba, or ba then ab. Write skew (both from the old values) would be ['b+ba', 'a+ab'].
      expect(await names()).toEqual(loser === 'ba' ? ['a+ab+ba', 'a+ab'] : ['b+ba', 'b+ba+ab'])
      if (target.family === 'postgres') {
        // Caught at COMMIT, not in a flush: the error of the flush list is empty.
        expect(errors).toEqual([])
      } else {
        // MariaDB's SERIALIZABLE reads take shared locks: the two writes deadlock.
        expect(errors).toHaveLength(1)
        expect(errors[0]).toMatchObject({ kind: 'deadlock', table: 'owners' })
      }
      console.info(`[relata] ${target.name}: write skew at SERIALIZABLE retried, attempts ${JSON.stringify(attempts)}`)
    })

    if (target.family === 'postgres') test('a serialization failure at COMMIT is a TransactionConflictError without a table', async () => {
      const bothRead = barrier(2)
      const bothWrote = barrier(2)
      const run = (label: string, read: number, write: number) =>
        orm.transaction(
          async (session: S) => {
            const source = (await session.get('owners', read))!
            await bothRead()
            ;(await session.get('owners', write))!.name = `${source.name}+${label}`
            await session.flush()
            await bothWrote()
          },
          { isolation: 'serializable' },
        )
      const done = await Promise.allSettled([run('ab', ids.a, ids.b), run('ba', ids.b, ids.a)])
      const lost = done.find((r) => r.status === 'rejected') as PromiseRejectedResult
      expect(done.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      expect(lost.reason).toBeInstanceOf(TransactionConflictError)
      expect(lost.reason).toMatchObject({ kind: 'serialization', table: undefined, code: '40001' })
      expect(lost.reason.message).toMatch(/^The transaction could not commit: serialization with a concurrent transaction: could not serialize access/)
    })

    if (target.family === 'mysql') test('a conflict raised by a read inside the callback (the driver error, unwrapped) is retried too', async () => {
      // MariaDB at SERIALIZABLE: a read takes a shared lock. Each holds an exclusive lock on its
      // row, then reads the other's: the second read completes a deadlock.
      const bothLocked = barrier(2)
      const attempts = { ab: 0, ba: 0 }
      const seen: unknown[] = []
      const run = (label: 'ab' | 'ba', mine: number, theirs: number) =>
        orm.transaction(
          async (session: S) => {
            const attempt = ++attempts[label]
            ;(await session.get('owners', mine))!.name = `${label}${attempt}`
            await session.flush()
            if (attempt === 1) await bothLocked()
            try {
              await session.query('owners').where({ id: theirs }).all()
            } catch (error) {
              seen.push(error)
              throw error
            }
          },
          { isolation: 'serializable', retries: 2 },
        )
      const done = await Promise.allSettled([run('ab', ids.a, ids.b), run('ba', ids.b, ids.a)])
      expect(done.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled'])
      expect(Object.values(attempts).sort()).toEqual([1, 2])
      expect(seen).toHaveLength(1)
      expect(seen[0]).not.toBeInstanceOf(RelataError)
      expect(seen[0]).toMatchObject({ errno: 1213 })
      const loser = attempts.ab === 2 ? 'ab' : 'ba'
      expect(await names()).toEqual(loser === 'ab' ? ['ab2', 'ba1'] : ['ab1', 'ba2'])
    })

  },
  { only: ['postgres', 'mariadb'] },
)
