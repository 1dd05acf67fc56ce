/** The resolved, run-time model of a schema: what DDL, loading and persistence read. Plain frozen data. */
import type { ColumnConfig, ReferentialAction } from './column.js'
import type { CascadeOptions, LoadStrategy, RelationKind } from './relations.js'

export interface ColumnModel {
  /** TypeScript property name. */
  readonly property: string
  /** SQL column name. */
  readonly sqlName: string
  readonly config: ColumnConfig
}

export interface ForeignKeyModel {
  /** Constraint name, derived from the table and its columns. */
  readonly name: string
  readonly table: TableModel
  readonly columns: readonly ColumnModel[]
  readonly references: TableModel
  readonly referencedColumns: readonly ColumnModel[]
  readonly onDelete?: ReferentialAction
  readonly onUpdate?: ReferentialAction
}

export interface TableModel {
  /** Key of the table in the schema (`bookAuthor`): what relations and queries name. */
  readonly key: string
  /** SQL table name (`book_author`). */
  readonly sqlName: string
  readonly columns: readonly ColumnModel[]
  readonly columnsByProperty: ReadonlyMap<string, ColumnModel>
  readonly primaryKey: readonly ColumnModel[]
  readonly foreignKeys: readonly ForeignKeyModel[]
  readonly relations: ReadonlyMap<string, RelationModel>
  readonly versionColumn?: ColumnModel
}

/** The association table of a many-to-many, with its two foreign keys. */
export interface AssociationModel {
  readonly table: TableModel
  /** Foreign key of the association table pointing at the relation's source. */
  readonly sourceKey: ForeignKeyModel
  /** Foreign key of the association table pointing at the relation's target. */
  readonly targetKey: ForeignKeyModel
}

export interface RelationModel {
  readonly name: string
  readonly kind: RelationKind
  readonly source: TableModel
  readonly target: TableModel
  /** True when a single related object (to-one), false for a collection. */
  readonly toOne: boolean
  /**
   * The foreign key that implements the relation. For many-to-many it is the association's key
   * pointing at the source; see `association` for both.
   */
  readonly foreignKey: ForeignKeyModel
  /** The foreign key lives in the source table (many-to-one, owning one-to-one). */
  readonly owning: boolean
  /** Join pairs: `sourceColumns[i]` of the source equals `targetColumns[i]` of the target (direct relations). */
  readonly sourceColumns: readonly ColumnModel[]
  readonly targetColumns: readonly ColumnModel[]
  readonly association?: AssociationModel
  /** A to-one relation that can be absent. */
  readonly nullable: boolean
  readonly backPopulates?: string
  readonly strategy: LoadStrategy
  readonly cascade: Required<CascadeOptions>
}
