/**
 * The statements of upserts and bulk statements, offline, per family: `ON CONFLICT DO UPDATE ...
 * RETURNING` on PostgreSQL, `ON DUPLICATE KEY UPDATE` (with RETURNING on MariaDB, read back on MySQL
 * 8), `UPDATE ... RETURNING` or a locked read of keys first, `DELETE ... RETURNING`.
 */
import { describe, expect, test } from 'vitest'
import { schema } from '../fixtures/writes.js'
import { offlineOrm, offlineTargets, per, spelled } from './support/offline.js'

describe.each(offlineTargets)('upsert and bulk statements [%s]', (target) => {
  const q = (text: string, parameters: unknown[] = []) => ({ sql: spelled(target, text), parameters })
  const returning = target !== 'mysql'
  const tagColumns = 'returning "id", "name", "color", "uses"'

  test('upserts of one table and shape: one statement, the rows matched by their conflict values', async () => {
    const db = offlineOrm(schema, target)
    const session = db.orm.session()
    const jazz = session.upsert('tags', { name: 'jazz', color: 'blue' }, { conflict: ['name'] })
    const soul = session.upsert('tags', { name: 'soul', color: 'gold' }, { conflict: ['name'] })
    const rows = [
      { id: 9, name: 'soul', color: 'gold', uses: 0 },
      { id: 4, name: 'jazz', color: 'blue', uses: 7 },
    ]
    db.answer(...(returning ? [{ rows }] : [{ affected: 3 }, { rows }]))
    await session.flush()
    const insert = 'insert into "wr_tag" ("name", "color") values ($1, $2), ($3, $4)'
    expect(db.take()).toEqual(
      per(target, {
        postgres: [q(`${insert} on conflict ("name") do update set "color" = "excluded"."color" ${tagColumns}`, ['jazz', 'blue', 'soul', 'gold'])],
        mariadb: [q(`${insert} on duplicate key update "color" = values("color") ${tagColumns}`, ['jazz', 'blue', 'soul', 'gold'])],
        mysql: [
          q(`${insert} on duplicate key update "color" = values("color")`, ['jazz', 'blue', 'soul', 'gold']),
          q('select * from "wr_tag" where "name" in ($1, $2) lock in share mode', ['jazz', 'soul']),
        ],
      }),
    )
    expect([jazz.id, jazz.uses, soul.id]).toEqual([4, 7, 9])
  })

  test('update: [] sets a conflict column to itself (the row still comes back); a version column is incremented when columns are updated', async () => {
    const db = offlineOrm(schema, target)
    const session = db.orm.session()
    session.upsert('tags', { name: 'jazz', color: 'blue' }, { conflict: ['name'], update: [] })
    session.upsert('counters', { code: 'a', hits: 1 }, { conflict: ['code'] })
    db.answer(
      // Tables are written in the schema's order: tags, then counters.
      ...(returning
        ? [{ rows: [{ id: 1, name: 'jazz', color: 'red', uses: 0 }] }, { rows: [{ id: 2, code: 'a', hits: 1, version: 3 }] }]
        : [{}, { rows: [{ id: 1, name: 'jazz', color: 'red', uses: 0 }] }, {}, { rows: [{ id: 2, code: 'a', hits: 1, version: 3 }] }]),
    )
    await session.flush()
    const sql = db.take().map((s) => s.sql)
    expect(sql.filter((s) => s.startsWith('insert'))).toEqual(
      per(target, {
        postgres: [
          `insert into "wr_tag" ("name", "color") values ($1, $2) on conflict ("name") do update set "name" = "excluded"."name" ${tagColumns}`,
          `insert into "wr_counter" ("code", "hits") values ($1, $2) on conflict ("code") do update set "hits" = "excluded"."hits", "version" = "wr_counter"."version" + 1 returning "id", "code", "hits", "version"`,
        ],
        mariadb: [
          'insert into `wr_tag` (`name`, `color`) values (?, ?) on duplicate key update `name` = `name` returning `id`, `name`, `color`, `uses`',
          'insert into `wr_counter` (`code`, `hits`) values (?, ?) on duplicate key update `hits` = values(`hits`), `version` = `version` + 1 returning `id`, `code`, `hits`, `version`',
        ],
        mysql: [
          'insert into `wr_tag` (`name`, `color`) values (?, ?) on duplicate key update `name` = `name`',
          'insert into `wr_counter` (`code`, `hits`) values (?, ?) on duplicate key update `hits` = values(`hits`), `version` = `version` + 1',
        ],
      }),
    )
  })

  test('updateMany: UPDATE ... RETURNING the keys on PostgreSQL, a locked read of the keys first on MySQL and MariaDB', async () => {
    const db = offlineOrm(schema, target)
    const session = db.orm.session()
    db.answer(...(target === 'postgres' ? [{ rows: [{ id: 1 }, { id: 2 }] }] : [{ rows: [{ id: 1 }, { id: 2 }] }, { affected: 2 }]))
    const count = await session.updateMany('tracks').where({ albumId: 3 }).where('seconds', '>', 60).set({ price: '0.99' }).execute()
    expect(count).toBe(2)
    expect(db.take()).toEqual(
      target === 'postgres'
        ? [q('update "wr_track" set "price" = $1 where ("wr_track"."album_id" = $2 and "wr_track"."seconds" > $3) returning "id"', ['0.99', 3, 60])]
        : [
            q('select "id" from "wr_track" where ("wr_track"."album_id" = $1 and "wr_track"."seconds" > $2) for update', [3, 60]),
            q('update "wr_track" set "price" = $1 where ("wr_track"."album_id" = $2 and "wr_track"."seconds" > $3)', ['0.99', 3, 60]),
          ],
    )
  })

  test('deleteMany: DELETE ... RETURNING the keys where the server has it (not MySQL 8: a locked read first)', async () => {
    const db = offlineOrm(schema, target)
    const session = db.orm.session()
    db.answer(...(returning ? [{ rows: [{ id: 5 }] }] : [{ rows: [{ id: 5 }] }, { affected: 1 }]))
    expect(await session.deleteMany('tracks').where('title', 'in', ['a', 'b']).execute()).toBe(1)
    const del = 'delete from "wr_track" where "wr_track"."title" in ($1, $2)'
    expect(db.take()).toEqual(
      returning ? [q(`${del} returning "id"`, ['a', 'b'])] : [q('select "id" from "wr_track" where "wr_track"."title" in ($1, $2) for update', ['a', 'b']), q(del, ['a', 'b'])],
    )
  })
})
