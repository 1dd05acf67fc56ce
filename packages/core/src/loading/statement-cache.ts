/**
 * Compiled statements of a session's reads, kept per query shape: a `get` by key or a lazy load
 * built again with the same shape reuses the SQL compiled the first time, with its own values.
 */
import type { CompiledQuery, Compilable, Kysely } from 'kysely'

interface Compiled {
  readonly query: CompiledQuery
  /** The parameters after the shape's values: fixed by the shape (a `limit`, say). */
  readonly tail: readonly unknown[]
}

/**
 * One session's compiled statements by shape key. A shape key names everything that decides the
 * SQL text (table, columns, operators, list lengths, order, page); its values are the parameters
 * that vary, in the order the statement takes them. A statement is kept only if, compiled the
 * first time, its parameters were exactly those values followed by fixed ones: values written into
 * the text, or reordered, leave it uncached.
 */
export class StatementCache {
  readonly #compiled = new Map<string, Compiled>()
  /** Shapes kept at most: a long session of ever new shapes keeps its first ones. */
  readonly #limit: number

  constructor(limit = 256) {
    this.#limit = limit
  }

  /**
   * The rows of the statement of this shape with these values: from the SQL compiled before, or
   * built by `build` and compiled now. `fixed`: the values the shape key itself names (a `limit`)
   * that may follow `values` among the parameters. `shape` undefined: built and run, not kept.
   */
  async rows(
    db: Kysely<any>,
    shape: string | undefined,
    values: readonly unknown[],
    fixed: readonly unknown[],
    build: () => Compilable<unknown>,
  ): Promise<Record<string, unknown>[]> {
    if (shape === undefined) return (await db.executeQuery(build())).rows as Record<string, unknown>[]
    const known = this.#compiled.get(shape)
    if (known !== undefined) {
      const parameters = known.tail.length === 0 ? values : [...values, ...known.tail]
      // The same query id: plugins that saw the first compilation (a QueryRecorder) know it.
      return (await db.executeQuery(Object.freeze({ ...known.query, parameters }))).rows as Record<string, unknown>[]
    }
    const query = build().compile()
    if (this.#compiled.size < this.#limit && startsWith(query.parameters, values, fixed)) this.#compiled.set(shape, { query, tail: query.parameters.slice(values.length) })
    return (await db.executeQuery(query)).rows as Record<string, unknown>[]
  }
}

/** The parameters are `values`, then only values of `fixed`: nothing else varies with the query. */
function startsWith(parameters: readonly unknown[], values: readonly unknown[], fixed: readonly unknown[]): boolean {
  if (parameters.length < values.length) return false
  for (let i = 0; i < values.length; i++) if (parameters[i] !== values[i]) return false
  for (let i = values.length; i < parameters.length; i++) if (!fixed.includes(parameters[i])) return false
  return true
}
