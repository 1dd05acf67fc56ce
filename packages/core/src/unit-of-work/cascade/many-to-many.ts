/**
 * Cascades of a many-to-many: deleting the owner removes its link rows and, when the relation
 * cascades deletes, the objects it links to; an object unlinked from a relation that deletes
 * orphans (single parent) is deleted.
 */
import { RelataError } from '../../errors.js'
import type { AssociationModel, RelationModel } from '../../schema/model.js'
import { isPartial, stateOf } from '../../tracking/entity-state.js'
import type { LinkRecord } from '../link-records.js'
import type { CascadeKind, CascadeRun } from './cascade-run.js'
import { loadedMembers } from './members.js'

export const manyToMany: CascadeKind = {
  async ownerDeleted(run, owner, state, relation) {
    const association = relation.association!
    if (relation.cascade.delete) {
      // The objects must be known to be deleted, so the collection is read even when `passive` leaves the link rows to the database.
      const slot = state.relations?.[relation.name]
      // A collection loaded partially (filtered or limited) is read whole, as an unloaded one is.
      if ((!slot?.loaded || isPartial(slot)) && state.status !== 'pending') await run.source.load(owner, relation)
      for (const target of loadedMembers(owner, relation)) {
        run.delete(target)
        run.purgeLinks(association.targetKey, target)
      }
    }
    if (!relation.cascade.passive || run.replaced(owner)) run.purgeLinks(association.sourceKey, owner)
  },
}

const orphanRelations = new WeakMap<AssociationModel, readonly RelationModel[]>()

/** The many-to-many relations over `association`'s table that delete orphans, from either end. */
function orphanDeleting(association: AssociationModel): readonly RelationModel[] {
  let relations = orphanRelations.get(association)
  if (relations === undefined) {
    const ends = new Set([association.sourceKey.references, association.targetKey.references])
    relations = [...ends].flatMap((t) => [...t.relations.values()]).filter((r) => r.association?.table === association.table && r.cascade.deleteOrphan)
    orphanRelations.set(association, relations)
  }
  return relations
}

/** Which end of a link is `relation`'s owner, and which its object. */
function ends(link: LinkRecord, relation: RelationModel): { owner: object; member: object } {
  return link.association.sourceKey === relation.association!.sourceKey ? { owner: link.source, member: link.target } : { owner: link.target, member: link.source }
}

/** Deletes the objects unlinked from a relation that deletes orphans, unless linked to another owner through it in the same flush. */
export function linkOrphans(run: CascadeRun, links: readonly LinkRecord[]): void {
  let added: Map<RelationModel, Set<object>> | undefined
  for (const link of links) {
    if (link.change !== 'remove') continue
    for (const relation of orphanDeleting(link.association)) {
      const { member } = ends(link, relation)
      if (run.entities.has(member)) continue
      added ??= addedMembers(links)
      if (added.get(relation)?.has(member)) continue
      run.delete(member)
      run.purgeLinks(relation.association!.targetKey, member)
    }
  }
}

/** The objects each orphan-deleting relation gains a link to in this flush. */
function addedMembers(links: readonly LinkRecord[]): Map<RelationModel, Set<object>> {
  const added = new Map<RelationModel, Set<object>>()
  for (const link of links) {
    if (link.change !== 'add') continue
    for (const relation of orphanDeleting(link.association)) {
      let members = added.get(relation)
      if (members === undefined) added.set(relation, (members = new Set()))
      members.add(ends(link, relation).member)
    }
  }
  return added
}

/** A single-parent many-to-many links an object to one owner at most: a second link fails the flush before any SQL. */
export function checkSingleParentLinks(links: readonly LinkRecord[]): void {
  const owners = new Map<RelationModel, Map<object, object>>()
  for (const link of links) {
    if (link.change !== 'add') continue
    for (const relation of singleParentRelations(link.association)) {
      const { owner, member } = ends(link, relation)
      let byMember = owners.get(relation)
      if (byMember === undefined) owners.set(relation, (byMember = new Map()))
      const other = byMember.get(member)
      // The member's side of the pair, when loaded, shows owners linked before this flush.
      const mirror = relation.backPopulates === undefined ? undefined : relation.target.relations.get(relation.backPopulates)
      const known = mirror === undefined ? [] : loadedMembers(member, mirror)
      if ((other !== undefined && other !== owner) || known.some((o) => o !== owner)) {
        throw new RelataError(
          `${relation.source.key}.${relation.name} allows a single parent: this ${stateOf(member)!.table.key} object would be linked to two ${relation.source.key} objects; remove it from the other first`,
        )
      }
      byMember.set(member, owner)
    }
  }
}

const singleParents = new WeakMap<AssociationModel, readonly RelationModel[]>()

function singleParentRelations(association: AssociationModel): readonly RelationModel[] {
  let relations = singleParents.get(association)
  if (relations === undefined) {
    const ends = new Set([association.sourceKey.references, association.targetKey.references])
    relations = [...ends].flatMap((t) => [...t.relations.values()]).filter((r) => r.association?.table === association.table && r.singleParent)
    singleParents.set(association, relations)
  }
  return relations
}
