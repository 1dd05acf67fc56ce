/** Every contestant, the floor first, then the drivers alone (`raw`). */
import type { Contestant } from '../scenario.js'
import { drizzle } from './drizzle.js'
import { kysely } from './kysely.js'
import { mikroOrm } from './mikro-orm.js'
import { objection } from './objection.js'
import { prisma } from './prisma.js'
import { raw } from './raw.js'
import { relataJoin, relataSelectIn } from './relata.js'
import { typeorm } from './typeorm.js'

export const contestants: readonly Contestant[] = [kysely, raw, relataSelectIn, relataJoin, mikroOrm, drizzle, prisma, typeorm, objection]
