/** Long lists cut into statements (or IN lists) of bounded size: by bind parameters and, where a server limits a statement's bytes, by bytes. */

/**
 * The bytes a chunk's items may take together, how an item's are counted, and the error when one
 * item alone takes more.
 *
 * @example
 * ```ts
 * const budget: ByteBudget<Row> = { bytes: (row) => rowBytes(row), budget: 16_000_000, tooLarge: (row) => new FlushError('row too large') }
 * ```
 */
export interface ByteBudget<T> {
  readonly budget: number
  bytes(item: T): number
  tooLarge(item: T): Error
}

/**
 * `items` in order, in chunks of at most `parameters / parametersEach` items (at least one), each
 * within `bytes` when given. A list that fits whole is returned as it is, not copied.
 *
 * @example
 * ```ts
 * chunks([1, 2, 3, 4, 5], 4, 2)   // [[1, 2], [3, 4], [5]]
 * chunks([], 4, 2)                // []
 * ```
 */
export function chunks<T>(items: readonly T[], parameters: number, parametersEach: number, bytes?: ByteBudget<T>): (readonly T[])[] {
  if (items.length === 0) return []
  const count = Math.max(1, Math.floor(parameters / Math.max(1, parametersEach)))
  if (bytes === undefined) {
    if (items.length <= count) return [items]
    const result: T[][] = []
    for (let i = 0; i < items.length; i += count) result.push(items.slice(i, i + count))
    return result
  }
  const result: T[][] = []
  let chunk: T[] = []
  let size = 0
  for (const item of items) {
    const itemBytes = bytes.bytes(item)
    if (itemBytes > bytes.budget) throw bytes.tooLarge(item)
    if (chunk.length === count || size + itemBytes > bytes.budget) {
      result.push(chunk)
      chunk = []
      size = 0
    }
    chunk.push(item)
    size += itemBytes
  }
  if (chunk.length > 0) result.push(chunk)
  return result
}
