/** Which transaction the running code is inside, carried through `await`: how the connection gate tells a deadlock from a wait. */
import { AsyncLocalStorage } from 'node:async_hooks'

/** One transaction's callback, and the transaction it runs inside (a nested `orm.transaction()`). */
export class TransactionScope {
  constructor(readonly parent: TransactionScope | undefined) {}

  /** Whether `scope` is this one or one it runs inside. */
  within(scope: TransactionScope): boolean {
    for (let s: TransactionScope | undefined = this; s !== undefined; s = s.parent) if (s === scope) return true
    return false
  }
}

const scopes = new AsyncLocalStorage<TransactionScope>()

/** Runs `fn` (which opens a transaction and runs its callback) in a scope of its own, nested in the current one. */
export function inTransactionScope<T>(fn: () => Promise<T>): Promise<T> {
  return scopes.run(new TransactionScope(scopes.getStore()), fn)
}

/** The scope of the running code, `undefined` outside every transaction. */
export function currentTransactionScope(): TransactionScope | undefined {
  return scopes.getStore()
}
