/**
 * Runs the statements of a flush plan inside one transaction: multi-row INSERTs with generated
 * keys read back, batched UPDATEs of changed columns, link rows, DELETEs. Touches no entity:
 * what the database wrote is collected in `written`, applied by the session once every statement
 * succeeded.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely'
import { chunks, type ByteBudget } from '../sql/chunks.js'
import { inTuples } from '../sql/sql-helpers.js'
import type { DialectCapabilities } from '../dialect/dialect.js'
import type { Platform } from '../dialect/platform.js'
import type { GeneratedKeys } from '../dialect/statement-rules.js'
import { FlushError, QueryTimeoutError, RelataError, TransactionConflictError } from '../errors.js'
import type { ColumnModel, ForeignKeyModel, TableModel } from '../schema/model.js'
import { isPartial, stateOf } from '../tracking/entity-state.js'
import { restoredValue, snapshotKind, snapshotValue } from '../values/snapshots.js'
import { keyOfValues, tupleKey } from '../tracking/identity-map.js'
import { refTarget, type UpdateWrite } from './change-set.js'
import { describeDatabaseError, transientDatabaseError } from '../dialect/database-error.js'
import { updateGroups, type FlushStep, type InsertBatch } from './flush-plan.js'
import { parkableColumn } from './key-changes.js'
import type { LinkRecord } from './link-records.js'
import { switchedRow, type RowSwitch } from './row-switch.js'
import { matchUpserted, upsertGroups } from './upsert-batch.js'
import { missingRows, staleRowsError } from './stale-rows.js'
import { rowTooLarge, statementOverhead, valueBytes } from './statement-size.js'
import { runFlushStatement } from './flush-statements.js'
import { checkValue, encodeValue } from '../values/write-values.js'

/** Column values (by property) each object has after the flush, as the database returned or was given them. */
export type Written = Map<object, Record<string, unknown>>

type Row = Record<string, unknown>

/** How the bytes of a batch's items are counted. */
interface RowSize<T> {
  bytes(item: T): number
  tooLarge(item: T, limit: number): Error
}

/** A new object on its way into one INSERT: its row (SQL names, encoded) and the values it was given, by column index. */
interface InsertItem {
  readonly entity: object
  readonly row: Row
  readonly given: unknown[]
}

export class Persister {
  readonly written: Written = new Map()
  /** Per new object, the values its INSERT was built from (by column index): what the object held when it was read. */
  readonly sent = new Map<object, readonly unknown[]>()
  /** Keys generated without RETURNING: made at the first insert that needs them. */
  #generatedKeys: GeneratedKeys | undefined
  /** Rows moved to a temporary key (a key swap): their key column's value until their own update. */
  #parked: Map<object, { readonly column: ColumnModel; readonly value: unknown }> | undefined

  constructor(
    private readonly db: Kysely<any>,
    private readonly capabilities: DialectCapabilities,
    private readonly platform: Platform,
  ) {}

  /** A key column's value: as written in this flush, or as the object holds it. */
  keyOf = (entity: object, column: ColumnModel): unknown => {
    const written = this.written.get(entity)
    if (written !== undefined && column.property in written) return written[column.property]
    return (entity as Row)[column.property]
  }

  async run(steps: readonly FlushStep[]): Promise<void> {
    for (const step of steps) {
      try {
        await this.#step(step)
      } catch (error) {
        throw this.#wrap(error, step)
      }
    }
  }

  async #step(step: FlushStep): Promise<void> {
    switch (step.kind) {
      case 'insert':
        return this.#insert(step)
      case 'postUpdate':
        return this.#postUpdate(step.table, step.entity, step.keys)
      case 'update':
        return this.#update(step.table, step.writes)
      case 'parkKey':
        return this.#parkKey(step.table, step.entity)
      case 'switchRow':
        return this.#switchRow(step.table, step.row)
      case 'insertLinks':
        return this.#insertLinks(step.table, await this.#newLinks(step.table, step.links, step.unverified))
      case 'updateLinks':
        for (const link of step.links) await this.#updateLink(step.table, link)
        return
      case 'deleteLinks':
        return this.#deleteLinks(step.table, step.links)
      case 'purgeLinks':
        return this.#keyStatement('delete', step.purge.key, step.purge.parents)
      case 'nullKeys':
        return this.#keyStatement('null', step.nulling.key, step.nulling.parents)
      case 'unsetKeys':
        return this.#unsetKeys(step.table, step.key, step.entities)
      case 'delete':
        return this.#delete(step.table, step.entities)
    }
  }

  #wrap(error: unknown, step: FlushStep): Error {
    if (error instanceof RelataError) return error
    const info = describeDatabaseError(error)
    const what = step.kind === 'insert' || step.kind === 'delete' ? `${step.kind === 'insert' ? 'inserting' : 'deleting'} ${step.entities.length} '${step.table.key}' row(s)` : `running '${step.kind}' on '${step.table.key}'`
    const constraint = info.constraint ? `, constraint ${info.constraint}` : ''
    const detail = info.detail ? ` (${info.detail})` : ''
    const table = step.table.sqlName
    const rolledBack = 'The transaction was rolled back; the session is as it was before the flush.'
    const transient = transientDatabaseError(error)
    if (transient?.kind === 'conflict') {
      return new TransactionConflictError(
        `Flush failed while ${what} in table ${table}: ${transient.conflict} with a concurrent transaction: ${info.message}. ${rolledBack} Running the transaction again may succeed.`,
        transient.conflict,
        table,
        transient.code,
        { cause: error },
      )
    }
    if (transient?.kind === 'timeout') {
      return new QueryTimeoutError(`Flush failed while ${what} in table ${table}: the statement timed out and the server cancelled it: ${info.message}. ${rolledBack}`, table, transient.code, {
        cause: error,
      })
    }
    return new FlushError(`Flush failed while ${what} in table ${table}${constraint}: ${info.message}${detail}. ${rolledBack}`, table, info.constraint, { cause: error })
  }

  /** The value a column is written with: from the relation's object for a foreign key, else from the entity. */
  #value(entity: object, column: ColumnModel): unknown {
    const ref = refTarget(stateOf(entity)!, column)
    if (ref === undefined) return (entity as Row)[column.property]
    if (ref.target === null) return null
    return this.keyOf(ref.target, ref.key.referencedColumns[ref.key.columns.indexOf(column)]!)
  }

  /**
   * Batches within the dialect's parameter limit and, given `size` where the server limits a
   * statement's bytes (MySQL's `max_allowed_packet`), within that too; a row too large alone fails.
   */
  #chunks<T>(items: readonly T[], parametersEach: number, size?: RowSize<T>): (readonly T[])[] {
    const limit = this.capabilities.maxStatementBytes
    const bytes: ByteBudget<T> | undefined =
      size === undefined || limit === undefined ? undefined : { budget: limit - Math.min(statementOverhead, limit / 4), bytes: size.bytes, tooLarge: (item) => size.tooLarge(item, limit) }
    // Room is left for parameters not counted per item (the SET values of an UPDATE that writes the same values to every row).
    return chunks(items, this.capabilities.maxParameters - 100, parametersEach, bytes)
  }

  /** Bytes of an encoded row (by SQL name), and the error when it alone is too large. */
  #rowSize<T>(table: TableModel, action: string, rowOf: (item: T) => Row): RowSize<T> {
    return {
      bytes: (item) => {
        const row = rowOf(item)
        let bytes = 0
        for (const name in row) bytes += valueBytes(row[name])
        return bytes
      },
      tooLarge: (item, limit) => {
        const row = rowOf(item)
        return rowTooLarge(table, action, table.columns.filter((c) => c.sqlName in row).map((c) => [c, row[c.sqlName]] as const), limit)
      },
    }
  }

  #decodeRow(table: TableModel, row: Row, columns: readonly ColumnModel[] = table.columns): Row {
    return this.#decode(row, columns)
  }

  #decode = (row: Row, columns: readonly ColumnModel[]): Row => {
    const values: Row = {}
    for (const column of columns) {
      const raw = row[column.sqlName]
      const decode = this.platform.values.rowDecoder(column)
      values[column.property] = raw === undefined ? undefined : decode === undefined ? raw : decode(raw)
    }
    return values
  }

  async #insert(batch: InsertBatch): Promise<void> {
    const { table, entities, postponed } = batch
    const { columns } = table
    const values = this.platform.values
    const items = entities.map((entity): InsertItem => {
      const row: Row = {}
      const given = new Array<unknown>(columns.length)
      const late = postponed.get(entity)
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i]!
        // A key postponed to a later UPDATE (a cycle) is inserted as NULL; the object keeps its target's key.
        const value = this.#value(entity, column)
        const sent = late !== undefined && [...late].some((k) => k.columns.includes(column)) ? null : value
        if (sent === undefined) continue
        given[i] = sentCopy(column, value ?? null)
        row[column.sqlName] = encodeValue(column, sent, values)
      }
      this.sent.set(entity, given)
      return { entity, row, given }
    })
    const upserts = items.filter((item) => stateOf(item.entity)!.upsert !== undefined)
    if (upserts.length > 0) await this.#upsert(table, upserts)
    const inserts = upserts.length === 0 ? items : items.filter((item) => stateOf(item.entity)!.upsert === undefined)
    const generated = columns.find((c) => c.config.generated)
    // A column no row gives is left out of the statement (no parameter): a batch takes as many rows as the parameters it really binds allow.
    for (const chunk of this.#chunks(inserts, boundColumns(inserts, columns.length), this.#rowSize(table, 'insert', (item: InsertItem) => item.row))) {
      if (this.capabilities.returning) await this.#insertReturning(table, generated, chunk)
      else await this.#insertThenSelect(table, generated, chunk)
    }
  }

  /**
   * New objects of `session.upsert()`: one `INSERT ... ON CONFLICT DO UPDATE` (MySQL: `ON DUPLICATE
   * KEY UPDATE`) per group of rows, each object's whole row back, as inserted or as the existing row
   * now holds it: by `RETURNING`, else read again by the conflict columns, locked, in this transaction.
   */
  async #upsert(table: TableModel, items: readonly InsertItem[]): Promise<void> {
    for (const group of upsertGroups(table, items)) {
      const conflict = group.conflict
      for (const chunk of this.#chunks(group.items, table.columns.length, this.#rowSize(table, 'insert', (item: InsertItem) => item.row))) {
        const query = this.platform.statements.upsert(this.#insertInto(table, chunk.map((c) => c.row)), group.statement)
        let rows: Row[]
        if (this.capabilities.returning) {
          rows = (await query.returning(table.columns.map((c) => c.sqlName)).execute()) as Row[]
        } else {
          await query.execute()
          const read = this.db
            .selectFrom(table.sqlName)
            .selectAll()
            .where(inTuples(conflict.map((c) => c.sqlName), chunk.map((c) => conflict.map((column) => c.row[column.sqlName]))))
          rows = (await this.platform.statements.lockForShare(read).execute()) as Row[]
        }
        const decoded = rows.map((row) => this.#decodeRow(table, row))
        for (const [entity, row] of matchUpserted(table, conflict, chunk, decoded)) this.written.set(entity, row)
      }
    }
  }

  /**
   * Only what the objects do not already know comes back: keys, and columns some row left to the
   * database (defaults). The values given are written into the result as they were sent.
   */
  async #insertReturning(table: TableModel, generated: ColumnModel | undefined, chunk: readonly InsertItem[]): Promise<void> {
    const returning = table.columns.filter((c) => c.config.primaryKey || c.config.generated || chunk.some(({ row }) => row[c.sqlName] === undefined))
    const names = returning.map((c) => c.sqlName)
    const rows = chunk.map((c) => c.row)
    const shaped = rowsShape(rows)
    const shape = shaped && JSON.stringify(['insert', table.sqlName, shaped.shape, names])
    const returned = (await runFlushStatement(this.db, this.platform, shape, shaped?.values ?? [], () => this.#insertInto(table, rows).returning(names))).rows
    if (returned.length !== chunk.length) throw new RelataError(`INSERT into ${table.sqlName} returned ${returned.length} rows for ${chunk.length} objects`)
    const decoded = returned.map((row) => this.#decodeRow(table, row, returning))
    this.#match(table, generated, chunk, decoded)
    const { columns } = table
    for (const { entity, given } of chunk) {
      const written = this.written.get(entity)!
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i]!
        if (given[i] !== undefined && !(column.property in written)) written[column.property] = given[i]
      }
    }
  }

  /**
   * Matches returned rows to objects without trusting the order rows come back in: by primary key
   * where the objects carry theirs, else by the generated key, which a single multi-row INSERT
   * assigns in ascending order of its VALUES rows.
   */
  #match(table: TableModel, generated: ColumnModel | undefined, chunk: readonly InsertItem[], decoded: Row[]): void {
    const byGenerated = generated !== undefined && chunk.some((c) => c.row[generated.sqlName] === undefined)
    if (byGenerated) {
      const sorted = [...decoded].sort((a, b) => compareKeys(a[generated.property], b[generated.property]))
      if (chunk.some((c) => c.row[generated.sqlName] !== undefined)) {
        // Mixed explicit and generated keys: match the explicit ones by key, the rest in order.
        const explicit = new Map(chunk.filter((c) => c.row[generated.sqlName] !== undefined).map((c) => [String(c.row[generated.sqlName]), c.entity]))
        const rest = chunk.filter((c) => c.row[generated.sqlName] === undefined)
        let i = 0
        for (const row of sorted) {
          const entity = explicit.get(String(row[generated.property])) ?? rest[i++]!.entity
          this.written.set(entity, row)
        }
        return
      }
      sorted.forEach((row, i) => this.written.set(chunk[i]!.entity, row))
      return
    }
    const key = (values: Row) => keyOfValues(table.primaryKey.map((c) => values[c.property]))
    const byKey = new Map(decoded.map((row) => [key(row), row]))
    for (const { entity } of chunk) {
      const row = byKey.get(key(Object.fromEntries(table.primaryKey.map((c) => [c.property, this.#value(entity, c)]))))
      if (row === undefined) throw new RelataError(`INSERT into ${table.sqlName}: no returned row matches a new ${table.key} object`)
      this.written.set(entity, row)
    }
  }

  /** `INSERT INTO t VALUES ...`, rows left wholly to the database's defaults included (the platform writes those). */
  #insertInto(table: TableModel, rows: Row[]) {
    return this.platform.statements.insertValues(this.db.insertInto(table.sqlName), rows, table.columns[0]!.sqlName)
  }

  /** Without RETURNING (MySQL 8): generated keys as the platform learns them, then the rows are read back. */
  async #insertThenSelect(table: TableModel, generated: ColumnModel | undefined, chunk: readonly InsertItem[]): Promise<void> {
    const ids = new Map<object, unknown>()
    const needsId = generated !== undefined ? chunk.filter((c) => c.row[generated.sqlName] === undefined) : []
    const explicit = generated !== undefined ? chunk.filter((c) => c.row[generated.sqlName] !== undefined) : chunk
    if (explicit.length > 0) await this.db.insertInto(table.sqlName).values(explicit.map((c) => c.row)).execute()
    if (needsId.length > 0) {
      this.#generatedKeys ??= this.platform.statements.generatedKeys(this.db)
      const keys = await this.#generatedKeys.insert(table.sqlName, needsId.map((c) => c.row))
      needsId.forEach((c, i) => ids.set(c.entity, keys[i]))
    }
    const keyValues = chunk.map(({ entity }) => table.primaryKey.map((c) => (c === generated && ids.has(entity) ? ids.get(entity) : this.#value(entity, c))))
    const rows = (await this.db
      .selectFrom(table.sqlName)
      .selectAll()
      .where(inTuples(table.primaryKey.map((c) => c.sqlName), keyValues))
      .execute()) as Row[]
    const decoded = rows.map((row) => this.#decodeRow(table, row))
    const key = keyOfValues
    const byKey = new Map(decoded.map((row) => [key(table.primaryKey.map((c) => row[c.property])), row]))
    chunk.forEach(({ entity }, i) => {
      const row = byKey.get(key(keyValues[i]!))
      if (row === undefined) throw new RelataError(`INSERT into ${table.sqlName}: the new ${table.key} row could not be read back`)
      this.written.set(entity, row)
    })
  }

  /** How the row of an object is found: a persistent object by its values as loaded, even if changed since. */
  #rowKey(entity: object, column: ColumnModel): unknown {
    const parked = this.#parked?.get(entity)
    if (parked?.column === column) return parked.value
    const state = stateOf(entity)!
    if (state.status === 'persistent' && state.snapshot !== undefined) return restoredValue(snapshotKind(column), state.snapshot[state.table.columns.indexOf(column)])
    return this.keyOf(entity, column)
  }

  #where(table: TableModel, entities: readonly object[], versioned: boolean): RawBuilder<boolean> {
    const columns = versioned ? [...table.primaryKey, table.versionColumn!] : table.primaryKey
    const values = entities.map((entity) => columns.map((c) => this.#rowKey(entity, c)))
    return inTuples(columns.map((c) => c.sqlName), values)
  }

  /**
   * Fails the flush when a statement by key matched fewer of `entities`' rows than it targeted,
   * naming the rows at fault. `changed`: columns the statement wrote (a changed key is looked up by
   * its new value); `versions`: the version each matched row holds now, when the version was checked.
   */
  async #checkRows(table: TableModel, action: string, entities: readonly object[], matched: number, changed: readonly ColumnModel[] = [], versions?: readonly unknown[]): Promise<void> {
    if (matched === entities.length) return
    const { primaryKey, versionColumn } = table
    // One row targeted, none matched: that row.
    if (entities.length === 1) {
      throw staleRowsError(table, action, 1, matched, primaryKey, [primaryKey.map((c) => this.#rowKey(entities[0]!, c))], versions === undefined ? '' : versionNote(table))
    }
    const now = entities.map((entity) => primaryKey.map((c) => (changed.includes(c) ? this.#value(entity, c) : this.#rowKey(entity, c))))
    // Versioned rows this statement matched hold the version it wrote and its values; others, someone else's.
    const compared = versions === undefined || versionColumn === undefined ? undefined : [versionColumn, ...changed.filter((c) => c !== versionColumn)]
    const written = compared && { columns: compared, values: entities.map((entity, i) => [versions![i], ...compared.slice(1).map((c) => this.#value(entity, c))]) }
    const missing = await missingRows(this.db, table, primaryKey, now, this.#decode, written)
    const stale = missing.map((i) => primaryKey.map((c) => this.#rowKey(entities[i]!, c)))
    throw staleRowsError(table, action, entities.length, matched, primaryKey, stale, written === undefined ? '' : versionNote(table))
  }

  async #postUpdate(table: TableModel, entity: object, keys: ReadonlySet<ForeignKeyModel>): Promise<void> {
    const set: Row = {}
    const written = this.written.get(entity)!
    // Read before the statement runs: the object may change meanwhile, and `written` must say what was sent.
    for (const key of keys) for (const column of key.columns) set[column.sqlName] = written[column.property] = this.#value(entity, column)
    const result = await this.db.updateTable(table.sqlName).set(set).where(this.#where(table, [entity], false)).executeTakeFirst()
    await this.#checkRows(table, 'row(s) to update', [entity], Number(result.numUpdatedRows))
  }

  async #update(table: TableModel, writes: readonly UpdateWrite[]): Promise<void> {
    const version = table.versionColumn
    // The row's key (and version, to check it) come from its snapshot; its new values from the object.
    const keys = version === undefined ? table.primaryKey : [...table.primaryKey, version]
    // A step of rows releasing unique keys may mix sets of changed columns: one statement (per chunk) for each.
    for (const group of updateGroups(writes)) {
      // A version the user assigned is written as given (as SQLAlchemy does); otherwise it counts up.
      const assigned = version !== undefined && group[0]!.columns.includes(version)
      const bump = assigned ? undefined : version
      const columns = assigned ? group[0]!.columns : group[0]!.columns.filter((c) => c !== version)
      // What each row is sent, read before any statement runs: the object may change meanwhile.
      const rows = group.map((write) => {
        const sent: Row = {}
        for (const column of columns) sent[column.property] = sentCopy(column, this.#value(write.entity, column))
        const values = columns.map((column) => {
          const value = sent[column.property]
          checkValue(table, column, value)
          return encodeValue(column, value, this.platform.values)
        })
        return { write, sent, values }
      })
      const size: RowSize<(typeof rows)[number]> = {
        bytes: (row) => row.values.reduce((sum: number, value) => sum + valueBytes(value), keys.length * valueBytes(0)),
        tooLarge: (row, limit) => rowTooLarge(table, 'update', columns.map((c, j) => [c, row.values[j]] as const), limit),
      }
      for (const part of this.#chunks(rows, keys.length + columns.length, size)) {
        const chunk = part.map((row) => row.write)
        const values = part.map((row) => row.values)
        const uniform = columns.every((_, j) => values.every((row) => row[j] === values[0]![j]))
        const updated = uniform
          ? await this.#updateUniform(table, columns, values[0]!, chunk, bump)
          : await this.#updateFromValues(table, keys, columns, values, chunk, bump)
        const versions = version === undefined ? undefined : part.map(({ write, sent }) => (assigned ? sent[version.property] : Number(write.state.snapshot![table.columns.indexOf(version)]) + 1))
        if (updated !== chunk.length) await this.#checkRows(table, 'row(s) to update', chunk.map((w) => w.entity), updated, columns, versions)
        chunk.forEach(({ entity }, i) => {
          const written = part[i]!.sent
          if (versions !== undefined) written[version!.property] = versions[i]
          // A row whose unique key was released first is updated twice: both writes count.
          const before = this.written.get(entity)
          if (before === undefined) this.written.set(entity, written)
          else Object.assign(before, written)
        })
      }
    }
  }

  /**
   * Moves a row to a temporary key, so that another row can take its key in this flush (keys
   * swapped): below every value of an integer column, or a random text or uuid.
   */
  async #parkKey(table: TableModel, entity: object): Promise<void> {
    const column = parkableColumn(table)!
    const { dataType, length } = column.config
    let value: unknown
    if (dataType === 'integer' || dataType === 'serial' || dataType === 'bigint') {
      const { rows } = await sql<{ low: unknown }>`select min(${sql.ref(column.sqlName)}) as low from ${sql.table(table.sqlName)}`.execute(this.db)
      const low = rows[0]?.low
      const below = (low === null || low === undefined ? 0n : BigInt(String(low))) - 1n
      const temporary = below < 0n ? below : -1n
      if (dataType !== 'bigint' && temporary < -2147483648n) throw new RelataError(`${table.key}: no free temporary value for ${table.sqlName}.${column.sqlName} to swap keys through`)
      value = dataType === 'bigint' ? temporary : Number(temporary)
    } else {
      const random = crypto.randomUUID()
      value = dataType === 'uuid' ? random : `~${random.replace(/-/g, '')}`.slice(0, Math.min(length ?? 33, 33))
    }
    const result = await this.db
      .updateTable(table.sqlName)
      .set({ [column.sqlName]: encodeValue(column, value, this.platform.values) })
      .where(this.#where(table, [entity], false))
      .executeTakeFirst()
    await this.#checkRows(table, 'row(s) to update', [entity], Number(result.numUpdatedRows))
    ;(this.#parked ??= new Map()).set(entity, { column, value })
  }

  /** A new object takes over a deleted object's row: one UPDATE of what differs, the old row's version checked. */
  async #switchRow(table: TableModel, { entity, replaced, columns }: RowSwitch): Promise<void> {
    const version = table.versionColumn
    const set: Record<string, unknown> = {}
    const row = switchedRow(replaced, (column) => sentCopy(column, this.#value(entity, column)))
    // What the object held when the statement was built: a value set while it runs stays a change for the next flush.
    this.sent.set(entity, table.columns.map((column) => sentCopy(column, this.#value(entity, column))))
    for (const column of columns) {
      checkValue(table, column, row[column.property])
      set[column.sqlName] = encodeValue(column, row[column.property], this.platform.values)
    }
    if (version !== undefined) set[version.sqlName] = sql`${sql.ref(version.sqlName)} + 1`
    const result = await this.db.updateTable(table.sqlName).set(set).where(this.#where(table, [replaced], version !== undefined)).executeTakeFirst()
    await this.#checkRows(table, 'row(s) a new object replaces', [replaced], Number(result.numUpdatedRows), [], version === undefined ? undefined : [])
    this.written.set(entity, row)
  }

  /** Every row takes the same values: `UPDATE t SET a = ? WHERE (key) IN (...)`. Returns the rows updated. */
  async #updateUniform(table: TableModel, columns: readonly ColumnModel[], values: readonly unknown[], writes: readonly UpdateWrite[], bump: ColumnModel | undefined): Promise<number> {
    const set: Record<string, unknown> = {}
    columns.forEach((column, j) => (set[column.sqlName] = values[j]))
    if (bump !== undefined) set[bump.sqlName] = sql`${sql.ref(bump.sqlName)} + 1`
    const result = await this.db
      .updateTable(table.sqlName)
      .set(set)
      .where(this.#where(table, writes.map((w) => w.entity), table.versionColumn !== undefined))
      .executeTakeFirst()
    return Number(result.numUpdatedRows)
  }

  /**
   * Rows with values of their own, in one pass over a derived table of keys and values (a CASE per
   * column would compare every row with every key), as the platform writes it (`UPDATE ... FROM
   * (VALUES ...)` on PostgreSQL, `UPDATE ... JOIN (SELECT ... UNION ALL ...)` on MySQL). Returns the rows updated.
   */
  async #updateFromValues(
    table: TableModel,
    keys: readonly ColumnModel[],
    columns: readonly ColumnModel[],
    values: readonly unknown[][],
    writes: readonly UpdateWrite[],
    bump: ColumnModel | undefined,
  ): Promise<number> {
    const alias = 'relata_v'
    const v = (name: string) => sql.ref(`${alias}.${name}`)
    const names = [...keys.map((_, i) => `k${i}`), ...columns.map((_, j) => `c${j}`)]
    const rows = writes.map((write, i) => [...keys.map((key) => this.#rowKey(write.entity, key)), ...values[i]!])
    const match = sql.join(keys.map((key, i) => sql`${sql.ref(`${table.sqlName}.${key.sqlName}`)} = ${v(`k${i}`)}`), sql` and `)
    const assignments = [
      ...columns.map((column, j) => sql`${sql.ref(column.sqlName)} = ${v(`c${j}`)}`),
      ...(bump === undefined ? [] : [sql`${sql.ref(bump.sqlName)} = ${sql.ref(`${table.sqlName}.${bump.sqlName}`)} + 1`]),
    ]
    const query = this.platform.statements.updateFromRows({ table: table.sqlName, alias, names, columns: [...keys, ...columns], rows, assignments, match })
    const shape = JSON.stringify(['update', table.sqlName, names, [...keys, ...columns].map((c) => c.sqlName), bump?.sqlName ?? null, rows.length])
    const result = await runFlushStatement(this.db, this.platform, shape, rows.flat(), () => ({ compile: () => query.compile(this.db) }))
    return Number(result.numAffectedRows ?? 0n)
  }

  #linkRow(link: LinkRecord): Row {
    const { association, source, target } = link
    const row: Row = {}
    association.sourceKey.columns.forEach((c, i) => (row[c.sqlName] = this.keyOf(source, association.sourceKey.referencedColumns[i]!)))
    association.targetKey.columns.forEach((c, i) => (row[c.sqlName] = this.keyOf(target, association.targetKey.referencedColumns[i]!)))
    for (const [property, value] of Object.entries(link.values ?? {})) {
      const column = association.table.columnsByProperty.get(property)
      if (column === undefined) throw new RelataError(`'${property}' is not a column of the association table '${association.table.key}'`)
      checkValue(association.table, column, value)
      row[column.sqlName] = encodeValue(column, value, this.platform.values)
    }
    return row
  }

  /**
   * Leaves out links that exist already, among those made while neither collection was loaded:
   * one SELECT of the candidate pairs, in the flush's transaction, locking the rows found against
   * deletion until it commits (no INSERT ... ON CONFLICT / IGNORE, which would hide other errors).
   * A link found with values of its own has them updated instead.
   */
  async #newLinks(table: TableModel, links: readonly LinkRecord[], unverified: ReadonlySet<LinkRecord> | undefined): Promise<readonly LinkRecord[]> {
    const candidates = unverified === undefined ? [] : links.filter((link) => unverified.has(link))
    if (candidates.length === 0) return links
    const first = candidates[0]!.association
    const columns = [...first.sourceKey.columns, ...first.targetKey.columns].sort((a, b) => table.columns.indexOf(a) - table.columns.indexOf(b))
    const found = new Set<string>()
    for (const chunk of this.#chunks(candidates, columns.length)) {
      const tuples = chunk.map((link) => {
        const row = this.#linkRow({ ...link, values: undefined })
        return columns.map((c) => row[c.sqlName])
      })
      const query = this.db.selectFrom(table.sqlName).select(columns.map((c) => c.sqlName)).where(inTuples(columns.map((c) => c.sqlName), tuples))
      for (const row of (await this.platform.statements.lockForShare(query).execute()) as Row[]) {
        const decoded = this.#decodeRow(table, row, columns)
        found.add(tupleKey(columns.map((c) => decoded[c.property])))
      }
    }
    if (found.size === 0) return links
    const fresh: LinkRecord[] = []
    for (const link of links) {
      if (!unverified!.has(link)) {
        fresh.push(link)
        continue
      }
      const row = this.#linkRow({ ...link, values: undefined })
      if (!found.has(tupleKey(columns.map((c) => row[c.sqlName])))) fresh.push(link)
      else if (link.values !== undefined) await this.#updateLink(table, link)
    }
    return fresh
  }

  async #insertLinks(table: TableModel, links: readonly LinkRecord[]): Promise<void> {
    const rows = links.map((link) => this.#linkRow(link))
    for (const chunk of this.#chunks(rows, table.columns.length, this.#rowSize(table, 'insert', (row: Row) => row))) {
      const shaped = rowsShape(chunk)
      await runFlushStatement(this.db, this.platform, shaped && JSON.stringify(['insert', table.sqlName, shaped.shape]), shaped?.values ?? [], () =>
        this.db.insertInto(table.sqlName).values(chunk as Row[]),
      )
    }
  }

  async #updateLink(table: TableModel, link: LinkRecord): Promise<void> {
    const row = this.#linkRow(link)
    const keyColumns = [...link.association.sourceKey.columns, ...link.association.targetKey.columns]
    const set = Object.fromEntries(Object.entries(row).filter(([name]) => !keyColumns.some((c) => c.sqlName === name)))
    if (Object.keys(set).length === 0) return
    const key = keyColumns.map((c) => row[c.sqlName])
    const result = await this.db.updateTable(table.sqlName).set(set).where(inTuples(keyColumns.map((c) => c.sqlName), [key])).executeTakeFirst()
    const updated = Number(result.numUpdatedRows)
    if (updated !== 1 && linkKnown(link)) throw staleRowsError(table, 'link row(s) to update', 1, updated, keyColumns, [key])
  }

  /**
   * Link rows known to exist (removed from a loaded collection) must all be deleted, as
   * SQLAlchemy's many-to-many requires; a removal from an unloaded collection may find none.
   */
  async #deleteLinks(table: TableModel, links: readonly LinkRecord[]): Promise<void> {
    const keyColumns = (link: LinkRecord) => [...link.association.sourceKey.columns, ...link.association.targetKey.columns]
    // Links seen from either side name the same columns, in an order that depends on the side: normalise.
    const columns = table.primaryKey.length > 0 ? [...keyColumns(links[0]!)].sort((a, b) => table.columns.indexOf(a) - table.columns.indexOf(b)) : keyColumns(links[0]!)
    const names = columns.map((c) => c.sqlName)
    const known: LinkRecord[] = []
    const blind: LinkRecord[] = []
    for (const link of links) (linkKnown(link) ? known : blind).push(link)
    for (const [group, checked] of [[known, true], [blind, false]] as const) {
      for (const chunk of this.#chunks(group, columns.length)) {
        const tuples = new Map<string, unknown[]>()
        for (const link of chunk) {
          const row = this.#linkRow({ ...link, values: undefined })
          const tuple = columns.map((c) => row[c.sqlName])
          tuples.set(tupleKey(tuple), tuple)
        }
        const query = this.db.deleteFrom(table.sqlName).where(inTuples(names, [...tuples.values()]))
        if (!checked) {
          await query.execute()
        } else if (this.capabilities.returning) {
          const rows = (await query.returning(names).execute()) as Row[]
          if (rows.length === tuples.size) continue
          for (const row of rows) {
            const decoded = this.#decode(row, columns)
            tuples.delete(tupleKey(columns.map((c) => decoded[c.property])))
          }
          throw staleRowsError(table, 'link row(s) to delete', rows.length + tuples.size, rows.length, columns, [...tuples.values()])
        } else {
          const deleted = Number((await query.executeTakeFirst()).numDeletedRows)
          if (deleted !== tuples.size) throw staleRowsError(table, 'link row(s) to delete', tuples.size, deleted, columns, [])
        }
      }
    }
  }

  /** `DELETE` link rows, or `SET fk = NULL` on children, for every parent in `parents`. */
  async #keyStatement(kind: 'delete' | 'null', key: ForeignKeyModel, parents: readonly object[]): Promise<void> {
    for (const chunk of this.#chunks(parents, key.columns.length)) {
      const where = inTuples(key.columns.map((c) => c.sqlName), chunk.map((parent) => key.referencedColumns.map((c) => this.keyOf(parent, c))))
      if (kind === 'delete') await this.db.deleteFrom(key.table.sqlName).where(where).execute()
      else await this.db.updateTable(key.table.sqlName).set(Object.fromEntries(key.columns.map((c) => [c.sqlName, null]))).where(where).execute()
    }
  }

  /** `SET fk = NULL` on rows about to be deleted, so that the rows they point at can go first. */
  async #unsetKeys(table: TableModel, key: ForeignKeyModel, entities: readonly object[]): Promise<void> {
    const set = Object.fromEntries(key.columns.map((c) => [c.sqlName, null]))
    for (const chunk of this.#chunks(entities, table.primaryKey.length)) {
      const result = await this.db.updateTable(table.sqlName).set(set).where(this.#where(table, chunk, false)).executeTakeFirst()
      await this.#checkRows(table, 'row(s) to update', chunk, Number(result.numUpdatedRows))
    }
  }

  /** Every row must go: with RETURNING the keys deleted name those that were not; without, only rows still there (another version) can be named. */
  async #delete(table: TableModel, entities: readonly object[]): Promise<void> {
    const versioned = table.versionColumn !== undefined
    const { primaryKey } = table
    const note = versioned ? versionNote(table) : ''
    for (const chunk of this.#chunks(entities, primaryKey.length + 1)) {
      const query = this.db.deleteFrom(table.sqlName).where(this.#where(table, chunk, versioned))
      if (this.capabilities.returning) {
        const rows = (await query.returning(primaryKey.map((c) => c.sqlName)).execute()) as Row[]
        if (rows.length === chunk.length) continue
        const gone = new Set<string>()
        for (const row of rows) {
          const decoded = this.#decode(row, primaryKey)
          gone.add(tupleKey(primaryKey.map((c) => decoded[c.property])))
        }
        const stale = chunk.map((entity) => primaryKey.map((c) => this.#rowKey(entity, c))).filter((key) => !gone.has(tupleKey(key)))
        throw staleRowsError(table, 'row(s) to delete', chunk.length, rows.length, primaryKey, stale, note)
      }
      const deleted = Number((await query.executeTakeFirst()).numDeletedRows)
      if (deleted === chunk.length) continue
      const keys = chunk.map((entity) => primaryKey.map((c) => this.#rowKey(entity, c)))
      const absent = new Set(await missingRows(this.db, table, primaryKey, keys, this.#decode))
      throw staleRowsError(table, 'row(s) to delete', chunk.length, deleted, primaryKey, keys.filter((_, i) => !absent.has(i)), note)
    }
  }
}

/**
 * The shape of a multi-row INSERT's rows (their column names and count) and its parameters in
 * order, when every row gives the same columns in the same order; otherwise undefined (not cached).
 */
function rowsShape(rows: readonly Row[]): { shape: [string[], number]; values: unknown[] } | undefined {
  if (rows.length === 0) return undefined
  const names = Object.keys(rows[0]!)
  if (names.length === 0) return undefined
  const values = new Array<unknown>(rows.length * names.length)
  let k = 0
  for (const row of rows) {
    let n = 0
    for (const name in row) {
      if (name !== names[n]) return undefined
      values[k++] = row[name]
      n++
    }
    if (n !== names.length) return undefined
  }
  return { shape: [names, rows.length], values }
}

/** How many columns at least one of the rows gives: the parameters each row binds at most. */
function boundColumns(items: readonly InsertItem[], columns: number): number {
  const bound = new Array<boolean>(columns).fill(false)
  let count = 0
  for (const { given } of items) {
    for (let i = 0; i < columns; i++) {
      if (!bound[i] && given[i] !== undefined) {
        bound[i] = true
        if (++count === columns) return count
      }
    }
  }
  return count
}

const versionNote = (table: TableModel): string => ` (version check on ${table.sqlName}.${table.versionColumn!.sqlName})`

/** Whether a link row is known to exist: its change was recorded while a collection at either end was loaded. */
function linkKnown(link: LinkRecord): boolean {
  const { association } = link
  return loadedThrough(link.source, association.table, association.sourceKey) || loadedThrough(link.target, association.table, association.targetKey)
}

function loadedThrough(entity: object, table: TableModel, key: ForeignKeyModel): boolean {
  const state = stateOf(entity)!
  if (state.relations === undefined) return false
  for (const relation of state.table.relations.values()) {
    const slot = state.relations[relation.name]
    if (relation.association?.table === table && relation.association.sourceKey === key && slot?.loaded && !isPartial(slot)) return true
  }
  return false
}

/**
 * A value as it was sent: dates and documents copied, so that one changed in place while the
 * statement runs (`d.setUTCFullYear()`) is seen as a change, not taken into the snapshot.
 */
function sentCopy(column: ColumnModel, value: unknown): unknown {
  const kind = snapshotKind(column)
  return kind === 'value' ? value : restoredValue(kind, snapshotValue(kind, value))
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'bigint' || typeof b === 'bigint') return BigInt(a as bigint) < BigInt(b as bigint) ? -1 : BigInt(a as bigint) > BigInt(b as bigint) ? 1 : 0
  return Number(a) - Number(b)
}
