/**
 * Which statements mysql2 reads with Relata's per-value `typeCast` and which with its own generated
 * parser alone: the ORM's entity reads, decoded by the column codecs, skip the per-value call.
 */
import type { CompiledQuery, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId, QueryResult, RootOperationNode, UnknownRow } from 'kysely'
import type { ColumnModel } from '../../schema/model.js'
import { relataTypeCast } from './mysql-pool-options.js'

/** The statements (by Kysely's query id) whose rows the column codecs decode. */
const decodedRows = new WeakSet<QueryId>()

/** Marks the statements it compiles as read by the column codecs; changes nothing in them. */
class DecodedRowsPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    decodedRows.add(args.queryId)
    return args.node
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}

const plugin = new DecodedRowsPlugin()

/**
 * The columns mysql2's generated parser reads as the codecs expect: all but `double` (its parser
 * can miss by one unit in the last place; `relataTypeCast` reads the text exactly) and JSON (whose
 * large integers it would read as strings on Node 22+). Booleans come as 1/0, big integers as
 * strings: `mysqlValues.rowDecoder` turns them into the declared values.
 *
 * @example
 * ```ts
 * query.withPlugin(mysqlDecodedRows(table.columns) ?? noPlugin)
 * ```
 */
export function mysqlDecodedRows(columns: readonly ColumnModel[]): KyselyPlugin | undefined {
  for (const column of columns) {
    const type = column.config.dataType
    if (type === 'double' || type === 'json' || type === 'jsonb') return undefined
  }
  return plugin
}

/**
 * What Kysely hands to mysql2's `query()` for a statement on a pool Relata created (one without a
 * pool-wide `typeCast`): the SQL text alone for a statement whose rows the codecs decode, or the
 * text with `relataTypeCast` as a per-query option, so that `orm.db` reads what it always read.
 * Kysely passes `sql` through to `query(sql, values, callback)`, which takes an options object there.
 *
 * @example
 * ```ts
 * connection.executeQuery(typeCastQuery(inlineParameters(query)))
 * ```
 */
export function typeCastQuery(query: CompiledQuery): CompiledQuery {
  if (decodedRows.has(query.queryId)) return query
  const options = { sql: query.sql, typeCast: relataTypeCast }
  return Object.freeze({ ...query, sql: options as unknown as string })
}
