import { describe, expectTypeOf, test } from 'vitest'
import { StaleObjectError, type DialectCapabilities } from '../../src/index.js'

describe('stale rows and statement sizes', () => {
  test('StaleObjectError names the table and the keys of the rows at fault', () => {
    const error = new StaleObjectError('m', 'documents', [{ id: 3 }])
    expectTypeOf(error.table).toEqualTypeOf<string>()
    expectTypeOf(error.keys).toEqualTypeOf<readonly Readonly<Record<string, unknown>>[]>()
    // @ts-expect-error the table is required
    new StaleObjectError('m')
    // @ts-expect-error keys are records by column name
    new StaleObjectError('m', 'documents', [3])
    // @ts-expect-error read-only
    error.keys.push({ id: 4 })
  })

  test('capabilities may carry a statement size limit', () => {
    expectTypeOf<DialectCapabilities['maxStatementBytes']>().toEqualTypeOf<number | undefined>()
  })
})
