/** Resolves declared relations to their foreign keys and checks each `backPopulates` pair. */
import { SchemaError } from '../errors.js'
import type { ForeignKeyModel, RelationCondition, RelationModel, TableModel } from './model.js'
import { checkOptions, checkOwningOptions, relationOrder } from './relation-options.js'
import { keyColumnList, mirrorKind, type AnyRelationDef, type CascadeOptions, type LoadStrategy } from './relations.js'
import type { MutableTableModel } from './resolve-tables.js'

type RelationBase = Pick<RelationModel, 'name' | 'kind' | 'source' | 'target' | 'backPopulates' | 'cascade' | 'singleParent' | 'orderBy' | 'viewOnly' | 'condition'>

const describeKey = (fk: ForeignKeyModel) => `${fk.table.sqlName}(${fk.columns.map((c) => c.property).join(', ')})`

/** Picks the one foreign key from `from` to `to`, or the one whose columns are named; explains any other outcome. */
function pickForeignKey(from: TableModel, to: TableModel, named: readonly string[] | undefined, where: string, option: string): ForeignKeyModel {
  const candidates = from.foreignKeys.filter((fk) => fk.references === to)
  if (named !== undefined) {
    for (const property of named) {
      if (!from.columnsByProperty.has(property)) {
        throw new SchemaError(`${where}: ${option} names '${property}', which is not a column of '${from.sqlName}'`)
      }
    }
    const match = candidates.find((fk) => fk.columns.length === named.length && fk.columns.every((c, i) => c.property === named[i]))
    if (match) return match
    throw new SchemaError(
      `${where}: ${option} (${named.join(', ')}) is not a foreign key from '${from.sqlName}' to '${to.sqlName}'; ` +
        `found: ${candidates.map(describeKey).join('; ') || 'none'}`,
    )
  }
  if (candidates.length === 1) return candidates[0]!
  if (candidates.length === 0) {
    throw new SchemaError(`${where}: no foreign key from '${from.sqlName}' to '${to.sqlName}'; add .references() to the column that holds it`)
  }
  throw new SchemaError(
    `${where}: ${candidates.length} foreign keys from '${from.sqlName}' to '${to.sqlName}' could serve (${candidates.map(describeKey).join('; ')}); ` +
      `name one with the '${option}' option`,
  )
}

function resolveOne(source: MutableTableModel, name: string, def: AnyRelationDef, tables: Map<string, MutableTableModel>): RelationModel {
  const where = `Relation '${source.key}.${name}'`
  const target = tables.get(def.target)
  if (target === undefined) throw new SchemaError(`${where}: '${def.target}' is not a table of this schema`)
  if (source.columnsByProperty.has(name)) throw new SchemaError(`${where}: the name is already a column of '${source.sqlName}'`)
  const options = def.options
  checkOptions(def, where)
  const named = keyColumnList(options.foreignKey)
  const base = {
    name,
    kind: def.kind,
    source,
    target,
    backPopulates: options.backPopulates,
    // A read-only relation cascades nothing, not even saves: the unit of work ignores it.
    cascade: options.viewOnly === true ? noCascade : cascadeOf(options.cascade),
    singleParent: def.kind === 'oneToOne' || options.singleParent === true,
    orderBy: relationOrder(options.orderBy, target, where, def.kind === 'manyToMany' ? tables.get(options.via) : undefined),
    viewOnly: options.viewOnly === true,
    ...(options.where === undefined ? {} : { condition: conditionOf(target, options.where, where) }),
  }

  switch (def.kind) {
    case 'manyToOne': {
      const fk = pickForeignKey(source, target, named, where, 'foreignKey')
      return direct(base, options.strategy, fk, true)
    }
    case 'oneToMany': {
      const fk = pickForeignKey(target, source, named, where, 'foreignKey')
      return direct(base, options.strategy, fk, false)
    }
    case 'oneToOne': {
      if (source === target && named === undefined) {
        throw new SchemaError(`${where}: a self-referential one-to-one must name its key with the 'foreignKey' option`)
      }
      const owning = named ? named.every((p) => source.columnsByProperty.has(p)) && source.foreignKeys.some((fk) => fk.references === target)
        : source.foreignKeys.some((fk) => fk.references === target)
      const inverse = target.foreignKeys.some((fk) => fk.references === source)
      if (!named && owning && inverse && source !== target) {
        throw new SchemaError(`${where}: '${source.sqlName}' and '${target.sqlName}' reference each other; name the key with the 'foreignKey' option`)
      }
      const fk = owning ? pickForeignKey(source, target, named, where, 'foreignKey') : pickForeignKey(target, source, named, where, 'foreignKey')
      if (owning) checkOwningOptions(def, where)
      return direct(base, options.strategy, fk, owning)
    }
    case 'manyToMany': {
      const via = tables.get(options.via)
      if (via === undefined) throw new SchemaError(`${where}: via '${options.via}' is not a table of this schema`)
      const selfReferencing = source === target
      const sourceNamed = keyColumnList(options.sourceKey)
      const targetNamed = keyColumnList(options.targetKey)
      if (selfReferencing && (!sourceNamed || !targetNamed)) {
        throw new SchemaError(`${where}: a self-referential many-to-many must name both 'sourceKey' and 'targetKey' of '${via.sqlName}'`)
      }
      const sourceKey = pickForeignKey(via, source, sourceNamed, where, 'sourceKey')
      const targetKey = pickForeignKey(via, target, targetNamed, where, 'targetKey')
      return Object.freeze({
        ...base,
        toOne: false,
        foreignKey: sourceKey,
        owning: false,
        sourceColumns: sourceKey.referencedColumns,
        targetColumns: targetKey.referencedColumns,
        association: Object.freeze({ table: via, sourceKey, targetKey }),
        nullable: false,
        strategy: options.strategy ?? 'selectIn',
      })
    }
  }
}

/** A relation joined on one foreign key, held by the source (`owning`) or by the target. */
function direct(base: RelationBase, strategy: LoadStrategy | undefined, fk: ForeignKeyModel, owning: boolean): RelationModel {
  const toOne = base.kind !== 'oneToMany'
  return Object.freeze({
    ...base,
    toOne,
    foreignKey: fk,
    owning,
    sourceColumns: owning ? fk.columns : fk.referencedColumns,
    targetColumns: owning ? fk.referencedColumns : fk.columns,
    // Owning to-one: absent when the key can be null. Inverse one-to-one: absent when no row points back.
    nullable: toOne && (!owning || fk.columns.some((c) => c.config.nullable)),
    strategy: strategy ?? (toOne ? 'join' : 'selectIn'),
  })
}

const noCascade: Required<CascadeOptions> = Object.freeze({ save: false, delete: false, deleteOrphan: false, passive: false })

/** The declared `where` of a read-only relation, each property a column of the target. */
function conditionOf(target: TableModel, condition: Record<string, unknown>, where: string): readonly RelationCondition[] {
  return Object.freeze(
    Object.entries(condition).map(([property, value]) => {
      const column = target.columnsByProperty.get(property)
      if (column === undefined) {
        throw new SchemaError(`${where}: where names '${property}', which is not a column of '${target.key}' (columns: ${[...target.columnsByProperty.keys()].join(', ')})`)
      }
      if (value === undefined) throw new SchemaError(`${where}: where.${property} is undefined; use null to compare with NULL`)
      if (value === null && !column.config.nullable) throw new SchemaError(`${where}: where.${property} is null, but ${target.sqlName}.${column.sqlName} is NOT NULL`)
      return Object.freeze({ column, value })
    }),
  )
}

function cascadeOf(options: CascadeOptions | undefined): Required<CascadeOptions> {
  return Object.freeze({
    save: options?.save ?? true,
    delete: options?.delete ?? false,
    deleteOrphan: options?.deleteOrphan ?? false,
    passive: options?.passive ?? false,
  })
}

export function resolveRelations(tables: Map<string, MutableTableModel>, declared: Record<string, Record<string, AnyRelationDef>>): void {
  for (const [key, relations] of Object.entries(declared)) {
    const source = tables.get(key)
    if (source === undefined) throw new SchemaError(`defineSchema(): relations are declared for '${key}', which is not a table of this schema`)
    for (const [name, def] of Object.entries(relations)) {
      source.relations.set(name, resolveOne(source, name, def, tables))
    }
  }
  for (const source of tables.values()) {
    for (const relation of source.relations.values()) checkBackPopulates(relation)
  }
}

function checkBackPopulates(relation: RelationModel): void {
  if (relation.backPopulates === undefined) return
  const where = `Relation '${relation.source.key}.${relation.name}'`
  const mirror = relation.target.relations.get(relation.backPopulates)
  if (mirror === undefined) {
    throw new SchemaError(`${where}: backPopulates '${relation.backPopulates}' is not a relation of '${relation.target.key}'`)
  }
  if (mirror.target !== relation.source || mirror.kind !== mirrorKind[relation.kind]) {
    throw new SchemaError(
      `${where}: backPopulates '${relation.target.key}.${mirror.name}' does not point back: it is a ${mirror.kind} to '${mirror.target.key}', ` +
        `expected a ${mirrorKind[relation.kind]} to '${relation.source.key}'`,
    )
  }
  if (mirror.backPopulates !== undefined && mirror.backPopulates !== relation.name) {
    throw new SchemaError(`${where}: its mirror '${relation.target.key}.${mirror.name}' back-populates '${mirror.backPopulates}', not '${relation.name}'`)
  }
  const sameKey = relation.association
    ? mirror.association?.table === relation.association.table && mirror.association.sourceKey === relation.association.targetKey
    : mirror.foreignKey === relation.foreignKey
  if (!sameKey) {
    throw new SchemaError(`${where}: backPopulates '${relation.target.key}.${mirror.name}' is joined on a different foreign key`)
  }
  if (mirror.backPopulates === undefined) {
    throw new SchemaError(`${where}: backPopulates '${relation.target.key}.${mirror.name}' has no backPopulates; add backPopulates: '${relation.name}' to it (both sides of a pair name each other)`)
  }
}
