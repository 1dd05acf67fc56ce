/** `QueryRecorder`: a Kysely plugin that lets tests assert the SQL a piece of code sends, and how many statements. */
import type { KyselyPlugin, LogEvent, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId, QueryResult, RootOperationNode, UnknownRow } from 'kysely'

/**
 * A statement as it was sent: its SQL and bind parameters.
 *
 * @example
 * ```ts
 * const [first]: readonly RecordedQuery[] = recorder.queries
 * first.parameters   // ['Ann']
 * ```
 */
export interface RecordedQuery {
  readonly sql: string
  readonly parameters: readonly unknown[]
}

/**
 * Records every statement an ORM sends, in the order they complete, failed ones included: the
 * SQL its dialect compiled, and the parameters. Statements a driver issues on its own (`begin`,
 * `commit`, savepoints, `SELECT VERSION()`) are left out, so counts agree across dialects. Pass it
 * in `createOrm`'s `plugins`; it reads the statements from the ORM's log.
 *
 * @example
 * ```ts
 * const recorder = new QueryRecorder()
 * const orm = createOrm({ schema, dialect: pglite(), plugins: [recorder] })
 * await orm.db.selectFrom('books').selectAll().execute()
 * recorder.sql   // ['select * from "books"']
 * recorder.clear()
 * ```
 */
export class QueryRecorder implements KyselyPlugin {
  readonly #queries: RecordedQuery[] = []
  readonly #seen = new WeakSet<QueryId>()

  /** The statements recorded since creation or the last `clear()`. */
  get queries(): readonly RecordedQuery[] {
    return [...this.#queries]
  }

  /** The SQL of the recorded statements. */
  get sql(): string[] {
    return this.#queries.map((query) => query.sql)
  }

  /** Forgets the statements recorded so far. */
  clear(): void {
    this.#queries.length = 0
  }

  /** @internal Notes the statements that come from query builders and `sql` templates. */
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.#seen.add(args.queryId)
    return args.node
  }

  /** @internal */
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }

  /** @internal Called by `createOrm` for every statement its Kysely instance logs. */
  record(event: LogEvent): void {
    if (!this.#seen.has(event.query.queryId)) return
    this.#queries.push(Object.freeze({ sql: event.query.sql, parameters: event.query.parameters }))
  }
}
