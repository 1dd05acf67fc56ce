/** `kysely`, the floor: hand-written Kysely, the scenarios' own `floor` operations (see scenarios/). */
import { Kysely, MysqlAdapter, MysqlDialect, PGliteDialect, PostgresDialect, type DialectAdapter } from 'kysely'
import { createPool } from 'mysql2'
import { listenedPool, type BenchDatabase } from '../databases.js'
import type { ChinookDb } from '../kysely-db.js'
import { scenarios } from '../scenarios/index.js'
import type { Contestant, ContestantOnDatabase } from '../scenario.js'

/** Kysely's MySQL adapter with RETURNING switched on: MariaDB 10.5+ runs INSERT … RETURNING, which Kysely's adapter does not claim. */
class MariadbAdapter extends MysqlAdapter {
  override get supportsReturning(): boolean {
    return true
  }
}

class MariadbDialect extends MysqlDialect {
  override createAdapter(): DialectAdapter {
    return new MariadbAdapter()
  }
}

/** A plain Kysely instance on the database, as a Kysely user would make it (the pool's default type parsing). */
export function plainKysely(db: BenchDatabase): Kysely<ChinookDb> {
  if (db.name === 'postgres') return new Kysely({ dialect: new PostgresDialect({ pool: listenedPool({ connectionString: db.url, max: 4 }) }) })
  if (db.name === 'mariadb') return new Kysely({ dialect: new MariadbDialect({ pool: createPool({ uri: db.url!, connectionLimit: 4 }) }) })
  return new Kysely({ dialect: new PGliteDialect({ pglite: db.pglite! }) })
}

export const kysely: Contestant = {
  name: 'kysely',
  description: 'the floor: hand-written Kysely queries (scenarios/*.ts, `floor`)',
  async open(db): Promise<ContestantOnDatabase> {
    const k = plainKysely(db)
    return {
      operations: Object.fromEntries(scenarios.map((s) => [s.id, s.floor(k, db.family)])),
      // PGlite: destroying the Kysely instance would close the shared instance.
      close: async () => (db.name === 'pglite' ? undefined : k.destroy()),
    }
  },
}
