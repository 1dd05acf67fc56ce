/** The collaborators loading needs: a connection, the dialect's capabilities and statements, the identity map and the hydrator. */
import type { Kysely } from 'kysely'
import type { DialectCapabilities } from '../dialect/dialect.js'
import type { StatementRules } from '../dialect/statement-rules.js'
import type { IdentityMap } from '../tracking/identity-map.js'
import type { Hydrator } from '../tracking/hydrator.js'
import type { StatementCache } from './statement-cache.js'

export interface LoadContext {
  readonly db: Kysely<any>
  readonly capabilities: DialectCapabilities
  readonly statements: StatementRules
  readonly identityMap: IdentityMap
  readonly hydrator: Hydrator
  /** The session's compiled statements by shape (`get` by key, lazy loads); absent: every statement is built anew. */
  readonly statementCache?: StatementCache
  /** `populateExisting`: rows overwrite the objects already known and loaded relations are replaced. */
  readonly populate?: boolean
}
