/** @relata/migrate: schema shapes (from declarations, from a database), migrations, and pulling declarations from a database.
 *
 * @module @relata/migrate
 */
export type { CheckShape, ColumnShape, ForeignKeyShape, IndexShape, ReferentialActionShape, SchemaShape, ShapeFamily, TableShape, UniqueShape } from './shape/schema-shape.js'
export { shapeOfSchema } from './shape/shape-of-schema.js'
export { shapeOfDatabase } from './shape/shape-of-database.js'
export type { DatabaseSource } from './shape/shape-of-database.js'
export { normalizeAction, normalizeCondition, normalizeDefault, normalizeShape, normalizeType } from './shape/normalize.js'
export { pull } from './pull/pull.js'
export type { PullOptions } from './pull/pull.js'
export { pullSchema } from './pull/pull-schema.js'
