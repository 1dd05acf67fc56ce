/** What failure tests compare: the session's view of objects, and the error a promise fails with. */
import { stateOf } from '../../src/tracking/entity-state.js'

/**
 * What the session knows of an object: status, snapshot and column values.
 *
 * @example
 * ```ts
 * const before = objects.map(inside)
 * await failure(session.flush())
 * expect(objects.map(inside)).toEqual(before)
 * ```
 */
export const inside = (entity: object) => {
  const state = stateOf(entity)!
  return { status: state.status, snapshot: state.snapshot === undefined ? undefined : [...state.snapshot], values: { ...entity } }
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a failure')
    },
    (error: Error) => error,
  )
}
