/**
 * Rows to entities, through the identity map: a row already there yields the object already
 * there. Each table gets a hydration function generated once, with its column names written
 * out, so that the hot loop makes objects of one shape with monomorphic property stores.
 */
import type { KyselyPlugin } from 'kysely'
import type { Decoder } from '../values/codecs.js'
import type { ValueRules } from '../values/value-rules.js'
import type { ColumnModel, TableModel } from '../schema/model.js'
import { entityClassOf } from './entity-class.js'
import { attachState, EntityState, type EntityTracker } from './entity-state.js'
import { keyPart, type IdentityMap } from './identity-map.js'
import { overwriteColumns, overwriteExpired, overwriteLoaded } from './expired-columns.js'
import { markUnloaded } from './unloaded-columns.js'
import { snapshotKind } from '../values/snapshots.js'

/** What becomes of an object already in the identity map when a row is read for it: its column values and snapshot entries. */
type Overwrite = (known: object, values: unknown[], snapshot: unknown[]) => void

type Hydrate = (row: Record<string, unknown>, entries: Map<unknown, object>, session: EntityTracker, over: Overwrite | undefined) => object

/**
 * Builds `(row, entries, session, over) => entity` for one table. Names enter the generated source only
 * as JSON string literals; decoders and classes are passed in, never written as code. `loaded`:
 * the indexes of the columns the rows carry, when not all (see `compilePartial`).
 */
function compile(table: TableModel, decoderOf: (column: ColumnModel) => Decoder | undefined, prefix = '', loaded?: readonly number[]): Hydrate {
  if (loaded !== undefined) return compilePartial(table, decoderOf, prefix, loaded)
  const decoders = table.columns.map(decoderOf)
  const lit = (name: string) => JSON.stringify(name)
  const read = (i: number) => {
    const raw = `row[${lit(prefix + table.columns[i]!.sqlName)}]`
    return decoders[i] === undefined ? `(${raw} ?? null)` : `(${raw} == null ? null : d[${i}](${raw}))`
  }
  const pk = table.primaryKey.map((c) => table.columns.indexOf(c))
  const lines: string[] = []
  table.columns.forEach((_, i) => lines.push(`const v${i} = ${read(i)};`))
  // `keyOfValue` and `keyPart` of identity-map.ts, written out: the identity map's keys must be theirs.
  const normal = (i: number) => `(v${i} instanceof Date ? v${i}.getTime() : v${i})`
  lines.push(pk.length === 1 ? `const id = ${normal(pk[0]!)};` : `const id = ${pk.map((i) => `keyPart(v${i})`).join(' + ')};`)
  // As `snapshotValue`, written out: decoded dates are Date objects (or null), so no test is needed.
  const snapshot = table.columns.map((column, i) => {
    const kind = snapshotKind(column)
    return kind === 'value' ? `v${i}` : `(v${i} === null ? null : ${kind === 'date' ? `v${i}.getTime()` : `JSON.stringify(v${i})`})`
  })
  // A known object is returned as it is, unless the session has expired attributes or the query populates existing objects.
  const values = table.columns.map((_, i) => `v${i}`).join(', ')
  lines.push(`const known = entries.get(id); if (known !== undefined) { if (over !== undefined) over(known, [${values}], [${snapshot.join(', ')}]); return known; }`)
  lines.push('const e = new C();')
  table.columns.forEach((column, i) => lines.push(`e[${lit(column.property)}] = v${i};`))
  lines.push(`attach(e, new State(session, table, 'persistent', id, [${snapshot.join(', ')}]));`)
  lines.push('entries.set(id, e); return e;')
  const factory = new Function('C', 'd', 'attach', 'State', 'table', 'keyPart', `return function hydrate(row, entries, session, over) {\n${lines.join('\n')}\n}`)
  return factory(entityClassOf(table), decoders, attachState, EntityState, table, keyPart) as Hydrate
}

/**
 * A hydrator for rows that carry some columns only: a new object gets the others as not-loaded
 * accessors (unloaded-columns.ts); an object already known takes the loaded columns it lacks
 * (all of them when `over` populates), never losing a value or an unflushed change it has.
 */
function compilePartial(table: TableModel, decoderOf: (column: ColumnModel) => Decoder | undefined, prefix: string, loaded: readonly number[]): Hydrate {
  const decoders = table.columns.map(decoderOf)
  const lit = (name: string) => JSON.stringify(name)
  const has = new Set(loaded)
  const unloaded = table.columns.map((_, i) => i).filter((i) => !has.has(i))
  const lines: string[] = []
  for (const i of loaded) {
    const raw = `row[${lit(prefix + table.columns[i]!.sqlName)}]`
    lines.push(`const v${i} = ${decoders[i] === undefined ? `(${raw} ?? null)` : `(${raw} == null ? null : d[${i}](${raw}))`};`)
  }
  const pk = table.primaryKey.map((c) => table.columns.indexOf(c))
  const normal = (i: number) => `(v${i} instanceof Date ? v${i}.getTime() : v${i})`
  lines.push(pk.length === 1 ? `const id = ${normal(pk[0]!)};` : `const id = ${pk.map((i) => `keyPart(v${i})`).join(' + ')};`)
  const snapshot = table.columns.map((column, i) => {
    if (!has.has(i)) return 'undefined'
    const kind = snapshotKind(column)
    return kind === 'value' ? `v${i}` : `(v${i} === null ? null : ${kind === 'date' ? `v${i}.getTime()` : `JSON.stringify(v${i})`})`
  })
  const values = table.columns.map((_, i) => (has.has(i) ? `v${i}` : 'undefined')).join(', ')
  lines.push(`const known = entries.get(id); if (known !== undefined) { overwriteLoaded(known, loaded, [${values}], [${snapshot.join(', ')}], over === overwriteColumns); return known; }`)
  lines.push('const e = new C();')
  for (const i of loaded) lines.push(`e[${lit(table.columns[i]!.property)}] = v${i};`)
  lines.push(`const state = new State(session, table, 'persistent', id, [${snapshot.join(', ')}]);`)
  lines.push('attach(e, state); markUnloaded(e, state, unloaded);')
  lines.push('entries.set(id, e); return e;')
  const factory = new Function(
    'C', 'd', 'attach', 'State', 'table', 'keyPart', 'loaded', 'unloaded', 'overwriteLoaded', 'overwriteColumns', 'markUnloaded',
    `return function hydrate(row, entries, session, over) {\n${lines.join('\n')}\n}`,
  )
  return factory(entityClassOf(table), decoders, attachState, EntityState, table, keyPart, loaded, unloaded, overwriteLoaded, overwriteColumns, markUnloaded) as Hydrate
}

/** The indexes of `columns` in their table, or `undefined` when they are all of its columns. */
function loadedIndexes(table: TableModel, columns: readonly ColumnModel[] | undefined): readonly number[] | undefined {
  if (columns === undefined || columns.length === table.columns.length) return undefined
  return columns.map((column) => table.columns.indexOf(column))
}

/** Compiled hydrators of one family's value rules: per table, per source and column prefix. */
type CompiledHydrators = WeakMap<TableModel, Map<string, Hydrate>>

/**
 * Compiled hydrators, shared by every session on the same value rules (one object per family).
 * A session is often short (one request): compiling per session would also start every one of
 * them in V8's interpreter instead of reusing optimised code.
 */
const compiledByRules = new WeakMap<ValueRules, CompiledHydrators>()

function compiledFor(rules: ValueRules): CompiledHydrators {
  let compiled = compiledByRules.get(rules)
  if (compiled === undefined) compiledByRules.set(rules, (compiled = new WeakMap()))
  return compiled
}

function hydratorOf(compiled: CompiledHydrators, rules: ValueRules, table: TableModel, source: 'row' | 'json', prefix: string, loaded?: readonly number[]): Hydrate {
  let plans = compiled.get(table)
  if (plans === undefined) compiled.set(table, (plans = new Map()))
  const key = loaded === undefined ? `${source}|${prefix}` : `${source}|${prefix}|${loaded.join(',')}`
  let hydrate = plans.get(key)
  if (hydrate === undefined) {
    hydrate = compile(table, (c) => (source === 'row' ? rules.rowDecoder(c) : rules.jsonDecoder(c)), prefix, loaded)
    plans.set(key, hydrate)
  }
  return hydrate
}

export class Hydrator {
  /** This family's compiled hydrators, looked up once per session rather than per row. */
  readonly #compiled: CompiledHydrators
  /** Whether rows overwrite the objects already known (`populateExisting`), rather than only their expired attributes. */
  readonly #populate: boolean
  /** Set once the session expired an attribute: from then on known objects are looked at. */
  #expiring = false

  constructor(
    private readonly session: EntityTracker,
    private readonly identityMap: IdentityMap,
    private readonly rules: ValueRules,
    populate = false,
  ) {
    this.#compiled = compiledFor(rules)
    this.#populate = populate
  }

  /** The session expired attributes: rows read from now on overwrite those of the objects they find. */
  noteExpired(): void {
    this.#expiring = true
  }

  /** A hydrator on the same identity map whose rows overwrite the objects already there (`populateExisting`). */
  populating(): Hydrator {
    return new Hydrator(this.session, this.identityMap, this.rules, true)
  }

  get #over(): Overwrite | undefined {
    return this.#populate ? overwriteColumns : this.#expiring ? overwriteExpired : undefined
  }

  /** The row decoder of one column, for key values read outside an entity. */
  keyDecoder(column: ColumnModel): Decoder | undefined {
    return this.rules.rowDecoder(column)
  }

  /** The plugin that lets the driver leave the decoding of these columns to the row decoders, if the family has one (`ValueRules.decodedRows`). */
  decodedRows(columns: readonly ColumnModel[]): KyselyPlugin | undefined {
    return this.rules.decodedRows?.(columns)
  }

  /** The loaded columns' indexes when some are left out; from then on, rows read overwrite not-loaded columns. */
  #loaded(table: TableModel, columns: readonly ColumnModel[] | undefined): readonly number[] | undefined {
    const loaded = loadedIndexes(table, columns)
    if (loaded !== undefined) this.#expiring = true
    return loaded
  }

  /**
   * An entity from a result row keyed by SQL column names (each behind `prefix` when the table was
   * joined in); `columns`: those the row carries, when not all of the table's.
   */
  fromRow(table: TableModel, row: Record<string, unknown>, prefix = '', columns?: readonly ColumnModel[]): object {
    const loaded = this.#loaded(table, columns)
    return hydratorOf(this.#compiled, this.rules, table, 'row', prefix, loaded)(row, this.identityMap.tableEntries(table), this.session, this.#over)
  }

  /** An entity from an object inside a JSON aggregate (numerics as text, dates as strings). */
  fromJson(table: TableModel, row: Record<string, unknown>, columns?: readonly ColumnModel[]): object {
    const loaded = this.#loaded(table, columns)
    return hydratorOf(this.#compiled, this.rules, table, 'json', '', loaded)(row, this.identityMap.tableEntries(table), this.session, this.#over)
  }

  /** Many rows of one table, the per-table lookups done once. */
  fromRows(table: TableModel, rows: readonly Record<string, unknown>[], columns?: readonly ColumnModel[]): object[] {
    const hydrate = hydratorOf(this.#compiled, this.rules, table, 'row', '', this.#loaded(table, columns))
    const entries = this.identityMap.tableEntries(table)
    const over = this.#over
    const entities = new Array<object>(rows.length)
    for (let i = 0; i < rows.length; i++) entities[i] = hydrate(rows[i]!, entries, this.session, over)
    return entities
  }
}
