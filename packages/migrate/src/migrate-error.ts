/** The error @relata/migrate throws for what it cannot do as asked: its message names the table, column or file. */

/**
 * A migration that cannot be generated, loaded or run as asked.
 *
 * @example
 * ```ts
 * try { await generateMigration({ ... }) } catch (error) { if (error instanceof MigrateError) console.error(error.message) }
 * ```
 */
export class MigrateError extends Error {
  override readonly name = 'MigrateError'
}
