/** What every example shares: the database it runs on, from DATABASE_URL, and how it prints. */
import type { QueryEvent, RelataDialect } from '@relata/core'

/**
 * The dialect for `DATABASE_URL`: `postgres://…` → PostgreSQL, `mysql://…` → MySQL or MariaDB,
 * unset → PGlite in memory (no server needed). Drivers are imported only when used.
 */
export async function dialectFromEnv(url = process.env.DATABASE_URL): Promise<{ dialect: RelataDialect; label: string }> {
  if (url === undefined || url === '') {
    const { pglite } = await import('@relata/core/pglite')
    return { dialect: pglite(), label: 'PGlite (embedded, in memory)' }
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { postgres } = await import('@relata/core/postgres')
    return { dialect: postgres(url), label: `PostgreSQL (${new URL(url).host})` }
  }
  if (/^(mysql|mariadb):\/\//.test(url)) {
    const { mysql } = await import('@relata/core/mysql')
    return { dialect: mysql(url.replace(/^mariadb:/, 'mysql:')), label: `MySQL/MariaDB (${new URL(url).host})` }
  }
  throw new Error(`DATABASE_URL must start with postgres://, mysql:// or mariadb:// (got ${url})`)
}

/**
 * With RELATA_ECHO=1 (or --echo), every statement is printed as it runs: SQLAlchemy's echo=True.
 * A statement longer than 5,000 characters (a data set's multi-row INSERT) is cut short.
 */
export function echo(): ((event: QueryEvent) => void) | undefined {
  if (process.env.RELATA_ECHO !== '1' && !process.argv.includes('--echo')) return undefined
  return (event) => {
    const sql = event.sql.length > 5000 ? `${event.sql.slice(0, 200)}… (${event.sql.length} characters)` : event.sql
    console.log(`  SQL: ${sql}${event.parameters.length ? `  ${JSON.stringify(event.parameters, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}` : ''}`)
  }
}
