/** Which steps can lose data: drops, narrowing type changes, NOT NULL on a column without a default. */
import type { ColumnShape } from '../shape/schema-shape.js'
import type { MigrateFamily } from '../family/migrate-family.js'
import type { MigrationStep } from './migration-step.js'

/**
 * Why `step` can lose data (or fail on existing rows), or undefined when it cannot.
 *
 * @example
 * ```ts
 * destructiveReason({ kind: 'dropTable', table }, postgresFamily)   // 'drops table books and its rows'
 * ```
 */
export function destructiveReason(step: MigrationStep, family: MigrateFamily): string | undefined {
  switch (step.kind) {
    case 'dropTable':
      return `drops table ${step.table.name} and its rows`
    case 'dropColumn':
      return `drops column ${step.table}.${step.column.name} and its values`
    case 'alterColumn':
      return alterReason(step.table, step.from, step.to, family)
    case 'addColumn':
      return !step.column.nullable && step.column.default === null && !step.column.autoIncrement
        ? `adds NOT NULL column ${step.table}.${step.column.name} without a default: fails on a table that has rows`
        : undefined
    default:
      return undefined
  }
}

function alterReason(table: string, from: ColumnShape, to: ColumnShape, family: MigrateFamily): string | undefined {
  const reasons: string[] = []
  if (from.type !== to.type && !family.widens(from.type, to.type)) reasons.push(`narrows ${from.type} to ${to.type}: values that do not fit are cut or refused`)
  if (from.nullable && !to.nullable && to.default === null) reasons.push('makes it NOT NULL without a default: fails while a row holds NULL')
  return reasons.length === 0 ? undefined : `${table}.${to.name} ${reasons.join('; ')}`
}

/**
 * `steps` with each step's `destructive` reason set (or removed), as `family` judges them.
 *
 * @example
 * ```ts
 * const down = markDestructive(steps.map(inverseStep).reverse(), postgresFamily)
 * ```
 */
export function markDestructive(steps: readonly MigrationStep[], family: MigrateFamily): MigrationStep[] {
  return steps.map((step) => {
    const { destructive: _previous, ...rest } = step
    const reason = destructiveReason(step, family)
    return (reason === undefined ? rest : { ...rest, destructive: reason }) as MigrationStep
  })
}
