/**
 * @relata/migrate: schema shapes (from declarations, from a database), migrations generated from their
 * differences and run by Kysely's Migrator, the relata command's config, and pulling declarations from a database.
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
export type { MigrationStep, PrimaryKeyShape } from './diff/migration-step.js'
export { ambiguities, inverseStep } from './diff/migration-step.js'
export { diffShapes } from './diff/diff-shapes.js'
export type { DiffOptions } from './diff/diff-shapes.js'
export { describeStep } from './diff/describe-step.js'
export { destructiveReason, markDestructive } from './diff/destructive.js'
export { generateMigrationSource } from './codegen/generate-source.js'
export type { MigrationSourceOptions } from './codegen/generate-source.js'
export { migrateFamily } from './family/families.js'
export type { MigrateFamily } from './family/migrate-family.js'
export { generateMigration, pendingChanges, migrationName, AmbiguousRenameError } from './generate/generate-migration.js'
export type { GenerateMigrationOptions, GeneratedMigration } from './generate/generate-migration.js'
export { lastSnapshot, migrationNames, snapshotPath } from './generate/snapshots.js'
export { createMigrator, migrateToLatest, migrateUp, migrateDown, migrateTo, listMigrations } from './run/migrations.js'
export type { MigrationFolderOptions } from './run/migrations.js'
export type { MigrationTarget } from './run/migration-target.js'
export { withoutMigrationTables } from './run/migration-tables.js'
export { defineConfig, loadConfig, dialectFromUrl } from './config/relata-config.js'
export type { RelataConfig, LoadedConfig } from './config/relata-config.js'
export { MigrateError } from './migrate-error.js'
