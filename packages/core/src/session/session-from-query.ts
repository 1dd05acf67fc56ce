/** `session.fromQuery()` (SQLAlchemy's `select(Book).from_statement(...)`): the rows of any Kysely select, mapped to one table's tracked objects through the identity map. */
import { SelectQueryNode, type CompiledQuery, type Compilable, type OperationNodeSource } from 'kysely'
import { RelataError } from '../errors.js'
import type { AnySchema } from '../schema/define-schema.js'
import type { TableModel } from '../schema/model.js'
import type { Hydrator } from '../tracking/hydrator.js'

/**
 * What `fromQuery()` takes after the query: `populateExisting` overwrites the objects the session
 * already holds with the rows (their unflushed changes discarded), as `query.populateExisting()`.
 *
 * @example
 * ```ts
 * const options: FromQueryOptions = { populateExisting: true }
 * ```
 */
export interface FromQueryOptions {
  readonly populateExisting?: boolean
}

/** What a session's `fromQuery()` works with. */
export interface FromQuerySetup {
  readonly schema: AnySchema
  readonly hydrator: Hydrator
  /** Runs the compiled statement on the session's connection (its transaction, when open). */
  readonly execute: (query: CompiledQuery) => Promise<readonly Record<string, unknown>[]>
  /** The autoflush to wait for first: the statement may read any table. */
  readonly beforeQuery: () => Promise<void> | undefined
}

type Query = Compilable & OperationNodeSource

const isQuery = (value: unknown): value is Query =>
  typeof value === 'object' && value !== null && typeof (value as Query).compile === 'function' && typeof (value as Query).toOperationNode === 'function'

/** The arguments: `(query, options?)` or `(table, query, options?)`. */
function parse(schema: AnySchema, args: readonly unknown[]): { table: TableModel | undefined; query: Query; options: FromQueryOptions } {
  const [first, second, third] = args
  const named = typeof first === 'string'
  const query = named ? second : first
  const options = (named ? third : second) ?? {}
  if (!isQuery(query)) throw new RelataError(`session.fromQuery(${named ? `'${first}', ` : ''}...): expects a Kysely select query (db.selectFrom(...)...), not yet executed`)
  if (typeof options !== 'object' || options === null) throw new RelataError('session.fromQuery(): options must be an object such as { populateExisting: true }')
  const unknown = Object.keys(options).filter((k) => k !== 'populateExisting')
  if (unknown.length > 0) throw new RelataError(`session.fromQuery(): unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (options: populateExisting)`)
  return { table: named ? schema.table(first) : undefined, query, options: options as FromQueryOptions }
}

/** A select only; `selectAll()` over joined tables is refused: same-named columns (`id`) would overwrite each other in the row. */
function checkNode(query: Query, where: string): void {
  const node = query.toOperationNode()
  if (!SelectQueryNode.is(node)) throw new RelataError(`${where}: expects a select query, got ${node.kind}`)
  const bare = node.selections?.some((s) => s.selection.kind === 'SelectAllNode') ?? false
  if (bare && (node.joins?.length ?? 0) > 0) {
    throw new RelataError(`${where}: selectAll() over joined tables mixes their same-named columns; select one table's columns with selectAll('<table>')`)
  }
}

/** The table whose columns are exactly the row's keys, when the call names none. */
function inferTable(schema: AnySchema, row: Record<string, unknown>): TableModel {
  const keys = Object.keys(row)
  const matching = [...schema.tables.values()].filter((table) => table.columns.length === keys.length && table.columns.every((c) => c.sqlName in row))
  if (matching.length === 1) return matching[0]!
  if (matching.length === 0) {
    throw new RelataError(`session.fromQuery(): the rows' columns (${keys.join(', ')}) are no table's columns exactly; name the table: session.fromQuery('<table>', query)`)
  }
  throw new RelataError(`session.fromQuery(): the rows' columns are those of ${matching.map((t) => `'${t.key}'`).join(' and ')}; name the table: session.fromQuery('${matching[0]!.key}', query)`)
}

/** Every column of the table is in the rows (the rows of one statement have the same columns). */
function checkColumns(table: TableModel, row: Record<string, unknown>, where: string): void {
  const missing = table.columns.filter((c) => !(c.sqlName in row)).map((c) => c.sqlName)
  if (missing.length > 0) {
    throw new RelataError(`${where}: the rows lack column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of '${table.key}' (${table.sqlName}); select them, e.g. selectAll('${table.sqlName}')`)
  }
}

/** A row's primary key is not null (an outer join's missing side). */
function checkKey(table: TableModel, row: Record<string, unknown>, where: string): void {
  const nullKey = table.primaryKey.find((c) => row[c.sqlName] === null || row[c.sqlName] === undefined)
  if (nullKey !== undefined) throw new RelataError(`${where}: a row has no '${table.key}' (its ${nullKey.sqlName} is null): an outer join's missing side cannot be an object`)
}

/**
 * Runs the query after the session's autoflush and makes each row an object of the table (named,
 * or the one whose columns the rows hold): an object the session holds keeps its identity and its
 * unflushed changes unless `populateExisting`; columns beyond the table's are ignored.
 */
export async function fromQuery(setup: FromQuerySetup, args: readonly unknown[]): Promise<object[]> {
  const { table: named, query, options } = parse(setup.schema, args)
  const where = `session.fromQuery(${named ? `'${named.key}', ` : ''}...)`
  checkNode(query, where)
  const compiled = query.compile()
  const waiting = setup.beforeQuery()
  if (waiting !== undefined) await waiting
  const rows = await setup.execute(compiled)
  if (rows.length === 0) return []
  const table = named ?? inferTable(setup.schema, rows[0]!)
  checkColumns(table, rows[0]!, where)
  for (const row of rows) checkKey(table, row, where)
  const hydrator = options.populateExisting === true ? setup.hydrator.populating() : setup.hydrator
  return hydrator.fromRows(table, rows)
}
