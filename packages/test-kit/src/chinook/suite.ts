/** A suite's Chinook database: the tables created and the dataset loaded once, the recorder cleared before each test. */
import { beforeAll, beforeEach } from 'vitest'
import { loadChinook } from './load.js'
import { schema } from './schema.js'
import type { TestContext, TestTarget } from '../targets.js'

/**
 * Registers the hooks of a read-only suite on Chinook. Tests must not change the data.
 *
 * @example
 * ```ts
 * describeEachDialect('reads', (target) => {
 *   const ctx = setupChinook(target)
 *   test('...', async () => { await ctx.orm.session().get('artists', 1) })
 * })
 * ```
 */
export function setupChinook(target: TestTarget): TestContext<typeof schema> {
  const ctx = target.setup(schema)
  beforeAll(async () => {
    await loadChinook(ctx.orm)
  })
  beforeEach(() => {
    ctx.recorder.clear()
  })
  return ctx
}
