/** Runs an entity query with its eager loads: the root statement, then one statement per `selectIn` level. */
import { RelataError } from '../errors.js'
import { compileFilters, filterParameter, orderItems } from '../query/filters.js'
import type { QueryState } from '../query/query-state.js'
import { assignCounts, countSelections } from '../query/relation-counts.js'
import { stateOf } from '../tracking/entity-state.js'
import { refreshUnchanged } from '../tracking/refresh-columns.js'
import { columnsKey, loadedColumns } from '../query/column-subsets.js'
import type { SqlContext } from './join-strategy.js'
import type { LoadContext } from './load-context.js'
import { buildLoadPlan, isPartialLoad, type LoadNode } from './load-plan.js'
import { hasJoined, hydrateRow, plainShape, selectJoined, withDecodedRows, type RowShape } from './row-shape.js'
import { aliasCounter, selectIn } from './select-in.js'

const ROOT = 't0'

/** The root statement of a query, with its join-loaded relations embedded, and the shape of its rows. */
export function rootQuery(ctx: LoadContext, state: QueryState, plan: readonly LoadNode[]) {
  const sqlCtx: SqlContext = { db: ctx.db, statements: ctx.statements, nextAlias: aliasCounter() }
  const { table } = state
  const joined = selectJoined(sqlCtx, ctx.db.selectFrom(`${table.sqlName} as ${ROOT}`).select(loadedColumns(state).map((c) => `${ROOT}.${c.sqlName}`)), plan, ROOT)
  let query = state.counts === undefined ? joined.query : joined.query.select(countSelections(ctx.db, state, ROOT, sqlCtx.nextAlias))
  if (state.filters.length > 0) query = query.where((eb) => eb.and(compileFilters(eb, state.filters, table, ROOT)))
  // The primary key breaks ties of a requested order, so pages and tests are deterministic.
  const order = state.orderBy.length > 0 ? orderItems(state.orderBy, table) : []
  for (const item of order) query = query.orderBy(`${ROOT}.${item.column.sqlName}`, item.direction)
  query = ctx.statements.page(query, state.limit, state.offset)
  if (state.lock !== undefined) query = ctx.statements.lockRows(query, state.lock, ROOT, ctx.capabilities)
  return { query, shape: joined.shape }
}

/**
 * The rows of the root statement. A query of the table alone whose filters compare columns with
 * single values (a `get` by key) reuses the session's statement of the same shape.
 */
async function rootRows(ctx: LoadContext, state: QueryState, plan: readonly LoadNode[]): Promise<{ rows: Record<string, unknown>[]; shape: RowShape }> {
  // Relation counts (`withCount`) add subqueries the shape key does not name: such a query is built each time.
  const cacheShape = ctx.statementCache !== undefined && plan.length === 0 && state.lock === undefined && state.counts === undefined ? rootShape(state) : undefined
  if (cacheShape === undefined) {
    const { query, shape } = rootQuery(ctx, state, plan)
    return { rows: (await withDecodedRows(ctx, query, state.table, shape, [], loadedColumns(state)).execute()) as Record<string, unknown>[], shape }
  }
  const values = state.filters.map((f) => (f.kind === 'compare' ? filterParameter(f.column, f.value) : undefined))
  const fixed = [state.limit, state.offset].filter((n) => n !== undefined)
  const rows = await ctx.statementCache!.rows(ctx.db, cacheShape, values, fixed, () => {
    const { query, shape } = rootQuery(ctx, state, plan)
    return withDecodedRows(ctx, query, state.table, shape, [], loadedColumns(state))
  })
  // No relation is joined into it: the rows are the table's own.
  return { rows, shape: plainShape }
}

/** What decides the root statement's SQL when every filter compares a column with one value; otherwise `undefined`. */
function rootShape(state: QueryState): string | undefined {
  let shape = `${state.table.key}|${state.limit ?? ''}|${state.offset ?? ''}|`
  // The columns selected are part of the statement's text.
  shape += `${columnsKey(state.table, loadedColumns(state))}|`
  for (const filter of state.filters) {
    if (filter.kind !== 'compare' || filter.value === null || filter.value === undefined || Array.isArray(filter.value)) return undefined
    // `is true` is written into the text by Kysely, not sent as a parameter.
    if (filter.operator === 'is' || filter.operator === 'is not') return undefined
    shape += `${filter.column.sqlName} ${filter.operator},`
  }
  for (const item of state.orderBy) shape += `|${item.column.sqlName} ${item.direction}`
  return shape
}

export async function runQuery(ctx: LoadContext, state: QueryState): Promise<object[]> {
  if (state.populateExisting) ctx = { ...ctx, hydrator: ctx.hydrator.populating(), populate: true }
  const plan = lockedPlan(ctx, state, buildLoadPlan(state, ctx.statements.jsonCollections(ctx.capabilities)))
  const { rows, shape } = await rootRows(ctx, state, plan)
  const entities = ctx.hydrator.fromRows(state.table, rows, loadedColumns(state))
  // Rows read under a lock are the ones to write over: objects already held take their unchanged columns.
  // (A populating query has overwritten them all already.)
  if (state.lock !== undefined && !state.populateExisting) for (let i = 0; i < rows.length; i++) refreshUnchanged(entities[i]!, rows[i]!, (c) => ctx.hydrator.keyDecoder(c))
  if (hasJoined(shape)) for (let i = 0; i < rows.length; i++) hydrateRow(ctx, entities[i]!, rows[i]!, shape)
  assignCounts(state, entities, rows)
  // Without filters or a page, the rows are the whole table: their relations need no key lists.
  // (`skipLocked` may have left rows out.)
  const wholeTable = state.filters.length === 0 && state.limit === undefined && state.offset === undefined && state.lock?.wait !== 'skipLocked'
  await loadLevels(ctx, entities, plan, wholeTable)
  return entities
}

/**
 * A locked query locks its own table's rows only. Where the locking clause cannot name that table
 * (MariaDB has no `FOR UPDATE OF`), the root statement joins nothing: its join-loaded relations
 * load with `selectIn`, unlocked, like every relation of a locked query.
 */
function lockedPlan(ctx: LoadContext, state: QueryState, plan: LoadNode[]): LoadNode[] {
  const { lock } = state
  if (lock === undefined) return plan
  if (lock.wait !== undefined && !ctx.capabilities.lockWaits[lock.wait]) {
    const method = lock.mode === 'update' ? 'forUpdate' : 'forShare'
    throw new RelataError(`${method}({ ${lock.wait}: true }) on '${state.table.key}': this database server has no ${lock.wait === 'noWait' ? 'NOWAIT (MariaDB 10.3+)' : 'SKIP LOCKED (MariaDB 10.6+)'}`)
  }
  if (ctx.statements.lockNamesTable) return plan
  return plan.map((node) => (node.strategy === 'join' ? Object.freeze({ ...node, strategy: 'selectIn' as const }) : node))
}

/**
 * Loads the `selectIn` relations of a level, then recurses into every relation's children.
 * `wholeTable`: the parents are every row of their table, so a relation read from the related
 * table's side needs no list of their keys (see `selectIn`).
 */
export async function loadLevels(ctx: LoadContext, parents: readonly object[], plan: readonly LoadNode[], wholeTable = false): Promise<void> {
  if (parents.length === 0) return
  for (const node of plan) {
    if (node.strategy === 'join' && !needsSelectIn(node.children)) continue
    const targets = node.strategy === 'selectIn' ? await selectIn(ctx, node, parents, wholeTable) : loadedTargets(parents, node)
    if (node.children.length > 0) await loadLevels(ctx, targets, node.children, wholeTable && coversTable(node))
  }
}

/**
 * Whether a relation of every row of its source table reaches every row of its target table: a
 * one-to-many, unfiltered and not paged, whose key cannot be null (every album has an artist: all artists' albums
 * are all albums).
 */
function coversTable(node: LoadNode): boolean {
  const { relation } = node
  return !relation.owning && relation.association === undefined && !isPartialLoad(node) && relation.condition === undefined && relation.targetColumns.every((c) => !c.config.nullable)
}

function needsSelectIn(plan: readonly LoadNode[]): boolean {
  return plan.some((node) => node.strategy === 'selectIn' || needsSelectIn(node.children))
}

/** The distinct objects a join-loaded relation put under these parents. */
function loadedTargets(parents: readonly object[], node: LoadNode): object[] {
  const targets = new Set<object>()
  for (const parent of parents) {
    const value = stateOf(parent)?.relations?.[node.relation.name]?.value
    if (value === null || value === undefined) continue
    if (node.relation.toOne) targets.add(value as object)
    else for (const item of value as object[]) targets.add(item)
  }
  return [...targets]
}
