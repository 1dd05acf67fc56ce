/** What loading and flushing ask a database family about the statements they build: declared here, implemented by each platform. */
import type { InsertQueryBuilder, InsertResult, Kysely, RawBuilder, SelectQueryBuilder } from 'kysely'
import type { ColumnModel } from '../schema/model.js'
import type { DialectCapabilities } from './dialect.js'

/**
 * A family's statements: where PostgreSQL and MySQL need different SQL for the same step of loading
 * or flushing. Each hook is called once per statement, never per row or value.
 *
 * @example
 * ```ts
 * const rules: StatementRules = orm.dialect.platform.statements
 * rules.jsonCollections(await orm.dialect.resolveCapabilities(orm.db))   // false on MySQL 8
 * ```
 */
export interface StatementRules {
  /**
   * Whether this server can embed a to-many relation in its parent's row as an ordered JSON array
   * (the `join` strategy). MySQL 8 cannot order `JSON_ARRAYAGG`: there such relations load with `selectIn`.
   */
  jsonCollections(capabilities: DialectCapabilities): boolean
  /** The JSON value of one relation embedded in its parent's row: an object (or null) for a to-one, else an array. */
  embeddedRelation(relation: EmbeddedRelation): RawBuilder<unknown>
  /** `query` with its `LIMIT` and `OFFSET` (MySQL has no `OFFSET` without a `LIMIT`). */
  page<Q extends SelectQueryBuilder<any, any, any>>(query: Q, limit: number | undefined, offset: number | undefined): Q
  /** `query` locking the rows it reads against change and deletion until the transaction ends. */
  lockForShare<Q extends SelectQueryBuilder<any, any, any>>(query: Q): Q
  /**
   * Whether a locking clause can name the one table whose rows it locks (PostgreSQL's
   * `FOR UPDATE OF t0`). Where it cannot (MariaDB), a locked query's statement joins no other table.
   */
  readonly lockNamesTable: boolean
  /** `query` with the locking clause of `lock`, naming `alias` where `lockNamesTable`, spelled for the server `capabilities` describe; its `lockWaits` were checked before. */
  lockRows<Q extends SelectQueryBuilder<any, any, any>>(query: Q, lock: RowLock, alias: string, capabilities: DialectCapabilities): Q
  /** `INSERT INTO ... VALUES` of `rows`, rows left wholly to the columns' defaults included; `firstColumn`: the table's first column. */
  insertValues(query: InsertQueryBuilder<any, any, InsertResult>, rows: readonly Record<string, unknown>[], firstColumn: string): InsertQueryBuilder<any, any, InsertResult>
  /** One `UPDATE` of many rows, each with values of its own, read from a derived table of keys and values. */
  updateFromRows(update: RowsUpdate): RawBuilder<unknown>
  /**
   * Inserting rows whose key the server generates, on a server without `RETURNING`. Make one per
   * flush, on its transaction: what it asks the server, it asks once.
   */
  generatedKeys(db: Kysely<any>): GeneratedKeys
  /**
   * `query` (an `INSERT`) made an upsert: a row that meets an existing one on a unique key updates
   * it instead (PostgreSQL `ON CONFLICT (...) DO UPDATE SET`, MySQL `ON DUPLICATE KEY UPDATE`).
   */
  upsert(query: InsertQueryBuilder<any, any, InsertResult>, upsert: RowsUpsert): InsertQueryBuilder<any, any, InsertResult>
  /**
   * Whether an upsert fires on a conflict with any unique key of the table (MySQL and MariaDB take
   * no conflict target) rather than on its `conflict` columns only.
   */
  readonly upsertOnAnyUniqueKey: boolean
  /** Whether `UPDATE ... RETURNING` exists (PostgreSQL; MariaDB has it for `INSERT` and `DELETE` only, MySQL for none). */
  readonly updateReturning: boolean
}

/**
 * An upsert's conflict target and what the existing row takes (SQL names): `update`'s columns from
 * the row proposed, `increment`'s column (a version) plus one. With no `update`, the existing row
 * is left as it is and still returned.
 *
 * @example
 * ```ts
 * const upsert: RowsUpsert = { table: 'tag', conflict: ['name'], update: ['color'] }
 * platform.statements.upsert(db.insertInto('tag').values(rows), upsert)
 * ```
 */
export interface RowsUpsert {
  readonly table: string
  readonly conflict: readonly string[]
  readonly update: readonly string[]
  readonly increment?: string
}

/**
 * A column of an embedded row: its SQL name, and whether it travels as text (numerics and big
 * integers, so that JSON loses no digit).
 *
 * @example
 * ```ts
 * const column: EmbeddedColumn = { name: 'unit_price', asText: true }
 * ```
 */
export interface EmbeddedColumn {
  readonly name: string
  readonly asText: boolean
}

/**
 * A sort key of an embedded collection.
 *
 * @example
 * ```ts
 * const key: EmbeddedOrder = { name: 'track_id', asText: false, direction: 'asc' }
 * ```
 */
export interface EmbeddedOrder extends EmbeddedColumn {
  readonly direction: 'asc' | 'desc'
}

/**
 * A relation embedded in each row of an embedded relation, under `key`.
 *
 * @example
 * ```ts
 * const child: EmbeddedChild = { key: '__r_tracks', value: sql`(select ...)` }
 * ```
 */
export interface EmbeddedChild {
  readonly key: string
  readonly value: RawBuilder<unknown>
}

/**
 * What a platform needs to write a join-loaded relation's JSON.
 *
 * @example
 * ```ts
 * const json = platform.statements.embeddedRelation({ source, alias: 't1', toOne: false, columns, order, children: () => [], nextAlias })
 * ```
 */
export interface EmbeddedRelation {
  /** `FROM` the related table aliased `alias` (joined to the association table), filtered and correlated to the parent row; it selects nothing yet. */
  readonly source: SelectQueryBuilder<any, any, {}>
  readonly alias: string
  /** One object (or null) rather than an array. */
  readonly toOne: boolean
  readonly columns: readonly EmbeddedColumn[]
  /** The order of a collection's items (a to-one ignores it). */
  readonly order: readonly EmbeddedOrder[]
  /** The relations embedded in each row, built when called: their aliases come after those the platform takes before. */
  children(): readonly EmbeddedChild[]
  /** A fresh table alias of the statement. */
  nextAlias(): string
}

/**
 * `UPDATE table SET assignments` from a derived table `alias` whose columns are `names` (keys, then
 * values), with one row per row updated.
 *
 * @example
 * ```ts
 * const update: RowsUpdate = { table: 'album', alias: 'relata_v', names: ['k0', 'c0'], columns: [id, title], rows: [[1, 'A'], [2, 'B']], assignments, match }
 * ```
 */
export interface RowsUpdate {
  readonly table: string
  readonly alias: string
  readonly names: readonly string[]
  /** The column behind each name: its type, where the database must be told it. */
  readonly columns: readonly ColumnModel[]
  readonly rows: readonly (readonly unknown[])[]
  /** `SET` items, reading `alias.name`. */
  readonly assignments: readonly RawBuilder<unknown>[]
  /** How a row of the table meets its row of the derived table. */
  readonly match: RawBuilder<unknown>
}

/**
 * Rows inserted with their keys generated by the server, on a server without `RETURNING`.
 *
 * @example
 * ```ts
 * const keys = platform.statements.generatedKeys(trx)
 * await keys.insert('artist', [{ name: 'A' }, { name: 'B' }])   // [276, 277]
 * ```
 */
export interface GeneratedKeys {
  /** Inserts `rows` into `table`; answers the key the server gave each row, in order. */
  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<number[]>
}

/**
 * A locking read: `update` (`FOR UPDATE`) or `share` (`FOR SHARE`, MariaDB's `LOCK IN SHARE MODE`),
 * and what to do about rows another transaction holds: wait (default), fail at once (`noWait`) or
 * leave them out (`skipLocked`).
 *
 * @example
 * ```ts
 * const lock: RowLock = { mode: 'update', wait: 'skipLocked' }
 * ```
 */
export interface RowLock {
  readonly mode: 'update' | 'share'
  readonly wait?: 'noWait' | 'skipLocked'
}
