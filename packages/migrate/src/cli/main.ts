/** The `relata` executable: reads the command line, runs the command, prints errors without a stack and sets the exit code. */
import { MigrateError } from '../migrate-error.js'
import { parseCommandLine, usage } from './arguments.js'
import { runCommand } from './commands.js'

async function main(argv: readonly string[]): Promise<number> {
  try {
    const line = parseCommandLine(argv)
    if (line.command === 'help') {
      console.log(usage)
      return 0
    }
    return await runCommand(line, { log: (l) => console.log(l), warn: (l) => console.error(l) })
  } catch (error) {
    // Our own errors say what to do; anything else keeps its stack.
    console.error(error instanceof MigrateError || (error instanceof Error && error.name === 'TypeError' && /parseArgs|ERR_PARSE_ARGS/.test(String((error as { code?: string }).code))) ? `relata: ${error.message}` : error)
    return 1
  }
}

process.exitCode = await main(process.argv.slice(2))
