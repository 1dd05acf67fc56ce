/** Orders tables by their foreign keys (parents first) and names the keys that must wait to break cycles. */
import type { ForeignKeyModel, TableModel } from './model.js'

/**
 * The result of `orderTables`: tables parents-first, and the foreign keys left out of that order.
 *
 * @example
 * ```ts
 * const { order, deferred }: TableOrder = orderTables(schema.tables.values())
 * ```
 */
export interface TableOrder {
  /** Every table, each after the tables it references (except through `deferred` keys). */
  readonly order: readonly TableModel[]
  /**
   * Foreign keys between tables caught in a cycle, ignored by `order`: DDL adds them once every
   * table exists, and persistence writes them with a second statement. Nullable keys are chosen
   * when the cycle allows it.
   */
  readonly deferred: readonly ForeignKeyModel[]
}

/**
 * Sorts tables topologically by their foreign keys, parents first. Deterministic: ties keep the
 * order in which the tables were given. A table referencing itself is not a dependency, keys to
 * tables outside `tables` are ignored, and a cycle is broken by deferring one of its keys
 * (the first nullable one, in declaration order, when there is one). Reverse `order` to delete.
 *
 * @example
 * ```ts
 * const { order, deferred } = orderTables(schema.tables.values())
 * order.map((t) => t.sqlName)        // ['authors', 'books', 'book_author']
 * deferred                            // [] unless two tables reference each other
 * ```
 */
export function orderTables(tables: Iterable<TableModel>): TableOrder {
  const remaining = [...tables]
  const deferred = new Set<ForeignKeyModel>()
  const order: TableModel[] = []
  while (remaining.length > 0) {
    const pending = new Set(remaining)
    const ready = remaining.findIndex((table) => blockingKeys(table, pending, deferred).length === 0)
    if (ready === -1) {
      deferred.add(keyToDefer(remaining, pending, deferred))
      continue
    }
    const [table] = remaining.splice(ready, 1)
    order.push(table!)
  }
  return { order, deferred: [...deferred] }
}

/** Keys of `table` that point at another table not yet placed. */
function blockingKeys(table: TableModel, pending: ReadonlySet<TableModel>, deferred: ReadonlySet<ForeignKeyModel>): ForeignKeyModel[] {
  return table.foreignKeys.filter((key) => key.references !== table && pending.has(key.references) && !deferred.has(key))
}

/** A key on a cycle among the pending tables: nullable first, then declaration order. */
function keyToDefer(remaining: readonly TableModel[], pending: ReadonlySet<TableModel>, deferred: ReadonlySet<ForeignKeyModel>): ForeignKeyModel {
  const component = componentOf(remaining, pending, deferred)
  const candidates = remaining.flatMap((table) =>
    blockingKeys(table, pending, deferred).filter((key) => component.get(key.references) === component.get(table)),
  )
  return candidates.find((key) => key.columns.every((column) => column.config.nullable)) ?? candidates[0]!
}

/** Strongly connected components (Tarjan) of the pending tables: tables on one cycle share a number. */
function componentOf(
  remaining: readonly TableModel[],
  pending: ReadonlySet<TableModel>,
  deferred: ReadonlySet<ForeignKeyModel>,
): Map<TableModel, number> {
  const index = new Map<TableModel, number>()
  const low = new Map<TableModel, number>()
  const component = new Map<TableModel, number>()
  const stack: TableModel[] = []
  let counter = 0
  const visit = (table: TableModel): void => {
    index.set(table, counter)
    low.set(table, counter)
    counter += 1
    stack.push(table)
    for (const { references } of blockingKeys(table, pending, deferred)) {
      if (!index.has(references)) {
        visit(references)
        low.set(table, Math.min(low.get(table)!, low.get(references)!))
      } else if (!component.has(references)) {
        low.set(table, Math.min(low.get(table)!, index.get(references)!))
      }
    }
    if (low.get(table) === index.get(table)) {
      let member: TableModel
      do {
        member = stack.pop()!
        component.set(member, index.get(table)!)
      } while (member !== table)
    }
  }
  for (const table of remaining) if (!index.has(table)) visit(table)
  return component
}
