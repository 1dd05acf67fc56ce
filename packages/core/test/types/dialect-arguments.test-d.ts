/** pglite()'s signature: a data directory, options, or both. */
import { expectTypeOf, test } from 'vitest'
import { pglite } from '../../src/dialect/postgres/pglite.js'
import type { RelataDialect } from '../../src/index.js'

test('pglite() takes a data directory, options, or both; nothing else', () => {
  expectTypeOf(pglite('./data')).toEqualTypeOf<RelataDialect>()
  expectTypeOf(pglite('./data', { debug: 1 })).toEqualTypeOf<RelataDialect>()
  expectTypeOf(pglite({ dataDir: './data' })).toEqualTypeOf<RelataDialect>()
  expectTypeOf(pglite()).toEqualTypeOf<RelataDialect>()
  // @ts-expect-error a number is not a data directory
  pglite(5432)
  // @ts-expect-error options come after the data directory, not after options
  pglite({ dataDir: './data' }, { debug: 1 })
})
