/** What reading or assigning `entity.relation` does: the loaded value, or a handle that can load or change it. */
import { RelataError } from '../errors.js'
import type { RelationModel } from '../schema/model.js'
import { relationChanges } from './relation-changes.js'
import { stateOf, type EntityState } from './entity-state.js'
import { splitLinkValues } from './relation-array.js'
import { countRelation } from './relation-count.js'

function describe(entity: object, state: EntityState): string {
  const key = state.table.primaryKey.map((c) => `${c.property}=${String((entity as Record<string, unknown>)[c.property])}`).join(', ')
  return `${state.table.key}(${key})`
}

function attachedState(entity: object, relation: RelationModel): EntityState {
  const state = stateOf(entity)
  if (state === undefined) throw new RelataError(`${relation.source.key}.${relation.name}: the object is not an entity`)
  return state
}

/** A variable name for one row of a table key, for the code an error message suggests: `categories` → `category`, `addresses` → `address`. */
const singular = (key: string): string =>
  key.endsWith('ies') ? `${key.slice(0, -3)}y` : /(?:ss|x|ch|sh)es$/.test(key) ? key.slice(0, -2) : key.endsWith('s') && !key.endsWith('ss') ? key.slice(0, -1) : key

/** The error for reading a relation that is not loaded: names it and shows both ways to load it. */
export function notLoadedError(entity: object, state: EntityState, relation: RelationModel, property: PropertyKey): RelataError {
  const variable = singular(relation.source.key)
  return new RelataError(
    `${relation.source.key}.${relation.name} is not loaded on ${describe(entity, state)} (read '${String(property)}'): ` +
      `load it with \`await ${variable}.${relation.name}.load()\` or \`await session.load(${variable}, '${relation.name}')\`, ` +
      `or eagerly with \`session.query('${relation.source.key}').with({ ${relation.name}: true })\``,
  )
}

function load(entity: object, state: EntityState, relation: RelationModel): Promise<unknown> {
  if (state.session !== undefined) return state.session.loadRelation(entity, relation)
  const reason =
    state.status === 'detached'
      ? `is detached (the result of an untracked query): name ${relation.name} in the query's .with() to load it`
      : `does not belong to a session: add it to one to load ${relation.name}`
  return Promise.reject(new RelataError(`${describe(entity, state)} ${reason}`))
}

export function readRelation(entity: object, relation: RelationModel): unknown {
  const state = attachedState(entity, relation)
  const slot = state.slot(relation.name)
  if (slot.loaded) return slot.value
  return (slot.handle ??= unloadedHandle(entity, state, relation))
}

export function writeRelation(entity: object, relation: RelationModel, value: unknown): void {
  relationChanges.assign(entity, attachedState(entity, relation), relation, value)
}

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/**
 * A handle for an unloaded relation: `load()` and the change methods work, anything that reads
 * the related objects throws an error that says how to load them.
 */
function unloadedHandle(entity: object, state: EntityState, relation: RelationModel): object {
  const label = `[${relation.toOne ? 'Reference' : 'Collection'} ${relation.source.key}.${relation.name} (not loaded)]`
  const change = (kind: 'add' | 'remove' | 'set', items: readonly object[], values?: Record<string, unknown>) =>
    relationChanges.change(entity, state, relation, kind, items, values)
  const methods: Record<PropertyKey, unknown> = relation.toOne
    ? {
        load: () => load(entity, state, relation),
        set: (value: unknown) => relationChanges.assign(entity, state, relation, value),
      }
    : {
        load: () => load(entity, state, relation),
        count: () => countRelation(entity, state, relation),
        add: (...items: object[]) => change('add', ...splitLinkValues(items)),
        remove: (...items: object[]) => change('remove', items),
        set: (items: readonly object[]) => change('set', items),
        clear: () => change('set', []),
      }
  methods[inspectSymbol] = () => label
  methods[Symbol.toPrimitive] = () => label
  methods.toJSON = () => undefined
  methods.toString = () => label
  return new Proxy(methods, {
    get(target, property) {
      if (property in target) return target[property]
      // Not a thenable: `await entity.relation` must not hang or silently resolve to the handle.
      if (property === 'then') return undefined
      throw notLoadedError(entity, state, relation, property)
    },
    has(target, property) {
      return property in target
    },
  })
}
