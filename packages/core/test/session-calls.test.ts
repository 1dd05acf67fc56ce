/** Session calls that used to do nothing silently: each now does what SQLAlchemy does, or throws saying why. */
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { TransactionConflictError } from '../src/index.js'
import { emptyTables, normalizeSql, schema } from './fixtures/unit-of-work.js'
import { inside } from './support/session-state.js'

describeEachDialect('session: calls that must act or throw', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const rows = (name: 'owners' | 'toys') => ctx.orm.db.selectFrom(name as 'toys').select('name').orderBy('id').execute()
  const written = () => normalizeSql(ctx.recorder.sql).filter((s) => !s.startsWith('select'))

  test('clear() drops new objects too: the next commit inserts nothing, and they can be added again', async () => {
    const session = ctx.orm.session()
    const ball = session.create('toys', { name: 'ball' })
    session.clear()
    expect(inside(ball).status).toBe('transient')
    await session.commit()
    expect(await rows('toys')).toEqual([])
    session.add(ball)
    await session.commit()
    expect(await rows('toys')).toEqual([{ name: 'ball' }])
  })

  test('clear() forgets pending deletions and relation changes', async () => {
    const session = ctx.orm.session()
    const ann = session.create('owners', { name: 'Ann' })
    const ball = session.create('toys', { name: 'ball' })
    await session.commit()
    session.delete(ann)
    ball.owner = ann
    session.clear()
    ctx.recorder.clear()
    await session.commit()
    expect(written()).toEqual([])
  })

  test('add() of a detached object throws and says how to get it back', async () => {
    const session = ctx.orm.session()
    const ball = session.create('toys', { name: 'ball' })
    await session.commit()
    session.clear()
    expect(() => session.add(ball)).toThrow(`session.add(): toys (id ${ball.id}) is detached`)
    expect(() => session.add(ball)).toThrow(`session.get('toys', ...)`)
    const untracked = (await session.query('toys').untracked().all())[0]!
    expect(() => session.add(untracked)).toThrow(/is detached .*untracked/)
  })

  test('add() of a deleted (flushed) object and delete() of a detached one throw', async () => {
    const session = ctx.orm.session()
    const ball = session.create('toys', { name: 'ball' })
    await session.commit()
    session.delete(ball)
    await session.commit()
    expect(() => session.add(ball)).toThrow(/toys \(id \d+\) is detached/)
    expect(() => session.delete(ball)).toThrow(/session.delete\(\): toys \(id \d+\) is detached/)
    const kite = session.create('toys', { name: 'kite' })
    await session.commit()
    session.clear()
    expect(() => session.delete(kite)).toThrow('is detached')
  })

  test('add() of an object created then rolled back adds it again', async () => {
    const session = ctx.orm.session()
    const ball = session.create('toys', { name: 'ball' })
    await session.rollback()
    expect(inside(ball).status).toBe('transient')
    session.add(ball)
    await session.commit()
    expect(await rows('toys')).toEqual([{ name: 'ball' }])
  })

  test('delete() then add() of a loaded object keeps it, as SQLAlchemy does', async () => {
    const session = ctx.orm.session()
    const ball = session.create('toys', { name: 'ball' })
    await session.commit()
    session.delete(ball)
    session.add(ball)
    ctx.recorder.clear()
    await session.commit()
    expect(written()).toEqual([])
    expect(await rows('toys')).toEqual([{ name: 'ball' }])
    expect(inside(ball).status).toBe('persistent')
  })

  test('delete() of a new parent that a new child points at throws, naming both', async () => {
    const session = ctx.orm.session()
    const ann = session.create('owners', { name: 'Ann' })
    session.create('toys', { name: 'ball', owner: ann })
    expect(() => session.delete(ann)).toThrow('session.delete(): a new owners object is not in the database yet, and a new toys object points at it (toys.ownerId)')
    expect(inside(ann).status).toBe('pending')
  })

  test('delete() of a new parent that a loaded child points at throws', async () => {
    const session = ctx.orm.session()
    const ball = session.create('toys', { name: 'ball' })
    await session.commit()
    const ann = session.create('owners', { name: 'Ann' })
    ball.owner = ann
    expect(() => session.delete(ann)).toThrow(`toys (id ${ball.id}) points at it`)
  })

  test('delete() of a new object nothing points at still just drops it', async () => {
    const session = ctx.orm.session()
    const ball = session.create('toys', { name: 'ball' })
    session.delete(ball)
    await session.commit()
    expect(await rows('toys')).toEqual([])
    expect(inside(ball).status).toBe('transient')
  })

  test('orm.transaction() retries with an object built outside and added inside the callback', async () => {
    const ball = ctx.orm.build('toys', { name: 'ball' })
    let attempts = 0
    await ctx.orm.transaction(
      async (session) => {
        attempts++
        session.add(ball)
        await session.flush()
        if (attempts === 1) throw new TransactionConflictError('a conflict', 'deadlock', 'toys', '40P01', { cause: undefined })
      },
      { retries: 2 },
    )
    expect(attempts).toBe(2)
    expect(await rows('toys')).toEqual([{ name: 'ball' }])
    expect(inside(ball).status).toBe('persistent')
  })

  test('a rolled-back transaction releases the new objects it added', async () => {
    const ball = ctx.orm.build('toys', { name: 'ball' })
    const session = ctx.orm.session()
    await expect(
      session.transaction(async (s) => {
        s.add(ball)
        await s.flush()
        throw new Error('no')
      }),
    ).rejects.toThrow('no')
    expect(inside(ball)).toMatchObject({ status: 'transient', snapshot: undefined })
    expect(ball.id).toBeUndefined()
    const other = ctx.orm.session()
    other.add(ball)
    await other.commit()
    expect(await rows('toys')).toEqual([{ name: 'ball' }])
  })

  test('objects of another session are refused in relations, naming both objects', async () => {
    const a = ctx.orm.session()
    const b = ctx.orm.session()
    const ball = a.create('toys', { name: 'ball' })
    const ann = b.create('owners', { name: 'Ann' })
    await a.commit()
    await b.commit()
    const refused = `belongs to another session than toys (id ${ball.id})`
    expect(() => {
      ball.owner = ann
    }).toThrow(`toys.owner: owners (id ${ann.id}) ${refused}`)
    expect(() => ann.toys.add(ball)).toThrow(`owners.toys: toys (id ${ball.id}) belongs to another session than owners (id ${ann.id})`)
    expect(() => ann.toys.set([ball])).toThrow('belongs to another session')
    expect(() => a.create('toys', { name: 'kite', owner: ann })).toThrow('toys.owner: owners (id')
    const kite = b.create('toys', { name: 'kite' })
    expect(() => a.create('owners', { name: 'Bob', toys: [kite] })).toThrow('owners.toys: a new toys object belongs to another session than a new owners object')
    // Nothing was recorded: later commits of either session write nothing.
    ctx.recorder.clear()
    await a.commit()
    expect(written()).toEqual([])
  })

  test('a built object holding an object of another session cannot be added', async () => {
    const b = ctx.orm.session()
    const ann = b.create('owners', { name: 'Ann' })
    await b.commit()
    const ball = ctx.orm.build('toys', { name: 'ball', owner: ann })
    const a = ctx.orm.session()
    expect(() => a.add(ball)).toThrow(`session.add(): a new toys object has owners (id ${ann.id}) of another session in toys.owner`)
    expect(inside(ball).status).toBe('transient')
  })
})
