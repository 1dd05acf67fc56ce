/**
 * Loads TypeScript modules (migrations, the schema, relata.config.ts) on any supported Node: tsx's
 * scoped `tsImport`, which needs no flag and changes nothing for the rest of the process.
 */
import { pathToFileURL } from 'node:url'
import { tsImport } from 'tsx/esm/api'

/**
 * Imports the module at `path` (absolute), TypeScript or JavaScript.
 *
 * @example
 * ```ts
 * const { up } = await importModule('/app/migrations/20261207120000_init.ts')
 * ```
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  // Node 22.12 strips types only behind --experimental-strip-types (and never for .ts under
  // node_modules); tsx's scoped import works on 20, 22 and 24 alike, for .ts, .mts and .js.
  return (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>
}
