/**
 * The Chinook sample database (a digital music store), declared as an application would: camelCase
 * properties, snake_case SQL names through `casing`, singular SQL table names as in the dataset.
 *
 *   artist ─< album ─< track >─ genre, media_type
 *   playlist >─< track            (through playlist_track)
 *   employee ─< employee          (reports_to: who reports to whom)
 *   employee ─< customer ─< invoice ─< invoice_line >─ track
 */
import { defineSchema, t, table, type AnyColumn } from '@relata/core'

export const artists = table('artist', {
  artistId: t.serial().primaryKey(),
  name: t.varchar(120).nullable(),
})

export const albums = table('album', {
  albumId: t.serial().primaryKey(),
  title: t.varchar(160),
  artistId: t.integer().references(() => artists.artistId),
})

export const genres = table('genre', {
  genreId: t.serial().primaryKey(),
  name: t.varchar(120).nullable(),
})

export const mediaTypes = table('media_type', {
  mediaTypeId: t.serial().primaryKey(),
  name: t.varchar(120).nullable(),
})

export const tracks = table('track', {
  trackId: t.serial().primaryKey(),
  name: t.varchar(200),
  albumId: t.integer().nullable().references(() => albums.albumId),
  mediaTypeId: t.integer().references(() => mediaTypes.mediaTypeId),
  genreId: t.integer().nullable().references(() => genres.genreId),
  composer: t.varchar(220).nullable(),
  milliseconds: t.integer(),
  bytes: t.integer().nullable(),
  unitPrice: t.numeric(10, 2), // a string such as '0.99': exact, never a float
})

export const playlists = table('playlist', {
  playlistId: t.serial().primaryKey(),
  name: t.varchar(120).nullable(),
})

export const playlistTracks = table('playlist_track', {
  playlistId: t.integer().primaryKey().references(() => playlists.playlistId),
  trackId: t.integer().primaryKey().references(() => tracks.trackId),
})

export const employees = table('employee', {
  employeeId: t.serial().primaryKey(),
  lastName: t.varchar(20),
  firstName: t.varchar(20),
  title: t.varchar(30).nullable(),
  // A table that references itself annotates the callback: TypeScript cannot infer it otherwise.
  // The relation is called `reportsTo`, so the key column takes another property name.
  reportsToId: t
    .integer()
    .nullable()
    .name('reports_to')
    .references((): AnyColumn => employees.employeeId),
  birthDate: t.timestamp().nullable(),
  hireDate: t.timestamp().nullable(),
  address: t.varchar(70).nullable(),
  city: t.varchar(40).nullable(),
  state: t.varchar(40).nullable(),
  country: t.varchar(40).nullable(),
  postalCode: t.varchar(10).nullable(),
  phone: t.varchar(24).nullable(),
  fax: t.varchar(24).nullable(),
  email: t.varchar(60).nullable(),
})

export const customers = table('customer', {
  customerId: t.serial().primaryKey(),
  firstName: t.varchar(40),
  lastName: t.varchar(20),
  company: t.varchar(80).nullable(),
  address: t.varchar(70).nullable(),
  city: t.varchar(40).nullable(),
  state: t.varchar(40).nullable(),
  country: t.varchar(40).nullable(),
  postalCode: t.varchar(10).nullable(),
  phone: t.varchar(24).nullable(),
  fax: t.varchar(24).nullable(),
  email: t.varchar(60),
  supportRepId: t.integer().nullable().references(() => employees.employeeId),
})

export const invoices = table('invoice', {
  invoiceId: t.serial().primaryKey(),
  customerId: t.integer().references(() => customers.customerId),
  invoiceDate: t.timestamp(),
  billingAddress: t.varchar(70).nullable(),
  billingCity: t.varchar(40).nullable(),
  billingState: t.varchar(40).nullable(),
  billingCountry: t.varchar(40).nullable(),
  billingPostalCode: t.varchar(10).nullable(),
  total: t.numeric(10, 2),
})

export const invoiceLines = table('invoice_line', {
  invoiceLineId: t.serial().primaryKey(),
  invoiceId: t.integer().references(() => invoices.invoiceId),
  trackId: t.integer().references(() => tracks.trackId),
  unitPrice: t.numeric(10, 2),
  quantity: t.integer(),
})

const chinookSchema = defineSchema(
  { artists, albums, tracks, genres, mediaTypes, playlists, playlistTracks, employees, customers, invoices, invoiceLines },
  ({ oneToMany, manyToOne, manyToMany }) => ({
    artists: {
      albums: oneToMany('albums', { backPopulates: 'artist' }),
    },
    albums: {
      artist: manyToOne('artists', { backPopulates: 'albums' }),
      tracks: oneToMany('tracks', { backPopulates: 'album' }),
    },
    genres: {
      tracks: oneToMany('tracks', { backPopulates: 'genre' }),
    },
    mediaTypes: {
      tracks: oneToMany('tracks', { backPopulates: 'mediaType' }),
    },
    tracks: {
      album: manyToOne('albums', { backPopulates: 'tracks' }),
      genre: manyToOne('genres', { backPopulates: 'tracks' }),
      mediaType: manyToOne('mediaTypes', { backPopulates: 'tracks' }),
      playlists: manyToMany('playlists', { via: 'playlistTracks', backPopulates: 'tracks' }),
      invoiceLines: oneToMany('invoiceLines', { backPopulates: 'track' }),
    },
    playlists: {
      tracks: manyToMany('tracks', { via: 'playlistTracks', backPopulates: 'playlists' }),
    },
    employees: {
      reportsTo: manyToOne('employees', { backPopulates: 'reports' }),
      reports: oneToMany('employees', { backPopulates: 'reportsTo' }),
      customers: oneToMany('customers', { backPopulates: 'supportRep' }),
    },
    customers: {
      supportRep: manyToOne('employees', { backPopulates: 'customers' }),
      invoices: oneToMany('invoices', { backPopulates: 'customer' }),
    },
    invoices: {
      customer: manyToOne('customers', { backPopulates: 'invoices' }),
      lines: oneToMany('invoiceLines', { backPopulates: 'invoice' }),
    },
    invoiceLines: {
      invoice: manyToOne('invoices', { backPopulates: 'lines' }),
      track: manyToOne('tracks', { backPopulates: 'invoiceLines' }),
    },
  }),
  { casing: 'snake_case' },
)

/**
 * The schema's type under one name: hovers, type errors and emitted declarations then say
 * `Chinook` instead of spelling out every table and column.
 */
export interface Chinook extends ChinookInferred {}
type ChinookInferred = typeof chinookSchema
export const schema: Chinook = chinookSchema
