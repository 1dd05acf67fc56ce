/**
 * Compile-time checks of a relations declaration. Each relation maps to `unknown` when it is
 * sound and to a message when not; `defineSchema` intersects the declaration with this map, so
 * the error lands on the relation at fault and reads as the message.
 */
import type { AnyRelationDef, RelationDef, RelationKind } from './relations.js'
import type { AnyTable, TableMeta } from './table.js'
import type { AnyColumn, ColumnInfoOf } from './column.js'

/**
 * What the relations callback may return: relations keyed by table key, then by relation name.
 * The index signature keeps the type from being weak (all-optional), so that an object naming only
 * unknown tables still reaches `CheckRelations`, which reports each of them.
 */
export type RelationsInput<TTables> = { readonly [K in keyof TTables]?: Readonly<Record<string, AnyRelationDef>> } & {
  readonly [key: string]: Readonly<Record<string, AnyRelationDef>> | undefined
}

type ColumnKeys<TTables, K> = K extends keyof TTables ? (TTables[K] extends AnyTable ? keyof TTables[K][typeof TableMeta]['columns'] & string : never) : never

type Mirror = { oneToMany: 'manyToOne'; manyToOne: 'oneToMany'; oneToOne: 'oneToOne'; manyToMany: 'manyToMany' }

type KeyNames<F> = F extends readonly (infer C)[] ? C : F

/** `never` when every column named by option `TOption` exists in table `TTable`. */
type KeyError<O, TOption extends string, TTables, TTable extends string> = O extends { readonly [P in TOption]: infer F }
  ? Exclude<KeyNames<F>, ColumnKeys<TTables, TTable>> extends infer Missing extends string
    ? [Missing] extends [never]
      ? never
      : `${TOption} '${Missing}' is not a column of '${TTable}'`
    : never
  : never

type KeysError<TTables, S extends string, K extends RelationKind, Target extends string, O> = K extends 'manyToMany'
  ? O extends { readonly via: infer V extends string }
    ? KeyError<O, 'sourceKey', TTables, V> | KeyError<O, 'targetKey', TTables, V>
    : never
  : KeyError<O, 'foreignKey', TTables, K extends 'oneToMany' ? Target : K extends 'oneToOne' ? S | Target : S>

type BackError<R, S extends string, N extends string, K extends RelationKind, Target extends string, O> = O extends {
  readonly backPopulates: infer B extends string
}
  ? Target extends keyof R
    ? B extends keyof R[Target]
      ? R[Target][B] extends RelationDef<infer K2, infer T2, infer O2>
        ? IsUnion<T2> extends true
          ? never
          : T2 extends S
            ? K2 extends Mirror[K]
              ? O2 extends { readonly backPopulates: infer B2 extends string }
                ? B2 extends N
                  ? never
                  : // A misspelt B2 is reported on the mirror itself, not a second time here.
                    B2 extends (S extends keyof R ? keyof R[S] : never)
                    ? `backPopulates: '${Target}.${B}' back-populates '${B2}', not '${N}'`
                    : never
                : // A mirror whose options did not type-check falls back to the options type: not reported here.
                  'backPopulates' extends keyof O2
                  ? never
                  : `backPopulates: '${Target}.${B}' has no backPopulates; add backPopulates: '${N}' to it (both sides of a pair name each other)`
              : `backPopulates: '${Target}.${B}' is a ${K2}; the mirror of a ${K} must be a ${Mirror[K]}`
            : `backPopulates: '${Target}.${B}' points to '${T2}', not back to '${S}'`
        : never
      : `backPopulates: '${Target}' has no relation '${B}'`
    : `backPopulates: '${Target}' has no relation '${B}'`
  : never

type CommonKeys = 'backPopulates' | 'strategy' | 'cascade' | 'viewOnly' | 'where'

type ColumnsOfTable<TTables, T> = T extends keyof TTables ? (TTables[T] extends AnyTable ? TTables[T][typeof TableMeta]['columns'] : {}) : {}

/** A column's value type as a filter compares it (`null` where it is nullable). */
type FilterValueOf<C> = C extends AnyColumn ? (ColumnInfoOf<C>['notNull'] extends true ? ColumnInfoOf<C>['type'] : ColumnInfoOf<C>['type'] | null) : never

/** A read-only relation's `where`: columns of the target with values they can hold, and `viewOnly: true` beside it; no backPopulates or cascade. */
type ViewOnlyError<TTables, Target extends string, O> =
  O extends { readonly where: infer W }
    ? O extends { readonly viewOnly: true }
      ? {
          [P in keyof W]: P extends keyof ColumnsOfTable<TTables, Target>
            ? W[P] extends FilterValueOf<ColumnsOfTable<TTables, Target>[P]>
              ? never
              : `where '${P & string}' takes a value of the column`
            : `where '${P & string}' is not a column of '${Target}'`
        }[keyof W]
      : `a relation with a where condition must be viewOnly: true (writing to it would lose the rows it leaves out)`
    : O extends { readonly viewOnly: true }
      ? O extends { readonly backPopulates: string }
        ? `a viewOnly relation takes no backPopulates`
        : O extends { readonly cascade: object }
          ? `a viewOnly relation takes no cascade`
          : never
      : never

/** The options each kind takes: as `relation-options.ts` checks them at run time. */
type OptionKeys = {
  oneToMany: CommonKeys | 'foreignKey' | 'orderBy'
  manyToOne: CommonKeys | 'foreignKey' | 'singleParent'
  oneToOne: CommonKeys | 'foreignKey'
  manyToMany: CommonKeys | 'via' | 'sourceKey' | 'targetKey' | 'singleParent' | 'orderBy'
}

type OrderNames<I> = I extends readonly [infer C, ...unknown[]] ? C : I

/** The link table's columns a many-to-many's `orderBy` may name, behind `via.` (`'via.position'`). */
type ViaOrderNames<TTables, O> = O extends { readonly via: infer V } ? `via.${ColumnKeys<TTables, V>}` : never

/** `never` when every column a collection's `orderBy` names exists in its target table (or, behind `via.`, in its link table). */
type OrderError<O, TTables, Target extends string> = O extends { readonly orderBy: readonly (infer I)[] }
  ? Exclude<OrderNames<I>, ColumnKeys<TTables, Target> | ViaOrderNames<TTables, O>> extends infer Missing extends string
    ? [Missing] extends [never]
      ? never
      : `orderBy '${Missing}' is not a column of '${Target}'`
    : never
  : never

type CascadeKey = 'save' | 'delete' | 'deleteOrphan' | 'passive'

/**
 * An option the kind does not take, or a cascade it cannot honour. (`passive` on a one-to-one that
 * holds the key is a `SchemaError` only: which side holds it is not in the types.)
 */
type OptionsError<K extends RelationKind, O> =
  Exclude<keyof O, OptionKeys[K]> extends infer X extends string
    ? [X] extends [never]
      ? O extends { readonly cascade: infer C }
        ? Exclude<keyof C, CascadeKey> extends infer Y extends string
          ? [Y] extends [never]
            ? K extends 'manyToOne'
              ? C extends { readonly passive: boolean }
                ? `cascade.passive means nothing on a manyToOne that holds the foreign key: no rows point at its owner for ON DELETE to remove`
                : OrphanError<K, O, C>
              : OrphanError<K, O, C>
            : `cascade.${Y} is not a cascade option (save, delete, deleteOrphan, passive)`
          : never
        : never
      : `'${X}' is not an option of ${K}`
    : never

type OrphanError<K extends RelationKind, O, C> = K extends 'manyToOne' | 'manyToMany'
  ? C extends { readonly deleteOrphan: true }
    ? O extends { readonly singleParent: true }
      ? never
      : `cascade.deleteOrphan on a ${K} needs singleParent: true: an object is an orphan only when it can have one parent`
    : never
  : never

type FirstOf<E> = [E] extends [never] ? unknown : E

/**
 * A misspelt target makes TypeScript fall back to the union of all table keys; that mistake is
 * reported at the argument, so relations whose target is a union are not checked further.
 */
type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never

type CheckRelation<TTables, R, S extends string, N extends string, Rel> = N extends ColumnKeys<TTables, S>
  ? `'${S}.${N}' is both a column and a relation`
  : Rel extends RelationDef<infer K, infer Target, infer O>
    ? IsUnion<Target> extends true
      ? unknown
      : FirstOf<OptionsError<K, O> | KeysError<TTables, S, K, Target, O> | OrderError<O, TTables, Target> | ViewOnlyError<TTables, Target, O> | BackError<R, S, N, K, Target, O>>
    : unknown

/** Maps each relation of `R` to `unknown` (sound) or to a message naming what is wrong. */
export type CheckRelations<TTables, R> = {
  [S in keyof R]: S extends keyof TTables
    ? { [N in keyof R[S]]: CheckRelation<TTables, R, S & string, N & string, R[S][N]> }
    : `'${S & string}' is not a table of this schema`
}
