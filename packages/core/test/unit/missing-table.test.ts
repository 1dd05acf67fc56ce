/** How a driver's "no such table" error is read: PostgreSQL's and PGlite's 42P01, MySQL's and MariaDB's 1146; other errors pass as they are. */
import { describe, expect, test } from 'vitest'
import { transientDatabaseError, withMissingTable } from '../../src/dialect/database-error.js'
import { MissingTableError, RelataError } from '../../src/index.js'

/** An error shaped as `pg` and PGlite raise them. */
const postgresError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR' })
/** An error shaped as `mysql2` raises them. */
const mysqlError = (errno: number, sqlState: string, message: string) => Object.assign(new Error(message), { errno, sqlState, sqlMessage: message, code: 'ER_X' })

describe('withMissingTable', () => {
  test('PostgreSQL and PGlite: SQLSTATE 42P01 names the relation', () => {
    const driver = postgresError('42P01', 'relation "books" does not exist')
    const error = withMissingTable(driver) as MissingTableError
    expect(error).toBeInstanceOf(MissingTableError)
    expect(error).toBeInstanceOf(RelataError)
    expect(error.table).toBe('books')
    expect(error.message).toBe('table "books" does not exist: run orm.createTables() or your migrations')
    expect(error.cause).toBe(driver)
  })

  test('a qualified name is kept as the database wrote it', () => {
    expect((withMissingTable(postgresError('42P01', 'relation "app.books" does not exist')) as MissingTableError).table).toBe('app.books')
  })

  test('MySQL and MariaDB: errno 1146 names the database and the table; the table is kept', () => {
    const driver = mysqlError(1146, '42S02', "Table 'relata_0a1b.books' doesn't exist")
    const error = withMissingTable(driver) as MissingTableError
    expect(error.table).toBe('books')
    expect(error.message).toBe('table "books" does not exist: run orm.createTables() or your migrations')
    expect(error.cause).toBe(driver)
  })

  test('a message in another language: still a MissingTableError, without the name', () => {
    const error = withMissingTable(postgresError('42P01', 'la relation « books » n’existe pas')) as MissingTableError
    expect(error).toBeInstanceOf(MissingTableError)
    expect(error.table).toBeUndefined()
    expect(error.message).toBe('a table the statement names does not exist: run orm.createTables() or your migrations')
  })

  test('other errors, and values that are not errors, pass as they are', () => {
    for (const other of [
      postgresError('42703', 'column "nope" does not exist'),
      postgresError('40P01', 'deadlock detected'),
      mysqlError(1054, '42S22', "Unknown column 'nope' in 'field list'"),
      mysqlError(1213, '40001', 'Deadlock found when trying to get lock'),
      new Error('relation "books" does not exist'),
      'text',
      undefined,
    ]) {
      expect(withMissingTable(other)).toBe(other)
    }
  })

  test('a MissingTableError is not read again, and is no conflict', () => {
    const error = withMissingTable(postgresError('42P01', 'relation "books" does not exist'))
    expect(withMissingTable(error)).toBe(error)
    expect(transientDatabaseError(error)).toBeUndefined()
  })
})
