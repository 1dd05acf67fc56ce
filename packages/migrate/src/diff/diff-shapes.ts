/** `diffShapes`: the ordered steps from one SchemaShape to another, renames asked for, data-losing steps marked. */
import type { ColumnShape, ForeignKeyShape, SchemaShape, TableShape } from '../shape/schema-shape.js'
import { migrateFamily } from '../family/families.js'
import { MigrateError } from '../migrate-error.js'
import { applyRenames, resolveRenames } from './apply-renames.js'
import { dependencyOrder, type TableReference } from './dependency-order.js'
import { markDestructive } from './destructive.js'
import type { MigrationStep } from './migration-step.js'

/**
 * How `diffShapes` reads disappearances.
 *
 * @example
 * ```ts
 * const options: DiffOptions = { renames: { 'books.title': 'name', authors: 'writers' }, drops: ['books.legacy'] }
 * ```
 */
export interface DiffOptions {
  /** `'old_table': 'new_table'` or `'table.old_column': 'new_column'`. */
  readonly renames?: Readonly<Record<string, string>>
  /** Tables (`'legacy'`) and columns (`'books.legacy'`) that were dropped, not renamed. */
  readonly drops?: readonly string[]
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i])
const sameColumn = (a: ColumnShape, b: ColumnShape) =>
  a.type === b.type && a.nullable === b.nullable && a.default === b.default && a.autoIncrement === b.autoIncrement && a.comment === b.comment
const sameKey = (a: ForeignKeyShape, b: ForeignKeyShape) =>
  same(a.columns, b.columns) && a.referencedTable === b.referencedTable && same(a.referencedColumns, b.referencedColumns) && a.onDelete === b.onDelete && a.onUpdate === b.onUpdate
const byName = <T extends { readonly name: string }>(items: readonly T[]) => new Map(items.map((item) => [item.name, item]))

/**
 * The steps that turn a database shaped as `from` into one shaped as `to`, in an order both
 * families accept: renames; dropped foreign keys, indexes and constraints; dropped tables
 * (referencing ones first); new tables (referenced ones first, keys that close a cycle added
 * after); columns added, altered, dropped; new keys and indexes; foreign keys last.
 *
 * A table or column that disappears while another appears beside it is never taken for a drop
 * and an add: unless `renames` or `drops` says which, the result is only the `ambiguous` steps,
 * one per disappearance, naming the candidates.
 *
 * @example
 * ```ts
 * const steps = diffShapes(previous, next, { renames: { 'books.title': 'name' } })
 * if (ambiguities(steps).length > 0) throw new Error('say which columns were renamed')
 * ```
 */
export function diffShapes(from: SchemaShape, to: SchemaShape, options: DiffOptions = {}): MigrationStep[] {
  if (from.family !== to.family) throw new MigrateError(`Cannot diff a ${from.family} shape against a ${to.family} one: the snapshot was taken on another SQL family`)
  const family = migrateFamily(to.family)
  const renames = resolveRenames(from, to, options.renames ?? {})
  const old = applyRenames(from, renames)
  const drops = new Set(options.drops ?? [])
  const oldNameOf = (table: string) => [...renames.tables].find(([, n]) => n === table)?.[0] ?? table

  const dropped = Object.keys(old.tables).filter((name) => to.tables[name] === undefined).sort()
  const added = Object.keys(to.tables).filter((name) => old.tables[name] === undefined).sort()
  const ambiguous: MigrationStep[] = []
  for (const name of dropped) if (added.length > 0 && !drops.has(name)) ambiguous.push({ kind: 'ambiguous', table: null, dropped: name, candidates: added })
  const kept = Object.keys(to.tables).filter((name) => old.tables[name] !== undefined).sort()
  for (const name of kept) {
    const before = old.tables[name]!
    const after = to.tables[name]!
    const gone = before.columns.filter((c) => !after.columns.some((n) => n.name === c.name))
    const fresh = after.columns.filter((c) => !before.columns.some((o) => o.name === c.name)).map((c) => c.name)
    for (const column of gone) {
      const confirmed = drops.has(`${name}.${column.name}`) || drops.has(`${oldNameOf(name)}.${column.name}`)
      if (fresh.length > 0 && !confirmed) ambiguous.push({ kind: 'ambiguous', table: name, dropped: column.name, candidates: fresh })
    }
  }
  if (ambiguous.length > 0) return ambiguous

  const phase = {
    renames: [] as MigrationStep[],
    dropKeys: [] as MigrationStep[],
    dropIndexes: [] as MigrationStep[],
    dropPrimary: [] as MigrationStep[],
    dropTables: [] as MigrationStep[],
    createTables: [] as MigrationStep[],
    addColumns: [] as MigrationStep[],
    alterColumns: [] as MigrationStep[],
    dropColumns: [] as MigrationStep[],
    addPrimary: [] as MigrationStep[],
    addIndexes: [] as MigrationStep[],
    addKeys: [] as MigrationStep[],
    comments: [] as MigrationStep[],
  }
  for (const [before, after] of [...renames.tables].sort()) phase.renames.push({ kind: 'renameTable', from: before, to: after })
  for (const [table, columns] of [...renames.columns].sort()) {
    for (const [before, after] of columns) phase.renames.push({ kind: 'renameColumn', table, from: before, to: after })
  }

  // Columns whose type changes: foreign keys through them are dropped first and added again after.
  const retyped = new Set<string>()
  const changedPrimary = new Set<string>()
  for (const name of kept) {
    const before = old.tables[name]!
    const after = to.tables[name]!
    const beforeColumns = byName(before.columns)
    for (const column of after.columns) {
      const previous = beforeColumns.get(column.name)
      if (previous === undefined) phase.addColumns.push({ kind: 'addColumn', table: name, column })
      else if (!sameColumn(previous, column)) {
        phase.alterColumns.push({ kind: 'alterColumn', table: name, from: previous, to: column })
        if (previous.type !== column.type) retyped.add(`${name}.${column.name}`)
      }
    }
    for (const column of before.columns) {
      if (!after.columns.some((c) => c.name === column.name)) phase.dropColumns.push({ kind: 'dropColumn', table: name, column })
    }
    const pkBefore = before.primaryKey
    const pkAfter = after.primaryKey
    if (!same(pkBefore?.columns ?? [], pkAfter?.columns ?? [])) {
      changedPrimary.add(name)
      if (pkBefore !== null) phase.dropPrimary.push({ kind: 'dropPrimaryKey', table: name, key: pkBefore })
      if (pkAfter !== null) phase.addPrimary.push({ kind: 'addPrimaryKey', table: name, key: pkAfter })
    }
    diffNamed(before.indexes, after.indexes, (a, b) => same(a.columns, b.columns) && a.unique === b.unique && a.where === b.where,
      (index) => phase.dropIndexes.push({ kind: 'dropIndex', table: name, index }),
      (index) => phase.addIndexes.push({ kind: 'createIndex', table: name, index }))
    diffNamed(before.uniques, after.uniques, (a, b) => same(a.columns, b.columns),
      (unique) => phase.dropIndexes.push({ kind: 'dropUnique', table: name, unique }),
      (unique) => phase.addIndexes.push({ kind: 'addUnique', table: name, unique }))
    diffNamed(before.checks, after.checks, (a, b) => a.expression === b.expression,
      (check) => phase.dropIndexes.push({ kind: 'dropCheck', table: name, check }),
      (check) => phase.addIndexes.push({ kind: 'addCheck', table: name, check }))
    if (before.comment !== after.comment) phase.comments.push({ kind: 'setTableComment', table: name, from: before.comment, to: after.comment })
  }
  // Indexes created or dropped per table: on MySQL a key whose columns lead one must step aside
  // (in up, and so in down, which undoes up).
  const indexChanges = new Map<string, (readonly string[])[]>()
  for (const step of [...phase.dropIndexes, ...phase.addIndexes]) {
    const columns = step.kind === 'createIndex' || step.kind === 'dropIndex' ? step.index.columns : step.kind === 'addUnique' || step.kind === 'dropUnique' ? step.unique.columns : undefined
    if (columns !== undefined && 'table' in step && typeof step.table === 'string') indexChanges.set(step.table, [...(indexChanges.get(step.table) ?? []), columns])
  }
  const leads = (key: ForeignKeyShape, table: string) =>
    family.foreignKeysHoldIndexes && (indexChanges.get(table) ?? []).some((columns) => key.columns.every((c, i) => columns[i] === c))
  const touches = (key: ForeignKeyShape, table: string) =>
    leads(key, table) ||
    key.columns.some((c) => retyped.has(`${table}.${c}`)) ||
    key.referencedColumns.some((c) => retyped.has(`${key.referencedTable}.${c}`)) ||
    changedPrimary.has(key.referencedTable)
  for (const name of kept) {
    const beforeKeys = old.tables[name]!.foreignKeys
    const afterKeys = to.tables[name]!.foreignKeys
    diffNamed(beforeKeys, afterKeys, (a, b) => sameKey(a, b) && !touches(a, name),
      (key) => phase.dropKeys.push({ kind: 'dropForeignKey', table: name, key }),
      (key) => phase.addKeys.push({ kind: 'addForeignKey', table: name, key }))
  }

  // Dropped tables: referencing ones first (the reverse of creation order).
  const dropOrder = dependencyOrder(dropped, references(dropped.map((n) => old.tables[n]!)))
  const splitOff = new Set(dropOrder.deferred)
  for (const key of dropOrder.deferred) phase.dropKeys.push({ kind: 'dropForeignKey', table: tableOf(old, key), key })
  for (const name of [...dropOrder.order].reverse()) {
    const table = old.tables[name]!
    phase.dropTables.push({ kind: 'dropTable', table: { ...table, foreignKeys: table.foreignKeys.filter((k) => !splitOff.has(k)) } })
  }

  // New tables: referenced ones first; a key that closes a cycle is added once both exist.
  const createOrder = dependencyOrder(added, references(added.map((n) => to.tables[n]!)))
  const deferred = new Set(createOrder.deferred)
  for (const name of createOrder.order) {
    const table = to.tables[name]!
    phase.createTables.push({ kind: 'createTable', table: { ...table, foreignKeys: table.foreignKeys.filter((k) => !deferred.has(k)), indexes: [], comment: null } })
    for (const index of table.indexes) phase.createTables.push({ kind: 'createIndex', table: name, index })
    if (table.comment !== null) phase.comments.push({ kind: 'setTableComment', table: name, from: null, to: table.comment })
  }
  for (const key of createOrder.deferred) phase.addKeys.push({ kind: 'addForeignKey', table: tableOf(to, key), key })

  return markDestructive(Object.values(phase).flat(), family)
}

function diffNamed<T extends { readonly name: string }>(before: readonly T[], after: readonly T[], equal: (a: T, b: T) => boolean, drop: (item: T) => void, add: (item: T) => void): void {
  const afterByName = byName(after)
  const beforeByName = byName(before)
  for (const item of before) {
    const next = afterByName.get(item.name)
    if (next === undefined || !equal(item, next)) drop(item)
  }
  for (const item of after) {
    const previous = beforeByName.get(item.name)
    if (previous === undefined || !equal(previous, item)) add(item)
  }
}

function references(tables: readonly TableShape[]): TableReference<ForeignKeyShape>[] {
  return tables.flatMap((table) => table.foreignKeys.map((key) => ({ from: table.name, to: key.referencedTable, key })))
}

function tableOf(shape: SchemaShape, key: ForeignKeyShape): string {
  const table = Object.values(shape.tables).find((t) => t.foreignKeys.includes(key))
  if (table === undefined) throw new MigrateError(`Foreign key ${key.name} belongs to no table of the shape`)
  return table.name
}
