/**
 * A tour of the Chinook music store's relations: many-to-many, chains of many-to-one, a
 * self-reference loaded level by level, and exact money sums. Each step says how it loads and
 * how many SQL statements it sent.
 * `npm start` runs it on PGlite; DATABASE_URL=postgres://… or mysql://… runs it on a server;
 * RELATA_ECHO=1 prints the SQL.
 */
import { createOrm, type Entity, type LoadStrategy, type Session } from '@relata/core'
import { dialectFromEnv, echo } from '@relata-examples/support'
import { loadChinook } from './load.js'
import { schema } from './schema.js'

// Every statement goes through the `log` option: it is counted, and printed with RELATA_ECHO=1.
let statements = 0
const print = echo()
const { dialect, label } = await dialectFromEnv()
const orm = createOrm({ schema, dialect, log: (event) => { statements++; print?.(event) } })

/** Runs one step of the tour; returns its result and the number of statements it sent. */
async function counted<T>(step: () => Promise<T>): Promise<[T, string]> {
  const before = statements
  const result = await step()
  const n = statements - before
  return [result, `${n} statement${n === 1 ? '' : 's'}`]
}

console.log(`Database: ${label}`)
await orm.dropTables({ ifExists: true })
await orm.createTables()
console.log(`Loaded the Chinook dataset: ${await loadChinook(orm)} rows`)

// ─── 1. Many-to-many, then many-to-one twice: playlist → tracks → album → artist ───────────────────
console.log("\n1. A playlist's tracks, each with its album and the album's artist")
/**
 * A playlist by name (the first, if several have it) with its tracks by name, their albums and
 * artists; with a strategy for every relation, or each relation's default.
 */
const playlist = (name: string, strategy?: LoadStrategy) => {
  const query = orm
    .session()
    .query('playlists')
    .where({ name })
    .orderBy('playlistId')
    .with({ tracks: (q) => q.orderBy('name').with({ album: { artist: true } }) })
  return (strategy ? query.strategy(strategy) : query).first()
}

const [bySelectIn, selectInSent] = await counted(() => playlist('Grunge', 'selectIn'))
const [byJoin, joinSent] = await counted(() => playlist('Grunge', 'join'))
const [byDefault, defaultSent] = await counted(() => playlist('Grunge'))
const grunge = bySelectIn!
console.log(`   'Grunge' with selectIn: ${grunge.tracks.length} tracks, in ${selectInSent} (one per level: playlist, tracks through playlist_track, albums, artists)`)
console.log(`   'Grunge' with join: ${byJoin!.tracks.length} tracks, in ${joinSent} (tracks, albums and artists aggregated as JSON into the playlist's row)`)
console.log(`   'Grunge' with the defaults: ${byDefault!.tracks.length} tracks, in ${defaultSent} (to-many selectIn, to-one join: the playlist, then tracks with album and artist joined)`)
// Three sessions, three sets of objects: compare every column of every track, album and artist.
const columns = (list: typeof grunge) =>
  JSON.stringify(list.tracks.map((track) => ({ ...track, album: track.album && { ...track.album, artist: { ...track.album.artist } } })))
console.log(`   Same tracks, albums and artists all three ways: ${columns(grunge) === columns(byJoin!) && columns(grunge) === columns(byDefault!)}`)
for (const track of grunge.tracks) console.log(`     ${track.name} (${track.album?.title}, ${track.album?.artist.name})`)

// For a big collection, selectIn: still one statement per level (`IN (...)` lists are split only
// past the driver's parameter limit), where join would put all 3290 tracks, as JSON, in one value.
// Related objects are shared: one album object for all its tracks, so the Sets count distinct ones.
const [music, musicSent] = await counted(() => playlist('Music', 'selectIn'))
const albums = new Set(music!.tracks.map((track) => track.album))
const artists = new Set(music!.tracks.map((track) => track.album?.artist))
console.log(`   'Music' with selectIn: ${music!.tracks.length} tracks on ${albums.size} albums by ${artists.size} artists, in ${musicSent}`)

// ─── 2. A self-reference: employee.reportsTo / employee.reports ────────────────────────────────────
console.log('\n2. Employees: who reports to whom, loaded level by level')
type Employee = Entity<typeof schema, 'employees'>
// Annotated: TypeScript only narrows through an assertion method (assertLoaded) on an annotated name.
const staff: Session<typeof schema> = orm.session()
const [top, treeSent] = await counted(async () => {
  const top = await staff.query('employees').where({ reportsToId: null }).all()
  // One batched lazy load per level: the reports of every employee of the level in one statement.
  for (let level: readonly Employee[] = top; level.length > 0; ) {
    const reports = await Promise.all(level.map((employee) => employee.reports.load()))
    level = reports.flat()
  }
  return top
})
const printTree = (employee: Employee, depth: number): void => {
  staff.assertLoaded(employee, 'reports') // narrows the type: `reports` is now an array
  console.log(`   ${'  '.repeat(depth)}${employee.firstName} ${employee.lastName}, ${employee.title}`)
  for (const report of employee.reports) printTree(report, depth + 1)
}
for (const employee of top) printTree(employee, 0)
console.log(`   ${treeSent}: the top of the tree, then one per level (the last one finds nobody)`)

// Up the chain: every employee is in the session's identity map by now, so this needs no SQL.
const [chain, chainSent] = await counted(async () => {
  const chain: Employee[] = []
  let employee: Employee | null | undefined = await staff.get('employees', 8) // Laura Callahan
  while (employee) {
    chain.push(employee)
    employee = (await employee.reportsTo?.load()) ?? null
  }
  return chain
})
console.log(`   Chain of command: ${chain.map((e) => `${e.firstName} ${e.lastName}`).join(' → ')}, in ${chainSent} (get() and reportsTo.load() answer from the identity map)`)

// ─── 3. One-to-many twice, then many-to-one: customer → invoices → lines → track ──────────────────
console.log("\n3. A customer's invoices, their lines and the tracks bought")
const [customer, customerSent] = await counted(() =>
  orm
    .session()
    .query('customers')
    .where({ email: 'hholy@gmail.com' })
    .with({
      supportRep: 'join',
      invoices: (q) => q.strategy('selectIn').orderBy('invoiceDate').with({ lines: (q) => q.strategy('selectIn').with({ track: 'join' }) }),
    })
    .one(),
)
const lines = customer.invoices.flatMap((invoice) => invoice.lines)
console.log(`   ${customer.firstName} ${customer.lastName} of ${customer.city}, served by ${customer.supportRep?.firstName} ${customer.supportRep?.lastName}`)
console.log(`   ${customer.invoices.length} invoices, ${lines.length} lines, in ${customerSent} (customer with its support rep joined; invoices selectIn; lines selectIn, each with its track joined)`)

// NUMERIC(10, 2) columns arrive as strings ('0.99'): add them up as whole cents in bigints, not as floats.
const cents = (amount: string): bigint => {
  const [whole, fraction = ''] = amount.split('.')
  return BigInt(whole! + fraction.padEnd(2, '0'))
}
const money = (cents: bigint): string => {
  const digits = String(cents < 0n ? -cents : cents).padStart(3, '0')
  return `${cents < 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`
}
for (const invoice of customer.invoices) {
  const sum = invoice.lines.reduce((total, line) => total + cents(line.unitPrice) * BigInt(line.quantity), 0n)
  const check = sum === cents(invoice.total) ? 'its lines add up to it' : `but its lines add up to ${money(sum)}`
  const count = `${invoice.lines.length} track${invoice.lines.length === 1 ? '' : 's'}`
  console.log(`   ${invoice.invoiceDate.toISOString().slice(0, 10)}  invoice ${invoice.invoiceId}: ${count} for ${invoice.total} (${check}), first ${invoice.lines[0]!.track.name}`)
}
const spent = customer.invoices.reduce((total, invoice) => total + cents(invoice.total), 0n)
const asFloats = customer.invoices.reduce((total, invoice) => total + Number(invoice.total), 0)
console.log(`   Spent in all: ${money(spent)} (adding the totals as JS numbers would give ${asFloats})`)

await orm.dropTables()
await orm.destroy()
