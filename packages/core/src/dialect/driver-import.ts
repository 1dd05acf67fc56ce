/** Loads a dialect's driver package when the first connection needs it, so that a missing one says how to install it. */
import { RelataError } from '../errors.js'

/**
 * `load()`'s module; when `driver` is not installed, a `RelataError` with the command that installs
 * it (`cause`: the import's error). Any other failure (a broken install) passes unchanged.
 *
 * @example
 * ```ts
 * const { PGlite } = await importDriver('pglite()', '@electric-sql/pglite', () => import('@electric-sql/pglite'))
 * ```
 */
export async function importDriver<T>(caller: string, driver: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown }
    const missing = (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') && String(e.message).includes(`'${driver}'`)
    if (!missing) throw error
    throw new RelataError(`${caller} needs the ${driver} package, which is not installed: npm i ${driver}`, { cause: error })
  }
}
