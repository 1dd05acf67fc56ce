/** The immutable builders behind `query.groupBy(...)` and `.aggregate(...)`: each method returns a new builder. */
import { RelataError } from '../errors.js'
import type { ColumnModel } from '../schema/model.js'
import { aggregatePlan, checkHaving, checkResultName, type AggregatePlan, type AggregateRunner } from './aggregate-query.js'
import type { QueryState } from './query-state.js'

/** `query.groupBy(...)`: the grouped columns, waiting for `aggregate()`. */
export class GroupedBuilder {
  constructor(
    private readonly state: QueryState,
    private readonly columns: readonly ColumnModel[],
    private readonly runner: AggregateRunner | undefined,
  ) {}

  aggregate(build?: unknown): AggregateBuilder {
    return new AggregateBuilder(this.state, aggregatePlan(this.state, this.columns, build ?? (() => ({}))), this.runner)
  }
}

function checkPage(count: unknown, method: string, key: string): number {
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    throw new RelataError(`${method}() of the aggregate of '${key}': expects a non-negative integer up to Number.MAX_SAFE_INTEGER, got ${String(count)}`)
  }
  return count
}

/** An aggregate query: grouped columns and aggregates, `having`, order and page; `all()` runs it. */
export class AggregateBuilder {
  readonly #state: QueryState
  readonly #plan: AggregatePlan
  readonly #runner: AggregateRunner | undefined

  constructor(state: QueryState, plan: AggregatePlan, runner: AggregateRunner | undefined) {
    this.#state = state
    this.#plan = plan
    this.#runner = runner
  }

  /** @internal */
  get plan(): AggregatePlan {
    return this.#plan
  }

  #with(patch: Partial<AggregatePlan>): AggregateBuilder {
    return new AggregateBuilder(this.#state, Object.freeze({ ...this.#plan, ...patch }), this.#runner)
  }

  having(name: unknown, operator: unknown, value: unknown): AggregateBuilder {
    return this.#with({ having: [...this.#plan.having, checkHaving(this.#plan, name, operator, value, this.#state.table)] })
  }

  orderBy(name: unknown, direction: unknown = 'asc'): AggregateBuilder {
    const checked = checkResultName(this.#plan, name, 'orderBy()', this.#state.table)
    if (direction !== 'asc' && direction !== 'desc') throw new RelataError(`orderBy('${checked}'): direction must be 'asc' or 'desc'`)
    return this.#with({ orderBy: [...this.#plan.orderBy, { name: checked, direction }] })
  }

  limit(count: number): AggregateBuilder {
    return this.#with({ limit: checkPage(count, 'limit', this.#state.table.key) })
  }

  offset(count: number): AggregateBuilder {
    return this.#with({ offset: checkPage(count, 'offset', this.#state.table.key) })
  }

  all(): Promise<Record<string, unknown>[]> {
    if (this.#runner === undefined) return Promise.reject(new RelataError(`aggregate() of '${this.#state.table.key}': this query has no session to run in`))
    return this.#runner.aggregate(this.#state, this.#plan)
  }
}
