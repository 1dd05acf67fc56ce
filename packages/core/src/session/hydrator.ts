/** Rows to entities, through the identity map: a row already there yields the object already there. */
import type { SqlFamily } from '../dialect/dialect.js'
import type { ColumnModel, TableModel } from '../schema/model.js'
import { jsonDecoder, rowDecoder, type Decoder } from '../loading/codecs.js'
import { entityClassOf, type EntityConstructor } from './entity-class.js'
import { attachState, EntityState, type SessionCore } from './entity-state.js'
import type { IdentityMap } from './identity-map.js'

/** How to read one table's rows: per column, its SQL key, property and decoder. */
interface RowPlan {
  readonly ctor: EntityConstructor
  readonly properties: readonly string[]
  readonly keys: readonly string[]
  readonly decoders: readonly (Decoder | undefined)[]
  /** Index of the single primary-key column, or -1 for a composite key. */
  readonly pkIndex: number
  readonly pkIndexes: readonly number[]
  readonly jsonColumns: readonly boolean[]
}

const SEPARATOR = '\u0000'

function buildPlan(table: TableModel, decoderOf: (c: ColumnModel) => Decoder | undefined): RowPlan {
  const pkIndexes = table.primaryKey.map((pk) => table.columns.indexOf(pk))
  return {
    ctor: entityClassOf(table),
    properties: table.columns.map((c) => c.property),
    keys: table.columns.map((c) => c.sqlName),
    decoders: table.columns.map(decoderOf),
    pkIndex: pkIndexes.length === 1 ? pkIndexes[0]! : -1,
    pkIndexes,
    jsonColumns: table.columns.map((c) => c.config.dataType === 'json' || c.config.dataType === 'jsonb'),
  }
}

/** What a snapshot keeps of a value: JSON by its text, so that changes made in place are seen. */
export function snapshotValue(isJson: boolean, value: unknown): unknown {
  return isJson && value !== null && typeof value === 'object' ? JSON.stringify(value) : value
}

export class Hydrator {
  readonly #rowPlans = new Map<TableModel, RowPlan>()
  readonly #jsonPlans = new Map<TableModel, RowPlan>()

  constructor(
    private readonly session: SessionCore,
    private readonly identityMap: IdentityMap,
    private readonly family: SqlFamily,
  ) {}

  /** The row decoder of one column, for key values read outside an entity. */
  keyDecoder(column: ColumnModel): Decoder | undefined {
    return rowDecoder(column, this.family)
  }

  /** An entity from a result row keyed by SQL column names. */
  fromRow(table: TableModel, row: Record<string, unknown>): object {
    let plan = this.#rowPlans.get(table)
    if (plan === undefined) {
      plan = buildPlan(table, (c) => rowDecoder(c, this.family))
      this.#rowPlans.set(table, plan)
    }
    return this.#hydrate(table, plan, row)
  }

  /** An entity from an object inside a JSON aggregate (numerics as text, dates as strings). */
  fromJson(table: TableModel, row: Record<string, unknown>): object {
    let plan = this.#jsonPlans.get(table)
    if (plan === undefined) {
      plan = buildPlan(table, (c) => jsonDecoder(c, this.family))
      this.#jsonPlans.set(table, plan)
    }
    return this.#hydrate(table, plan, row)
  }

  #hydrate(table: TableModel, plan: RowPlan, row: Record<string, unknown>): object {
    const { keys, decoders } = plan
    let identity: unknown
    if (plan.pkIndex >= 0) {
      const decode = decoders[plan.pkIndex]
      const raw = row[keys[plan.pkIndex]!]
      identity = decode === undefined ? raw : decode(raw)
      if (identity instanceof Date) identity = identity.getTime()
    } else {
      identity = ''
      for (let i = 0; i < plan.pkIndexes.length; i++) {
        const index = plan.pkIndexes[i]!
        const decode = decoders[index]
        const raw = row[keys[index]!]
        const value = decode === undefined ? raw : decode(raw)
        identity += (i === 0 ? '' : SEPARATOR) + String(value instanceof Date ? value.getTime() : value)
      }
    }
    const entries = this.identityMap.tableEntries(table)
    const existing = entries.get(identity)
    if (existing !== undefined) return existing

    const entity = new plan.ctor() as Record<string, unknown>
    const { properties, jsonColumns } = plan
    const snapshot = new Array<unknown>(keys.length)
    for (let i = 0; i < keys.length; i++) {
      const decode = decoders[i]
      const raw = row[keys[i]!]
      const value = raw === undefined ? null : decode === undefined ? raw : decode(raw)
      entity[properties[i]!] = value
      snapshot[i] = jsonColumns[i] ? snapshotValue(true, value) : value
    }
    attachState(entity, new EntityState(this.session, table, 'persistent', identity, snapshot))
    entries.set(identity, entity)
    return entity
  }
}
