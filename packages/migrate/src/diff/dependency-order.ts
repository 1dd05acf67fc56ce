/** Orders tables so that each comes after the tables it references; the references that close a cycle are returned apart. */

/** A reference from one table (`from`) to another (`to`), named so a cyclic one can be set apart. */
export interface TableReference<K> {
  readonly from: string
  readonly to: string
  readonly key: K
}

/**
 * A depth-first order of `tables` (alphabetical where free): every reference in `inline` points to
 * a table earlier in `order` or to the table itself; `deferred` are the references that close
 * cycles, to be added with ALTER TABLE once both tables exist.
 *
 * @example
 * ```ts
 * const { order, deferred } = dependencyOrder(['books', 'authors'], [{ from: 'books', to: 'authors', key: fk }])   // order: authors, books
 * ```
 */
export function dependencyOrder<K>(tables: Iterable<string>, references: readonly TableReference<K>[]): { order: string[]; deferred: K[] } {
  const names = [...tables].sort()
  const inSet = new Set(names)
  const order: string[] = []
  const deferred: K[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (name: string): void => {
    state.set(name, 'visiting')
    const outgoing = references.filter((r) => r.from === name && r.to !== name && inSet.has(r.to)).sort((a, b) => a.to.localeCompare(b.to))
    for (const reference of outgoing) {
      const seen = state.get(reference.to)
      if (seen === 'visiting') deferred.push(reference.key)
      else if (seen === undefined) visit(reference.to)
    }
    state.set(name, 'done')
    order.push(name)
  }
  for (const name of names) if (!state.has(name)) visit(name)
  return { order, deferred }
}
