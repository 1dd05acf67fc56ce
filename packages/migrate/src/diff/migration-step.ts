/** The steps of a migration: plain data that `diffShapes` produces and `generateMigrationSource` writes as Kysely calls. */
import type { CheckShape, ColumnShape, ForeignKeyShape, IndexShape, TableShape, UniqueShape } from '../shape/schema-shape.js'

/**
 * A primary key as a step carries it.
 *
 * @example
 * ```ts
 * const key: PrimaryKeyShape = { name: 'books_pkey', columns: ['id'] }
 * ```
 */
export interface PrimaryKeyShape {
  readonly name: string | null
  readonly columns: readonly string[]
}

/**
 * One change to the database. `destructive`, when set, says what data the step can lose; the
 * generated file marks it and `generate` prints it as a warning.
 *
 * @example
 * ```ts
 * const step: MigrationStep = { kind: 'dropColumn', table: 'books', column, destructive: 'drops column books.legacy and its values' }
 * ```
 */
export type MigrationStep = (
  | { readonly kind: 'createTable'; readonly table: TableShape }
  | { readonly kind: 'dropTable'; readonly table: TableShape }
  | { readonly kind: 'renameTable'; readonly from: string; readonly to: string }
  | { readonly kind: 'addColumn'; readonly table: string; readonly column: ColumnShape }
  | { readonly kind: 'dropColumn'; readonly table: string; readonly column: ColumnShape }
  | { readonly kind: 'renameColumn'; readonly table: string; readonly from: string; readonly to: string }
  | { readonly kind: 'alterColumn'; readonly table: string; readonly from: ColumnShape; readonly to: ColumnShape }
  | { readonly kind: 'addPrimaryKey'; readonly table: string; readonly key: PrimaryKeyShape }
  | { readonly kind: 'dropPrimaryKey'; readonly table: string; readonly key: PrimaryKeyShape }
  | { readonly kind: 'addForeignKey'; readonly table: string; readonly key: ForeignKeyShape }
  | { readonly kind: 'dropForeignKey'; readonly table: string; readonly key: ForeignKeyShape }
  | { readonly kind: 'createIndex'; readonly table: string; readonly index: IndexShape }
  | { readonly kind: 'dropIndex'; readonly table: string; readonly index: IndexShape }
  | { readonly kind: 'addUnique'; readonly table: string; readonly unique: UniqueShape }
  | { readonly kind: 'dropUnique'; readonly table: string; readonly unique: UniqueShape }
  | { readonly kind: 'addCheck'; readonly table: string; readonly check: CheckShape }
  | { readonly kind: 'dropCheck'; readonly table: string; readonly check: CheckShape }
  | { readonly kind: 'setTableComment'; readonly table: string; readonly from: string | null; readonly to: string | null }
  | {
      /** A table or column disappeared while another appeared: a rename or a drop and an add, which only the user can say. */
      readonly kind: 'ambiguous'
      /** `'books'` for columns of that table, null for tables. */
      readonly table: string | null
      /** The table or column that disappeared. */
      readonly dropped: string
      /** What appeared beside it: the rename candidates. */
      readonly candidates: readonly string[]
    }
) & { readonly destructive?: string }

/**
 * The steps that need a user's answer (`kind: 'ambiguous'`).
 *
 * @example
 * ```ts
 * for (const a of ambiguities(steps)) console.log(`${a.table}.${a.dropped} -> ${a.candidates.join(' | ')}?`)
 * ```
 */
export function ambiguities(steps: readonly MigrationStep[]): Extract<MigrationStep, { kind: 'ambiguous' }>[] {
  return steps.filter((step): step is Extract<MigrationStep, { kind: 'ambiguous' }> => step.kind === 'ambiguous')
}

/**
 * The step that undoes `step` (what `down` runs, in reverse order), without a destructive mark:
 * `markDestructive` judges the inverse on its own (undoing an added column drops it).
 *
 * @example
 * ```ts
 * const down = steps.map(inverseStep).reverse()
 * ```
 */
export function inverseStep(step: MigrationStep): MigrationStep {
  switch (step.kind) {
    case 'createTable':
      return { kind: 'dropTable', table: step.table }
    case 'dropTable':
      return { kind: 'createTable', table: step.table }
    case 'renameTable':
      return { kind: 'renameTable', from: step.to, to: step.from }
    case 'addColumn':
      return { kind: 'dropColumn', table: step.table, column: step.column }
    case 'dropColumn':
      return { kind: 'addColumn', table: step.table, column: step.column }
    case 'renameColumn':
      return { kind: 'renameColumn', table: step.table, from: step.to, to: step.from }
    case 'alterColumn':
      return { kind: 'alterColumn', table: step.table, from: step.to, to: step.from }
    case 'addPrimaryKey':
      return { kind: 'dropPrimaryKey', table: step.table, key: step.key }
    case 'dropPrimaryKey':
      return { kind: 'addPrimaryKey', table: step.table, key: step.key }
    case 'addForeignKey':
      return { kind: 'dropForeignKey', table: step.table, key: step.key }
    case 'dropForeignKey':
      return { kind: 'addForeignKey', table: step.table, key: step.key }
    case 'createIndex':
      return { kind: 'dropIndex', table: step.table, index: step.index }
    case 'dropIndex':
      return { kind: 'createIndex', table: step.table, index: step.index }
    case 'addUnique':
      return { kind: 'dropUnique', table: step.table, unique: step.unique }
    case 'dropUnique':
      return { kind: 'addUnique', table: step.table, unique: step.unique }
    case 'addCheck':
      return { kind: 'dropCheck', table: step.table, check: step.check }
    case 'dropCheck':
      return { kind: 'addCheck', table: step.table, check: step.check }
    case 'setTableComment':
      return { kind: 'setTableComment', table: step.table, from: step.to, to: step.from }
    case 'ambiguous':
      throw new Error(`An ambiguous step has no inverse: resolve ${step.table === null ? 'table' : `${step.table}.`}${step.dropped} first`)
  }
}
