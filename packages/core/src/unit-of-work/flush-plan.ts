/**
 * Orders a change set into the statements of a flush: inserts parents first (rows of a
 * self-referencing table level by level, keys on a cycle written afterwards as SQLAlchemy's
 * post_update does), updates, link rows, then deletes children first (keys between deleted rows on
 * a cycle unset beforehand).
 */
import { RelataError } from '../errors.js'
import type { ColumnModel, ForeignKeyModel, TableModel } from '../schema/model.js'
import { orderTables } from '../schema/table-order.js'
import { stateOf } from '../tracking/entity-state.js'
import { identityKeyOf } from '../tracking/identity-map.js'
import { refTarget, type ChangeSet, type KeyNulling, type UpdateWrite } from './change-set.js'
import { leavingUpdates, orderKeyChanges } from './key-changes.js'
import type { LinkRecord } from './link-records.js'
import type { RowSwitch } from './row-switch.js'

export interface InsertBatch {
  readonly kind: 'insert'
  readonly table: TableModel
  readonly entities: readonly object[]
  /** Keys written as NULL by the insert, then set by a post-update once their target exists. */
  readonly postponed: ReadonlyMap<object, ReadonlySet<ForeignKeyModel>>
}

export type FlushStep =
  | InsertBatch
  | { readonly kind: 'postUpdate'; readonly table: TableModel; readonly entity: object; readonly keys: ReadonlySet<ForeignKeyModel> }
  | { readonly kind: 'update'; readonly table: TableModel; readonly writes: readonly UpdateWrite[] }
  | { readonly kind: 'parkKey'; readonly table: TableModel; readonly entity: object }
  | { readonly kind: 'switchRow'; readonly table: TableModel; readonly row: RowSwitch }
  | { readonly kind: 'insertLinks'; readonly table: TableModel; readonly links: readonly LinkRecord[]; readonly unverified?: ReadonlySet<LinkRecord> }
  | { readonly kind: 'updateLinks'; readonly table: TableModel; readonly links: readonly LinkRecord[] }
  | { readonly kind: 'deleteLinks'; readonly table: TableModel; readonly links: readonly LinkRecord[] }
  | { readonly kind: 'purgeLinks'; readonly table: TableModel; readonly purge: KeyNulling }
  | { readonly kind: 'nullKeys'; readonly table: TableModel; readonly nulling: KeyNulling }
  | { readonly kind: 'unsetKeys'; readonly table: TableModel; readonly key: ForeignKeyModel; readonly entities: readonly object[] }
  | { readonly kind: 'delete'; readonly table: TableModel; readonly entities: readonly object[] }

function groupBy<T>(items: readonly T[], key: (item: T) => TableModel): Map<TableModel, T[]> {
  const groups = new Map<TableModel, T[]>()
  for (const item of items) {
    const k = key(item)
    const list = groups.get(k)
    if (list === undefined) groups.set(k, [item])
    else list.push(item)
  }
  return groups
}

export function planFlush(tables: Iterable<TableModel>, changes: ChangeSet): FlushStep[] {
  const { order, deferred } = orderTables(tables)
  const steps: FlushStep[] = []
  const pending = new Set<object>()
  for (const list of changes.inserts.values()) for (const entity of list) pending.add(entity)
  const inserted = new Set<object>()
  const postUpdates: FlushStep[] = []
  // Link rows of a row a new object takes over go before that object's own links are written.
  const replaced = new Set(changes.switches.map((s) => s.replaced))
  const [earlyPurges, purges] = splitParents(changes.linkPurges, replaced)
  for (const purge of earlyPurges) steps.push({ kind: 'purgeLinks', table: purge.key.table, purge })
  const rekeys = groupBy(changes.updates.filter((w) => w.rekey !== undefined), (w) => w.state.table)
  const leaving = rekeys.size === 0 ? undefined : leavingUpdates(changes.updates)
  const early = new Set(leaving === undefined ? [] : [...leaving.values()].flat())
  const released = releaseUniqueKeys(changes, early)
  for (const [table, writes] of groupBy(released.releases, (w) => w.state.table)) steps.push({ kind: 'update', table, writes })
  for (const [table, entities] of released.deletes) steps.push({ kind: 'delete', table, entities })

  for (const table of order) {
    // A row changes its key before new rows that point at (or take) the key are inserted, and after
    // rows without ON UPDATE CASCADE have left it.
    const keyWrites = rekeys.get(table)
    for (const [childTable, writes] of groupBy(leaving?.get(table) ?? [], (w) => w.state.table)) steps.push(...updateSteps(childTable, writes))
    if (keyWrites !== undefined) steps.push(...updateSteps(table, keyWrites))
    let rest = changes.inserts.get(table) ?? []
    while (rest.length > 0) {
      const ready: object[] = []
      const waiting: object[] = []
      const postponed = new Map<object, Set<ForeignKeyModel>>()
      for (const entity of rest) {
        let blocked = false
        for (const [key, target] of stateOf(entity)!.refs ?? []) {
          if (target === null || !pending.has(target) || inserted.has(target)) continue
          if (key.references === table) blocked = true
          else postpone(postponed, entity, key)
        }
        ;(blocked ? waiting : ready).push(entity)
      }
      if (ready.length === 0) {
        // The remaining rows reference each other in a cycle: insert them with their self keys unset.
        for (const entity of waiting) {
          for (const [key, target] of stateOf(entity)!.refs ?? []) {
            if (target !== null && key.references === table && !inserted.has(target)) postpone(postponed, entity, key)
          }
        }
        ready.push(...waiting)
        waiting.length = 0
      }
      steps.push({ kind: 'insert', table, entities: ready, postponed })
      for (const [entity, keys] of postponed) postUpdates.push({ kind: 'postUpdate', table, entity, keys })
      for (const entity of ready) inserted.add(entity)
      rest = waiting
    }
  }
  steps.push(...postUpdates)

  const updates = groupBy(released.updates.filter((w) => w.rekey === undefined && !early.has(w)), (w) => w.state.table)
  const switches = groupBy(changes.switches, (s) => stateOf(s.entity)!.table)
  // Parents first: a child's new key may name a parent's new key.
  for (const table of order) {
    for (const row of switches.get(table) ?? []) {
      // Nothing differs and no version to check: the row stays as it is.
      if (row.columns.length > 0 || table.versionColumn !== undefined) steps.push({ kind: 'switchRow', table, row })
    }
    const writes = updates.get(table)
    if (writes !== undefined) steps.push(...updateSteps(table, writes))
  }
  for (const [table, links] of groupBy(changes.linkInserts, (l) => l.association.table)) steps.push({ kind: 'insertLinks', table, links, unverified: changes.unverifiedLinks })
  for (const [table, links] of groupBy(changes.linkUpdates, (l) => l.association.table)) steps.push({ kind: 'updateLinks', table, links })
  for (const [table, links] of groupBy(changes.linkDeletes, (l) => l.association.table)) steps.push({ kind: 'deleteLinks', table, links })
  for (const purge of purges) steps.push({ kind: 'purgeLinks', table: purge.key.table, purge })
  for (const nulling of changes.nullings) steps.push({ kind: 'nullKeys', table: nulling.key.table, nulling })
  steps.push(...unsetCycleKeys(order, deferred, changes))
  for (const table of [...order].reverse()) {
    const entities = changes.deletes.get(table)
    if (entities !== undefined && !released.deletes.has(table)) steps.push({ kind: 'delete', table, entities })
  }
  return steps
}

/** One statement (per chunk) for each set of changed columns; key changes that take each other's keys one row at a time, in order. */
function updateSteps(table: TableModel, writes: readonly UpdateWrite[]): FlushStep[] {
  const ordered = writes[0]!.rekey === undefined ? undefined : orderKeyChanges(table, writes)
  if (ordered !== undefined) {
    return ordered.map(({ park, write }): FlushStep => (park ? { kind: 'parkKey', table, entity: write.entity } : { kind: 'update', table, writes: [write] }))
  }
  return updateGroups(writes).map((group): FlushStep => ({ kind: 'update', table, writes: group }))
}

/**
 * Updates grouped by the columns they change, in order of first appearance: the rows of one group
 * go in one statement (per chunk).
 *
 * @example
 * ```ts
 * updateGroups([titleOfA, priceOfB, titleOfC])   // [[titleOfA, titleOfC], [priceOfB]]
 * ```
 */
export function updateGroups(writes: readonly UpdateWrite[]): UpdateWrite[][] {
  const bySignature = new Map<string, UpdateWrite[]>()
  for (const write of writes) {
    const signature = write.columns.map((c) => c.sqlName).join(',')
    const group = bySignature.get(signature)
    if (group === undefined) bySignature.set(signature, [write])
    else group.push(write)
  }
  return [...bySignature.values()]
}

/** Splits each key's parents into those in `set` and the others. */
function splitParents(list: readonly KeyNulling[], set: ReadonlySet<object>): [KeyNulling[], KeyNulling[]] {
  if (set.size === 0) return [[], [...list]]
  const inside: KeyNulling[] = []
  const outside: KeyNulling[] = []
  for (const { key, parents } of list) {
    const early = parents.filter((p) => set.has(p))
    const late = parents.filter((p) => !set.has(p))
    if (early.length > 0) inside.push({ key, parents: early })
    if (late.length > 0) outside.push({ key, parents: late })
  }
  return [inside, outside]
}

/** The value a column of a row is written with: its relation's, else its own. */
function writtenValue(entity: object, column: ColumnModel): unknown {
  const ref = refTarget(stateOf(entity)!, column)
  if (ref === undefined) return (entity as Record<string, unknown>)[column.property]
  return ref.target === null ? null : undefined
}

/**
 * A unique foreign key (one-to-one) given up in a flush must be free before another row takes it:
 * rows setting it to NULL do so first (in a statement of their own), and rows deleted (orphans)
 * go first when no other change of the flush touches what points at them.
 */
function releaseUniqueKeys(changes: ChangeSet, early: ReadonlySet<UpdateWrite>): { releases: UpdateWrite[]; updates: UpdateWrite[]; deletes: Map<TableModel, object[]> } {
  const taken = new Set<ColumnModel>()
  const releases: UpdateWrite[] = []
  let updates = changes.updates
  const unique = (column: ColumnModel) => column.config.unique && column.config.references !== undefined
  for (const [table, entities] of changes.inserts) {
    for (const column of table.columns) if (unique(column) && entities.some((e) => writtenValue(e, column) !== null)) taken.add(column)
  }
  for (const write of changes.updates) {
    const released = write.columns.filter((c) => unique(c) && writtenValue(write.entity, c) === null)
    for (const column of write.columns) if (unique(column) && !released.includes(column)) taken.add(column)
    // Key changes have an order of their own.
    if (released.length === 0 || write.rekey !== undefined || early.has(write)) continue
    if (updates === changes.updates) updates = [...changes.updates]
    const rest = write.columns.filter((c) => !released.includes(c))
    const index = updates.indexOf(write)
    // A versioned row is updated once: it moves whole.
    if (rest.length === 0 || write.state.table.versionColumn !== undefined) {
      updates.splice(index, 1)
      releases.push(write)
    } else {
      updates[index] = { ...write, columns: rest }
      releases.push({ ...write, columns: released })
    }
  }
  const deletes = new Map<TableModel, object[]>()
  if (taken.size === 0) return { releases, updates, deletes }
  for (const [table, entities] of changes.deletes) {
    if (!table.columns.some((c) => taken.has(c))) continue
    // Rows pointing at these must not change in this flush, or they would be deleted under them.
    const touched = [...changes.deletes.keys(), ...changes.updates.map((w) => w.state.table)]
    const pointedAt = touched.some((t) => t.foreignKeys.some((k) => k.references === table && t !== table)) ||
      changes.nullings.some((n) => n.key.references === table) || changes.linkPurges.some((n) => n.key.references === table) ||
      changes.inserts.size > 0 && [...changes.inserts.keys()].some((t) => t.foreignKeys.some((k) => k.references === table))
    if (!pointedAt) deletes.set(table, entities)
  }
  return { releases, updates, deletes }
}

/**
 * Rows to delete that point at other rows to delete through their own table or a key on a cycle
 * (which the children-first order cannot settle) get that key unset first, as SQLAlchemy's
 * post_update does. A NOT NULL key is left to the database.
 */
function unsetCycleKeys(order: readonly TableModel[], deferred: readonly ForeignKeyModel[], changes: ChangeSet): FlushStep[] {
  const { deletes, nullings } = changes
  const steps: FlushStep[] = []
  for (const table of [...order].reverse()) {
    const entities = deletes.get(table)
    if (entities === undefined) continue
    for (const key of table.foreignKeys) {
      if (key.references !== table && !deferred.includes(key)) continue
      if (key.columns.some((c) => !c.config.nullable)) continue
      // Rows pointing at a parent whose children all get the key unset already (`nullKeys`) are left out.
      const nulled = new Set(nullings.filter((n) => n.key === key).flatMap((n) => n.parents))
      const targets = new Set((deletes.get(key.references) ?? []).filter((e) => !nulled.has(e)).map((e) => stateOf(e)!.identityKey))
      if (targets.size === 0) continue
      const pointing = entities.filter((entity) => {
        const state = stateOf(entity)!
        const values = key.columns.map((c) => state.snapshot?.[table.columns.indexOf(c)])
        if (values.some((v) => v === null || v === undefined)) return false
        const byPrimaryKey = key.referencedColumns.every((c, i) => key.references.primaryKey[i] === c) && key.referencedColumns.length === key.references.primaryKey.length
        return !byPrimaryKey || targets.has(identityKeyOf(key.references, (property) => values[key.referencedColumns.findIndex((c) => c.property === property)]))
      })
      if (pointing.length > 0) steps.push({ kind: 'unsetKeys', table, key, entities: pointing })
    }
  }
  return steps
}

function postpone(postponed: Map<object, Set<ForeignKeyModel>>, entity: object, key: ForeignKeyModel): void {
  if (key.columns.some((c) => !c.config.nullable)) {
    const state = stateOf(entity)!
    throw new RelataError(
      `Cannot order the insert of a new ${state.table.key}: its key ${state.table.sqlName}(${key.columns.map((c) => c.sqlName).join(', ')}) ` +
        `points at a new '${key.references.key}' row on a cycle, and is NOT NULL, so it cannot be written afterwards`,
    )
  }
  let keys = postponed.get(entity)
  if (keys === undefined) postponed.set(entity, (keys = new Set()))
  keys.add(key)
}
