/** Autoflush: whether a read must wait for the session's pending changes to be written (the tables they write against the tables it reads), and `noAutoflush` blocks. */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Filter, QueryState } from '../query/query-state.js'
import type { AnySchema } from '../schema/define-schema.js'
import type { RelationModel, TableModel } from '../schema/model.js'
import { stateOf } from '../tracking/entity-state.js'
import type { IdentityMap } from '../tracking/identity-map.js'
import { snapshotKind, type SnapshotKind } from '../values/snapshots.js'
import { sameValue } from '../values/write-values.js'
import type { SessionChanges } from './session-changes.js'

/**
 * The tables a read reads, or `'any'` when it cannot be told (a raw Kysely `where((eb) => ...)`
 * may reach any table).
 *
 * @example
 * ```ts
 * queryTables(session.query('authors').with({ books: true }).state)   // Set { authors, books }
 * ```
 */
export type ReadTables = ReadonlySet<TableModel> | 'any'

/** The tables a query reads: its table, and those of its `.with()` and `withCount()` relations and their link tables; `'any'` with a raw filter anywhere. */
export function queryTables(state: QueryState): ReadTables {
  const tables = new Set<TableModel>()
  return addQuery(tables, state) ? tables : 'any'
}

/** Adds what `state` reads to `tables`; false when a raw filter may read anything. */
function addQuery(tables: Set<TableModel>, state: QueryState): boolean {
  tables.add(state.table)
  if (!addFilters(tables, state.filters)) return false
  for (const item of state.with) {
    const relation = state.table.relations.get(item.relation)
    if (relation === undefined) return false
    addRelation(tables, relation)
    if (item.query !== undefined && !addQuery(tables, item.query)) return false
  }
  for (const item of state.counts ?? []) {
    addRelation(tables, item.relation)
    if (item.filters.some((filter) => filter.kind === 'expression')) return false
  }
  return true
}

/** Adds the tables that filters read (through relation filters, at any depth); false for a raw filter. */
function addFilters(tables: Set<TableModel>, filters: readonly Filter[]): boolean {
  for (const filter of filters) {
    if (filter.kind === 'expression') return false
    if (filter.kind !== 'relation') continue
    addRelation(tables, filter.relation)
    if (!addFilters(tables, filter.filters)) return false
  }
  return true
}

/** The tables a load of relations reads: their tables and link tables. */
export function relationTables(relations: Iterable<RelationModel>): ReadTables {
  const tables = new Set<TableModel>()
  for (const relation of relations) addRelation(tables, relation)
  return tables
}

function addRelation(tables: Set<TableModel>, relation: RelationModel): void {
  tables.add(relation.target)
  if (relation.association !== undefined) tables.add(relation.association.table)
}

/** Per table: the tables a deletion of one of its rows may write (rows pointing at it, deleted or unset, and so on down). */
const deletionReach = new WeakMap<TableModel, ReadonlySet<TableModel>>()

function deletionReachOf(schema: AnySchema, table: TableModel): ReadonlySet<TableModel> {
  let reach = deletionReach.get(table)
  if (reach === undefined) {
    const found = new Set<TableModel>([table])
    for (const from of found) {
      for (const other of schema.tables.values()) {
        if (!found.has(other) && other.foreignKeys.some((key) => key.references === from)) found.add(other)
      }
    }
    reach = found
    deletionReach.set(table, reach)
  }
  return reach
}

/**
 * The tables a relation change of one object may write besides its own row: the other side of a
 * one-to-many or inverse one-to-one (its key), a link table and, where a relation deletes
 * orphans, what deleting the orphan (this object, or the one it pointed at) writes.
 */
const touchReach = new WeakMap<TableModel, ReadonlySet<TableModel>>()

function touchReachOf(schema: AnySchema, table: TableModel): ReadonlySet<TableModel> {
  let reach = touchReach.get(table)
  if (reach === undefined) {
    const found = new Set<TableModel>([table])
    for (const relation of table.relations.values()) {
      if (relation.association !== undefined) found.add(relation.association.table)
      else if (!relation.owning) found.add(relation.target)
      if (relation.cascade.deleteOrphan) for (const t of deletionReachOf(schema, relation.target)) found.add(t)
    }
    for (const key of table.foreignKeys) {
      for (const relation of key.references.relations.values()) {
        if (relation.foreignKey === key && relation.cascade.deleteOrphan) for (const t of deletionReachOf(schema, table)) found.add(t)
      }
    }
    reach = found
    touchReach.set(table, reach)
  }
  return reach
}

/** Per link table: the tables a link change may write, the link table and, where a relation over it deletes orphans, what deleting them writes. */
const linkReach = new WeakMap<TableModel, ReadonlySet<TableModel>>()

function linkReachOf(schema: AnySchema, association: TableModel): ReadonlySet<TableModel> {
  let reach = linkReach.get(association)
  if (reach === undefined) {
    const found = new Set<TableModel>([association])
    for (const key of association.foreignKeys) {
      for (const relation of key.references.relations.values()) {
        if (relation.association?.table === association && relation.cascade.deleteOrphan) for (const t of deletionReachOf(schema, relation.target)) found.add(t)
      }
    }
    reach = found
    linkReach.set(association, reach)
  }
  return reach
}

const meets = (reach: ReadonlySet<TableModel>, tables: ReadTables): boolean => {
  if (tables === 'any') return true
  for (const table of reach) if (tables.has(table)) return true
  return false
}

/** Per table: the snapshot kind of each column, for the scan of changed values. */
const columnKinds = new WeakMap<TableModel, readonly SnapshotKind[]>()

function kindsOf(table: TableModel): readonly SnapshotKind[] {
  let kinds = columnKinds.get(table)
  if (kinds === undefined) {
    kinds = table.columns.map(snapshotKind)
    columnKinds.set(table, kinds)
  }
  return kinds
}

/**
 * Whether an object of the identity map holds a column value that differs from what was last read or written.
 *
 * @example
 * ```ts
 * book.title = 'New'
 * changed(book)   // true until a flush writes it
 * ```
 */
export function changed(entity: object): boolean {
  const state = stateOf(entity)!
  const snapshot = state.snapshot
  if (snapshot === undefined || state.status !== 'persistent') return false
  const columns = state.table.columns
  const kinds = kindsOf(state.table)
  for (let i = 0; i < columns.length; i++) {
    // An expired or not-loaded column has no value to compare (written, it is no longer expired: `state.written`).
    if (state.expired?.has(i)) continue
    const value = (entity as Record<string, unknown>)[columns[i]!.property]
    if (value !== snapshot[i] && !sameValue(kinds[i]!, value, snapshot[i])) return true
  }
  return state.written !== undefined && state.written.size > 0
}

/**
 * Whether the session's pending changes may write a table that `tables` names, so that a read of
 * them must flush first. An over-approximation: a new object writes its table; an object whose
 * relations changed (the keys its row must take), its table and those its relations write
 * (`touchReachOf`); a deletion, every table whose rows point at the deleted one's (transitively:
 * cascades, `ON DELETE`); a link, its link table (and orphans' tables); a changed column, its
 * table. Only the objects of the tables read are compared with their snapshots, so a read of a
 * session without changes costs a few size checks and that scan; a running flush makes every
 * read wait for it. `columns: false` leaves changed columns out (no scan): for reads by primary
 * key, whose answer a changed column cannot change unless it is that key.
 *
 * @example
 * ```ts
 * if (pendingWrites(schema, changes, identityMap, queryTables(state))) await session.flush()
 * ```
 */
export function pendingWrites(schema: AnySchema, changes: SessionChanges, identityMap: IdentityMap, tables: ReadTables, columns = true): boolean {
  // A running flush holds some of the changes: the read waits for it.
  if (changes.flushing) return true
  if (changes.pending.size > 0) {
    // What a new object's relations write besides its row is recorded on the related objects (touched) and links.
    for (const entity of changes.pending) if (tables === 'any' || tables.has(stateOf(entity)!.table)) return true
  }
  if (changes.deleted.size > 0) {
    for (const entity of changes.deleted) if (meets(deletionReachOf(schema, stateOf(entity)!.table), tables)) return true
  }
  if (changes.touched.size > 0) {
    // An object's relation changes are the keys its row must take (`refs`), and links; touched objects without them have nothing to write.
    for (const entity of changes.touched) {
      const state = stateOf(entity)!
      if (state.refs !== undefined && meets(touchReachOf(schema, state.table), tables)) return true
    }
  }
  if (changes.links.size > 0) {
    for (const link of changes.links.values()) if (meets(linkReachOf(schema, link.association.table), tables)) return true
  }
  if (!columns) return false
  if (tables === 'any') {
    for (const entity of identityMap.entities()) if (changed(entity)) return true
    return false
  }
  for (const table of tables) {
    for (const entity of identityMap.tableEntries(table).values()) if (changed(entity)) return true
  }
  return false
}

/** The `noAutoflush` blocks the running code is inside, innermost first, carried through `await`. */
interface NoAutoflushScope {
  readonly session: object
  readonly parent: NoAutoflushScope | undefined
}

const scopes = new AsyncLocalStorage<NoAutoflushScope>()

/**
 * Runs `fn` with autoflush off for `session`'s reads that `fn` starts (through every `await`):
 * reads that other code runs on the session at the same time still autoflush.
 *
 * @example
 * ```ts
 * await withoutAutoflush(session, async () => session.query('books').all())
 * ```
 */
export function withoutAutoflush<T>(session: object, fn: () => Promise<T>): Promise<T> {
  return scopes.run({ session, parent: scopes.getStore() }, fn)
}

/**
 * Whether the running code is inside a `noAutoflush` block of `session`.
 *
 * @example
 * ```ts
 * await withoutAutoflush(session, async () => autoflushSuspended(session))   // true
 * ```
 */
export function autoflushSuspended(session: object): boolean {
  for (let scope = scopes.getStore(); scope !== undefined; scope = scope.parent) if (scope.session === session) return true
  return false
}

/**
 * A failed autoflush: the flush's error (its class kept), its message saying that a read's
 * autoflush raised it, as SQLAlchemy's note does.
 *
 * @example
 * ```ts
 * await flush().catch((error) => { throw autoflushError(error, 'session.query(\'books\')') })
 * ```
 */
export function autoflushError(error: unknown, read: string): unknown {
  if (error instanceof Error) {
    const note = ` (raised by the autoflush before ${read}: the session flushes its pending changes before a read that they could change; if they are not ready to be written, read inside session.noAutoflush(async () => ...) or use orm.session({ autoflush: false }))`
    try {
      const head = `${error.name}: ${error.message}`
      error.message += note
      if (typeof error.stack === 'string' && error.stack.startsWith(head)) error.stack = `${head}${note}${error.stack.slice(head.length)}`
    } catch {
      // A frozen error keeps its message.
    }
  }
  return error
}
