/** Read replicas without a server: commit positions compared and merged, the options refused when they cannot be honoured, and an orm without replicas. */
import { describe, expect, test } from 'vitest'
import { createOrm, RelataError } from '../../src/index.js'
import { mysqlPositions } from '../../src/dialect/mysql/mysql-positions.js'
import { mysql } from '../../src/dialect/mysql/mysql.js'
import { postgresPositions } from '../../src/dialect/postgres/postgres-positions.js'
import { postgres } from '../../src/dialect/postgres/postgres.js'
import { schema } from '../fixtures/books.js'

describe('commit positions', () => {
  test('PostgreSQL LSNs compare as 64-bit numbers, not as text', () => {
    expect(postgresPositions.covers('0/3000060', '0/3000028')).toBe(true)
    expect(postgresPositions.covers('0/9FFFFFF', '0/A000000')).toBe(false)
    expect(postgresPositions.covers('1/0', 'FFFFFFFF/0')).toBe(false)
    expect(postgresPositions.covers('10/0', '9/FFFFFFFF')).toBe(true)
    expect(postgresPositions.merge('0/A000000', '0/9FFFFFF')).toBe('0/A000000')
  })

  test('MariaDB GTID positions compare per replication domain', () => {
    expect(mysqlPositions.covers('0-1-42', '0-1-41')).toBe(true)
    expect(mysqlPositions.covers('0-1-42', '0-1-43')).toBe(false)
    // A domain the replica has not seen at all is not covered.
    expect(mysqlPositions.covers('0-1-42', '0-1-40,1-1-1')).toBe(false)
    expect(mysqlPositions.covers('0-1-42,1-2-9', '1-2-9')).toBe(true)
    expect(mysqlPositions.merge('0-1-42,1-2-3', '1-2-9,2-1-1')).toBe('0-1-42,1-2-9,2-1-1')
    expect(mysqlPositions.covers(mysqlPositions.merge('0-1-10', '0-1-9'), '0-1-10')).toBe(true)
  })
})

describe('replica options', () => {
  test('a value that cannot be honoured is refused at the call, naming the option', () => {
    const primary = 'postgres://postgres@127.0.0.1:5432/app'
    expect(() => postgres({ primary, replicas: [], causalWait: -1 })).toThrow(/postgres\(\): causalWait must be a number of milliseconds/)
    expect(() => postgres({ primary, replicas: [], consistency: 'strong' as never })).toThrow(/consistency must be 'primary', 'causal' or 'replica'/)
    expect(() => mysql({ primary: 'mysql://root@127.0.0.1/app', replicas: 'mysql://r/app' as never })).toThrow(/mysql\(\): replicas must be an array/)
    expect(() => postgres({ primary, replicas: ['mysql://root@127.0.0.1/app'] })).toThrow(RelataError)
    expect(() => postgres('postgres://127.0.0.1/app', { pooler: 'session' as never })).toThrow(/pooler must be 'transaction'/)
    expect(() => postgres({ primary, replicas: [], maxLag: -5 })).toThrow(/postgres\(\): maxLag must be a number of milliseconds, got -5/)
    expect(() => mysql({ primary: 'mysql://root@127.0.0.1/app', replicas: [], lagCheckInterval: Number.NaN })).toThrow(/mysql\(\): lagCheckInterval must be a number of milliseconds/)
    expect(postgres({ primary, replicas: [primary] }).replication?.settings).toEqual({
      causalWait: 50, retryAfter: 2_000, maxLag: Number.POSITIVE_INFINITY, lagCheckInterval: 1_000, consistency: 'causal', choose: undefined,
    })
    expect(postgres({ primary, replicas: [primary], maxLag: 5_000, lagCheckInterval: 250 }).replication?.settings).toMatchObject({ maxLag: 5_000, lagCheckInterval: 250 })
  })

  test('orm.session() checks consistency and after; without replicas there is no token and every read is on the one server', async () => {
    const orm = createOrm({ schema, dialect: postgres('postgres://postgres@127.0.0.1:5432/app') })
    expect(() => orm.session({ consistency: 'eventual' as never })).toThrow(/orm.session\(\): consistency must be 'primary', 'causal' or 'replica'/)
    expect(() => orm.session({ after: 42 as never })).toThrow(/after must be a commit token/)
    expect(orm.session({ consistency: 'replica' }).commitToken).toBeUndefined()
    expect(orm.commitToken()).toBeUndefined()
    expect(orm.readStats()).toEqual({ replica: 0, primary: 0, fallbacks: 0, lagging: 0 })
    await orm.destroy()
  })
})
