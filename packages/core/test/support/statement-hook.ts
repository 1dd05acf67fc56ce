/** Runs test code at a chosen point of a flush: right after a statement has run, before the flush goes on. */
import type { LogEvent } from 'kysely'
import type { QueryRecorder } from '../../src/index.js'

/**
 * Calls `action` once, synchronously, when the ORM logs the first statement whose SQL matches
 * `pattern`, in PostgreSQL's quoting (MySQL's backticks read as double quotes). Returns a function that removes the hook.
 *
 * @example
 * ```ts
 * onStatement(ctx.recorder, /^insert into "toys"/, () => { toy.name = 'edited' })
 * await session.commit()
 * ```
 */
export function onStatement(recorder: QueryRecorder, pattern: RegExp, action: () => void): () => void {
  const original = recorder.record
  const restore = () => {
    recorder.record = original
  }
  recorder.record = (event: LogEvent) => {
    original.call(recorder, event)
    if (!pattern.test(event.query.sql.replaceAll('`', '"'))) return
    restore()
    action()
  }
  return restore
}
