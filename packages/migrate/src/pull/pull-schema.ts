/** `pullSchema()`: what the `pull` command runs: introspect a database, write its declarations. */
import { shapeOfDatabase, type DatabaseSource } from '../shape/shape-of-database.js'
import type { ShapeFamily } from '../shape/schema-shape.js'
import { pull, type PullOptions } from './pull.js'

/**
 * Reads the database's tables and returns the TypeScript that declares them (`pull(shape)`).
 *
 * @example
 * ```ts
 * const orm = createOrm({ schema: defineSchema({}), dialect: postgres(process.env.DATABASE_URL!) })
 * writeFileSync('src/schema.ts', await pullSchema(orm, 'postgres'))
 * ```
 */
export async function pullSchema(db: DatabaseSource, family: ShapeFamily, options: PullOptions = {}): Promise<string> {
  return pull(await shapeOfDatabase(db, family), options)
}
