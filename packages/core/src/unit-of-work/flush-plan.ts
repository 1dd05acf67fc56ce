/**
 * Orders a change set into the statements of a flush: inserts parents first (rows of a
 * self-referencing table level by level, keys on a cycle written afterwards as SQLAlchemy's
 * post_update does), updates, link rows, then deletes children first (keys between deleted rows on
 * a cycle unset beforehand).
 */
import { RelataError } from '../errors.js'
import type { ForeignKeyModel, TableModel } from '../schema/model.js'
import { orderTables } from '../schema/table-order.js'
import { stateOf } from '../session/entity-state.js'
import { identityKeyOf } from '../session/identity-map.js'
import type { ChangeSet, KeyNulling, UpdateWrite } from './change-set.js'
import type { LinkRecord } from './link-records.js'

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
  | { readonly kind: 'insertLinks'; readonly table: TableModel; readonly links: readonly LinkRecord[] }
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

  for (const table of order) {
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

  for (const [table, writes] of groupBy(changes.updates, (w) => w.state.table)) {
    // One statement (per chunk) for each set of changed columns.
    const bySignature = new Map<string, UpdateWrite[]>()
    for (const write of writes) {
      const signature = write.columns.map((c) => c.sqlName).join(',')
      const group = bySignature.get(signature)
      if (group === undefined) bySignature.set(signature, [write])
      else group.push(write)
    }
    for (const group of bySignature.values()) steps.push({ kind: 'update', table, writes: group })
  }
  for (const [table, links] of groupBy(changes.linkInserts, (l) => l.association.table)) steps.push({ kind: 'insertLinks', table, links })
  for (const [table, links] of groupBy(changes.linkUpdates, (l) => l.association.table)) steps.push({ kind: 'updateLinks', table, links })
  for (const [table, links] of groupBy(changes.linkDeletes, (l) => l.association.table)) steps.push({ kind: 'deleteLinks', table, links })
  for (const purge of changes.linkPurges) steps.push({ kind: 'purgeLinks', table: purge.key.table, purge })
  for (const nulling of changes.nullings) steps.push({ kind: 'nullKeys', table: nulling.key.table, nulling })
  steps.push(...unsetCycleKeys(order, deferred, changes))
  for (const table of [...order].reverse()) {
    const entities = changes.deletes.get(table)
    if (entities !== undefined) steps.push({ kind: 'delete', table, entities })
  }
  return steps
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
