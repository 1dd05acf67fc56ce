/** README's relata.config.ts for `npx relata`: the schema module, the database, the migrations folder (type-checked here). */
import { defineConfig } from '@relata/migrate'

export default defineConfig({
  schema: './schema.ts',                               // exports `schema` (defineSchema(...)); './schema.ts#name' for another export
  url: process.env.DATABASE_URL ?? 'pglite:./data',    // postgres://…, mysql://… (MariaDB too) or pglite:<data directory>
  migrations: './migrations',                          // the migration files and their snapshots
})
