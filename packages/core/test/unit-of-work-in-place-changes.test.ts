/** Dates and JSON documents changed in place (`d.setUTCFullYear()`, `doc.tags.push()`): written, undone by rollbacks, never lost. */
import { beforeEach, expect, test } from 'vitest'
import { describeEachDialect } from '@relata/test-kit/targets'
import { schema } from './fixtures/in-place.js'
import { emptyTables } from './fixtures/unit-of-work.js'
import { failure } from './support/session-state.js'
import { onStatement } from './support/statement-hook.js'

describeEachDialect('unit of work: values changed in place', (target) => {
  const ctx = target.setup(schema)

  beforeEach(async () => {
    await emptyTables(ctx.orm)
    ctx.recorder.clear()
  })

  const SINCE = new Date(Date.UTC(2024, 4, 6, 7, 8, 9, 123))
  const AT = new Date(Date.UTC(2024, 4, 6, 10, 0, 0, 500))
  const DAY = new Date(Date.UTC(2024, 0, 15))
  const meta = () => ({ tags: ['a'], nested: { deep: { n: 1 } }, grid: [[1], [2]] })
  const doc = () => ({ list: [{ name: 'first', done: false }] })

  async function seed(code = 'e1') {
    const session = ctx.orm.session()
    const event = session.create('events', { code, since: new Date(SINCE), at: new Date(AT), day: new Date(DAY), meta: meta(), doc: doc(), label: { a: 1 } })
    await session.commit()
    return event.id
  }

  /** The row as a fresh session reads it. */
  const stored = async (id: number) => (await ctx.orm.session().query('events').where({ id }).one())

  test('a Date or document changed in place while its INSERT or UPDATE runs is written by the next flush, not taken into the snapshot', async () => {
    const session = ctx.orm.session()
    const since = new Date(SINCE)
    const event = session.create('events', { code: 'in flight', since, at: new Date(AT), day: new Date(DAY), meta: meta(), doc: doc(), label: { a: 1 } })
    let unhook = onStatement(ctx.recorder, /^insert into "events"/, () => {
      event.since.setUTCFullYear(2031)
      event.meta.tags.push('during insert')
    })
    await session.commit()
    unhook()
    expect(event.since).toBe(since)
    expect((await stored(event.id)).since).toEqual(SINCE)
    expect(await session.plan()).toEqual([{ operation: 'update', table: 'events', rows: 1, columns: ['since', 'meta'] }])
    unhook = onStatement(ctx.recorder, /^update "events"/, () => {
      event.since.setUTCFullYear(2032)
    })
    await session.commit()
    unhook()
    const afterUpdate = await stored(event.id)
    expect(afterUpdate.since.getUTCFullYear()).toBe(2031)
    expect(afterUpdate.meta.tags).toEqual(['a', 'during insert'])
    await session.commit()
    expect((await stored(event.id)).since.getUTCFullYear()).toBe(2032)
    expect(await session.plan()).toEqual([])
  })

  test('a Date changed in place is written: timestamp, timestamp with time zone, date', async () => {
    const id = await seed()
    const session = ctx.orm.session()
    const event = await session.query('events').where({ id }).one()
    event.since.setUTCFullYear(2030)
    event.at!.setUTCHours(23, 59, 58, 7)
    event.day!.setUTCDate(31)
    expect(await session.plan()).toEqual([{ operation: 'update', table: 'events', rows: 1, columns: ['since', 'at', 'day'] }])
    await session.commit()
    const read = await stored(id)
    expect(read.since).toEqual(new Date(Date.UTC(2030, 4, 6, 7, 8, 9, 123)))
    expect(read.at).toEqual(new Date(Date.UTC(2024, 4, 6, 23, 59, 58, 7)))
    expect(read.day).toEqual(new Date(Date.UTC(2024, 0, 31)))
    // Written once: the snapshot took the new values.
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
    // And changed in place again after that flush.
    event.since.setUTCMonth(0)
    await session.commit()
    expect((await stored(id)).since).toEqual(new Date(Date.UTC(2030, 0, 6, 7, 8, 9, 123)))
  })

  test('JSON changed in place is written: nested objects, arrays of arrays, jsonb documents', async () => {
    const id = await seed()
    const session = ctx.orm.session()
    const event = await session.query('events').where({ id }).one()
    event.meta.tags.push('x')
    event.meta.nested.deep.n = 2
    event.meta.grid[1]!.push(3)
    event.doc!.list[0]!.done = true
    expect(await session.plan()).toEqual([{ operation: 'update', table: 'events', rows: 1, columns: ['meta', 'doc'] }])
    await session.commit()
    const read = await stored(id)
    expect(read.meta).toEqual({ tags: ['a', 'x'], nested: { deep: { n: 2 } }, grid: [[1], [2, 3]] })
    expect(read.doc).toEqual({ list: [{ name: 'first', done: true }] })
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
    event.meta.grid[0]![0] = 9
    await session.commit()
    expect((await stored(id)).meta.grid).toEqual([[9], [2, 3]])
  })

  test('a JSON document replaced by a string with the same text is written', async () => {
    const id = await seed()
    const session = ctx.orm.session()
    const event = await session.query('events').where({ id }).one()
    event.label = JSON.stringify(event.label)
    expect(await session.plan()).toEqual([{ operation: 'update', table: 'events', rows: 1, columns: ['label'] }])
    await session.commit()
    expect((await stored(id)).label).toBe('{"a":1}')
  })

  test("a new object's Date changed in place before its insert and again after it: both written", async () => {
    const session = ctx.orm.session()
    const since = new Date(SINCE)
    const event = session.create('events', { code: 'new', since, meta: meta() })
    since.setUTCFullYear(2031)
    event.meta.tags.push('before')
    await session.commit()
    expect((await stored(event.id)).since).toEqual(new Date(Date.UTC(2031, 4, 6, 7, 8, 9, 123)))
    expect((await stored(event.id)).meta.tags).toEqual(['a', 'before'])
    since.setUTCFullYear(2032)
    event.meta.tags.push('after')
    await session.commit()
    expect((await stored(event.id)).since).toEqual(new Date(Date.UTC(2032, 4, 6, 7, 8, 9, 123)))
    expect((await stored(event.id)).meta.tags).toEqual(['a', 'before', 'after'])
  })

  test('rollback() restores dates and documents changed in place, as fresh copies', async () => {
    const id = await seed()
    const session = ctx.orm.session()
    const event = await session.query('events').where({ id }).one()
    const since = event.since
    const metaValue = event.meta
    since.setUTCFullYear(2030)
    metaValue.tags.push('x')
    event.label = 'a string document'
    await session.commit()
    since.setUTCFullYear(2040)
    metaValue.nested.deep.n = 40
    event.label = 'changed again'
    await session.rollback()
    expect(event.since).toEqual(new Date(Date.UTC(2030, 4, 6, 7, 8, 9, 123)))
    expect(event.meta).toEqual({ tags: ['a', 'x'], nested: { deep: { n: 1 } }, grid: [[1], [2]] })
    expect(event.label).toBe('a string document')
    // The restored values are not the objects the caller still holds: changing those again changes nothing.
    expect(event.since).not.toBe(since)
    expect(event.meta).not.toBe(metaValue)
    since.setUTCFullYear(2050)
    metaValue.tags.push('y')
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
    const read = await stored(id)
    expect(read.since).toEqual(new Date(Date.UTC(2030, 4, 6, 7, 8, 9, 123)))
    expect(read.meta.tags).toEqual(['a', 'x'])
    expect(read.label).toBe('a string document')
  })

  test('a transaction that rolls back undoes changes made in place, of loaded and of inserted objects', async () => {
    const id = await seed()
    const session = ctx.orm.session()
    const event = await session.query('events').where({ id }).one()
    const since = new Date(SINCE)
    let created: typeof event | undefined
    const error = await failure(
      session.transaction(async () => {
        event.since.setUTCFullYear(2030)
        event.meta.tags.push('x')
        created = session.create('events', { code: 'inside', since, meta: meta() })
        await session.flush()
        // After the flush, changed in place again, then flushed.
        since.setUTCFullYear(2035)
        created.meta.tags.push('y')
        event.since.setUTCFullYear(2036)
        await session.flush()
        throw new Error('abandon')
      }),
    )
    expect(error.message).toBe('abandon')
    expect(event.since).toEqual(SINCE)
    expect(event.meta.tags).toEqual(['a'])
    // The new object has the values it had before its insert.
    expect(created!.since).toEqual(SINCE)
    expect(created!.meta.tags).toEqual(['a'])
    await session.commit()
    expect((await stored(id)).since).toEqual(SINCE)
  })

  test('a failed flush keeps a change made in place for the next flush', async () => {
    const id = await seed('e1')
    await seed('e2')
    const session = ctx.orm.session()
    const event = await session.query('events').where({ id }).one()
    event.since.setUTCFullYear(2030)
    event.code = 'e2'
    await failure(session.flush())
    event.code = 'e1'
    await session.commit()
    expect((await stored(id)).since).toEqual(new Date(Date.UTC(2030, 4, 6, 7, 8, 9, 123)))
  })

  test('a timestamp in the primary key: the row is found by the key it was loaded with', async () => {
    const takenAt = new Date(SINCE)
    const writer = ctx.orm.session()
    writer.create('readings', { sensor: 's1', takenAt, value: 1 })
    writer.create('readings', { sensor: 's1', takenAt: new Date(AT), value: 2 })
    await writer.commit()
    const session = ctx.orm.session()
    const reading = await session.query('readings').where({ sensor: 's1', takenAt: SINCE }).one()
    expect(await session.get('readings', { sensor: 's1', takenAt: new Date(SINCE) })).toBe(reading)
    reading.value = 10
    await session.commit()
    ctx.recorder.clear()
    await session.commit()
    expect(ctx.recorder.sql).toEqual([])
    const rows = await ctx.orm.db.selectFrom('readings').select(['value']).orderBy('value').execute()
    expect(rows).toEqual([{ value: 2 }, { value: 10 }])
    session.delete(reading)
    await session.commit()
    expect(await ctx.orm.db.selectFrom('readings').select(['value']).execute()).toEqual([{ value: 2 }])
  })
})
