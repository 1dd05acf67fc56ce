/** The errors Relata throws. Each names the table, relation or column at fault. */

/** Base class of every error Relata throws on purpose. */
export class RelataError extends Error {
  override name = 'RelataError'
}

/** A schema declaration that cannot work: raised by `defineSchema`, before any query runs. */
export class SchemaError extends RelataError {
  override name = 'SchemaError'
}
