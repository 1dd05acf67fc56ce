/** W2: load tracks 1–1,000, give each a new unit price, commit. Between rounds the old prices are restored (untimed). */
import { sql, type Kysely } from 'kysely'
import { id, price } from '../canonical.js'
import type { ChinookDb } from '../kysely-db.js'
import type { Scenario } from '../scenario.js'

export const w2LastTrackId = 1000

/** The new price of a track: 1.00, 1.25, 1.50, 1.75 or 2.00 (never one of Chinook's 0.99 and 1.99). */
export function w2NewPrice(trackId: number): string {
  return (1 + (trackId % 5) * 0.25).toFixed(2)
}

/**
 * The hand-written batched update: one statement over a derived table of (id, price).
 * PostgreSQL: `UPDATE track SET unit_price = v.price FROM (VALUES …) AS v(id, price) WHERE track.track_id = v.id`.
 * MariaDB: `UPDATE track JOIN (SELECT ? AS id, ? AS price UNION ALL SELECT ?, ? …) AS v ON … SET track.unit_price = v.price`.
 */
export async function updatePrices(db: Kysely<ChinookDb>, family: 'postgres' | 'mysql', changes: readonly (readonly [number, string])[]): Promise<void> {
  if (family === 'postgres') {
    const values = sql.join(changes.map(([trackId, newPrice]) => sql`(${trackId}::int, ${newPrice}::numeric)`))
    await sql`update track set unit_price = v.price from (values ${values}) as v(id, price) where track.track_id = v.id`.execute(db)
  } else {
    const rows = sql.join(
      changes.map(([trackId, newPrice], i) => (i === 0 ? sql`select ${trackId} as id, ${newPrice} as price` : sql`select ${trackId}, ${newPrice}`)),
      sql` union all `,
    )
    await sql`update track join (${rows}) as v on track.track_id = v.id set track.unit_price = v.price`.execute(db)
  }
}

export const w2: Scenario = {
  id: 'W2',
  kind: 'write',
  title: 'load 1,000 tracks, change each unit price, commit',
  floorNote:
    'SELECT * FROM track WHERE track_id <= 1000, then one UPDATE … FROM (VALUES …) on PostgreSQL / UPDATE … JOIN (SELECT … UNION ALL …) on MariaDB (a single statement: no explicit transaction)',
  async on(db) {
    const original = (await db.admin.selectFrom('track').select(['track_id', 'unit_price']).where('track_id', '<=', w2LastTrackId).orderBy('track_id').execute()).map(
      (row) => [row.track_id, price(row.unit_price)] as const,
    )
    return {
      reset: () => updatePrices(db.admin, db.family, original),
      async readBack() {
        const rows = await db.admin.selectFrom('track').select(['track_id', 'unit_price']).where('track_id', '<=', w2LastTrackId).orderBy('track_id').execute()
        return rows.map((row) => [id(row.track_id), price(row.unit_price)])
      },
    }
  },
  floor: (db, family) => ({
    async run() {
      const tracks = await db.selectFrom('track').selectAll().where('track_id', '<=', w2LastTrackId).orderBy('track_id').execute()
      await updatePrices(
        db,
        family,
        tracks.map((track) => [track.track_id, w2NewPrice(track.track_id)] as const),
      )
    },
  }),
}
