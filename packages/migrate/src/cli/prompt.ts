/** Asks, on a terminal, whether a disappeared table or column was renamed (and to which) or dropped. */
import { createInterface } from 'node:readline'
import { MigrateError } from '../migrate-error.js'
import type { MigrationStep } from '../diff/migration-step.js'

/** The user's answers: renames and drops, in `generateMigration`'s terms. */
export interface RenameAnswers {
  readonly renames: Record<string, string>
  readonly drops: string[]
}

/**
 * One question per ambiguity: `1) renamed to name  2) renamed to pages  3) dropped`.
 *
 * @example
 * ```ts
 * const answers = await askRenames(error.ambiguities)
 * ```
 */
export async function askRenames(
  open: readonly Extract<MigrationStep, { kind: 'ambiguous' }>[],
  streams: { readonly input: NodeJS.ReadableStream; readonly output: NodeJS.WritableStream } = { input: process.stdin, output: process.stdout },
): Promise<RenameAnswers> {
  const io = createInterface({ input: streams.input, terminal: false })
  // Lines are read as they come, so answers typed (or piped) ahead are not lost.
  const lines = io[Symbol.asyncIterator]()
  const answers: RenameAnswers = { renames: {}, drops: [] }
  try {
    for (const question of open) {
      const subject = question.table === null ? `Table ${question.dropped}` : `Column ${question.table}.${question.dropped}`
      const choices = [...question.candidates.map((c) => `renamed to ${c}`), 'dropped']
      const listed = choices.map((c, i) => `  ${i + 1}) ${c}`).join('\n')
      for (;;) {
        streams.output.write(`${subject} is gone and ${question.candidates.join(', ')} appeared. Was it\n${listed}\n> `)
        const line = await lines.next()
        if (line.done === true) throw new MigrateError(`No answer for ${subject.toLowerCase()}: pass --rename or --drop`)
        const reply = String(line.value).trim()
        const index = Number(reply) - 1
        // Anything else asks again.
        if (!Number.isInteger(index) || index < 0 || index >= choices.length) continue
        const key = question.table === null ? question.dropped : `${question.table}.${question.dropped}`
        if (index === question.candidates.length) answers.drops.push(key)
        else answers.renames[key] = question.candidates[index]!
        break
      }
    }
  } finally {
    io.close()
  }
  return answers
}
