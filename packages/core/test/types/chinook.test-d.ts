/** Types inferred from the Chinook schema: rows, inserts, keys, the Kysely interface and entity handles. */
import type { Kysely } from 'kysely'
import { describe, expectTypeOf, test } from 'vitest'
import { schema } from '@relata/test-kit/chinook'
import type { Loaded, Collection, Database, Entity, Insertable, NumericString, PrimaryKey, Reference, Row, TableKey, UnloadedHandle, Updateable } from '../../src/index.js'

type S = typeof schema
type DB = Database<S>

describe('rows', () => {
  test('Row: property names, column types and nullability as in the SQL file', () => {
    expectTypeOf<Row<S, 'tracks'>>().toEqualTypeOf<{
      trackId: number
      name: string
      albumId: number | null
      mediaTypeId: number
      genreId: number | null
      composer: string | null
      milliseconds: number
      bytes: number | null
      unitPrice: NumericString
    }>()
    expectTypeOf<Row<S, 'invoices'>>().toEqualTypeOf<{
      invoiceId: number
      customerId: number
      invoiceDate: Date
      billingAddress: string | null
      billingCity: string | null
      billingState: string | null
      billingCountry: string | null
      billingPostalCode: string | null
      total: NumericString
    }>()
    expectTypeOf<Row<S, 'playlistTracks'>>().toEqualTypeOf<{ playlistId: number; trackId: number }>()
    expectTypeOf<Row<S, 'employees'>['reportsToId']>().toEqualTypeOf<number | null>()
    expectTypeOf<Row<S, 'employees'>['birthDate']>().toEqualTypeOf<Date | null>()
  })

  test('Insertable: serial keys and nullable columns are optional, the rest required', () => {
    expectTypeOf<Insertable<S, 'tracks'>>().toEqualTypeOf<{
      name: string
      mediaTypeId: number
      milliseconds: number
      unitPrice: NumericString
      trackId?: number
      albumId?: number | null
      genreId?: number | null
      composer?: string | null
      bytes?: number | null
    }>()
    expectTypeOf<Insertable<S, 'playlistTracks'>>().toEqualTypeOf<{ playlistId: number; trackId: number }>()
    expectTypeOf<Insertable<S, 'invoiceLines'>>().toEqualTypeOf<{
      invoiceId: number
      trackId: number
      unitPrice: NumericString
      quantity: number
      invoiceLineId?: number
    }>()
  })

  test('Updateable: every column optional', () => {
    expectTypeOf<Updateable<S, 'albums'>>().toEqualTypeOf<{ albumId?: number; title?: string; artistId?: number }>()
  })

  test('PrimaryKey: the value for a single key, an object for a composite one', () => {
    expectTypeOf<PrimaryKey<S, 'tracks'>>().toEqualTypeOf<number>()
    expectTypeOf<PrimaryKey<S, 'invoiceLines'>>().toEqualTypeOf<number>()
    expectTypeOf<PrimaryKey<S, 'playlistTracks'>>().toEqualTypeOf<{ playlistId: number; trackId: number }>()
  })

  test('TableKey: the keys given to defineSchema', () => {
    expectTypeOf<TableKey<S>>().toEqualTypeOf<
      | 'artists'
      | 'albums'
      | 'tracks'
      | 'genres'
      | 'mediaTypes'
      | 'playlists'
      | 'playlistTracks'
      | 'employees'
      | 'customers'
      | 'invoices'
      | 'invoiceLines'
    >()
  })
})

describe('the Kysely Database interface', () => {
  test('is keyed by SQL table and column names', () => {
    expectTypeOf<keyof DB>().toEqualTypeOf<
      'artist' | 'album' | 'track' | 'genre' | 'media_type' | 'playlist' | 'playlist_track' | 'employee' | 'customer' | 'invoice' | 'invoice_line'
    >()
    expectTypeOf<keyof DB['invoice_line']>().toEqualTypeOf<'invoice_line_id' | 'invoice_id' | 'track_id' | 'unit_price' | 'quantity'>()
    expectTypeOf<DB['invoice_line']['unit_price']>().toEqualTypeOf<NumericString>()
    expectTypeOf<DB['invoice']['invoice_date']>().toEqualTypeOf<Date>()
    expectTypeOf<DB['track']['album_id']>().toEqualTypeOf<number | null>()
  })

  test('an explicit .name() wins over the casing', () => {
    expectTypeOf<DB['employee']['reports_to']>().toEqualTypeOf<number | null>()
    expectTypeOf<DB['employee']>().not.toHaveProperty('reports_to_id')
  })

  test('Kysely<Database<S>> is typed without the mapper', () => {
    const db = {} as Kysely<DB>
    expectTypeOf(db.selectFrom('album').select(['title', 'album_id']).executeTakeFirstOrThrow()).resolves.toEqualTypeOf<{
      title: string
      album_id: number
    }>()
    expectTypeOf(
      db
        .selectFrom('invoice_line')
        .innerJoin('track', 'track.track_id', 'invoice_line.track_id')
        .select(['track.name', 'invoice_line.unit_price'])
        .execute(),
    ).resolves.toEqualTypeOf<{ name: string; unit_price: NumericString }[]>()
    // @ts-expect-error 'titel' is not a column of album
    db.selectFrom('album').select(['titel'])
    // @ts-expect-error tables are named by their SQL name, not their key in the schema
    db.selectFrom('invoiceLines')
    // @ts-expect-error columns are named by their SQL name, not their property name
    db.selectFrom('track').select(['unitPrice'])
  })

  test('a serial key may be left out of an insert; a NOT NULL column may not', () => {
    const db = {} as Kysely<DB>
    db.insertInto('album').values({ title: 'Jagged Little Pill', artist_id: 1 })
    db.insertInto('album').values({ album_id: 348, title: 'Jagged Little Pill', artist_id: 1 })
    // @ts-expect-error artist_id is NOT NULL without a default
    db.insertInto('album').values({ title: 'Jagged Little Pill' })
  })
})

describe('entities', () => {
  type Track = Entity<S, 'tracks'>
  type Album = Entity<S, 'albums'>
  type Employee = Entity<S, 'employees'>

  test('columns as in Row, plus one handle per relation', () => {
    expectTypeOf<Omit<Album, 'artist' | 'tracks' | 'load' | 'toJSON'>>().toEqualTypeOf<Row<S, 'albums'>>()
    expectTypeOf<keyof Track>().toEqualTypeOf<keyof Row<S, 'tracks'> | 'album' | 'genre' | 'mediaType' | 'playlists' | 'invoiceLines' | 'load' | 'toJSON'>()
  })

  test('to-many relations are Collections', () => {
    expectTypeOf<Album['tracks']>().toEqualTypeOf<UnloadedHandle<'tracks', Collection<Track>>>()
    expectTypeOf<Entity<S, 'artists'>['albums']>().toEqualTypeOf<UnloadedHandle<'albums', Collection<Album>>>()
    expectTypeOf<Track['playlists']>().toEqualTypeOf<UnloadedHandle<'playlists', Collection<Entity<S, 'playlists'>>>>()
    expectTypeOf<Entity<S, 'playlists'>['tracks']>().toEqualTypeOf<UnloadedHandle<'tracks', Collection<Track>>>()
    expectTypeOf<Employee['reports']>().toEqualTypeOf<UnloadedHandle<'reports', Collection<Employee>>>()
    expectTypeOf<Entity<S, 'invoices'>['lines']>().toEqualTypeOf<UnloadedHandle<'lines', Collection<Entity<S, 'invoiceLines'>>>>()
  })

  test('a many-to-one is nullable exactly when its foreign key is', () => {
    // track.album_id and track.genre_id are nullable in the file; media_type_id is NOT NULL.
    expectTypeOf<Track['album']>().toEqualTypeOf<UnloadedHandle<'album', Reference<Album, true> | null>>()
    expectTypeOf<Track['genre']>().toEqualTypeOf<UnloadedHandle<'genre', Reference<Entity<S, 'genres'>, true> | null>>()
    expectTypeOf<Track['mediaType']>().toEqualTypeOf<UnloadedHandle<'mediaType', Reference<Entity<S, 'mediaTypes'>, false>>>()
    expectTypeOf<Album['artist']>().toEqualTypeOf<UnloadedHandle<'artist', Reference<Entity<S, 'artists'>, false>>>()
    expectTypeOf<Entity<S, 'invoiceLines'>['invoice']>().toEqualTypeOf<UnloadedHandle<'invoice', Reference<Entity<S, 'invoices'>, false>>>()
    expectTypeOf<Entity<S, 'customers'>['supportRep']>().toEqualTypeOf<UnloadedHandle<'supportRep', Reference<Employee, true> | null>>()
    expectTypeOf<Employee['reportsTo']>().toEqualTypeOf<UnloadedHandle<'reportsTo', Reference<Employee, true> | null>>()
  })

  test('handles load and take what their nullability allows', () => {
    expectTypeOf<NonNullable<Track['album']>['load']>().returns.resolves.toEqualTypeOf<Album | null>()
    expectTypeOf<Track['mediaType']['load']>().returns.resolves.toEqualTypeOf<Entity<S, 'mediaTypes'>>()
    const track = {} as Track
    track.album = null
    track.album = {} as Album
    // @ts-expect-error track.media_type_id is NOT NULL: the reference cannot be cleared
    track.mediaType = null
    expectTypeOf<Album['tracks']['add']>().toBeCallableWith({} as Track)
  })

  test('an entity with relations loaded is still an entity', () => {
    expectTypeOf<Loaded<S, 'tracks', { album: { artist: true } }>>().toExtend<Track>()
    expectTypeOf<Loaded<S, 'albums', { tracks: true; artist: true }>>().toExtend<Album>()
  })
})
