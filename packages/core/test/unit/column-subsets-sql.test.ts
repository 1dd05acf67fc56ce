/** Column subsets offline: the columns each family's statements select for select(), omit(), deferred columns and relation loads. */
import { describe, expect, test } from 'vitest'
import { schema } from '../fixtures/column-subsets.js'
import { offlineOrm, offlineTargets } from './support/offline.js'

/** The statement text with identifiers unquoted and placeholders as `?`, so one expectation fits every family. */
const plain = (text: string) => text.replace(/["`]/g, '').replace(/\$\d+/g, '?')

describe.each(offlineTargets)('column subsets [%s]', (target) => {
  const run = () => {
    const db = offlineOrm(schema, target)
    return { db, session: db.orm.session(), texts: () => db.take().map((s) => plain(s.sql)) }
  }

  test('select() names the key and the chosen columns; omit() and the default leave deferred columns out', async () => {
    const { session, texts } = run()
    await session.query('books').select('year', 'title').all()
    await session.query('books').omit('year').all()
    await session.query('books').all()
    await session.query('books').undefer('meta').all()
    expect(texts()).toEqual([
      'select t0.id, t0.title, t0.year from books as t0',
      'select t0.id, t0.title, t0.summary, t0.author_id from books as t0',
      'select t0.id, t0.title, t0.year, t0.summary, t0.author_id from books as t0',
      'select t0.id, t0.title, t0.year, t0.summary, t0.meta, t0.author_id from books as t0',
    ])
  })

  test('a join-loaded collection embeds the chosen columns only (MySQL 8 loads it with selectIn); the root selects its own', async () => {
    const { session, texts } = run()
    await session.query('authors').select('name').with({ books: (q) => q.select('title').strategy('join') }).all()
    const [joined] = texts()
    expect(joined).toMatch(/^select t0\.id, t0\.name/)
    expect(joined).not.toMatch(/year|summary|body|meta|bio/)
    if (target !== 'mysql') expect(joined).toMatch(/t1\.title/)
    await session.query('authors').select('name').with({ books: (q) => q.select('title').strategy('selectIn') }).all()
    expect(texts()).toEqual(['select t0.id, t0.name from authors as t0'])
  })
})
