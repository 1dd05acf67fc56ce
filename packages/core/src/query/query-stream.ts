/** `query.stream()`: a query read in keyset batches (ordered, primary key last), each batch's relations loaded with it, each finished batch handed to the session to let go. */
import { RelataError } from '../errors.js'
import type { ValueRules } from '../values/value-rules.js'
import { keysetFilter, keysetOrder, keysetValues } from './keyset.js'
import type { QueryState } from './query-state.js'

/**
 * What the session does with a stream's batches: `batch` is called once a batch is read, before
 * its first object is handed out (the previous batch is then finished); `end` once the stream is
 * done, also when the consumer leaves the loop early or a read fails.
 *
 * @example
 * ```ts
 * const scope = runner.openStream?.()
 * scope?.batch(entities, state)
 * scope?.end()
 * ```
 */
export interface StreamScope {
  batch(entities: readonly object[], state: QueryState): void
  end(): void
}

/** What a stream runs its batches with: the session's query runner. */
export interface BatchRunner {
  all(state: QueryState): Promise<object[]>
  openStream?(): StreamScope
}

/**
 * What `stream()` takes: `batchSize`, the rows each statement reads (default 1000).
 *
 * @example
 * ```ts
 * for await (const track of session.query('tracks').stream({ batchSize: 500 })) console.log(track.name)
 * ```
 */
export interface StreamOptions {
  readonly batchSize?: number
}

const DEFAULT_BATCH = 1000

/** The batch size of `options`, checked. */
export function batchSizeOf(state: QueryState, options: unknown): number {
  if (options === undefined) return DEFAULT_BATCH
  if (typeof options !== 'object' || options === null) throw new RelataError(`stream() on '${state.table.key}': expects { batchSize?: number }`)
  const { batchSize, ...rest } = options as Record<string, unknown>
  const unknown = Object.keys(rest)
  if (unknown.length > 0) throw new RelataError(`stream() on '${state.table.key}': unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (options: batchSize)`)
  if (batchSize === undefined) return DEFAULT_BATCH
  if (typeof batchSize !== 'number' || !Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RelataError(`stream() on '${state.table.key}': batchSize must be a positive integer, got ${String(batchSize)}`)
  }
  return batchSize
}

/**
 * The objects of `state`, read `batchSize` rows at a time: each statement resumes after the last
 * row of the previous one by its order values (a keyset, never `OFFSET`), so rows are neither
 * skipped nor read twice while others are inserted, and a batch costs the same anywhere in the
 * table. The query's `limit` and `offset` apply to the whole stream.
 */
export async function* streamQuery(state: QueryState, batchSize: number, runner: BatchRunner, rules: ValueRules): AsyncGenerator<object, void, undefined> {
  const order = keysetOrder(state, 'stream()')
  const scope = runner.openStream?.()
  try {
    let after: unknown[] | undefined
    let remaining = state.limit ?? Infinity
    let offset = state.offset
    while (remaining > 0) {
      const size = Math.min(batchSize, remaining)
      const batch: QueryState = Object.freeze({
        ...state,
        orderBy: order,
        filters: after === undefined ? state.filters : [...state.filters, keysetFilter(order, after, rules)],
        limit: size,
        offset,
      })
      const entities = await runner.all(batch)
      scope?.batch(entities, batch)
      for (const entity of entities) yield entity
      if (entities.length < size) return
      after = keysetValues(entities[entities.length - 1]!, order)
      remaining -= entities.length
      offset = undefined
    }
  } finally {
    scope?.end()
  }
}
