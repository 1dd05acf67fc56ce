/** How TypeScript property names become SQL identifiers. Mirrors the `SqlIdentifier` type exactly. */

/**
 * How property names without an explicit `.name()` become SQL column names: `'snake_case'` turns
 * `authorId` into `author_id`; `'preserve'` (the default) keeps property names as they are.
 *
 * @example
 * ```ts
 * defineSchema({ authors, books }, relations, { casing: 'snake_case' })
 * ```
 */
export type Casing = 'preserve' | 'snake_case'

/** Each upper-case letter becomes `_` plus its lower-case form: `albumId` → `album_id`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)
}

export function toSqlIdentifier(property: string, casing: Casing): string {
  return casing === 'snake_case' ? snakeCase(property) : property
}
