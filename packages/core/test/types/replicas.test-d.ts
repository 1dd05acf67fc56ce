/** Types of read replicas: `postgres({ primary, replicas })`, `mysql(...)`, consistency and commit tokens, `pooler`. */
import { describe, expectTypeOf, test } from 'vitest'
import type { CommitToken, Orm, ReadConsistency, ReadStats, Session } from '../../src/index.js'
import { mysql, type MysqlReplicas } from '../../src/dialect/mysql/mysql.js'
import { postgres, type PostgresReplicas } from '../../src/dialect/postgres/postgres.js'
import { schema as books } from '../fixtures/books.js'

type B = typeof books
declare const orm: Orm<B>
declare const session: Session<B>

describe('replicas on the dialects', () => {
  test('postgres() and mysql() take { primary, replicas } with the replica options', () => {
    postgres({ primary: 'postgres://p/app', replicas: ['postgres://r1/app', { connectionString: 'postgres://r2/app', max: 4 }] })
    postgres({ primary: 'postgres://p/app', replicas: [], causalWait: 20, retryAfter: 1_000, consistency: 'replica', choose: (healthy) => healthy[0]!, replicaConnectTimeout: 500 })
    mysql({ primary: 'mysql://p/app', replicas: ['mysql://r1/app'], consistency: 'causal' }, { server: 'mariadb' })
    expectTypeOf<PostgresReplicas['replicas']>().toEqualTypeOf<readonly (string | import('pg').PoolConfig | import('pg').Pool)[]>()
    expectTypeOf<MysqlReplicas['consistency']>().toEqualTypeOf<ReadConsistency | undefined>()
    // @ts-expect-error replicas is required beside primary
    postgres({ primary: 'postgres://p/app' })
    // @ts-expect-error a consistency Relata does not know
    postgres({ primary: 'postgres://p/app', replicas: [], consistency: 'eventual' })
    // @ts-expect-error causalWait is milliseconds
    mysql({ primary: 'mysql://p/app', replicas: [], causalWait: '20ms' })
    // @ts-expect-error choose returns an index
    postgres({ primary: 'postgres://p/app', replicas: [], choose: () => 'r1' })
    postgres({ primary: 'postgres://p/app', replicas: [], maxLag: 5_000, lagCheckInterval: 500 })
    mysql({ primary: 'mysql://p/app', replicas: [], consistency: 'replica', maxLag: 2_000 })
    // @ts-expect-error maxLag is milliseconds, not a duration string
    postgres({ primary: 'postgres://p/app', replicas: [], maxLag: '5s' })
    // @ts-expect-error lagCheckInterval is milliseconds
    mysql({ primary: 'mysql://p/app', replicas: [], lagCheckInterval: true })
  })

  test('pooler is the only proxy mode Relata knows', () => {
    postgres('postgres://bouncer/app', { pooler: 'transaction', statementTimeout: 1_000 })
    // @ts-expect-error session pooling needs no option (it keeps the connection per client)
    postgres('postgres://bouncer/app', { pooler: 'session' })
  })
})

describe('consistency and commit tokens', () => {
  test('sessions take a consistency and an after token; orm and session give tokens', () => {
    orm.session({ consistency: 'primary' })
    orm.session({ consistency: 'replica', after: orm.commitToken() })
    expectTypeOf(orm.commitToken()).toEqualTypeOf<CommitToken | undefined>()
    expectTypeOf(session.commitToken).toEqualTypeOf<CommitToken | undefined>()
    expectTypeOf(orm.readStats()).toEqualTypeOf<ReadStats>()
    expectTypeOf<ReadStats['replica']>().toEqualTypeOf<number>()
    // A token read back from a cookie is a string.
    orm.session({ after: 'cookie value' })
    // @ts-expect-error a consistency Relata does not know
    orm.session({ consistency: 'strong' })
    // @ts-expect-error a token is a string
    orm.session({ after: 42 })
    // @ts-expect-error the token is read-only
    session.commitToken = '0/0'
  })
})
