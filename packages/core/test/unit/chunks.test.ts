/** The one chunking helper of loading and flushing: chunk boundaries by parameters and by bytes. */
import { describe, expect, test } from 'vitest'
import { chunks } from '../../src/sql/chunks.js'

describe('chunks', () => {
  test('at most parameters / parametersEach items per chunk, in order', () => {
    expect(chunks([1, 2, 3, 4, 5], 4, 2)).toEqual([[1, 2], [3, 4], [5]])
    expect(chunks([1, 2, 3, 4, 5], 5, 2)).toEqual([[1, 2], [3, 4], [5]])
    expect(chunks([1, 2, 3], 400, 1)).toEqual([[1, 2, 3]])
  })

  test('at least one item per chunk, whatever the parameters', () => {
    expect(chunks([1, 2, 3], 1, 5)).toEqual([[1], [2], [3]])
    expect(chunks([1, 2], 3, 0)).toEqual([[1, 2]])
  })

  test('no items, no chunk', () => {
    expect(chunks([], 10, 1)).toEqual([])
  })

  test('a list that fits whole is returned as it is', () => {
    const items = [1, 2, 3]
    expect(chunks(items, 10, 1)[0]).toBe(items)
  })

  test('within a byte budget; an item over it alone fails', () => {
    const budget = { budget: 10, bytes: (item: string) => item.length, tooLarge: (item: string) => new Error(`too large: ${item}`) }
    expect(chunks(['aaaa', 'bbbb', 'cc', 'dddddd', 'e'], 100, 1, budget)).toEqual([['aaaa', 'bbbb', 'cc'], ['dddddd', 'e']])
    expect(chunks(['aa', 'bb', 'cc'], 2, 1, budget)).toEqual([['aa', 'bb'], ['cc']])
    expect(() => chunks(['aa', 'bbbbbbbbbbb'], 100, 1, budget)).toThrow('too large: bbbbbbbbbbb')
  })
})
