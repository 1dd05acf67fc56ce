/** The `join` strategy offline: a many-to-one as a LEFT JOIN, everything else as a correlated JSON subquery per family, and the graph read back from scripted rows. */
import { describe, expect, test } from 'vitest'
import { schema as chinook } from '@relata/test-kit/chinook'
import { schema as sync } from '../fixtures/relation-sync.js'
import { offlineOrm, offlineTargets, per, spelled } from './support/offline.js'

const trackColumns = (alias: string) =>
  ['track_id', 'name', 'album_id', 'media_type_id', 'genre_id', 'composer', 'milliseconds', 'bytes'].map((c) => `"${alias}"."${c}" as "${c}"`).join(', ') +
  `, cast("${alias}"."unit_price" as text) as "unit_price"`

const mariadbTrackObject = (alias: string) =>
  ['track_id', 'name', 'album_id', 'media_type_id', 'genre_id', 'composer', 'milliseconds', 'bytes'].map((c) => `'${c}', \`${alias}\`.\`${c}\``).join(', ') +
  `, 'unit_price', cast(\`${alias}\`.\`unit_price\` as char)`

describe.each(offlineTargets)('join loading [%s]', (target) => {
  const q = (text: string, parameters: unknown[] = []) => ({ sql: spelled(target, text), parameters })

  test('many-to-one on the primary key: a LEFT JOIN, its columns under the alias prefix', async () => {
    const db = offlineOrm(chinook, target)
    db.answer({
      rows: [
        { album_id: 1, title: 'For Those About To Rock', artist_id: 1, t1__artist_id: 1, t1__name: 'AC/DC' },
        { album_id: 4, title: 'Let There Be Rock', artist_id: 1, t1__artist_id: 1, t1__name: 'AC/DC' },
      ],
    })
    const albums = await db.orm.session().query('albums').with({ artist: true }).orderBy('albumId').all()
    expect(db.take()).toEqual([
      q(
        'select "t0"."album_id", "t0"."title", "t0"."artist_id", "t1"."artist_id" as "t1__artist_id", "t1"."name" as "t1__name" ' +
          'from "album" as "t0" left join "artist" as "t1" on "t1"."artist_id" = "t0"."artist_id" order by "t0"."album_id" asc',
      ),
    ])
    expect(albums[0]!.artist).toBe(albums[1]!.artist)
    expect({ ...albums[0]!.artist }).toEqual({ artistId: 1, name: 'AC/DC' })
  })

  test('many-to-one with a filter: the filter joins the ON clause, so the parent rows stay; a row with no match loads null', async () => {
    const db = offlineOrm(chinook, target)
    db.answer({ rows: [{ album_id: 1, title: 'T', artist_id: 1, t1__artist_id: null, t1__name: null }] })
    const [album] = await db.orm.session().query('albums').where('albumId', '<', 5).with({ artist: (artist) => artist.where('name', 'like', 'A%') }).all()
    expect(db.take()).toEqual([
      q(
        'select "t0"."album_id", "t0"."title", "t0"."artist_id", "t1"."artist_id" as "t1__artist_id", "t1"."name" as "t1__name" ' +
          'from "album" as "t0" left join "artist" as "t1" on ("t1"."artist_id" = "t0"."artist_id" and "t1"."name" like $1) where "t0"."album_id" < $2',
        ['A%', 5],
      ),
    ])
    expect(album!.artist).toBeNull()
  })

  test('a chain of many-to-ones: one LEFT JOIN per level, each on the alias before it', async () => {
    const db = offlineOrm(chinook, target)
    await db.orm.session().query('tracks').with({ album: { artist: true } }).limit(3).all()
    expect(db.take()).toEqual([
      q(
        'select "t0"."track_id", "t0"."name", "t0"."album_id", "t0"."media_type_id", "t0"."genre_id", "t0"."composer", "t0"."milliseconds", "t0"."bytes", "t0"."unit_price", ' +
          '"t1"."album_id" as "t1__album_id", "t1"."title" as "t1__title", "t1"."artist_id" as "t1__artist_id", "t2"."artist_id" as "t2__artist_id", "t2"."name" as "t2__name" ' +
          'from "track" as "t0" left join "album" as "t1" on "t1"."album_id" = "t0"."album_id" left join "artist" as "t2" on "t2"."artist_id" = "t1"."artist_id" limit $1',
        [3],
      ),
    ])
  })

  test('a composite foreign key: one ON condition per column', async () => {
    const db = offlineOrm(sync, target)
    await db.orm.session().query('boxes').with({ shelf: 'join' }).all()
    expect(db.take()).toEqual([
      q(
        'select "t0"."id", "t0"."label", "t0"."shelf_room", "t0"."shelf_position", "t1"."room" as "t1__room", "t1"."position" as "t1__position" ' +
          'from "boxes" as "t0" left join "shelves" as "t1" on ("t1"."room" = "t0"."shelf_room" and "t1"."position" = "t0"."shelf_position")',
      ),
    ])
  })

  test('one-to-one from the side without the key: a single JSON object, LIMIT 1', async () => {
    const db = offlineOrm(sync, target)
    const address = { id: 5, street: 'Elm', user_id: 1 }
    db.answer({ rows: [{ id: 1, name: 'Ann', __r_address: target === 'postgres' ? address : JSON.stringify(address), __r_passport: null }] })
    const [ann] = await db.orm.session().query('people').with({ address: 'join', passport: 'join' }).all()
    const [statement] = db.take()
    expect(statement).toEqual({
      sql: per(target, {
        postgres:
          'select "t0"."id", "t0"."name", (select to_json("t3") from ((select "t1"."id" as "id", "t1"."street" as "street", "t1"."user_id" as "user_id" from "addresses" as "t1" where "t1"."user_id" = "t0"."id" limit $1)) as "t3") as "__r_address", ' +
          '(select to_json("t6") from ((select "t4"."id" as "id", "t4"."number" as "number", "t4"."holder_id" as "holder_id" from "passports" as "t4" where "t4"."holder_id" = "t0"."id" limit $2)) as "t6") as "__r_passport" from "people" as "t0"',
        mariadb:
          "select `t0`.`id`, `t0`.`name`, ((select json_object('id', `t1`.`id`, 'street', `t1`.`street`, 'user_id', `t1`.`user_id`) as `j` from `addresses` as `t1` where `t1`.`user_id` = `t0`.`id` limit ?)) as `__r_address`, " +
          "((select json_object('id', `t3`.`id`, 'number', `t3`.`number`, 'holder_id', `t3`.`holder_id`) as `j` from `passports` as `t3` where `t3`.`holder_id` = `t0`.`id` limit ?)) as `__r_passport` from `people` as `t0`",
      }),
      parameters: [1, 1],
    })
    expect({ ...ann!.address }).toEqual({ id: 5, street: 'Elm', userId: 1 })
    expect(ann!.passport).toBeNull()
  })

  test('many-to-one on a unique key that is not the primary key: a JSON object, not a flat join', async () => {
    const db = offlineOrm(sync, target)
    await db.orm.session().query('players').with({ team: 'join' }).all()
    expect(db.take()).toEqual([
      {
        sql: per(target, {
          postgres:
            'select "t0"."id", "t0"."name", "t0"."team_code", (select to_json("t3") from ((select "t1"."id" as "id", "t1"."code" as "code" from "teams" as "t1" where "t1"."code" = "t0"."team_code" limit $1)) as "t3") as "__r_team" from "players" as "t0"',
          mariadb:
            "select `t0`.`id`, `t0`.`name`, `t0`.`team_code`, ((select json_object('id', `t1`.`id`, 'code', `t1`.`code`) as `j` from `teams` as `t1` where `t1`.`code` = `t0`.`team_code` limit ?)) as `__r_team` from `players` as `t0`",
        }),
        parameters: [1],
      },
    ])
  })
})

/** To-many `join` needs an ordered JSON aggregate: PostgreSQL and MariaDB have one, MySQL 8 falls back to selectIn (see loading-select-in). */
describe.each(['postgres', 'mariadb'] as const)('join loading of collections [%s]', (target) => {
  test('one-to-many nested in one-to-many: one statement, each level aggregated in primary-key order, numerics as text', async () => {
    const db = offlineOrm(chinook, target)
    await db.orm.session().query('artists').with({ albums: (albums) => albums.strategy('join').with({ tracks: 'join' }) }).orderBy('artistId').all()
    expect(db.take()).toEqual([
      {
        sql: per(target, {
          postgres:
            'select "t0"."artist_id", "t0"."name", (select coalesce(json_agg("t3" order by "t3"."album_id" asc), \'[]\'::json) from ((select "t1"."album_id" as "album_id", "t1"."title" as "title", "t1"."artist_id" as "artist_id", ' +
            `(select coalesce(json_agg("t6" order by "t6"."track_id" asc), '[]'::json) from ((select ${trackColumns('t4')} from "track" as "t4" where "t4"."album_id" = "t1"."album_id")) as "t6") as "__r_tracks" ` +
            'from "album" as "t1" where "t1"."artist_id" = "t0"."artist_id")) as "t3") as "__r_albums" from "artist" as "t0" order by "t0"."artist_id" asc',
          mariadb:
            "select `t0`.`artist_id`, `t0`.`name`, ((select coalesce(json_arrayagg(json_object('album_id', `t1`.`album_id`, 'title', `t1`.`title`, 'artist_id', `t1`.`artist_id`, '__r_tracks', " +
            `((select coalesce(json_arrayagg(json_object(${mariadbTrackObject('t3')}) order by \`t3\`.\`track_id\` asc), json_array()) as \`j\` from \`track\` as \`t3\` where \`t3\`.\`album_id\` = \`t1\`.\`album_id\`))) ` +
            'order by `t1`.`album_id` asc), json_array()) as `j` from `album` as `t1` where `t1`.`artist_id` = `t0`.`artist_id`)) as `__r_albums` from `artist` as `t0` order by `t0`.`artist_id` asc',
        }),
        parameters: [],
      },
    ])
  })

  test('many-to-many with its own filter and order: through the association table, the filter before the correlation', async () => {
    const db = offlineOrm(chinook, target)
    await db.orm
      .session()
      .query('playlists')
      .with({ tracks: (tracks) => tracks.strategy('join').where('milliseconds', '>', 1000).orderBy('name', 'desc') })
      .all()
    expect(db.take()).toEqual([
      {
        sql: per(target, {
          postgres:
            `select "t0"."playlist_id", "t0"."name", (select coalesce(json_agg("t3" order by "t3"."name" desc, "t3"."track_id" asc), '[]'::json) from ((select ${trackColumns('t1')} ` +
            'from "track" as "t1" inner join "playlist_track" as "t2" on "t2"."track_id" = "t1"."track_id" where "t1"."milliseconds" > $1 and "t2"."playlist_id" = "t0"."playlist_id")) as "t3") as "__r_tracks" from "playlist" as "t0"',
          mariadb:
            `select \`t0\`.\`playlist_id\`, \`t0\`.\`name\`, ((select coalesce(json_arrayagg(json_object(${mariadbTrackObject('t1')}) order by \`t1\`.\`name\` desc, \`t1\`.\`track_id\` asc), json_array()) as \`j\` ` +
            'from `track` as `t1` inner join `playlist_track` as `t2` on `t2`.`track_id` = `t1`.`track_id` where `t1`.`milliseconds` > ? and `t2`.`playlist_id` = `t0`.`playlist_id`)) as `__r_tracks` from `playlist` as `t0`',
        }),
        parameters: [1000],
      },
    ])
  })

  test('ordered by a numeric column: PostgreSQL sorts on a hidden typed copy (the JSON holds text), MariaDB on the column', async () => {
    const db = offlineOrm(chinook, target)
    await db.orm.session().query('genres').with({ tracks: (tracks) => tracks.strategy('join').orderBy('unitPrice', 'desc') }).all()
    expect(db.take()).toEqual([
      {
        sql: per(target, {
          postgres:
            `select "t0"."genre_id", "t0"."name", (select coalesce(json_agg("t3" order by "t3"."__o0" desc, "t3"."track_id" asc), '[]'::json) from ((select ${trackColumns('t1')}, "t1"."unit_price" as "__o0" ` +
            'from "track" as "t1" where "t1"."genre_id" = "t0"."genre_id")) as "t3") as "__r_tracks" from "genre" as "t0"',
          mariadb:
            `select \`t0\`.\`genre_id\`, \`t0\`.\`name\`, ((select coalesce(json_arrayagg(json_object(${mariadbTrackObject('t1')}) order by \`t1\`.\`unit_price\` desc, \`t1\`.\`track_id\` asc), json_array()) as \`j\` ` +
            'from `track` as `t1` where `t1`.`genre_id` = `t0`.`genre_id`)) as `__r_tracks` from `genre` as `t0`',
        }),
        parameters: [],
      },
    ])
  })

  test('the JSON read back: objects by identity, nested levels, numerics as strings (PostgreSQL parses the JSON, MariaDB sends text)', async () => {
    const db = offlineOrm(chinook, target)
    const track = { track_id: 15, name: 'Go Down', album_id: 4, media_type_id: 1, genre_id: 1, composer: 'AC/DC', milliseconds: 331180, bytes: 10847611, unit_price: '0.99' }
    const albums = [
      { album_id: 1, title: 'For Those About To Rock', artist_id: 1, __r_tracks: [] },
      { album_id: 4, title: 'Let There Be Rock', artist_id: 1, __r_tracks: [track] },
    ]
    db.answer({ rows: [{ artist_id: 1, name: 'AC/DC', __r_albums: target === 'postgres' ? albums : JSON.stringify(albums) }] })
    const session = db.orm.session()
    const [acdc] = await session.query('artists').with({ albums: (a) => a.strategy('join').with({ tracks: 'join' }) }).all()
    expect(acdc!.albums.map((album) => [album.albumId, album.tracks.map((t) => [t.name, t.unitPrice])])).toEqual([
      [1, []],
      [4, [['Go Down', '0.99']]],
    ])
    expect(await session.get('albums', 4)).toBe(acdc!.albums[1])
    expect(db.take()).toHaveLength(1)
  })

  test('join nested under selectIn: the selectIn statement carries the JSON and the LEFT JOIN', async () => {
    const db = offlineOrm(chinook, target)
    db.answer({ rows: [{ album_id: 1, title: 'T', artist_id: 1 }] })
    await db.orm.session().query('albums').where({ albumId: 1 }).with({ tracks: (tracks) => tracks.with({ genre: 'join', playlists: 'join' }) }).all()
    expect(db.take()[1]).toEqual({
      sql: per(target, {
        postgres:
          'select "t1"."track_id", "t1"."name", "t1"."album_id", "t1"."media_type_id", "t1"."genre_id", "t1"."composer", "t1"."milliseconds", "t1"."bytes", "t1"."unit_price", ' +
          '(select coalesce(json_agg("t5" order by "t5"."playlist_id" asc), \'[]\'::json) from ((select "t3"."playlist_id" as "playlist_id", "t3"."name" as "name" from "playlist" as "t3" ' +
          'inner join "playlist_track" as "t4" on "t4"."playlist_id" = "t3"."playlist_id" where "t4"."track_id" = "t1"."track_id")) as "t5") as "__r_playlists", ' +
          '"t6"."genre_id" as "t6__genre_id", "t6"."name" as "t6__name" from "track" as "t1" left join "genre" as "t6" on "t6"."genre_id" = "t1"."genre_id" where "t1"."album_id" in ($1) order by "t1"."track_id" asc',
        mariadb:
          'select `t1`.`track_id`, `t1`.`name`, `t1`.`album_id`, `t1`.`media_type_id`, `t1`.`genre_id`, `t1`.`composer`, `t1`.`milliseconds`, `t1`.`bytes`, `t1`.`unit_price`, ' +
          "((select coalesce(json_arrayagg(json_object('playlist_id', `t3`.`playlist_id`, 'name', `t3`.`name`) order by `t3`.`playlist_id` asc), json_array()) as `j` from `playlist` as `t3` " +
          'inner join `playlist_track` as `t4` on `t4`.`playlist_id` = `t3`.`playlist_id` where `t4`.`track_id` = `t1`.`track_id`)) as `__r_playlists`, ' +
          '`t5`.`genre_id` as `t5__genre_id`, `t5`.`name` as `t5__name` from `track` as `t1` left join `genre` as `t5` on `t5`.`genre_id` = `t1`.`genre_id` where `t1`.`album_id` in (?) order by `t1`.`track_id` asc',
      }),
      parameters: [1],
    })
  })
})
