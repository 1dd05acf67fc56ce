/** One line per migration step, for the command line's output: `+ table books`, `~ column books.title: text → varchar(50)`. */
import type { MigrationStep } from './migration-step.js'

/**
 * A short human description of `step`.
 *
 * @example
 * ```ts
 * describeStep({ kind: 'renameColumn', table: 'books', from: 'title', to: 'name' })   // '~ rename column books.title → name'
 * ```
 */
export function describeStep(step: MigrationStep): string {
  switch (step.kind) {
    case 'createTable':
      return `+ table ${step.table.name}`
    case 'dropTable':
      return `- table ${step.table.name}`
    case 'renameTable':
      return `~ rename table ${step.from} → ${step.to}`
    case 'addColumn':
      return `+ column ${step.table}.${step.column.name} ${step.column.type}`
    case 'dropColumn':
      return `- column ${step.table}.${step.column.name}`
    case 'renameColumn':
      return `~ rename column ${step.table}.${step.from} → ${step.to}`
    case 'alterColumn': {
      const { from, to } = step
      const changes = [
        from.type !== to.type ? `${from.type} → ${to.type}` : '',
        from.nullable !== to.nullable ? (to.nullable ? 'nullable' : 'not null') : '',
        from.default !== to.default ? `default ${to.default ?? 'none'}` : '',
        from.autoIncrement !== to.autoIncrement ? (to.autoIncrement ? 'auto-increment' : 'no auto-increment') : '',
        from.comment !== to.comment ? 'comment' : '',
      ].filter((c) => c !== '')
      return `~ column ${step.table}.${to.name}: ${changes.join(', ')}`
    }
    case 'addPrimaryKey':
      return `+ primary key ${step.table} (${step.key.columns.join(', ')})`
    case 'dropPrimaryKey':
      return `- primary key ${step.table} (${step.key.columns.join(', ')})`
    case 'addForeignKey':
      return `+ foreign key ${step.key.name} ${step.table} (${step.key.columns.join(', ')}) → ${step.key.referencedTable}`
    case 'dropForeignKey':
      return `- foreign key ${step.key.name} on ${step.table}`
    case 'createIndex':
      return `+ ${step.index.unique ? 'unique ' : ''}index ${step.index.name} on ${step.table} (${step.index.columns.join(', ')})`
    case 'dropIndex':
      return `- index ${step.index.name} on ${step.table}`
    case 'addUnique':
      return `+ unique ${step.unique.name} on ${step.table} (${step.unique.columns.join(', ')})`
    case 'dropUnique':
      return `- unique ${step.unique.name} on ${step.table}`
    case 'addCheck':
      return `+ check ${step.check.name} on ${step.table}`
    case 'dropCheck':
      return `- check ${step.check.name} on ${step.table}`
    case 'setTableComment':
      return `~ comment on ${step.table}`
    case 'ambiguous':
      return `? ${step.table === null ? 'table' : `column ${step.table}.`}${step.dropped}: renamed to ${step.candidates.join(' | ')}, or dropped?`
  }
}
