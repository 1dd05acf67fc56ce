/** `session.expunge()` and `session.merge()`: objects leaving a session, and objects from elsewhere copied onto the session's own. */
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { defineSchema, RelataError, StaleObjectError, t, table } from '../src/index.js'
import { emptyTables, normalizeSql } from './fixtures/unit-of-work.js'
import { schema as booksSchema } from './fixtures/books.js'
import { onStatement } from './support/statement-hook.js'

const owners = table('owners', {
  id: t.serial().primaryKey(),
  name: t.text(),
  city: t.text().nullable(),
})
/** Owned: cascade delete (so expunge cascades to them too). */
const pets = table('pets', {
  id: t.serial().primaryKey(),
  name: t.text(),
  ownerId: t.integer().references(() => owners.id),
})
/** Default cascade: expunge does not follow it. */
const toys = table('toys', {
  id: t.serial().primaryKey(),
  name: t.text(),
  ownerId: t.integer().nullable().references(() => owners.id),
})
const tags = table('tags', {
  id: t.serial().primaryKey(),
  label: t.text(),
})
const petTags = table('pet_tags', {
  petId: t.integer().primaryKey().references(() => pets.id, { onDelete: 'cascade' }),
  tagId: t.integer().primaryKey().references(() => tags.id, { onDelete: 'cascade' }),
})
const documents = table('documents', {
  id: t.serial().primaryKey(),
  title: t.text(),
  version: t.integer().version(),
})

const schema = defineSchema(
  { owners, pets, toys, tags, petTags, documents },
  ({ oneToMany, manyToOne, manyToMany }) => ({
    owners: {
      pets: oneToMany('pets', { backPopulates: 'owner', cascade: { delete: true, deleteOrphan: true } }),
      toys: oneToMany('toys', { backPopulates: 'owner' }),
    },
    pets: {
      owner: manyToOne('owners', { backPopulates: 'pets' }),
      tags: manyToMany('tags', { via: 'petTags', backPopulates: 'pets' }),
    },
    toys: { owner: manyToOne('owners', { backPopulates: 'toys' }) },
    tags: { pets: manyToMany('pets', { via: 'petTags', backPopulates: 'tags' }) },
  }),
  { casing: 'snake_case' },
)

describeEachDialect('session.expunge() and session.merge()', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const sql = () => normalizeSql(ctx.recorder.sql)
  const ownerRows = () => ctx.orm.db.selectFrom('owners').selectAll().orderBy('id').execute()
  const toyRows = () => ctx.orm.db.selectFrom('toys').selectAll().orderBy('id').execute()

  /** Ann with two pets and two toys, committed; ids returned. */
  async function seed() {
    const s = ctx.orm.session()
    const ann = s.create('owners', { name: 'Ann', city: 'Oslo' })
    const rex = s.create('pets', { name: 'Rex', owner: ann })
    const tom = s.create('pets', { name: 'Tom', owner: ann })
    const ball = s.create('toys', { name: 'Ball', owner: ann })
    const rope = s.create('toys', { name: 'Rope', owner: ann })
    const red = s.create('tags', { label: 'red' })
    rex.tags.add(red)
    await s.commit()
    ctx.recorder.clear()
    return { ann: ann.id, rex: rex.id, tom: tom.id, ball: ball.id, rope: rope.id, red: red.id }
  }

  test('expunge: the object leaves with its changes; flush writes nothing for it; get reads the row anew', async () => {
    const ids = await seed()
    const session = ctx.orm.session()
    const ann = (await session.get('owners', ids.ann))!
    ann.name = 'Changed'
    session.expunge(ann)
    ctx.recorder.clear()
    expect(await session.plan()).toEqual([])
    await session.commit()
    expect(sql()).toEqual([])
    expect((await ownerRows()).map((r) => r.name)).toEqual(['Ann'])

    // Detached: its values stay readable; relation loads and changes are refused.
    expect(ann.name).toBe('Changed')
    await expect(ann.toys.load()).rejects.toThrow(/owners\.toys cannot be loaded: the object is detached/)
    const toy = (await session.get('toys', ids.ball))!
    expect(() => ann.toys.add(toy)).toThrow(/the 'owners' object is detached/)
    expect(() => session.delete(ann)).toThrow(/detached/)
    expect(() => session.expunge(ann)).toThrow(/session\.expunge\(\): owners \(id \d+\) is not in this session \(it is detached\)/)

    // The identity map no longer returns it: get() reads the row into a new object.
    ctx.recorder.clear()
    const again = (await session.get('owners', ids.ann))!
    expect(sql()).toHaveLength(1)
    expect(again).not.toBe(ann)
    expect(again.name).toBe('Ann')
    expect(await session.get('owners', ids.ann)).toBe(again)
  })

  test('clear() inside a transaction, then a rollback: the objects let go stay detached; the rollback brings none of them back', async () => {
    const ids = await seed()
    const session = ctx.orm.session()
    const ann = (await session.get('owners', ids.ann))!
    const ball = (await session.get('toys', ids.ball))!
    let bob: { name: string } | undefined
    await expect(
      session.transaction(async () => {
        ann.name = 'Renamed'
        session.delete(ball)
        bob = session.create('owners', { name: 'Bob' })
        await session.flush()
        session.clear()
        throw new Error('give up')
      }),
    ).rejects.toThrow('give up')
    // The database as before the transaction; the session holds nothing of what it let go.
    expect((await ownerRows()).map((r) => r.name)).toEqual(['Ann'])
    expect((await toyRows()).map((r) => r.name)).toEqual(['Ball', 'Rope'])
    expect(() => session.delete(ball)).toThrow(/detached/)
    expect(() => session.delete(ann)).toThrow(/detached/)
    ctx.recorder.clear()
    const again = (await session.get('owners', ids.ann))!
    expect(sql()).toHaveLength(1)
    expect(again).not.toBe(ann)
    expect(again.name).toBe('Ann')
    expect(bob!.name).toBe('Bob')
    await session.commit()
    expect((await ownerRows()).map((r) => r.name)).toEqual(['Ann'])
  })

  test('expunge of a new object: transient again, never inserted, and can be added again', async () => {
    const session = ctx.orm.session()
    const bob = session.create('owners', { name: 'Bob' })
    session.expunge(bob)
    await session.commit()
    expect(await ownerRows()).toEqual([])
    expect(() => session.expunge(bob)).toThrow(/is not in this session \(it is transient\)/)
    session.add(bob)
    await session.commit()
    expect((await ownerRows()).map((r) => r.name)).toEqual(['Bob'])
  })

  test('expunge cascades along delete cascades (owned pets), not along the others (toys)', async () => {
    const ids = await seed()
    const session = ctx.orm.session()
    const ann = (await session.query('owners').where({ id: ids.ann }).with({ pets: true, toys: true }).one())
    const [rex] = ann.pets
    const [ball] = ann.toys
    rex!.name = 'Changed'
    ball!.name = 'Changed ball'
    session.expunge(ann)
    ctx.recorder.clear()
    await session.commit()
    // The pet's change left with it; the toy stayed in the session and is written.
    expect(sql()).toEqual([target.family === 'postgres' ? 'update "toys" set "name" = ? where "id" in (?)' : 'update "toys" set "name" = ? where "id" in (?)'])
    expect((await ctx.orm.db.selectFrom('pets').select('name').orderBy('id').execute()).map((r) => r.name)).toEqual(['Rex', 'Tom'])

    ctx.recorder.clear()
    expect(await session.get('toys', ids.ball)).toBe(ball)
    const rexAgain = (await session.get('pets', ids.rex))!
    expect(rexAgain).not.toBe(rex)
    // The toy's loaded owner was the expunged object: the relation loads the row anew.
    const owner = await ball!.owner!.load()
    expect(owner).not.toBe(ann)
    expect(owner!.id).toBe(ids.ann)
  })

  test('expunge refuses an unflushed relation change between a leaving object and one that stays, naming the relation', async () => {
    const ids = await seed()
    const session = ctx.orm.session()
    const ann = (await session.get('owners', ids.ann))!
    const toy = session.create('toys', { name: 'New' })
    ann.toys.add(toy)
    expect(() => session.expunge(toy)).toThrow(RelataError)
    expect(() => session.expunge(toy)).toThrow(/a new toys object has an unflushed change of toys\.owner involving owners \(id \d+\), which stays/)
    // A persistent object moved out of a collection that stays loaded.
    const ball = (await session.get('toys', ids.ball))!
    await ann.toys.load()
    ann.toys.remove(ball)
    expect(() => session.expunge(ball)).toThrow(/toys \(id \d+\) has an unflushed change of toys\.owner involving owners/)
    // Many-to-many: a link added to a tag that stays.
    const rex = (await session.get('pets', ids.rex))!
    const blue = session.create('tags', { label: 'blue' })
    rex.tags.add(blue)
    expect(() => session.expunge(blue)).toThrow(/a new tags object has an unflushed change of tags\.pets involving pets \(id \d+\)/)
    // Nothing was changed by the refusals: the flush writes every change.
    await session.commit()
    expect((await toyRows()).map((r) => [r.name, r.owner_id])).toEqual([['Ball', null], ['Rope', ids.ann], ['New', ids.ann]])
    expect(await ctx.orm.db.selectFrom('pet_tags').select(['pet_id', 'tag_id']).orderBy('tag_id').execute()).toEqual([
      { pet_id: ids.rex, tag_id: ids.red },
      { pet_id: ids.rex, tag_id: blue.id },
    ])
  })

  test('a collection that stays keeps its other unflushed changes when an expunged member unloads it', async () => {
    const ids = await seed()
    const session = ctx.orm.session()
    const ann = (await session.query('owners').where({ id: ids.ann }).with({ toys: true }).one())
    const ball = ann.toys.find((toy) => toy.name === 'Ball')!
    const toy = session.create('toys', { name: 'New' })
    ann.toys.add(toy)
    session.expunge(ball)
    expect(session.isLoaded(ann, 'toys')).toBe(false)
    const toys = await ann.toys.load()
    expect(toys.map((t) => t.name).sort()).toEqual(['Ball', 'New', 'Rope'])
    expect(toys).not.toContain(ball)
    await session.commit()
    expect((await toyRows()).map((r) => [r.name, r.owner_id])).toEqual([['Ball', ids.ann], ['Rope', ids.ann], ['New', ids.ann]])

    // Many-to-many: the links added and removed since the collection loaded stay changes.
    const rex = await session.query('pets').where({ id: ids.rex }).with({ tags: true }).one()
    const red = rex.tags[0]!
    const blue = session.create('tags', { label: 'blue' })
    const green = session.create('tags', { label: 'green' })
    rex.tags.add(blue)
    rex.tags.add(green)
    await session.commit()
    rex.tags.remove(green)
    const pink = session.create('tags', { label: 'pink' })
    rex.tags.add(pink)
    session.expunge(red)
    expect(session.isLoaded(rex, 'tags')).toBe(false)
    const tags = await rex.tags.load()
    expect(tags.map((t) => t.label).sort()).toEqual(['blue', 'pink', 'red'])
    await session.commit()
    const links = await ctx.orm.db.selectFrom('pet_tags').innerJoin('tags', 'tags.id', 'pet_tags.tag_id').select('tags.label').where('pet_tags.pet_id', '=', ids.rex).execute()
    expect(links.map((l) => l.label).sort()).toEqual(['blue', 'pink', 'red'])
  })

  test('expunge is refused while a flush runs, and an expunged object stays out when the transaction rolls back', async () => {
    const session = ctx.orm.session()
    const bob = session.create('owners', { name: 'Bob' })
    let error: unknown
    const unhook = onStatement(ctx.recorder, /^insert into "owners"/, () => {
      try {
        session.expunge(bob)
      } catch (e) {
        error = e
      }
    })
    try {
      await session.flush()
    } finally {
      unhook()
    }
    expect(String(error)).toContain('session.expunge(): a flush of this session is running')

    await expect(
      session.transaction(async () => {
        const cy = session.create('owners', { name: 'Cy' })
        await session.flush()
        session.expunge(cy)
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    ctx.recorder.clear()
    await session.commit()
    expect(sql()).toEqual([])
    expect((await ownerRows()).map((r) => r.name)).toEqual(['Bob'])
  })

  test('merge: another session\'s object onto this one\'s: the same object back, exactly the changed columns written', async () => {
    const ids = await seed()
    const session = ctx.orm.session()
    const mine = (await session.get('owners', ids.ann))!
    const other = ctx.orm.session()
    const theirs = (await other.get('owners', ids.ann))!
    theirs.city = 'Bergen'
    ctx.recorder.clear()
    const merged = await session.merge(theirs)
    expect(merged).toBe(mine)
    expect(sql()).toEqual([])
    expect(mine.city).toBe('Bergen')
    expect(mine.name).toBe('Ann')
    // The argument is left as it was, in its own session.
    expect(theirs.city).toBe('Bergen')
    expect(await other.get('owners', ids.ann)).toBe(theirs)
    await session.commit()
    expect(sql()).toEqual(['update "owners" set "city" = ? where "id" in (?)'])
    expect(await ownerRows()).toEqual([{ id: ids.ann, name: 'Ann', city: 'Bergen' }])
    // Unchanged values are not changes.
    ctx.recorder.clear()
    expect(await session.merge(theirs)).toBe(mine)
    await session.commit()
    expect(sql()).toEqual([])
  })

  test('merge of a detached object (after clear) reads the row, and its result is what get returns', async () => {
    const ids = await seed()
    const session = ctx.orm.session()
    const ann = (await session.get('owners', ids.ann))!
    session.clear()
    ann.name = 'Anna'
    ctx.recorder.clear()
    const merged = await session.merge(ann)
    expect(sql()).toHaveLength(1)
    expect(merged).not.toBe(ann)
    expect(await session.get('owners', ids.ann)).toBe(merged)
    expect(merged.name).toBe('Anna')
    // An object of this session is returned as it is.
    expect(await session.merge(merged)).toBe(merged)
    ctx.recorder.clear()
    await session.commit()
    expect(sql()).toEqual(['update "owners" set "name" = ? where "id" in (?)'])
    expect((await ownerRows()).map((r) => r.name)).toEqual(['Anna'])
  })

  test('merge of a built object: its key missing from the database is inserted; without a key it is new', async () => {
    const session = ctx.orm.session()
    const built = ctx.orm.build('owners', { id: 4242, name: 'Dora' })
    const merged = await session.merge(built)
    expect(merged).not.toBe(built)
    expect(session.isLoaded(merged, 'pets', 'toys')).toBe(true)
    const keyless = await session.merge(ctx.orm.build('owners', { name: 'Eve' }))
    await session.commit()
    expect((await ownerRows()).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { id: 4242, name: 'Dora', city: null },
      { id: keyless.id, name: 'Eve', city: null },
    ])
    expect(built.id).toBe(4242)
    expect(await session.get('owners', 4242)).toBe(merged)
  })

  test('merge of a built object with a key in the database: only the values it sets, its empty relations loaded rather than emptied', async () => {
    const ids = await seed()
    const session = ctx.orm.session()
    const merged = await session.merge(ctx.orm.build('owners', { id: ids.ann, name: 'Ann', city: 'Rome' }))
    expect(merged.toys.map((t) => t.name).sort()).toEqual(['Ball', 'Rope'])
    ctx.recorder.clear()
    await session.commit()
    expect(sql()).toEqual(['update "owners" set "city" = ? where "id" in (?)'])
    expect((await toyRows()).map((r) => r.owner_id)).toEqual([ids.ann, ids.ann])

    // A collection given is set: the toy left out is unlinked.
    const ball = ctx.orm.build('toys', { id: ids.ball, name: 'Ball' })
    const again = await session.merge(ctx.orm.build('owners', { id: ids.ann, name: 'Ann', toys: [ball] }))
    expect(again).toBe(merged)
    expect(again.toys.map((t) => t.name)).toEqual(['Ball'])
    await session.commit()
    expect((await toyRows()).map((r) => [r.name, r.owner_id])).toEqual([['Ball', ids.ann], ['Rope', null]])
  })

  test('merge of a graph with back-populated cycles: each object merged once, relations set to the session\'s objects', async () => {
    const ids = await seed()
    const loose = await ctx.orm.session().query('owners').where({ id: ids.ann }).with({ pets: { owner: true, tags: { pets: true } }, toys: true }).untracked().one()
    expect(loose.pets[0]!.owner).toBe(loose)
    loose.pets.find((p) => p.name === 'Tom')!.name = 'Thomas'
    loose.toys[0]!.name = loose.toys[0]!.name

    const session = ctx.orm.session()
    const rope = (await session.get('toys', ids.rope))!
    ctx.recorder.clear()
    const ann = await session.merge(loose)
    expect(ann).toBe(await session.get('owners', ids.ann))
    expect(ann).not.toBe(loose)
    expect(ann.pets.map((p) => p.name).sort()).toEqual(['Rex', 'Thomas'])
    for (const pet of ann.pets) expect(pet.owner).toBe(ann)
    expect(ann.toys).toContain(rope)
    const rex = ann.pets.find((p) => p.name === 'Rex')!
    expect(rex.tags[0]!.pets).toContain(rex)
    expect(await session.get('pets', ids.rex)).toBe(rex)
    // The source graph is untouched.
    expect(loose.pets.map((p) => p.name).sort()).toEqual(['Rex', 'Thomas'])
    expect(loose.pets[0]!.owner).toBe(loose)

    ctx.recorder.clear()
    await session.commit()
    expect(sql()).toEqual(['update "pets" set "name" = ? where "id" in (?)'])
  })

  test('merge of a collection loaded partially adds its members and keeps the others', async () => {
    const ids = await seed()
    const loose = await ctx.orm.session().query('owners').where({ id: ids.ann }).with({ toys: (q) => q.where('name', '=', 'Ball') }).untracked().one()
    expect(loose.toys.map((t) => t.name)).toEqual(['Ball'])
    loose.toys[0]!.name = 'Big ball'
    const session = ctx.orm.session()
    const ann = await session.merge(loose)
    expect(session.isPartial(ann, 'toys')).toBe(false)
    expect(ann.toys.map((t) => t.name).sort()).toEqual(['Big ball', 'Rope'])
    ctx.recorder.clear()
    await session.commit()
    expect(sql()).toEqual(['update "toys" set "name" = ? where "id" in (?)'])
    expect((await toyRows()).map((r) => [r.name, r.owner_id])).toEqual([['Big ball', ids.ann], ['Rope', ids.ann]])
  })

  test('a merge that fails changes nothing; two sources of one new row make one object', async () => {
    const ids = await seed()
    const loose = await ctx.orm.session().query('owners').where({ id: ids.ann }).with({ pets: true }).untracked().one()
    loose.name = 'Changed'
    const session = ctx.orm.session()
    const ann = (await session.get('owners', ids.ann))!
    session.delete((await session.get('pets', ids.tom))!)
    await expect(session.merge(loose)).rejects.toThrow(/session\.merge\(\): pets \(id \d+\) is marked for deletion in this session/)
    expect(ann.name).toBe('Ann')
    expect((await session.plan()).map((step) => `${step.operation} ${step.table}`)).toEqual(['purgeLinks pet_tags', 'delete pets'])
    await session.rollback()

    const first = ctx.orm.build('toys', { id: 901, name: 'first' })
    const second = ctx.orm.build('toys', { id: 901, name: 'second' })
    const owner = await session.merge(ctx.orm.build('owners', { id: 902, name: 'Gus', toys: [first, second] }))
    expect(owner.toys).toHaveLength(1)
    expect(owner.toys[0]!.name).toBe('second')
    await session.commit()
    expect((await toyRows()).filter((r) => r.id === 901)).toEqual([{ id: 901, name: 'second', owner_id: 902 }])
  })

  test('merge of a stale versioned object is refused with a StaleObjectError', async () => {
    const s = ctx.orm.session()
    const doc = s.create('documents', { title: 'Draft' })
    await s.commit()
    const old = await ctx.orm.session().query('documents').where({ id: doc.id }).untracked().one()
    doc.title = 'Second'
    await s.commit()
    old.title = 'Lost update'
    const session = ctx.orm.session()
    await expect(session.merge(old)).rejects.toThrow(StaleObjectError)
    await expect(session.merge(old)).rejects.toThrow(/documents \(id \d+\) has version 2 in this session, the merged object 1/)
    const fresh = await ctx.orm.session().query('documents').where({ id: doc.id }).untracked().one()
    fresh.title = 'Third'
    expect((await session.merge(fresh)).title).toBe('Third')
    await session.commit()
    expect(await ctx.orm.db.selectFrom('documents').select(['title', 'version']).execute()).toEqual([{ title: 'Third', version: 3 }])
  })
})

const boxes = table('boxes', { id: t.serial().primaryKey(), label: t.text() })
const parts = table('parts', { id: t.serial().primaryKey(), label: t.text() })
const boxParts = table('box_parts', {
  boxId: t.integer().primaryKey().references(() => boxes.id, { onDelete: 'cascade' }),
  partId: t.integer().primaryKey().references(() => parts.id, { onDelete: 'cascade' }),
})
/** A many-to-many that cascades deletes: expunge follows it, and takes the links between leaving objects along. */
const kits = defineSchema({ boxes, parts, boxParts }, ({ manyToMany }) => ({
  boxes: { parts: manyToMany('parts', { via: 'boxParts', backPopulates: 'boxes', cascade: { delete: true } }) },
  parts: { boxes: manyToMany('boxes', { via: 'boxParts', backPopulates: 'parts' }) },
}), { casing: 'snake_case' })

describeEachDialect('session.expunge() along a many-to-many', (target) => {
  const ctx = target.setup(kits)

  test('links between leaving objects leave with them; a link to an object that stays is refused', async () => {
    const session = ctx.orm.session()
    const box = session.create('boxes', { label: 'new box' })
    box.parts.add(session.create('parts', { label: 'new part' }))
    session.expunge(box)
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])

    const kept = session.create('boxes', { label: 'kept' })
    const [bolt, nut] = [session.create('parts', { label: 'bolt' }), session.create('parts', { label: 'nut' })]
    kept.parts.add(bolt)
    kept.parts.add(nut)
    await session.commit()
    kept.parts.remove(nut)
    expect(() => session.expunge(kept)).toThrow(/boxes \(id \d+\) has an unflushed change of boxes\.parts involving parts \(id \d+\), which stays/)
    kept.parts.add(nut)
    // Its parts leave with it (the relation cascades deletes).
    session.expunge(kept)
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
    expect(await ctx.orm.db.selectFrom('box_parts').select(['box_id', 'part_id']).orderBy('part_id').execute()).toEqual([
      { box_id: kept.id, part_id: bolt.id },
      { box_id: kept.id, part_id: nut.id },
    ])
    const nutAgain = (await session.get('parts', nut.id))!
    expect(nutAgain).not.toBe(nut)
    const [keptAgain] = await nutAgain.boxes.load()
    expect(keptAgain!.label).toBe('kept')
    expect(keptAgain).not.toBe(kept)
  })
})

describeEachDialect('README: expunge, merge and JSON', (target) => {
  const ctx = target.setup(booksSchema)

  test('an edit from another request merged; an author as JSON', async () => {
    const orm = ctx.orm
    const seeding = orm.session()
    const ann = seeding.create('authors', { name: 'Ann' })
    seeding.create('books', { title: 'B', author: ann })
    await seeding.commit()
    const id = ann.id
    {
      // One request read the author and its books; a later one applies the user's edit in its own session.
      const edited = await orm.session().query('authors').where({ id }).with({ books: true }).untracked().one()
      edited.name = 'Ann B.'
      const session = orm.session()
      const author = await session.merge(edited)   // the session's own object: from the identity map, or read
      ctx.recorder.clear()
      await session.commit()                       // UPDATE authors SET name = ?: only what differs
      expect(normalizeSql(ctx.recorder.sql)).toEqual(['update "authors" set "name" = ? where "id" in (?)'])
      expect(author).not.toBe(edited)
      expect(author.books.map((b) => b.title)).toEqual(['B'])
    }
    {
      const session = orm.session()
      const author = await session.query('authors').where({ id }).with({ books: { author: true } }).one()
      JSON.stringify(author)   // {"id":1,"name":"Ann","books":[{"id":3,"title":"B","authorId":1,"author":1}]}
      const bookId = author.books[0]!.id
      expect(JSON.parse(JSON.stringify(author))).toEqual({ id, name: 'Ann B.', books: [{ id: bookId, title: 'B', authorId: id, author: id }] })
    }
  })
})
