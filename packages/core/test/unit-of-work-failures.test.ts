/** Failures: a statement failing mid-flush, invalid values, optimistic locking, transactions and savepoints. */
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { FlushError, RelataError, StaleObjectError } from '../src/index.js'
import { emptyTables, normalizeSql, schema } from './fixtures/unit-of-work.js'
import { failure, inside } from './support/session-state.js'

describeEachDialect('unit of work: failures', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const table = (name: 'owners' | 'pets' | 'toys' | 'documents') => ctx.orm.db.selectFrom(name as 'owners').selectAll().orderBy('id').execute()

  test('a unique violation in the middle of a multi-table flush: nothing written, the session as before, a retry succeeds', async () => {
    const session = ctx.orm.session()
    const ann = session.create('owners', { name: 'Ann' })
    const rex = session.create('pets', { name: 'Rex', chip: 'X1', owner: ann })
    const ball = session.create('toys', { name: 'ball', owner: ann })
    await session.commit()
    const before = { owners: await table('owners'), pets: await table('pets'), toys: await table('toys') }

    // Updates, inserts into three tables (the second fails), deletes.
    ann.name = 'Ann B'
    rex.name = 'Rex B'
    const cy = session.create('owners', { name: 'Cy' })
    const fido = session.create('pets', { name: 'Fido', chip: 'X2', owner: cy })
    const clone = session.create('pets', { name: 'Clone', chip: 'X1', owner: cy })
    const kite = session.create('toys', { name: 'kite', owner: cy })
    ball.owner = cy
    session.delete(rex)
    const plan = await session.plan()
    expect(plan).toEqual([
      { operation: 'insert', table: 'owners', rows: 1 },
      { operation: 'insert', table: 'pets', rows: 2 },
      { operation: 'insert', table: 'toys', rows: 1 },
      { operation: 'update', table: 'owners', rows: 1, columns: ['name'] },
      { operation: 'update', table: 'toys', rows: 1, columns: ['owner_id'] },
      { operation: 'delete', table: 'pets', rows: 1 },
    ])
    const objects = [ann, rex, ball, cy, fido, clone, kite]
    const memory = objects.map(inside)
    expect(memory.slice(3).map((m) => m.status)).toEqual(['pending', 'pending', 'pending', 'pending'])
    ctx.recorder.clear()

    const error = await failure(session.flush())
    expect(error).toBeInstanceOf(FlushError)
    expect(error).toMatchObject({ table: 'pets', constraint: 'pets_chip_key' })
    const dbMessage = target.family === 'postgres' ? 'duplicate key value violates unique constraint "pets_chip_key"' : "Duplicate entry 'X1' for key 'pets_chip_key'"
    expect(error.message).toContain(`Flush failed while inserting 2 'pets' row(s) in table pets, constraint pets_chip_key: ${dbMessage}`)
    expect(error.message).toMatch(/The transaction was rolled back; the session is as it was before the flush\.$/)
    expect((error as FlushError).cause).toBeDefined()
    // The owners insert ran (and was rolled back); the statements after the failing one did not run.
    const written = normalizeSql(ctx.recorder.sql).filter((s) => !s.startsWith('select'))
    expect(written.map((s) => s.split(' (')[0])).toEqual(['insert into "owners"', 'insert into "pets"'])

    // Nothing was written.
    expect({ owners: await table('owners'), pets: await table('pets'), toys: await table('toys') }).toEqual(before)
    // The session is exactly as it was: statuses, snapshots, values (no keys assigned), the plan.
    expect(objects.map(inside)).toEqual(memory)
    expect(cy.id).toBeUndefined()
    expect(fido.id).toBeUndefined()
    expect(fido.ownerId).toBeUndefined()
    expect(await session.plan()).toEqual(plan)
    expect(await session.get('pets', rex.id)).toBe(rex)

    // Fixed, the same flush succeeds.
    clone.chip = 'X3'
    await session.commit()
    expect(await table('owners')).toEqual([
      { id: ann.id, name: 'Ann B' },
      { id: cy.id, name: 'Cy' },
    ])
    expect(await table('pets')).toEqual([
      { id: fido.id, name: 'Fido', chip: 'X2', owner_id: cy.id },
      { id: clone.id, name: 'Clone', chip: 'X3', owner_id: cy.id },
    ])
    expect(await table('toys')).toEqual([
      { id: ball.id, name: 'ball', owner_id: cy.id },
      { id: kite.id, name: 'kite', owner_id: cy.id },
    ])
    expect(fido.id).toBe(clone.id - 1)
    expect(inside(cy).status).toBe('persistent')
    expect(inside(rex).status).toBe('detached')
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
  })

  test('a failing flush inside a transaction rolls back to its savepoint; the transaction goes on and commits', async () => {
    await ctx.orm.transaction(async (session) => {
      const ann = session.create('owners', { name: 'Ann' })
      await session.flush()
      const dup = session.create('owners', { name: 'Ann' })
      const pet = session.create('pets', { name: 'Rex', owner: dup })
      const error = await failure(session.flush())
      expect(error).toMatchObject({ name: 'FlushError', table: 'owners', constraint: 'owners_name_key' })
      expect(dup.id).toBeUndefined()
      dup.name = 'Bob'
      await session.flush()
      expect(pet.ownerId).toBe(dup.id)
      expect(dup.id).toBeGreaterThan(ann.id)
    })
    expect((await table('owners')).map((r) => r.name)).toEqual(['Ann', 'Bob'])
    expect((await table('pets')).map((r) => r.name)).toEqual(['Rex'])
  })

  test('invalid values raise at create() before any SQL', async () => {
    const session = ctx.orm.session()
    expect(() => session.create('owners', { name: null as never })).toThrow(new RelataError('owners.name (owners.name) cannot be null'))
    expect(() => session.create('owners', { nme: 'Ann' } as never)).toThrow(
      new RelataError("create('owners', ...): 'nme' is neither a column nor a relation of 'owners' (columns: id, name)"),
    )
    expect(() => session.create('owners', { name: 5 as never })).toThrow(
      new RelataError('owners.name (owners.name) expects a string of at most 60 characters, got 5'),
    )
    expect(() => session.create('owners', { name: 'x'.repeat(61) })).toThrow(/owners\.name \(owners\.name\) expects a string of at most 60 characters, got "x{40}…"/)
    expect(() => session.create('pets', { name: 'Rex', ownerId: '1' as never })).toThrow(new RelataError('pets.ownerId (pets.owner_id) expects an integer number from -2147483648 to 2147483647, got "1"'))
    expect(() => ctx.orm.build('owners', { name: 1.5 as never })).toThrow(RelataError)
    expect(() => session.create('pets', { name: 'Rex', owner: { name: 'plain' } as never })).toThrow(/pets\.owner takes objects of 'owners', got object/)
    expect(() => session.create('nope' as never, {} as never)).toThrow(/'nope' is not a table of this schema/)
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
    expect(await table('owners')).toEqual([])
  })

  test('invalid values raise at flush() before any SQL, and nothing is written', async () => {
    const session = ctx.orm.session()
    const ann = session.create('owners', { name: 'Ann' })
    const pet = session.create('pets', { name: 'Rex', owner: ann })
    await session.commit()
    ctx.recorder.clear()

    // A new object missing a required column (possible only by going around the types).
    const nameless = ctx.orm.build('pets', { owner: ann } as never)
    session.add(nameless)
    const fresh = session.create('owners', { name: 'Cy' })
    await expect(session.flush()).rejects.toThrow(new RelataError('pets.name (pets.name) is required: a new pets object has no value for it'))
    session.delete(nameless)

    // Changed values of the wrong type or null into NOT NULL, on new and loaded objects.
    ;(fresh as { name: unknown }).name = null
    await expect(session.flush()).rejects.toThrow(new RelataError('owners.name (owners.name) cannot be null'))
    fresh.name = 'Cy'
    ;(pet as { name: unknown }).name = 42
    await expect(session.flush()).rejects.toThrow(new RelataError('pets.name (pets.name) expects a string, got 42'))
    ;(pet as { name: unknown }).name = null
    await expect(session.flush()).rejects.toThrow(new RelataError('pets.name (pets.name) cannot be null'))
    ;(pet as { chip: unknown }).chip = new Date(0)
    pet.name = 'Rex'
    await expect(session.flush()).rejects.toThrow(new RelataError('pets.chip (pets.chip) expects a string of at most 20 characters, got Date(1970-01-01T00:00:00.000Z)'))
    expect(ctx.recorder.sql).toEqual([])
    expect(await table('owners')).toEqual([{ id: ann.id, name: 'Ann' }])
    expect(await table('pets')).toEqual([{ id: pet.id, name: 'Rex', chip: null, owner_id: ann.id }])

    pet.chip = 'X9'
    await session.commit()
    expect(await table('pets')).toEqual([{ id: pet.id, name: 'Rex', chip: 'X9', owner_id: ann.id }])
    expect(await table('owners')).toEqual([
      { id: ann.id, name: 'Ann' },
      { id: fresh.id, name: 'Cy' },
    ])
  })

  test('optimistic locking: the version is checked and incremented; a lost update raises StaleObjectError', async () => {
    const setup = ctx.orm.session()
    const doc = setup.create('documents', { title: 'Draft' })
    const other = setup.create('documents', { title: 'Other' })
    await setup.commit()
    expect(doc.version).toBe(1)

    const alice = ctx.orm.session()
    const bob = ctx.orm.session()
    const a = (await alice.get('documents', doc.id))!
    const b = (await bob.get('documents', doc.id))!
    b.title = 'Bob was here'
    ctx.recorder.clear()
    await bob.commit()
    expect(normalizeSql(ctx.recorder.sql)).toEqual(['update "documents" set "title" = ?, "version" = "version" + 1 where ("id" = ? and "version" = ?)'])
    expect(ctx.recorder.queries[0]!.parameters).toEqual(['Bob was here', doc.id, 1])
    expect(b.version).toBe(2)

    // Alice's flush also inserts a row: all of it is rolled back.
    a.body = 'Alice edits'
    const extra = alice.create('documents', { title: 'Extra' })
    const memory = [a, extra].map(inside)
    const error = await failure(alice.flush())
    expect(error).toBeInstanceOf(StaleObjectError)
    expect(error.message).toBe(
      `documents: 1 of 1 row(s) to update were changed or deleted by someone else since they were loaded (version check on documents.version): documents id=${doc.id}; nothing of this flush was written`,
    )
    expect([a, extra].map(inside)).toEqual(memory)
    expect(await table('documents')).toEqual([
      { id: doc.id, title: 'Bob was here', body: null, version: 2 },
      { id: other.id, title: 'Other', body: null, version: 1 },
    ])

    // Alice starts over from the current row.
    await alice.rollback()
    const again = ctx.orm.session()
    const fresh = (await again.get('documents', doc.id))!
    fresh.body = 'Alice edits'
    await again.commit()
    expect(fresh.version).toBe(3)

    // A stale delete is refused as well.
    const carol = ctx.orm.session()
    const dave = ctx.orm.session()
    const c = (await carol.get('documents', other.id))!
    const d = (await dave.get('documents', other.id))!
    d.title = 'Other 2'
    await dave.commit()
    carol.delete(c)
    const stale = await failure(carol.flush())
    expect(stale).toBeInstanceOf(StaleObjectError)
    expect(stale.message).toBe(
      `documents: 1 of 1 row(s) to delete were changed or deleted by someone else since they were loaded (version check on documents.version): documents id=${other.id}; nothing of this flush was written`,
    )
    expect(await table('documents')).toEqual([
      { id: doc.id, title: 'Bob was here', body: 'Alice edits', version: 3 },
      { id: other.id, title: 'Other 2', body: null, version: 2 },
    ])
  })

  test('orm.transaction(): committed when the function returns, rolled back when it throws', async () => {
    const result = await ctx.orm.transaction(async (session) => {
      session.create('owners', { name: 'Ann' })
      return 'done'
    })
    expect(result).toBe('done')
    expect((await table('owners')).map((r) => r.name)).toEqual(['Ann'])

    let created: { id: number } | undefined
    const error = await failure(
      ctx.orm.transaction(async (session) => {
        created = session.create('owners', { name: 'Bob' })
        await session.flush()
        expect(created.id).toBeTypeOf('number')
        // Visible inside the transaction...
        expect((await session.query('owners').orderBy('id').all()).map((o) => o.name)).toEqual(['Ann', 'Bob'])
        throw new Error('boom')
      }),
    )
    expect(error.message).toBe('boom')
    // ...and gone after it.
    expect((await table('owners')).map((r) => r.name)).toEqual(['Ann'])
    expect(inside(created!).status).not.toBe('persistent')
  })

  test('nested transactions use savepoints: an inner rollback leaves the outer transaction to commit', async () => {
    await ctx.orm.transaction(async (session) => {
      const ann = session.create('owners', { name: 'Ann' })
      const inner = await failure(
        session.transaction(async () => {
          ann.name = 'Ann (inner)'
          const bob = session.create('owners', { name: 'Bob' })
          session.create('pets', { name: 'Rex', owner: bob })
          await session.flush()
          expect(bob.id).toBeTypeOf('number')
          throw new Error('inner failure')
        }),
      )
      expect(inner.message).toBe('inner failure')
      // The inner changes are undone in memory too.
      expect(ann.name).toBe('Ann')
      expect(await session.query('owners').count()).toBe(1)
      expect(await session.query('pets').count()).toBe(0)
      expect(await session.query('owners').where({ name: 'Bob' }).first()).toBeUndefined()

      // A nested transaction that succeeds is kept.
      await session.transaction(async () => {
        session.create('owners', { name: 'Cy' })
      })
      ann.name = 'Ann (outer)'
    })
    expect((await table('owners')).map((r) => r.name)).toEqual(['Ann (outer)', 'Cy'])
    expect(await table('pets')).toEqual([])
  })

  test('an outer rollback undoes what committed savepoints wrote, in the database and in memory', async () => {
    const session = ctx.orm.session()
    const ann = session.create('owners', { name: 'Ann' })
    const toy = session.create('toys', { name: 'ball', owner: ann })
    await session.commit()
    let cy: { id: number } | undefined
    const error = await failure(
      session.transaction(async () => {
        await session.transaction(async () => {
          ann.name = 'Ann 2'
          cy = session.create('owners', { name: 'Cy' })
          toy.owner = cy as typeof ann
        })
        session.delete(toy)
        await session.flush()
        expect(await session.get('toys', toy.id)).toBeUndefined()
        throw new Error('outer failure')
      }),
    )
    expect(error.message).toBe('outer failure')
    expect(await table('owners')).toEqual([{ id: ann.id, name: 'Ann' }])
    expect(await table('toys')).toEqual([{ id: toy.id, name: 'ball', owner_id: ann.id }])
    // Memory agrees with the database: values, the identity map, relations (loaded again).
    expect(ann.name).toBe('Ann')
    expect(toy.ownerId).toBe(ann.id)
    expect(cy!.id).toBeUndefined()
    expect(inside(cy!).status).toBe('transient')
    const reread = (await session.get('toys', toy.id))!
    expect(reread).toBe(toy)
    expect(session.isLoaded(reread, 'owner')).toBe(false)
    expect(await reread.owner?.load()).toBe(ann)
    expect([...(await (await session.get('owners', ann.id))!.toys.load())]).toEqual([toy])
    expect(await session.plan()).toEqual([])
  })
})
