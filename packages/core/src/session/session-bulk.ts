/** `session.updateMany()` / `session.deleteMany()`: one UPDATE or DELETE by criteria, after an autoflush, with the objects the session holds kept in step with the rows it wrote (SQLAlchemy's `synchronize_session='fetch'`). */
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely'
import { sql } from 'kysely'
import type { Platform } from '../dialect/platform.js'
import { RelataError } from '../errors.js'
import { QueryBuilder } from '../query/entity-query.js'
import { compileFilters } from '../query/filters.js'
import { emptyQueryState } from '../query/query-state.js'
import type { ColumnModel, TableModel } from '../schema/model.js'
import { stateOf } from '../tracking/entity-state.js'
import { identityKeyOf, type IdentityMap } from '../tracking/identity-map.js'
import { restoredValue, snapshotKind, snapshotValue } from '../values/snapshots.js'
import { checkValue, encodeValue, sameValue } from '../values/write-values.js'
import type { SessionChanges } from './session-changes.js'
import { dropDeleted, moveBetweenParents } from './bulk-sync.js'
import type { SessionConnection, SessionTransactions } from './session-transactions.js'

type Row = Record<string, unknown>

/** What a bulk statement works with. */
export interface BulkSetup {
  readonly tables: () => Iterable<TableModel>
  readonly connection: SessionConnection
  readonly platform: Platform
  readonly changes: SessionChanges
  readonly transactions: SessionTransactions
  /** The autoflush a statement reading `state`'s tables waits for, named `what` in its error. */
  readonly autoflush: (state: QueryBuilder['state'], what: () => string) => Promise<void> | undefined
}

interface BulkProps {
  readonly kind: 'update' | 'delete'
  readonly query: QueryBuilder
  readonly filtered: boolean
  readonly set: ReadonlyMap<ColumnModel, unknown>
}

/**
 * The builder behind `updateMany()` and `deleteMany()`: immutable, each method returns a new one.
 *
 * @example
 * ```ts
 * const count = await new BulkStatement(setup, table, 'delete').where({ albumId: 1 }).execute()
 * ```
 */
export class BulkStatement {
  readonly #setup: BulkSetup
  readonly #props: BulkProps

  constructor(setup: BulkSetup, table: TableModel, kind: 'update' | 'delete', props?: BulkProps) {
    this.#setup = setup
    this.#props = props ?? { kind, query: new QueryBuilder(emptyQueryState(table), undefined, setup.platform.values), filtered: false, set: new Map() }
  }

  get #what(): string {
    return `session.${this.#props.kind}Many('${this.#props.query.state.table.key}')`
  }

  where(...args: unknown[]): BulkStatement {
    return new BulkStatement(this.#setup, this.#props.query.state.table, this.#props.kind, { ...this.#props, query: this.#props.query.where(...args), filtered: true })
  }

  set(values: Record<string, unknown>): BulkStatement {
    const table = this.#props.query.state.table
    if (this.#props.kind !== 'update') throw new RelataError(`${this.#what}: set() belongs to updateMany()`)
    if (typeof values !== 'object' || values === null) throw new RelataError(`${this.#what}.set(): expects an object of column values`)
    const set = new Map(this.#props.set)
    for (const [property, value] of Object.entries(values)) {
      const column = table.columnsByProperty.get(property)
      if (column === undefined) throw new RelataError(`${this.#what}.set(): '${property}' is not a column of '${table.key}' (columns: ${[...table.columnsByProperty.keys()].join(', ')})`)
      if (column.config.primaryKey) throw new RelataError(`${this.#what}.set(): '${property}' is part of the primary key; a bulk UPDATE does not change keys (change the object, and flush)`)
      if (column.config.version) throw new RelataError(`${this.#what}.set(): '${property}' is the version column; the UPDATE increments it`)
      if (value === undefined) throw new RelataError(`${this.#what}.set(): '${property}' is undefined; use null to set NULL`)
      checkValue(table, column, value, this.#setup.platform.values)
      set.set(column, value)
    }
    return new BulkStatement(this.#setup, table, 'update', { ...this.#props, set })
  }

  /** Autoflushes what the statement could see, then runs it in the session's queue: one statement at a time with flushes. */
  async execute(): Promise<number> {
    const { kind, filtered, set, query } = this.#props
    if (!filtered) throw new RelataError(`${this.#what}: call where() before execute() (where({}) matches every row)`)
    if (kind === 'update' && set.size === 0) throw new RelataError(`${this.#what}: call set() with the values to write before execute()`)
    const waiting = this.#setup.autoflush(query.state, () => this.#what)
    if (waiting !== undefined) await waiting
    return this.#setup.transactions.queue(() => this.#run())
  }

  async #run(): Promise<number> {
    const { connection, transactions, changes } = this.#setup
    transactions.refuseIfDoomed()
    const capabilities = await connection.capabilities()
    const { kind } = this.#props
    const table = this.#props.query.state.table
    const version = kind === 'update' ? table.versionColumn : undefined
    const fetched = [...table.primaryKey, ...(version === undefined ? [] : [version])]
    const { keys, count } = await transactions.write(async (db) => {
      const returning = kind === 'update' ? this.#setup.platform.statements.updateReturning : capabilities.returning
      // Without RETURNING, the keys are read first, locked, in the same transaction: the statement then writes exactly those rows.
      const before = returning ? undefined : ((await this.#setup.platform.statements.lockRows(this.#select(db, fetched), { mode: 'update' }, table.sqlName, capabilities).execute()) as Row[])
      const statement = kind === 'update' ? this.update(db) : db.deleteFrom(table.sqlName).where((eb) => this.#filter(eb))
      if (returning) {
        const rows = (await (statement as ReturnType<BulkStatement['update']>).returning(fetched.map((c) => c.sqlName)).execute()) as Row[]
        return { keys: rows, count: rows.length }
      }
      const result = await statement.executeTakeFirst()
      const written = Number('numUpdatedRows' in result ? result.numUpdatedRows : result.numDeletedRows)
      // The rows read were locked before: the statement wrote them and only them (a version read before is one less now).
      return { keys: version === undefined ? before! : before!.map((row) => ({ ...row, [version.sqlName]: Number(row[version.sqlName]) + 1 })), count: written }
    })
    const decoded = keys.map((row) => decode(this.#setup.platform, row, fetched))
    const held = decoded.flatMap((row) => {
      const entity = changes.identityMap.get(table, identityKeyOf(table, (property) => row[property]))
      return entity === undefined ? [] : [[entity, row] as const]
    })
    if (kind === 'delete') this.#deleted(held.map(([entity]) => entity))
    else this.#updated(held, version)
    return count
  }

  #filter(eb: ExpressionBuilder<any, any>): Expression<SqlBool> {
    const { state } = this.#props.query
    const filters = compileFilters(eb, state.filters, state.table, state.table.sqlName)
    return filters.length === 0 ? sql<SqlBool>`1 = 1` : eb.and(filters)
  }

  #select(db: Kysely<any>, columns: readonly ColumnModel[]) {
    const { table } = this.#props.query.state
    return db
      .selectFrom(table.sqlName)
      .select(columns.map((c) => c.sqlName))
      .where((eb) => this.#filter(eb))
  }

  /** @internal */
  update(db: Kysely<any>) {
    const { table } = this.#props.query.state
    const values: Row = {}
    for (const [column, value] of this.#props.set) values[column.sqlName] = encodeValue(column, value, this.#setup.platform.values)
    const version = table.versionColumn
    if (version !== undefined) values[version.sqlName] = sql`${sql.ref(`${table.sqlName}.${version.sqlName}`)} + 1`
    return db
      .updateTable(table.sqlName)
      .set(values)
      .where((eb) => this.#filter(eb))
  }

  /**
   * Held objects whose rows were updated take the values: a column unchanged since it was read takes
   * the new value, a changed one keeps it (the next flush writes it over); the snapshot becomes the
   * row's, so the next flush writes nothing the statement wrote. An expired column stays expired.
   */
  #updated(held: readonly (readonly [object, Row])[], version: ColumnModel | undefined): void {
    const { set } = this.#props
    const table = this.#props.query.state.table
    const journal: [object, unknown[] | undefined][] = []
    for (const [entity, row] of held) {
      const state = stateOf(entity)!
      if (state.snapshot === undefined) continue
      journal.push([entity, state.snapshot])
      const snapshot = state.snapshot.slice()
      const values = entity as Row
      const take = (column: ColumnModel, value: unknown) => {
        const i = table.columns.indexOf(column)
        const kind = snapshotKind(column)
        const next = snapshotValue(kind, value)
        if (!state.expired?.has(i) && sameValue(kind, values[column.property], snapshot[i])) values[column.property] = restoredValue(kind, next)
        snapshot[i] = next
      }
      for (const [column, value] of set) take(column, value)
      if (version !== undefined) take(version, row[version.property])
      state.snapshot = snapshot
    }
    const moved = [...set.keys()]
    if (held.length > 0 && moved.length > 0) moveBetweenParents(this.#setup.tables(), this.#setup.changes.identityMap, table, held.map(([entity]) => entity), moved)
    this.#setup.changes.journal({ inserted: [], updated: journal, deleted: [], rekeyed: [] })
  }

  /** Held objects whose rows were deleted leave the identity map and every loaded relation that held them, detached. */
  #deleted(entities: readonly object[]): void {
    const { changes } = this.#setup
    const identityMap: IdentityMap = changes.identityMap
    dropDeleted(this.#setup.tables(), identityMap, entities)
    for (const entity of entities) {
      const state = stateOf(entity)!
      identityMap.delete(state.table, state.identityKey)
      state.status = 'detached'
      changes.deleted.delete(entity)
      changes.touched.delete(entity)
    }
    changes.journal({ inserted: [], updated: [], deleted: entities, rekeyed: [] })
  }
}

function decode(platform: Platform, row: Row, columns: readonly ColumnModel[]): Row {
  const values: Row = {}
  for (const column of columns) {
    const raw = row[column.sqlName]
    const decoder = platform.values.rowDecoder(column)
    values[column.property] = raw === null || raw === undefined || decoder === undefined ? raw : decoder(raw)
  }
  return values
}
