/** `session.upsert()`: checks the conflict target and options, answers with the object the session holds for those values or a new object written as an upsert, and after the statements refuses a row another object of the session holds. */
import type { StatementRules } from '../dialect/statement-rules.js'
import { RelataError, SchemaError } from '../errors.js'
import type { ColumnModel, TableModel } from '../schema/model.js'
import { describeEntity } from '../tracking/describe-entity.js'
import { stateOf, type UpsertPlan } from '../tracking/entity-state.js'
import { identityKeyOf, keyOfValues, type IdentityMap } from '../tracking/identity-map.js'
import type { ChangeSet } from '../unit-of-work/change-set.js'
import type { Written } from '../unit-of-work/persister.js'
import type { ValueRules } from '../values/value-rules.js'
import { checkValue } from '../values/write-values.js'
import type { SessionChanges } from './session-changes.js'

/**
 * What `session.upsert()` takes: `conflict`, the primary key's columns or a unique constraint's, on
 * which an existing row is found; `update`, the columns that row takes (default: every column
 * given other than the conflict columns, the primary key and the version).
 *
 * @example
 * ```ts
 * const options: UpsertOptions = { conflict: ['name'], update: ['color'] }
 * session.upsert('tags', { name: 'jazz', color: 'blue' }, options)
 * ```
 */
export interface UpsertOptions {
  readonly conflict: readonly string[]
  readonly update?: readonly string[]
}

/** What an upsert works with. */
export interface UpsertSetup {
  readonly changes: SessionChanges
  readonly statements: StatementRules
  readonly valueRules: ValueRules
}

const shown = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : typeof value === 'bigint' ? `${value}n` : String(value))
const names = (columns: readonly ColumnModel[]): string => columns.map((c) => c.property).join(', ')

/**
 * `session.upsert(table, values, options)`. An object of the session that holds the conflict values
 * (as loaded, or changed since) is the row the upsert would meet: it takes the `update` columns' values
 * (written by the next flush as an UPDATE) and is returned, so that one row stays one object. A new
 * object with those values already pending is refused. Otherwise a new object, inserted by the next
 * flush as an upsert; its relations start unloaded (the row may exist, with related rows).
 *
 * @example
 * ```ts
 * const tag = upsert({ changes, statements, valueRules }, schema.table('tags'), { name: 'jazz' }, { conflict: ['name'] })
 * ```
 */
export function upsert(setup: UpsertSetup, table: TableModel, values: Record<string, unknown>, options: UpsertOptions): object {
  const where = `session.upsert('${table.key}', ...)`
  if (typeof values !== 'object' || values === null) throw new RelataError(`${where}: expects an object of column values`)
  for (const property of Object.keys(values)) {
    if (table.columnsByProperty.has(property)) continue
    if (table.relations.has(property)) throw new RelataError(`${where}: '${property}' is a relation; an upsert takes column values (give its key columns, or set the relation on the object returned)`)
    throw new RelataError(`${where}: '${property}' is not a column of '${table.key}' (columns: ${[...table.columnsByProperty.keys()].join(', ')})`)
  }
  const plan = checkOptions(table, values, options, where)
  refuseOtherKeys(setup.statements, table, values, plan.conflict, where)
  const conflictValues = plan.conflict.map((c) => values[c.property])
  const wanted = keyOfValues(conflictValues)
  const current = (entity: object) => keyOfValues(plan.conflict.map((c) => (entity as Record<string, unknown>)[c.property]))
  const pending = pendingUpserts(setup.changes, table, plan.conflict)
  const earlier = pending.get(wanted)
  if (earlier !== undefined && setup.changes.pending.has(earlier) && current(earlier) === wanted) {
    throw new RelataError(
      `${where}: ${describeEntity(earlier)} with ${plan.conflict.map((c, i) => `${c.property} = ${shown(conflictValues[i])}`).join(', ')} is already new in this session; change that object instead`,
    )
  }
  const held = heldObject(setup.changes.identityMap, table, plan.conflict, values, wanted)
  if (held !== undefined) {
    if (setup.changes.deleted.has(held)) throw new RelataError(`${where}: ${describeEntity(held)} holds these values and is marked for deletion; flush the deletion first`)
    for (const column of plan.update ?? defaultUpdate(table, plan.conflict, values)) {
      checkValue(table, column, values[column.property], setup.valueRules)
      ;(held as Record<string, unknown>)[column.property] = values[column.property]
    }
    return held
  }
  const entity = setup.changes.create(table, values)
  pending.set(wanted, entity)
  const state = stateOf(entity)!
  // The row may exist with related rows: relations load from the database, none is known empty.
  state.fresh = false
  state.upsert = plan
  return entity
}

function checkOptions(table: TableModel, values: Record<string, unknown>, options: UpsertOptions, where: string): UpsertPlan {
  if (typeof options !== 'object' || options === null) throw new RelataError(`${where}: expects options { conflict: [...] } naming the unique columns a conflict is found on`)
  const unknown = Object.keys(options).filter((k) => k !== 'conflict' && k !== 'update')
  if (unknown.length > 0) throw new RelataError(`${where}: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (options: conflict, update)`)
  const conflict = columnList(table, options.conflict, where, 'conflict')
  if (conflict.length === 0) throw new RelataError(`${where}: conflict names no column`)
  if (!sameColumns(conflict, table.primaryKey) && !table.uniques.some((unique) => sameColumns(conflict, unique.columns))) {
    const uniques = table.uniques.map((unique) => `(${names(unique.columns)})`)
    throw new SchemaError(
      `${where}: conflict on ${names(conflict)} of '${table.key}' is neither its primary key (${names(table.primaryKey)}) nor a unique constraint (${uniques.length > 0 ? uniques.join(', ') : 'none declared'}): ` +
        'the database finds a conflict only on a unique index; declare it (.unique(), or the table\'s uniques) or name the key',
    )
  }
  for (const column of conflict) {
    const value = values[column.property]
    if (value === undefined || value === null) throw new RelataError(`${where}: the conflict column '${column.property}' must be given a value (a NULL never conflicts)`)
  }
  if (options.update === undefined) return { conflict, update: undefined }
  const update = columnList(table, options.update, where, 'update')
  for (const column of update) {
    if (conflict.includes(column) || column.config.primaryKey || column.config.version) {
      throw new RelataError(`${where}: update names '${column.property}', a ${conflict.includes(column) ? 'conflict' : column.config.primaryKey ? 'primary key' : 'version'} column, which an upsert does not change`)
    }
    if (values[column.property] === undefined) throw new RelataError(`${where}: update names '${column.property}', which is not given a value`)
  }
  return { conflict, update }
}

/** The same columns, in any order. */
const sameColumns = (a: readonly ColumnModel[], b: readonly ColumnModel[]): boolean => a.length === b.length && a.every((c) => b.includes(c))

function columnList(table: TableModel, list: unknown, where: string, option: string): ColumnModel[] {
  if (!Array.isArray(list)) throw new RelataError(`${where}: ${option} expects an array of column names`)
  return list.map((property: unknown) => {
    const column = typeof property === 'string' ? table.columnsByProperty.get(property) : undefined
    if (column === undefined) throw new RelataError(`${where}: ${option} names '${String(property)}', not a column of '${table.key}' (columns: ${[...table.columnsByProperty.keys()].join(', ')})`)
    return column
  })
}

/** The columns an existing row takes by default: those given other than the conflict target, the primary key and the version. */
function defaultUpdate(table: TableModel, conflict: readonly ColumnModel[], values: Record<string, unknown>): ColumnModel[] {
  return table.columns.filter((c) => values[c.property] !== undefined && !conflict.includes(c) && !c.config.primaryKey && !c.config.version)
}

/**
 * Where the statement takes no conflict target and fires on any unique key, a row meeting an
 * existing one on another key would update that row: refused when the values could meet one (its
 * columns given or defaulted; a key the server generates, left out, never meets).
 */
function refuseOtherKeys(statements: StatementRules, table: TableModel, values: Record<string, unknown>, conflict: readonly ColumnModel[], where: string): void {
  if (!statements.upsertOnAnyUniqueKey) return
  const keys = [table.primaryKey, ...table.uniques.map((unique) => unique.columns)]
  for (const key of keys) {
    if (sameColumns(key, conflict)) continue
    if (!key.every((c) => values[c.property] !== undefined || c.config.default !== undefined)) continue
    throw new SchemaError(
      `${where}: on this database an upsert fires on a conflict with any unique key of '${table.sqlName}' (ON DUPLICATE KEY UPDATE takes no target), ` +
        `and these values could also meet the key ${names(key)}, besides the conflict target ${names(conflict)}: Relata refuses rather than update a row found on another key. ` +
        `Leave ${names(key)} out of the values, or name it as the conflict target`,
    )
  }
}

/** Per session and conflict target, its new objects by the conflict values they were upserted with (a hit is checked against their values now). */
const pendingIndexes = new WeakMap<SessionChanges, Map<string, Map<unknown, object>>>()

function pendingUpserts(changes: SessionChanges, table: TableModel, conflict: readonly ColumnModel[]): Map<unknown, object> {
  let perTarget = pendingIndexes.get(changes)
  if (perTarget === undefined) pendingIndexes.set(changes, (perTarget = new Map()))
  const target = `${table.key}:${conflict.map((c) => c.property).join(',')}`
  let index = perTarget.get(target)
  if (index === undefined) perTarget.set(target, (index = new Map()))
  return index
}

/**
 * Per identity map and unique key, its objects by the key's values: rebuilt when the table's
 * entries change in number, a hit checked against the object's values now. Values changed in memory
 * since may be missed here: the flush then finds the row held (`refuseHeldRows`) and fails.
 */
const uniqueIndexes = new WeakMap<IdentityMap, Map<string, { readonly size: number; readonly byValues: Map<unknown, object> }>>()

/** The values of an object's columns as it holds them now; an expired one as last read. */
function heldValues(entity: object, columns: readonly ColumnModel[]): unknown {
  const state = stateOf(entity)!
  return keyOfValues(
    columns.map((column) => {
      const index = state.table.columns.indexOf(column)
      return state.expired?.has(index) ? state.snapshot?.[index] : (entity as Record<string, unknown>)[column.property]
    }),
  )
}

/** The persistent object of the session whose conflict columns hold these values. */
function heldObject(identityMap: IdentityMap, table: TableModel, conflict: readonly ColumnModel[], values: Record<string, unknown>, wanted: unknown): object | undefined {
  if (sameColumns(conflict, table.primaryKey)) return identityMap.get(table, identityKeyOf(table, (property) => values[property]))
  const entries = identityMap.tableEntries(table)
  let perKey = uniqueIndexes.get(identityMap)
  if (perKey === undefined) uniqueIndexes.set(identityMap, (perKey = new Map()))
  const key = `${table.key}:${conflict.map((c) => c.property).join(',')}`
  let index = perKey.get(key)
  if (index === undefined || index.size !== entries.size) {
    const byValues = new Map<unknown, object>()
    for (const entity of entries.values()) byValues.set(heldValues(entity, conflict), entity)
    perKey.set(key, (index = { size: entries.size, byValues }))
  }
  const found = index.byValues.get(wanted)
  if (found === undefined || entries.get(stateOf(found)!.identityKey) !== found) return undefined
  return heldValues(found, conflict) === wanted ? found : undefined
}

/**
 * After a flush's statements, before it commits: an upsert that met a row held by another object
 * of the session (one not found by its values before: changed in the database since it was read,
 * or its values changed in this flush) fails the flush, as two objects for one row would.
 *
 * @example
 * ```ts
 * refuseHeldRows(changeSet, persister.written, identityMap)   // throws: the flush rolls back
 * ```
 */
export function refuseHeldRows(changeSet: ChangeSet, written: Written, identityMap: IdentityMap): void {
  for (const [table, entities] of changeSet.inserts) {
    const mine = new Map<unknown, object>()
    for (const entity of entities) {
      const values = written.get(entity)
      if (stateOf(entity)!.upsert === undefined || values === undefined) continue
      const key = identityKeyOf(table, (property) => values[property])
      const other = identityMap.get(table, key) ?? mine.get(key)
      if (other !== undefined && other !== entity) {
        throw new RelataError(
          `session.upsert('${table.key}', ...) met the row ${table.primaryKey.map((c) => `${c.property} = ${shown(values[c.property])}`).join(', ')}, which ${describeEntity(other)} of this session already holds; ` +
            'one row cannot be two objects: change that object instead. Nothing of this flush was written',
        )
      }
      mine.set(key, entity)
    }
  }
}
