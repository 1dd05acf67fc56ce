/** Types of a many-to-many's link row (association object): its own columns, as `add(item, values)` takes them and `linkOf(item)` shows them. */
import type { Simplify } from 'type-fest'
import type { AnyColumn, ColumnInfoOf } from '../schema/column.js'
import type { AnySchema } from '../schema/define-schema.js'
import type { RelationDef } from '../schema/relations.js'
import type { TableMeta } from '../schema/table.js'
import type { ColumnsOf, ColumnValue, IsInsertOptional, TableKey, TablesOf } from './schema-types.js'
import type { Collection } from './entity.js'

/**
 * The link row of a many-to-many as the collection types see it: `row`, its own columns as read and
 * assigned through `linkOf()`; `input`, what `add(item, values)` takes (NOT NULL columns without a
 * default required).
 *
 * @example
 * ```ts
 * type Slot = LinkOf<typeof schema, 'playlists', (typeof schema)['$infer']['relations']['playlists']['tracks']>
 * // LinkShape<{ position: number; note: string | null }, { position: number; note?: string | null }>
 * ```
 */
export interface LinkShape<TRow, TInput> {
  readonly row: TRow
  readonly input: TInput
}

type RelationTargetOf<Rel> = Rel extends RelationDef<any, infer T> ? T : never

/** The link table key of a many-to-many declaration. */
type ViaOf<Rel> = Rel extends RelationDef<'manyToMany', any, infer O> ? (O extends { readonly via: infer V extends string } ? V : never) : never

type SqlNameOf<S extends AnySchema, K> = K extends keyof TablesOf<S> ? TablesOf<S>[K][typeof TableMeta]['name'] : never

type KeyNames<F> = F extends readonly (infer C)[] ? C : F

/** The columns `sourceKey` / `targetKey` name. */
type NamedKeys<Rel> = Rel extends RelationDef<any, any, infer O>
  ? (O extends { readonly sourceKey: infer F } ? KeyNames<F> : never) | (O extends { readonly targetKey: infer F } ? KeyNames<F> : never)
  : never

/** A key column of the link table: named by `sourceKey` / `targetKey`, or referencing either end (or an unknown table, as a self-reference's annotation makes it). */
type IsLinkKey<Rel, C, Col, Ends> = C extends NamedKeys<Rel>
  ? true
  : Col extends AnyColumn
    ? [ColumnInfoOf<Col>['ref']] extends [never]
      ? false
      : string extends ColumnInfoOf<Col>['ref']
        ? true
        : ColumnInfoOf<Col>['ref'] extends Ends
          ? true
          : false
    : false

/** The own columns of the link table `V` of relation `Rel` between tables whose SQL names are `Ends`, keyed by property. */
type OwnColumns<S extends AnySchema, V extends TableKey<S>, Rel, Ends> = {
  [C in keyof ColumnsOf<S, V> as IsLinkKey<Rel, C, ColumnsOf<S, V>[C], Ends> extends true ? never : C]: ColumnsOf<S, V>[C]
}

type LinkRow<Cols> = { -readonly [C in keyof Cols]: Cols[C] extends AnyColumn ? ColumnValue<Cols[C]> : never }

type LinkInput<Cols> = Simplify<
  { [C in keyof Cols as Cols[C] extends AnyColumn ? (IsInsertOptional<Cols[C]> extends true ? never : C) : never]: Cols[C] extends AnyColumn ? ColumnValue<Cols[C]> : never } & {
    [C in keyof Cols as Cols[C] extends AnyColumn ? (IsInsertOptional<Cols[C]> extends true ? C : never) : never]?: Cols[C] extends AnyColumn ? ColumnValue<Cols[C]> : never
  }
>

/**
 * The link row of relation `Rel` of table `K`: a `LinkShape` of its link table's own columns, or
 * `never` for a relation without a link table, or a link table without own columns.
 *
 * @example
 * ```ts
 * type Slot = LinkOf<typeof schema, 'playlists', (typeof schema)['$infer']['relations']['playlists']['tracks']>
 * function place(link: LinkRowOf<Slot>): number { return link.position }
 * ```
 */
export type LinkOf<S extends AnySchema, K extends TableKey<S>, Rel> =
  ViaOf<Rel> extends infer V extends TableKey<S>
    ? [V] extends [never]
      ? never
      : OwnColumns<S, V, Rel, SqlNameOf<S, K> | SqlNameOf<S, RelationTargetOf<Rel>>> extends infer Cols
        ? [keyof Cols] extends [never]
          ? never
          : LinkShape<Simplify<LinkRow<Cols>>, LinkInput<Cols>>
        : never
    : never

/**
 * The link table key of a many-to-many declaration (`never` for other relations): what a
 * `.with()` callback's `orderBy('via.position')` names columns of.
 *
 * @example
 * ```ts
 * type Via = LinkTableOf<typeof schema, (typeof schema)['$infer']['relations']['playlists']['tracks']>   // 'playlistTrack'
 * ```
 */
export type LinkTableOf<S extends AnySchema, Rel> = ViaOf<Rel> & TableKey<S>

/**
 * What `add(item, values)` takes as `values`: `never` (no such call) without a link row.
 *
 * @example
 * ```ts
 * const values: LinkValuesInput<Slot> = { position: 1 }   // note and starred optional
 * ```
 */
export type LinkValuesInput<L> = L extends LinkShape<any, infer I> ? I : never

/**
 * What `linkOf(item)` returns: the link row's own columns, readable and assignable.
 *
 * @example
 * ```ts
 * function place(link: LinkRowOf<Slot>): number { return link.position }
 * ```
 */
export type LinkRowOf<L> = L extends LinkShape<infer R, any> ? R : never

/**
 * Whether a new link must be given values (its link table has NOT NULL columns without a default).
 *
 * @example
 * ```ts
 * type Required = NeedsLinkValues<Slot>   // true: playlist_track.position is NOT NULL without a default
 * ```
 */
export type NeedsLinkValues<L> = [L] extends [LinkShape<any, infer I>] ? ({} extends I ? false : true) : false

/**
 * A many-to-many whose link table has columns of its own (`L`, a `LinkShape`), not loaded yet:
 * a `Collection` whose `add(item, values)` is typed from the link table. Where the link table has
 * NOT NULL columns without a default, a new link must be given them: `add(item)` alone is no call.
 *
 * @example
 * ```ts
 * playlist.tracks.add(track, { position: 1, note: 'opener' })
 * ```
 */
export interface LinkCollection<E, I, L> extends Collection<E, I> {
  /** Loads the related objects with their link rows (once per session) and returns them. */
  load(): Promise<LoadedLinkCollection<E, I, L>>
  /** Links one object with its link row's own columns (`add(track, { position: 1 })`); already linked, updates them. */
  add(item: I, values: LinkValuesInput<L>): void
  /** Links objects; written at the next flush. (No call where the link table has columns a new link must be given.) */
  add(...items: NeedsLinkValues<L> extends true ? [never] : I[]): void
}

/**
 * A loaded `LinkCollection`: an array whose members' link rows `linkOf(item)` reads and changes
 * (SQLAlchemy's association object, reached as through an association proxy).
 *
 * @example
 * ```ts
 * const mix = await session.query('playlists').with({ tracks: true }).one()
 * mix.tracks.linkOf(track).position = 2   // next flush: update playlist_track set position = ?
 * ```
 */
export interface LoadedLinkCollection<E, I, L> extends ReadonlyArray<E>, LinkCollection<E, I, L> {
  /** A member's link row: its own columns, readable and assignable (an assignment is an update of the link row at the next flush). */
  linkOf(item: I): LinkRowOf<L>
}
