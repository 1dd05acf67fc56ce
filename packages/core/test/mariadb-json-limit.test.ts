import { expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { defineSchema, t, table } from '../src/index.js'

const parents = table('parent', { id: t.serial().primaryKey() })
const children = table('child', { id: t.serial().primaryKey(), parentId: t.integer().references(() => parents.id), note: t.varchar(200) })
const schema = defineSchema({ parents, children }, ({ oneToMany, manyToOne }) => ({
  parents: { children: oneToMany('children', { backPopulates: 'parent' }) },
  children: { parent: manyToOne('parents', { backPopulates: 'children' }) },
}), { casing: 'snake_case' })

describeEachDialect('join loading of a collection larger than 1 MiB of JSON', (target) => {
  const ctx = target.setup(schema)
  test('every child arrives, as with selectIn', async () => {
    await ctx.orm.db.insertInto('parent').values({ id: 1 }).execute()
    const rows = Array.from({ length: 6000 }, (_, i) => ({ parent_id: 1, note: 'x'.repeat(180) + i }))
    for (let i = 0; i < rows.length; i += 2000) await ctx.orm.db.insertInto('child').values(rows.slice(i, i + 2000)).execute()
    const joined = await ctx.orm.session().query('parents').with({ children: 'join' }).one()
    const selected = await ctx.orm.session().query('parents').with({ children: 'selectIn' }).one()
    expect(joined.children).toHaveLength(6000)
    expect(joined.children.map((c) => c.note)).toEqual(selected.children.map((c) => c.note))
  })
})
