/**
 * Compiled statements of flushes, kept per statement shape and reused with new values: a flush
 * that writes as many rows of the same columns as an earlier one skips Kysely's build and compile,
 * which for a large multi-row INSERT costs more than the rest of the flush.
 */
import { CompiledQuery, type Compilable, type Kysely, type KyselyPlugin, type QueryResult } from 'kysely'

/** The compiled SQL of a shape, its parameters left out (they are each flush's own). */
type Kept = CompiledQuery

/** Shapes kept per owner: the oldest goes first. */
const LIMIT = 64
/** Longer SQL texts are not kept: a statement of that size is rarely repeated as it is. */
const MAX_SQL = 1 << 20

const keptBy = new WeakMap<object, Map<string, Kept>>()
const pluginIds = new WeakMap<KyselyPlugin, number>()
let nextPluginId = 0

/**
 * The plugins of `db` as part of a shape key: a plugin may rewrite a statement (a schema prefix,
 * say), so statements compiled under other plugins are never shared.
 */
function pluginsKey(db: Kysely<any>): string {
  let key = ''
  for (const plugin of db.getExecutor().plugins) {
    let id = pluginIds.get(plugin)
    if (id === undefined) pluginIds.set(plugin, (id = nextPluginId++))
    key += `${id},`
  }
  return key
}

/**
 * Runs the statement of this shape with these values: from the SQL compiled before for `owner`
 * (one per database platform), or built by `build`, compiled and kept. `shape` names everything that
 * decides the SQL text (table, columns, row count); `values` are its parameters in order. A
 * statement is kept only if, compiled the first time, its parameters were exactly `values`:
 * values written into the text, or reordered, leave it uncached.
 *
 * @example
 * ```ts
 * await runFlushStatement(db, platform, `insert|track|name,album_id|2`, ['a', 1, 'b', 1], () => db.insertInto('track').values(rows))
 * ```
 */
export async function runFlushStatement(
  db: Kysely<any>,
  owner: object,
  shape: string | undefined,
  values: readonly unknown[],
  build: () => Compilable<unknown>,
): Promise<QueryResult<Record<string, unknown>>> {
  if (shape === undefined) return (await db.executeQuery(build())) as QueryResult<Record<string, unknown>>
  let kept = keptBy.get(owner)
  if (kept === undefined) keptBy.set(owner, (kept = new Map()))
  const key = `${pluginsKey(db)}|${shape}`
  const known = kept.get(key)
  if (known !== undefined) {
    // The same query id: plugins that saw the first compilation (a QueryRecorder) know it.
    return (await db.executeQuery(Object.freeze({ ...known, parameters: values }))) as QueryResult<Record<string, unknown>>
  }
  const query = build().compile()
  if (query.sql.length <= MAX_SQL && sameValues(query.parameters, values)) {
    if (kept.size >= LIMIT) kept.delete(kept.keys().next().value!)
    // Without the operation tree, which holds every value of the first flush.
    kept.set(key, Object.freeze({ ...query, query: CompiledQuery.raw(query.sql).query, parameters: [] }))
  }
  return (await db.executeQuery(query)) as QueryResult<Record<string, unknown>>
}

function sameValues(parameters: readonly unknown[], values: readonly unknown[]): boolean {
  if (parameters.length !== values.length) return false
  for (let i = 0; i < values.length; i++) if (parameters[i] !== values[i]) return false
  return true
}
