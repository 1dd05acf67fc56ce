/** `defineSchema()`: tables plus relations, resolved and checked once, typed for everything downstream. */
import type { CheckRelations, RelationsInput } from './check-relations.js'
import { SchemaError } from '../errors.js'
import type { TableModel } from './model.js'
import type { Casing } from './naming.js'
import { relationHelpers, type AnyRelationDef, type RelationHelpers } from './relations.js'
import { resolveRelations } from './resolve-relations.js'
import { resolveTables } from './resolve-tables.js'
import type { AnyTable } from './table.js'

/**
 * Options of `defineSchema`, its third argument.
 *
 * @example
 * ```ts
 * export const schema = defineSchema({ authors, books }, relations, { casing: 'snake_case' })
 * // authorId is the SQL column author_id
 * ```
 */
export interface SchemaOptions<TCasing extends Casing = Casing> {
  /** How property names without an explicit `.name()` become SQL column names (default `'preserve'`). */
  casing?: TCasing
}

/**
 * A schema: the declared tables and relations, resolved. Its type parameters carry everything
 * the session, the queries and `orm.db` are typed from.
 *
 * @example
 * ```ts
 * const schema = defineSchema({ books, authors, bookAuthor }, relations, { casing: 'snake_case' })
 * schema.table('bookAuthor').sqlName   // 'book_author'
 * schema.table('nope')                 // throws a SchemaError listing the tables
 * ```
 */
export class Schema<
  TTables extends Record<string, AnyTable> = Record<string, AnyTable>,
  TRelations = unknown,
  TCasing extends Casing = Casing,
> {
  /** @internal Type-level carrier; never set at run time. */
  declare readonly $infer: { readonly tables: TTables; readonly relations: TRelations; readonly casing: TCasing }
  /** The resolved tables, by their key in the schema. */
  readonly tables: ReadonlyMap<string, TableModel>
  readonly casing: TCasing

  /** @internal Use `defineSchema()`. */
  constructor(tables: ReadonlyMap<string, TableModel>, casing: TCasing) {
    this.tables = tables
    this.casing = casing
    Object.freeze(this)
  }

  /** The model of one table; throws a `SchemaError` naming the table if it is not in the schema. */
  table(key: string): TableModel {
    const model = this.tables.get(key)
    if (model === undefined) {
      throw new SchemaError(`'${key}' is not a table of this schema (tables: ${[...this.tables.keys()].join(', ')})`)
    }
    return model
  }
}

/**
 * Any schema, whatever its tables and relations: the constraint of the types that take one.
 *
 * @example
 * ```ts
 * function tableKeys(schema: AnySchema): string[] {
 *   return [...schema.tables.keys()]
 * }
 * tableKeys(schema)   // ['books', 'authors', 'bookAuthor']
 * ```
 */
export type AnySchema = Schema<Record<string, AnyTable>, any, Casing>

/** Declares a schema of tables without relations. */
export function defineSchema<const TTables extends Record<string, AnyTable>>(tables: TTables): Schema<TTables, {}, 'preserve'>
/**
 * Declares the schema: its tables, keyed by the names relations and queries use, and their
 * relations. A misspelt table, relation or `backPopulates` is a compile error at the relation at
 * fault; a join that cannot be inferred is a `SchemaError` here, naming the tables and keys.
 *
 * @example
 * ```ts
 * export const schema = defineSchema({ authors, books }, ({ oneToMany, manyToOne }) => ({
 *   authors: { books: oneToMany('books', { backPopulates: 'author' }) },
 *   books: { author: manyToOne('authors', { backPopulates: 'books' }) },
 * }))
 * ```
 */
export function defineSchema<
  const TTables extends Record<string, AnyTable>,
  const TRelations extends RelationsInput<TTables> = {},
  const TCasing extends Casing = 'preserve',
>(
  tables: TTables,
  relations: (helpers: RelationHelpers<keyof TTables & string>) => TRelations & NoInfer<CheckRelations<TTables, TRelations>>,
  options?: SchemaOptions<TCasing>,
): Schema<TTables, TRelations, TCasing>
// The callback is a required parameter of its own overload: were it optional, its type would be
// `F | undefined`, which stops TypeScript from elaborating an error down to the relation at fault.
export function defineSchema(
  tables: Record<string, AnyTable>,
  relations?: (helpers: RelationHelpers<string>) => RelationsInput<Record<string, AnyTable>>,
  options: SchemaOptions = {},
): AnySchema {
  const casing = options.casing ?? 'preserve'
  const models = resolveTables(tables, casing)
  const declared = (relations?.(relationHelpers) ?? {}) as Record<string, Record<string, AnyRelationDef>>
  resolveRelations(models, declared)
  for (const model of models.values()) {
    Object.freeze(model.foreignKeys)
    Object.freeze(model)
  }
  return new Schema(models, casing)
}
