/** Shapes: what createTables() creates, computed without a database, equals what the database reports after it (Chinook, every column kind, every declaration). */
import { describe, expect, test } from 'vitest'
import type { AnySchema } from '@relata/core'
import { schema as chinook } from '@relata/test-kit/chinook'
import { describeEachDialect } from '@relata/test-kit/targets'
import { schema as declarations, partialSchema } from '../../core/test/fixtures/declarations.js'
import { schema as everyType } from '../../core/test/fixtures/every-type.js'
import { normalizeCondition, normalizeDefault, normalizeType } from '../src/shape/normalize.js'
import { shapeOfDatabase } from '../src/shape/shape-of-database.js'
import { shapeOfSchema } from '../src/shape/shape-of-schema.js'

describe('normalize', () => {
  test('type names', () => {
    expect(normalizeType('postgres', 'timestamp(3) with time zone')).toBe('timestamptz(3)')
    expect(normalizeType('postgres', 'character varying(20)')).toBe('varchar(20)')
    expect(normalizeType('postgres', 'numeric(10, 2)')).toBe('numeric(10,2)')
    expect(normalizeType('mysql', 'int(11)')).toBe('int')
    expect(normalizeType('mysql', 'boolean')).toBe('tinyint(1)')
    expect(normalizeType('mysql', "enum('a, b', 'c')")).toBe("enum('a, b','c')")
  })

  test('defaults', () => {
    expect(normalizeDefault('postgres', "'n/a'::text", 'text')).toBe("'n/a'")
    expect(normalizeDefault('postgres', "'-1'::integer", 'integer')).toBe('-1')
    expect(normalizeDefault('postgres', `'{"b": 1, "a": [2]}'::jsonb`, 'jsonb')).toBe(`'{"a":[2],"b":1}'`)
    expect(normalizeDefault('postgres', "'2020-01-02 04:04:05.678+01'::timestamp with time zone", 'timestamptz(3)')).toBe("'2020-01-02 03:04:05.678+00'")
    expect(normalizeDefault('postgres', 'CURRENT_TIMESTAMP(3)', 'timestamp(3)')).toBe('current_timestamp(3)')
    expect(normalizeDefault('mysql', 'true', 'tinyint(1)')).toBe('1')
    expect(normalizeDefault('mysql', "('n/a')", 'text')).toBe("'n/a'")
    expect(normalizeDefault('mysql', 'NULL', 'int')).toBeNull()
  })

  test('conditions: PostgreSQL\'s parentheses and arrays read as written, meaningful parentheses kept', () => {
    expect(normalizeCondition('CHECK (((pages IS NULL) OR (pages > 0)))')).toBe('pages is null or pages > 0')
    expect(normalizeCondition("CHECK ((status = ANY (ARRAY['draft'::text, 'published'::text])))")).toBe("status in ('draft','published')")
    expect(normalizeCondition('"status" in (\'draft\', \'published\')')).toBe("status in ('draft','published')")
    expect(normalizeCondition('(((a > 0) AND (b > 0)) AND (c > 0))')).toBe('a > 0 and b > 0 and c > 0')
    expect(normalizeCondition('((a OR b) AND c)')).toBe('(a or b) and c')
    expect(normalizeCondition('((a + b) * 2 > 0)')).toBe('(a + b) * 2 > 0')
    expect(normalizeCondition('json_valid(`meta`)')).toBe('json_valid(meta)')
  })
})

const schemas: Record<string, AnySchema> = { chinook, everyType, declarations }

for (const [name, schema] of Object.entries(schemas)) {
  describeEachDialect(`shapeOfDatabase after createTables equals shapeOfSchema: ${name}`, (target) => {
    const ctx = target.setup(schema)

    test('deep-equal shapes', async () => {
      const expected = shapeOfSchema(schema, target.family)
      const actual = await shapeOfDatabase(ctx.orm, target.family)
      expect(actual).toEqual(expected)
      expect(Object.keys(actual.tables).length).toBe(schema.tables.size)
    })
  })
}

describeEachDialect('shape of a partial index', (target) => {
  const ctx = target.setup(partialSchema, { createTables: false })

  test('its predicate on PostgreSQL', async () => {
    await ctx.orm.createTables()
    const actual = await shapeOfDatabase(ctx.orm.db, target.family)
    expect(actual).toEqual(shapeOfSchema(partialSchema, target.family))
    expect(actual.tables['drafts']!.indexes).toEqual([{ name: 'drafts_title_idx', columns: ['title'], unique: false, where: 'not deleted' }])
  })
}, { only: ['pglite', 'postgres'] })
