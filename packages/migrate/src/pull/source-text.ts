/** TypeScript source text for pulled declarations: string literals, `sql` templates, identifiers and plurals. */

/**
 * A single-quoted TypeScript string literal.
 *
 * @example
 * ```ts
 * tsString("it's")   // "'it\\'s'"
 * ```
 */
export function tsString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`
}

/**
 * SQL text as a `sql` template literal, backticks and `${` escaped.
 *
 * @example
 * ```ts
 * sqlTemplate('year > 0')   // 'sql`year > 0`'
 * ```
 */
export function sqlTemplate(text: string): string {
  return `sql\`${text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\``
}

const reserved = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await t sql table defineSchema schema'.split(' '),
)

/**
 * A SQL name in camelCase, safe as a variable name: `invoice_line` → `invoiceLine`, `SKU_ID` →
 * `skuId`, and PascalCase as other tools write it (`ArtistId` → `artistId`, `HTTPStatus` → `httpStatus`).
 *
 * @example
 * ```ts
 * camelCase('media_type_id')   // 'mediaTypeId'
 * camelCase('MediaTypeId')     // 'mediaTypeId'
 * ```
 */
export function camelCase(name: string): string {
  const words = name.toUpperCase() === name ? name.toLowerCase() : name
  // Separators go, the letter after each is capitalised; an initial capital (or run of them, an acronym) is lowered.
  const joined = words.replace(/[^A-Za-z0-9$]+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase())
  const camel = joined.replace(/^[A-Z]+(?=[A-Z][a-z]|[^A-Za-z]|$)|^[A-Z]/, (initial) => initial.toLowerCase())
  const identifier = camel.replace(/[^A-Za-z0-9_$]/g, '_')
  return /^[0-9]/.test(identifier) ? `_${identifier}` : identifier
}

/**
 * What a foreign-key column names when its `Id` ending is taken off (`artist_id`, `ArtistId` →
 * `artist`), or undefined for a column not named that way (`reports_to`).
 *
 * @example
 * ```ts
 * keyColumnBase('artist_id')   // 'artist'
 * ```
 */
export function keyColumnBase(column: string): string | undefined {
  const camel = camelCase(column)
  return /[a-z0-9]Id$/.test(camel) ? camel.slice(0, -2) : undefined
}

/**
 * A variable name for a table: its camelCase name, with `Table` after a reserved word.
 *
 * @example
 * ```ts
 * variableName('delete')   // 'deleteTable'
 * ```
 */
export function variableName(name: string): string {
  const camel = camelCase(name)
  return reserved.has(camel) ? `${camel}Table` : camel
}

/**
 * An English plural good enough for relation names: `track` → `tracks`, `category` → `categories`,
 * `editions` as it is.
 *
 * @example
 * ```ts
 * plural('invoiceLine')   // 'invoiceLines'
 * ```
 */
export function plural(word: string): string {
  // A table already named in the plural (`editions`, `order_items`) keeps its name.
  if (/[^su]s$/.test(word)) return word
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`
  return `${word}s`
}

/**
 * A property name as an object key: bare when it is an identifier, quoted otherwise.
 *
 * @example
 * ```ts
 * propertyKey('albumId')   // 'albumId'
 * ```
 */
export function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : tsString(name)
}
