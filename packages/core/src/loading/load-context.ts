/** The collaborators loading needs: a connection, the dialect's capabilities, the identity map and the hydrator. */
import type { Kysely } from 'kysely'
import type { DialectCapabilities } from '../dialect/dialect.js'
import type { IdentityMap } from '../tracking/identity-map.js'
import type { Hydrator } from '../tracking/hydrator.js'

export interface LoadContext {
  readonly db: Kysely<any>
  readonly capabilities: DialectCapabilities
  readonly identityMap: IdentityMap
  readonly hydrator: Hydrator
}
