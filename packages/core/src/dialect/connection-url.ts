/** Checks a connection URL given to `postgres()` or `mysql()` before any connection: its scheme, its form; passwords never shown. */
import { RelataError } from '../errors.js'

/**
 * `url` with its password replaced by `***`, also when it is not a well-formed URL.
 *
 * @example
 * ```ts
 * maskPassword('mysql://root:secret@db:3306/app')   // 'mysql://root:***@db:3306/app'
 * ```
 */
export function maskPassword(url: string): string {
  return url.replace(/^([^/]*\/\/[^:/@]*):[^@]*@/, '$1:***@')
}

/**
 * Throws a `RelataError` at the dialect's call when `url` is not a URL, or its scheme is not one of
 * `schemes` (`'postgres:'`) or `alsoAccepted` (accepted, not advertised), so that a URL meant for another dialect fails at once and says so,
 * instead of as the other server's protocol read by the wrong driver (or a 10 s timeout).
 *
 * @example
 * ```ts
 * checkConnectionUrl('postgres()', url, ['postgres:', 'postgresql:'])
 * ```
 */
export function checkConnectionUrl(caller: string, url: string, schemes: readonly string[], alsoAccepted: readonly string[] = []): void {
  const expected = `${caller} takes a ${schemes.map((scheme) => `${scheme}//`).join(' or ')} URL`
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new RelataError(`${expected}, got ${JSON.stringify(maskPassword(url))}, which is not a URL`)
  }
  if (!schemes.includes(parsed.protocol) && !alsoAccepted.includes(parsed.protocol)) throw new RelataError(`${expected}, got ${maskPassword(url)}`)
}
