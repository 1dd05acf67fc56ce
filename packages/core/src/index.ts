/** @relata/core: declare tables and relations, connect, and work with typed entities.
 *
 * @module @relata/core
 */
import { sql as kyselySql, type Sql } from 'kysely'

/**
 * Kysely's `sql` template tag, re-exported so that a schema needs one import: raw SQL for column
 * defaults, and for statements run through `orm.db`.
 *
 * @example
 * ```ts
 * const posts = table('posts', {
 *   id: t.serial().primaryKey(),
 *   joinedAt: t.timestamp().default(sql`now()`),
 * })
 * await sql`select ${7} as seven`.execute(orm.db)
 * ```
 */
export const sql: Sql = kyselySql
export { t, Column } from './schema/column.js'
export type { AnyColumn, ColumnConfig, ColumnDataType, ColumnDefault, NumericString, ReferenceOptions, ReferentialAction } from './schema/column.js'
export { table, TableMeta, tableNameOf, columnsOf } from './schema/table.js'
export type { AnyTable, Table } from './schema/table.js'
export type { IndexDeclaration, SqlCondition, TableDeclarations, TableOptions, UniqueDeclaration } from './schema/table-options.js'
export { defineSchema, Schema } from './schema/define-schema.js'
export type { AnySchema, SchemaOptions } from './schema/define-schema.js'
export type { CascadeOptions, LoadStrategy, ManyToManyOptions, ManyToOneCascadeOptions, ManyToOneOptions, OneToManyOptions, RelationDef, RelationHelpers, RelationKind, RelationOrder, ToOneOptions } from './schema/relations.js'
export type { Casing } from './schema/naming.js'
export type { AssociationModel, CheckModel, ColumnModel, ForeignKeyModel, IndexModel, RelationCondition, RelationModel, RelationOrderItem, TableModel, UniqueModel } from './schema/model.js'
export type { Row, Insertable, Updateable, PrimaryKey } from './types/rows.js'
export type { Database, SnakeCase } from './types/database.js'
export type { Entity, EntityMethods, Collection, ColumnsOnly, LoadedCollection, LoadedViewCollection, NotLoaded, Reference, RelationHandle, UnloadedHandle, ViewCollection } from './types/entity.js'
export type { TableKey } from './types/schema-types.js'
export { RelataError, SchemaError, NotFoundError, MultipleResultsError, FlushError, StaleObjectError, TransactionConflictError, QueryTimeoutError, ConnectionWaitError, CommitUnknownError, MissingTableError, ConnectionError } from './errors.js'
export type { TransactionConflictKind } from './errors.js'
export type { RefreshOptions, Session, SessionOptions, TransactionIsolation } from './session/session.js'
export { isTransactionConflict } from './session/transaction-retry.js'
export type { CollectionQuery, EntityQuery, FilterValues, RelationQuery, PropertyDatabase, WhereMethods } from './types/query.js'
export type { RelationFilterQuery, WhereInput, WhereValues } from './types/relation-filters.js'
export type { EntityJson, EntityJsonMethod, EntityKeyJson } from './types/entity-json.js'
export type { Loaded, WithSpec, WithLoaded, RelationNames } from './types/loaded.js'
export type { LinkCollection, LinkOf, LinkRowOf, LinkShape, LinkValuesInput, LoadedLinkCollection, NeedsLinkValues } from './types/links.js'
export type { Aggregate, AggregateFunctions, AggregateQuery, AggregateRow, GroupedQuery, OrderedColumn, SummableColumn } from './types/aggregate.js'
export type { CollectionNames, CountEntry, CountQuery, CountSpec, NoOtherCounts, WithCounts } from './types/counts.js'
export type { ColumnLoadMethod, ColumnsEntry, DefaultColumn, DeferredColumn, LoadedColumns, OmitEntry, OmittableColumn, SelectEntry, SubsetColumn, UndeferEntry } from './types/partial.js'
export type { HavingOperator } from './query/aggregate-query.js'
export type { CreateValues, NewEntity } from './types/create.js'
export type { BulkDelete, BulkSetValues, BulkUpdate, NonKeyColumn, UpsertConflict, UpsertOptionsOf } from './types/writes.js'
export type { PlannedStatement } from './unit-of-work/describe-plan.js'
export type { ComparisonOperator } from './query/query-state.js'
export type { LockOptions } from './query/entity-query.js'
export type { Page, PaginateOptions } from './query/paginate.js'
export type { StreamOptions } from './query/query-stream.js'
export type { FromQueryOptions } from './session/session-from-query.js'
export type { HasTableColumns, OneTableRow, TableOfRow } from './types/from-query.js'
export type { GetOptions } from './session/session.js'
export { createOrm } from './orm.js'
export type { Orm, OrmOptions, TransactionOptions } from './orm.js'
export type { CreateTablesOptions } from './ddl/create-tables.js'
export type { DropTablesOptions } from './ddl/drop-tables.js'
export type { QueryEvent, QueryLogger } from './query-log.js'
export { QueryRecorder } from './testing/query-recorder.js'
export type { RecordedQuery } from './testing/query-recorder.js'
export type { DialectCapabilities, JsonAggregation, RelataDialect, SqlFamily } from './dialect/dialect.js'
export type { CommitPositions, CommitToken, ReadConsistency, ReplicaOptions, Replication } from './dialect/replicas.js'
export type { ReadStats } from './dialect/replica-routing.js'
export type { Platform } from './dialect/platform.js'
