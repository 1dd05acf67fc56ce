/**
 * The `selectIn` strategy: one statement per relation level, `WHERE key IN (...)` over the
 * parents' keys (chunked by the dialect's parameter limit), many-to-many joined through the
 * association table. Shared by eager loading and by batched lazy loads.
 */
import { sql } from 'kysely'
import { chunks } from '../sql/chunks.js'
import { inTuples } from '../sql/sql-helpers.js'
import { orderItems } from '../query/filters.js'
import type { ColumnModel } from '../schema/model.js'
import { keyOfValue, keyOfValues } from '../tracking/identity-map.js'
import { needsRead } from '../tracking/unloaded-columns.js'
import { columnsKey, loadedColumns } from '../query/column-subsets.js'
import { stateOf } from '../tracking/entity-state.js'
import { hasOwnColumns, ownColumns, readLinkValues } from '../tracking/link-values.js'
import { assignRelation } from './assign.js'
import { relationSource, type SqlContext } from './join-strategy.js'
import { isPartialLoad, type LoadNode } from './load-plan.js'
import type { LoadContext } from './load-context.js'
import { hasJoined, hydrateRow, plainShape, referencesPrimaryKey, selectJoined, withDecodedRows, type RowShape } from './row-shape.js'

function readKey(entity: object, columns: readonly ColumnModel[]): unknown[] | undefined {
  const values = new Array<unknown>(columns.length)
  for (let i = 0; i < columns.length; i++) {
    const value = (entity as Record<string, unknown>)[columns[i]!.property]
    if (value === null || value === undefined) return undefined
    values[i] = value
  }
  return values
}

/**
 * Loads `node.relation` for every parent; returns the distinct related objects, for the next level.
 * `wholeTable`: the parents are every row of their table; a relation keyed on the related side
 * (one-to-many, many-to-many) then reads every related row in one statement, without a key list
 * (which costs PostgreSQL more to plan than to run for a few hundred keys).
 */
export async function selectIn(ctx: LoadContext, node: LoadNode, parents: readonly object[], wholeTable = false): Promise<object[]> {
  const { relation } = node
  const byKey = new Map<unknown, { key: unknown[]; parents: object[] }>()
  for (const parent of parents) {
    const key = readKey(parent, relation.sourceColumns)
    if (key === undefined) {
      assignRelation(ctx, parent, relation, [], isPartialLoad(node))
      continue
    }
    const id = keyOfValues(key)
    const entry = byKey.get(id)
    if (entry === undefined) byKey.set(id, { key, parents: [parent] })
    else entry.parents.push(parent)
  }

  const found = new Map<unknown, object[]>()
  // Beside each related object in `found`, its link row's own columns (a many-to-many whose link table has some).
  const links = relation.association !== undefined && hasOwnColumns(relation.association) ? new Map<unknown, Record<string, unknown>[]>() : undefined
  const loaded = new Set<object>()
  let pending = [...byKey.entries()]
  if (relation.owning && referencesPrimaryKey(relation) && node.query.filters.length === 0 && relation.condition === undefined && !node.children.some((c) => c.strategy === 'join')) {
    // A many-to-one whose target is already in the identity map needs no SQL, unless the relation
    // is filtered (the target may not match) or has children to join into this statement.
    const entries = ctx.identityMap.tableEntries(relation.target)
    pending = pending.filter(([id]) => {
      const target = entries.get(id)
      // A target with expired attributes is read again, which brings them back.
      if (target === undefined || needsRead(stateOf(target)!)) return true
      found.set(id, [target])
      return false
    })
  }

  if (wholeTable && !relation.owning && pending.length > 0) {
    await queryChunk(ctx, node, undefined, found, links)
    pending = []
  }
  // A thousand parameters are left for the relation's filters; a page per parent sends the keys (and filters) twice.
  const perChunk = Math.floor((ctx.capabilities.maxParameters - 1000) / (isPaged(node) ? 2 : 1))
  for (const chunk of chunks(pending, perChunk, relation.sourceColumns.length)) {
    await queryChunk(ctx, node, chunk.map(([, entry]) => entry.key), found, links)
  }

  const partial = isPartialLoad(node)
  for (const [id, entry] of byKey) {
    const targets = found.get(id) ?? []
    for (const parent of entry.parents) assignRelation(ctx, parent, relation, targets, partial)
    const values = links?.get(id)
    if (values !== undefined) for (const parent of entry.parents) targets.forEach((target, i) => readLinkValues(relation.association!, parent, target, values[i]!))
    for (const target of targets) loaded.add(target)
  }
  return [...loaded]
}

/** One statement: the related rows of the parents with these keys, or (`undefined`) of every parent row. */
async function queryChunk(ctx: LoadContext, node: LoadNode, keys: unknown[][] | undefined, found: Map<unknown, object[]>, links?: Map<unknown, Record<string, unknown>[]>): Promise<void> {
  const { relation } = node
  const sqlCtx: SqlContext = { db: ctx.db, statements: ctx.statements, nextAlias: aliasCounter() }
  const child = sqlCtx.nextAlias()
  const association = sqlCtx.nextAlias()
  // The parent's key in each result row: the child's own foreign key, or the association's key selected beside it.
  const linkColumns = relation.association ? relation.association.sourceKey.columns : relation.targetColumns
  const linkAlias = relation.association ? association : child
  const linkKeys = relation.association ? linkColumns.map((_, i) => `__k${i}`) : linkColumns.map((c) => c.sqlName)
  // The child's foreign key is read to find its parent, whatever columns the query chose.
  const columns = loadedColumns(node.query, relation.association ? [] : relation.targetColumns)
  const own = links !== undefined ? ownColumns(relation.association!) : []

  const build = () => {
    const parentKeys = (childAlias: string, associationAlias: string) => {
      const alias = relation.association ? associationAlias : childAlias
      return keys !== undefined ? inTuples(linkColumns.map((c) => `${alias}.${c.sqlName}`), keys) : sql`${sql.join(linkColumns.map((c) => sql`${sql.ref(`${alias}.${c.sqlName}`)} is not null`), sql` and `)}`
    }
    const source = relationSource(sqlCtx, node, child, association, parentKeys)
      .select(columns.map((c) => `${child}.${c.sqlName}`))
      .select(relation.association ? linkColumns.map((c, i) => sql.ref(`${linkAlias}.${c.sqlName}`).as(linkKeys[i]!)) : [])
      .select(own.map((c, i) => sql.ref(`${association}.${c.sqlName}`).as(`__v${i}`)))
      .where((eb) =>
        keys !== undefined
          ? inTuples(linkColumns.map((c) => `${linkAlias}.${c.sqlName}`), keys)
          : eb.and(linkColumns.map((c) => eb(`${linkAlias}.${c.sqlName}`, 'is not', null))),
      )
    const { query: joined, shape } = selectJoined(sqlCtx, source, node.children, child)
    let query = joined
    for (const item of orderItems(node.query.orderBy, relation.target)) {
      query = query.orderBy(`${item.link === true ? association : child}.${item.column.sqlName}`, item.direction)
    }
    return { query: withDecodedRows(ctx, query, relation.target, shape, [...linkColumns, ...own], columns), shape }
  }
  let rows: Record<string, unknown>[]
  let shape: RowShape
  if (ctx.statementCache !== undefined && keys !== undefined && keys.length <= CACHED_KEYS && plainLoad(node)) {
    // A lazy load: the statement depends on the relation and the number of keys only.
    rows = await ctx.statementCache.rows(ctx.db, `in|${relation.source.key}.${relation.name}|${keys.length}${columnsKey(relation.target, columns)}`, keys.flat(), [], () => build().query)
    shape = plainShape
  } else {
    const built = build()
    shape = built.shape
    rows = (await built.query.execute()) as Record<string, unknown>[]
  }
  const decoders = linkColumns.map((c) => ctx.hydrator.keyDecoder(c))
  const ownDecoders = own.map((c) => ctx.hydrator.keyDecoder(c))
  const entities = ctx.hydrator.fromRows(relation.target, rows, columns)
  const single = linkKeys.length === 1 ? linkKeys[0]! : undefined
  const joinedLevel = hasJoined(shape)
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!
    const entity = entities[r]!
    if (joinedLevel) hydrateRow(ctx, entity, row, shape)
    let id: unknown
    if (single !== undefined) {
      const raw = row[single]
      id = keyOfValue(decoders[0] === undefined ? raw : decoders[0](raw))
    } else {
      id = keyOfValues(linkKeys.map((k, i) => (decoders[i] === undefined ? row[k] : decoders[i]!(row[k]))))
    }
    const list = found.get(id)
    if (list === undefined) found.set(id, [entity])
    else list.push(entity)
    if (links !== undefined) {
      const values: Record<string, unknown> = {}
      for (let i = 0; i < own.length; i++) {
        const raw = row[`__v${i}`] ?? null
        values[own[i]!.property] = raw === null || ownDecoders[i] === undefined ? raw : ownDecoders[i]!(raw)
      }
      const known = links.get(id)
      if (known === undefined) links.set(id, [values])
      else known.push(values)
    }
  }
}

/** Lazy loads of up to so many parents reuse their statement; a longer list costs little to compile beside its rows. */
const CACHED_KEYS = 64

/** A relation loaded alone: no filter, order, page or relation under it. */
function plainLoad(node: LoadNode): boolean {
  const { query } = node
  return node.children.length === 0 && query.filters.length === 0 && query.orderBy.length === 0 && query.limit === undefined && query.offset === undefined
}

function isPaged(node: LoadNode): boolean {
  return node.query.limit !== undefined || node.query.offset !== undefined
}

export function aliasCounter(): () => string {
  let n = 0
  return () => `t${++n}`
}
