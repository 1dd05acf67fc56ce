/** Reads the JSON of join-loaded relations out of a row (or an enclosing JSON object) into entities. */
import { RelataError } from '../errors.js'
import type { RelationModel } from '../schema/model.js'
import { loadedColumns } from '../query/column-subsets.js'
import { assignRelation } from './assign.js'
import { relationKey } from './join-strategy.js'
import type { LoadContext } from './load-context.js'
import { isPartialLoad, type LoadNode } from './load-plan.js'

export function hydrateJoined(ctx: LoadContext, entity: object, row: Record<string, unknown>, children: readonly LoadNode[], prefix = ''): void {
  for (const node of children) {
    if (node.strategy !== 'join') continue
    let raw = row[prefix + relationKey(node.relation)]
    // MariaDB (and a driver that does not parse json) hands the aggregate over as text.
    if (typeof raw === 'string') raw = parseJoined(node.relation, raw)
    const target = node.relation.target
    const items = raw === null || raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
    const entities = new Array<object>(items.length)
    const columns = loadedColumns(node.query)
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as Record<string, unknown>
      const child = ctx.hydrator.fromJson(target, item, columns)
      hydrateJoined(ctx, child, item, node.children)
      entities[i] = child
    }
    assignRelation(ctx, entity, node.relation, entities, isPartialLoad(node))
  }
}

/** MariaDB cuts a `JSON_ARRAYAGG` longer than `max_allowed_packet` (16 MiB by default), leaving text that is not JSON. */
function parseJoined(relation: RelationModel, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new RelataError(
      `${relation.source.key}.${relation.name}: the join-loaded rows of one ${relation.source.key} came back cut off at ${text.length} bytes of JSON ` +
        `(more than the server aggregates into one value: MariaDB's max_allowed_packet); load this relation with selectIn: .with({ ${relation.name}: 'selectIn' })`,
    )
  }
}
