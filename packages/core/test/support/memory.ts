/** What the memory suites share: the heap after full collections, and a table of generated rows filled by the database itself. */
import v8 from 'node:v8'
import vm from 'node:vm'
import { sql, type Kysely } from 'kysely'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

/** Heap in use after full collections, once the drivers' last results have been let go (next tick). */
export async function heapUsed(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 10))
  for (let i = 0; i < 3; i++) gc()
  return process.memoryUsage().heapUsed
}

/**
 * Inserts `rows` generated rows into a table of columns (name, price, created_at, active, group_id),
 * in one statement the database fills (generate_series; MariaDB's sequence engine).
 */
export async function insertGeneratedItems(db: Kysely<any>, family: 'postgres' | 'mysql', tableName: string, rows: number): Promise<void> {
  const generated =
    family === 'postgres'
      ? sql`select 'item ' || g, (g % 1000)::numeric / 10, timestamp '2024-01-01' + g * interval '1 minute', g % 2 = 0, g % 100 from generate_series(1, ${sql.lit(rows)}) g`
      : sql`select concat('item ', seq), (seq % 1000) / 10, timestamp '2024-01-01 00:00:00' + interval seq minute, seq % 2 = 0, seq % 100 from ${sql.raw(`seq_1_to_${rows}`)}`
  await sql`insert into ${sql.table(tableName)} (name, price, created_at, active, group_id) ${generated}`.execute(db)
}
