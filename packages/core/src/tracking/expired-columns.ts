/**
 * Expired column attributes (`session.expire()`): an own accessor on the object in place of the
 * value, whose getter throws (property access cannot wait for SQL) and whose setter makes the
 * attribute a plain value again, a change for the next flush. A read that returns the row
 * overwrites them (`overwriteExpired`); `populateExisting` and `refresh` overwrite every column
 * (`overwriteColumns`).
 */
import { RelataError } from '../errors.js'
import type { ColumnModel } from '../schema/model.js'
import { describeEntity } from './describe-entity.js'
import { stateOf, type EntityState } from './entity-state.js'
import { relationChanges } from './relation-changes.js'

/** Makes an attribute a plain value again (enumerable, writable, as hydration makes it). */
function defineValue(entity: object, property: string, value: unknown): void {
  Object.defineProperty(entity, property, { value, writable: true, enumerable: true, configurable: true })
}

/**
 * Marks columns of a persistent object stale; primary-key columns stay (they are its identity).
 *
 * @example
 * ```ts
 * expireColumns(book, stateOf(book)!, [titleColumn])
 * book.title   // throws: books.title of books (id 1) is expired
 * ```
 */
export function expireColumns(entity: object, state: EntityState, columns: readonly ColumnModel[]): void {
  const all = state.table.columns
  for (const column of columns) {
    if (column.config.primaryKey) continue
    const index = all.indexOf(column)
    if (state.expired?.has(index)) continue
    ;(state.expired ??= new Set()).add(index)
    state.written?.delete(index)
    Object.defineProperty(entity, column.property, {
      get(): never {
        throw new RelataError(
          `${state.table.key}.${column.property} of ${describeEntity(entity)} is expired (session.expire()) and reading it cannot wait for SQL: ` +
            `await session.refresh(obj) or query the object again first`,
        )
      },
      set(value: unknown) {
        defineValue(entity, column.property, value)
        state.expired?.delete(index)
        ;(state.written ??= new Set()).add(index)
      },
      enumerable: true,
      configurable: true,
    })
  }
}

/**
 * Whether column `index` of an object is expired and not written since.
 *
 * @example
 * ```ts
 * if (isExpired(state, 2)) continue   // not a change: nothing to compare
 * ```
 */
export function isExpired(state: EntityState, index: number): boolean {
  return state.expired !== undefined && state.expired.has(index)
}

/**
 * Sets a column as the database has it (after a flush): an expired attribute takes the value, and
 * the value is not a change.
 *
 * @example
 * ```ts
 * setColumn(book, state, 2, 7)
 * ```
 */
export function setColumn(entity: object, state: EntityState, index: number, value: unknown): void {
  const property = state.table.columns[index]!.property
  if (state.expired?.delete(index)) defineValue(entity, property, value)
  else (entity as Record<string, unknown>)[property] = value
  state.written?.delete(index)
}

/**
 * A row read again for an object already in the identity map: its expired attributes take the
 * row's values (and their snapshot entries); the others, and their unflushed changes, stay.
 *
 * @example
 * ```ts
 * overwriteExpired(book, [1, 'Title', 7], [1, 'Title', 7])
 * ```
 */
export function overwriteExpired(entity: object, values: readonly unknown[], snapshot: readonly unknown[]): void {
  const state = stateOf(entity)
  if (state?.expired === undefined || state.expired.size === 0 || state.snapshot === undefined) return
  const columns = state.table.columns
  const before = state.table.foreignKeys.length > 0 ? state.snapshot.slice() : undefined
  for (const index of state.expired) {
    defineValue(entity, columns[index]!.property, values[index])
    state.snapshot[index] = snapshot[index]
  }
  state.expired = undefined
  if (before !== undefined) followReadKeys(entity, state, before)
}

/**
 * `populateExisting` and `refresh`: every column takes the row's value and the snapshot is the
 * row's, so unflushed attribute changes are discarded (as SQLAlchemy's refresh does). Relation
 * changes are the relations' own: a reload of the relation replaces them.
 *
 * @example
 * ```ts
 * overwriteColumns(book, [1, 'Title', 7], [1, 'Title', 7])
 * ```
 */
export function overwriteColumns(entity: object, values: readonly unknown[], snapshot: readonly unknown[]): void {
  const state = stateOf(entity)
  if (state === undefined || state.status !== 'persistent') return
  const columns = state.table.columns
  for (let i = 0; i < columns.length; i++) {
    if (state.expired?.has(i)) defineValue(entity, columns[i]!.property, values[i])
    else (entity as Record<string, unknown>)[columns[i]!.property] = values[i]
  }
  const before = state.snapshot
  state.snapshot = snapshot.slice()
  state.expired = undefined
  state.written = undefined
  if (before !== undefined && state.table.foreignKeys.length > 0) followReadKeys(entity, state, before)
}

/**
 * A row read with some columns only (`select()`, `omit()`, deferred columns) for an object already
 * in the identity map: the `loaded` columns that are expired or not loaded take the row's values
 * (every `loaded` column with `populate`, its unflushed change discarded); the others stay as they are.
 *
 * @example
 * ```ts
 * overwriteLoaded(book, [0, 1], [1, 'Title', undefined], [1, 'Title', undefined], false)
 * ```
 */
export function overwriteLoaded(entity: object, loaded: readonly number[], values: readonly unknown[], snapshot: readonly unknown[], populate: boolean): void {
  const state = stateOf(entity)
  if (state === undefined || state.snapshot === undefined || (populate && state.status !== 'persistent')) return
  if (!populate && (state.expired === undefined || state.expired.size === 0)) return
  const columns = state.table.columns
  const before = state.table.foreignKeys.length > 0 ? state.snapshot.slice() : undefined
  for (const index of loaded) {
    const stale = state.expired?.delete(index) === true
    if (stale) defineValue(entity, columns[index]!.property, values[index])
    else if (populate) (entity as Record<string, unknown>)[columns[index]!.property] = values[index]
    else continue
    state.snapshot[index] = snapshot[index]
    state.written?.delete(index)
  }
  if (state.expired?.size === 0) state.expired = undefined
  if (before !== undefined) followReadKeys(entity, state, before)
}

/**
 * A foreign key read with a new value (another transaction moved the row): the loaded relations
 * on both sides follow it, as they follow a key written in memory, unless a relation change not
 * yet flushed owns that key.
 */
function followReadKeys(entity: object, state: EntityState, before: readonly unknown[]): void {
  const columns = state.table.columns
  const now = state.snapshot!
  for (const key of state.table.foreignKeys) {
    if (state.refs?.has(key)) continue
    const indexes = key.columns.map((column) => columns.indexOf(column))
    if (indexes.every((index) => before[index] === now[index])) continue
    const pointed = (values: unknown[]) => (values.some((v) => v === null || v === undefined) ? null : state.session?.find(key, values))
    relationChanges.followKey(entity, state, key, pointed(indexes.map((i) => before[i])), pointed(indexes.map((i) => now[i])))
  }
}
