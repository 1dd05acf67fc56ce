/** Canonical forms shared by the scenarios, and a deep comparison that names the first difference. */

/** A price as two-decimal text, whether a driver gave a string, a number or a Decimal object. */
export function price(value: unknown): string {
  if (typeof value === 'string') return Number(value).toFixed(2)
  if (typeof value === 'number') return value.toFixed(2)
  if (value !== null && typeof value === 'object' && 'toFixed' in value) return (value as { toFixed(n: number): string }).toFixed(2)
  throw new Error(`not a price: ${String(value)}`)
}

/** Numeric ids as numbers (some drivers give bigint or string). */
export const id = (value: unknown): number => Number(value)

export const byNumber = <T>(key: (item: T) => number) => (a: T, b: T): number => key(a) - key(b)

/** The path of the first difference between two plain values, or undefined when they are equal. */
export function firstDifference(expected: unknown, actual: unknown, path = '$'): string | undefined {
  if (Object.is(expected, actual)) return undefined
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const n = Math.max(expected.length, actual.length)
    for (let i = 0; i < n; i++) {
      if (i >= expected.length || i >= actual.length) return `${path}: length ${actual.length}, expected ${expected.length}`
      const diff = firstDifference(expected[i], actual[i], `${path}[${i}]`)
      if (diff !== undefined) return diff
    }
    return undefined
  }
  if (expected !== null && actual !== null && typeof expected === 'object' && typeof actual === 'object' && !Array.isArray(expected) && !Array.isArray(actual)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)])
    for (const key of keys) {
      const diff = firstDifference((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], `${path}.${key}`)
      if (diff !== undefined) return diff
    }
    return undefined
  }
  return `${path}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`
}
