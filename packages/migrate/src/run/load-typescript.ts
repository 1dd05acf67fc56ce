/**
 * Loads TypeScript modules (migrations, the schema, relata.config.ts) on any supported Node: tsx's
 * namespaced loader, registered once per process, which needs no flag and changes how nothing else
 * in the process is imported.
 */
import { pathToFileURL } from 'node:url'
import { register, type NamespacedUnregister } from 'tsx/esm/api'

let loader: NamespacedUnregister | undefined

/**
 * Imports the module at `path` (absolute), TypeScript or JavaScript.
 *
 * @example
 * ```ts
 * const { up } = await importModule('/app/migrations/20261207120000_init.ts')
 * ```
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  // Node 22.12 strips types only behind --experimental-strip-types (and never under
  // node_modules); tsx works on 20, 22 and 24 alike. One registration: each adds loader hooks that
  // every later import in the process goes through.
  loader ??= register({ namespace: 'relata-migrate' })
  return (await loader.import(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>
}
