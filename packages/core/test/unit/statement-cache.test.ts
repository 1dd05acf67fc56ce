/** The session's compiled statements by shape: reused with new values, and kept only when the values are exactly its parameters. */
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type CompiledQuery } from 'kysely'
import { describe, expect, test } from 'vitest'
import { StatementCache } from '../../src/loading/statement-cache.js'

function offlineDb(sent: CompiledQuery[]): Kysely<any> {
  return new Kysely({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => void sent.push(event.query),
  })
}

describe('StatementCache', () => {
  test('a shape seen before runs its compiled SQL with the new values, the fixed ones after them', async () => {
    const sent: CompiledQuery[] = []
    const db = offlineDb(sent)
    const cache = new StatementCache()
    let built = 0
    const byId = (id: number) => () => {
      built++
      return db.selectFrom('track').selectAll().where('track_id', '=', id).limit(1)
    }
    await cache.rows(db, 'track|id', [1], [1], byId(1))
    await cache.rows(db, 'track|id', [4], [1], byId(4))
    await cache.rows(db, 'track|id', [7], [1], byId(7))
    expect(built).toBe(1)
    expect(sent.map((q) => q.sql)).toEqual(Array(3).fill('select * from "track" where "track_id" = $1 limit $2'))
    expect(sent.map((q) => q.parameters)).toEqual([[1, 1], [4, 1], [7, 1]])
  })

  test('not kept: a value written into the text, a parameter that is not a value or a fixed one, no shape', async () => {
    const sent: CompiledQuery[] = []
    const db = offlineDb(sent)
    const cache = new StatementCache()
    let built = 0
    const literal = (id: number) => () => {
      built++
      return db.selectFrom('track').selectAll().where('track_id', '=', sql.lit(id))
    }
    await cache.rows(db, 'lit', [1], [], literal(1))
    await cache.rows(db, 'lit', [2], [], literal(2))
    const extra = (id: number) => () => {
      built++
      return db.selectFrom('track').selectAll().where('track_id', '=', id).where('album_id', '=', 5)
    }
    await cache.rows(db, 'extra', [1], [], extra(1))
    await cache.rows(db, 'extra', [2], [], extra(2))
    await cache.rows(db, undefined, [1], [], extra(1))
    await cache.rows(db, undefined, [1], [], extra(1))
    expect(built).toBe(6)
    expect(sent.map((q) => [q.sql.endsWith('= 2') || q.sql.endsWith('= 1') ? 'lit' : 'param', q.parameters])).toEqual([
      ['lit', []],
      ['lit', []],
      ['param', [1, 5]],
      ['param', [2, 5]],
      ['param', [1, 5]],
      ['param', [1, 5]],
    ])
  })
})
