/** defineSchema at run time: the mistakes types cannot catch, and the resolved model of Chinook. */
import { describe, expect, test } from 'vitest'
import { schema as chinook } from '@relata/test-kit/chinook'
import { defineSchema, SchemaError, t, table, type AnyColumn, type AnySchema, type AnyTable, type RelationModel } from '../src/index.js'

/** `defineSchema` as plain JavaScript sees it: no compile-time checks. */
const defineUntyped = defineSchema as unknown as (
  tables: Record<string, AnyTable>,
  relations?: (helpers: any) => Record<string, Record<string, unknown>>,
  options?: { casing?: 'preserve' | 'snake_case' },
) => AnySchema

const relation = (schema: AnySchema, key: string, name: string): RelationModel => {
  const found = schema.table(key).relations.get(name)
  if (found === undefined) throw new Error(`no relation ${key}.${name}`)
  return found
}
const sqlNames = (columns: readonly { sqlName: string }[]) => columns.map((c) => c.sqlName)

const authors = table('authors', { id: t.serial().primaryKey(), name: t.text() })
const books = table('books', {
  id: t.serial().primaryKey(),
  title: t.text(),
  authorId: t.integer().nullable().references(() => authors.id),
})

describe('joins that cannot be inferred', () => {
  test('no foreign key between the two tables', () => {
    const loose = table('loose', { id: t.serial().primaryKey(), authorId: t.integer() })
    expect(() => defineSchema({ authors, loose }, ({ oneToMany }) => ({ authors: { loose: oneToMany('loose') } }))).toThrow(
      new SchemaError(
        "Relation 'authors.loose': no foreign key from 'loose' to 'authors'; add .references() to the column that holds it",
      ),
    )
    expect(() => defineSchema({ authors, loose }, ({ manyToOne }) => ({ loose: { author: manyToOne('authors') } }))).toThrow(
      new SchemaError("Relation 'loose.author': no foreign key from 'loose' to 'authors'; add .references() to the column that holds it"),
    )
  })

  describe('two foreign keys from customer to employee', () => {
    const employees = table('employee', { id: t.serial().primaryKey(), name: t.text() })
    const customers = table('customer', {
      id: t.serial().primaryKey(),
      supportRepId: t.integer().nullable().references(() => employees.id),
      accountManagerId: t.integer().references(() => employees.id),
    })
    const tables = { employees, customers }

    test('without foreignKey, the error names both candidate keys', () => {
      expect(() => defineSchema(tables, ({ manyToOne }) => ({ customers: { supportRep: manyToOne('employees') } }))).toThrow(
        new SchemaError(
          "Relation 'customers.supportRep': 2 foreign keys from 'customer' to 'employee' could serve " +
            "(customer(supportRepId); customer(accountManagerId)); name one with the 'foreignKey' option",
        ),
      )
      expect(() => defineSchema(tables, ({ oneToMany }) => ({ employees: { customers: oneToMany('customers') } }))).toThrow(
        new SchemaError(
          "Relation 'employees.customers': 2 foreign keys from 'customer' to 'employee' could serve " +
            "(customer(supportRepId); customer(accountManagerId)); name one with the 'foreignKey' option",
        ),
      )
    })

    test('foreignKey picks one, on both sides', () => {
      const schema = defineSchema(tables, ({ oneToMany, manyToOne }) => ({
        employees: {
          supported: oneToMany('customers', { foreignKey: 'supportRepId', backPopulates: 'supportRep' }),
          managed: oneToMany('customers', { foreignKey: ['accountManagerId'], backPopulates: 'accountManager' }),
        },
        customers: {
          supportRep: manyToOne('employees', { foreignKey: 'supportRepId', backPopulates: 'supported' }),
          accountManager: manyToOne('employees', { foreignKey: 'accountManagerId', backPopulates: 'managed' }),
        },
      }))
      const supportRep = relation(schema, 'customers', 'supportRep')
      const accountManager = relation(schema, 'customers', 'accountManager')
      expect(sqlNames(supportRep.sourceColumns)).toEqual(['supportRepId'])
      expect(supportRep.nullable).toBe(true)
      expect(sqlNames(accountManager.sourceColumns)).toEqual(['accountManagerId'])
      expect(accountManager.nullable).toBe(false)
      expect(relation(schema, 'employees', 'supported').foreignKey).toBe(supportRep.foreignKey)
      expect(relation(schema, 'employees', 'managed').foreignKey).toBe(accountManager.foreignKey)
    })

    test('a foreignKey that is a column but not a foreign key to the target', () => {
      const withName = table('customer', {
        id: t.serial().primaryKey(),
        name: t.text(),
        supportRepId: t.integer().nullable().references(() => employees.id),
        accountManagerId: t.integer().references(() => employees.id),
      })
      expect(() =>
        defineSchema({ employees, customers: withName }, ({ manyToOne }) => ({
          customers: { supportRep: manyToOne('employees', { foreignKey: 'name' }) },
        })),
      ).toThrow(
        new SchemaError(
          "Relation 'customers.supportRep': foreignKey (name) is not a foreign key from 'customer' to 'employee'; " +
            'found: customer(supportRepId); customer(accountManagerId)',
        ),
      )
    })

    test('a foreignKey that is not a column (untyped caller)', () => {
      expect(() => defineUntyped(tables, ({ manyToOne }) => ({ customers: { supportRep: manyToOne('employees', { foreignKey: 'repId' }) } }))).toThrow(
        new SchemaError("Relation 'customers.supportRep': foreignKey names 'repId', which is not a column of 'customer'"),
      )
    })

    test('backPopulates joined on a different foreign key', () => {
      expect(() =>
        defineSchema(tables, ({ oneToMany, manyToOne }) => ({
          employees: { supported: oneToMany('customers', { foreignKey: 'accountManagerId', backPopulates: 'supportRep' }) },
          customers: { supportRep: manyToOne('employees', { foreignKey: 'supportRepId', backPopulates: 'supported' }) },
        })),
      ).toThrow(new SchemaError("Relation 'employees.supported': backPopulates 'customers.supportRep' is joined on a different foreign key"))
    })
  })
})

describe('tables and columns', () => {
  test('a table without a primary key', () => {
    const log = table('log', { message: t.text() })
    expect(() => defineSchema({ log })).toThrow(
      new SchemaError("Table 'log' has no primary key: mark one or more columns with .primaryKey() so rows have an identity"),
    )
  })

  test('two tables with one SQL name', () => {
    const writers = table('authors', { id: t.serial().primaryKey() })
    expect(() => defineSchema({ authors, writers })).toThrow(new SchemaError("defineSchema(): tables 'authors' and 'writers' both use the SQL name 'authors'"))
  })

  test('two columns with one SQL name, after casing or by .name()', () => {
    const clash = table('clash', { id: t.serial().primaryKey(), authorId: t.integer(), author_id: t.integer() })
    expect(() => defineSchema({ clash }, () => ({}), { casing: 'snake_case' })).toThrow(
      new SchemaError("Table 'clash': columns 'authorId' and 'author_id' both use the SQL name 'author_id'"),
    )
    expect(() => defineSchema({ clash })).not.toThrow()
    const renamed = table('renamed', { id: t.serial().primaryKey(), a: t.integer().name('x'), b: t.integer().name('x') })
    expect(() => defineSchema({ renamed })).toThrow(new SchemaError("Table 'renamed': columns 'a' and 'b' both use the SQL name 'x'"))
  })

  test('a reference to a table that is not in the schema', () => {
    expect(() => defineSchema({ books }, () => ({}), { casing: 'snake_case' })).toThrow(
      new SchemaError(
        "Column 'books.author_id' references a column of a table that is not in this schema: add that table to defineSchema()",
      ),
    )
  })

  test('something that is not a table', () => {
    expect(() => defineUntyped({ authors, books: { id: t.serial() } as unknown as AnyTable })).toThrow(
      new SchemaError("defineSchema(): 'books' is not a table (declare it with table())"),
    )
  })
})

describe('composite foreign keys', () => {
  const playlists = table('playlist', { id: t.serial().primaryKey() })
  const tracks = table('track', { id: t.serial().primaryKey() })
  const entries = table('playlist_track', {
    playlistId: t.integer().primaryKey().references(() => playlists.id),
    trackId: t.integer().primaryKey().references(() => tracks.id),
  })

  test('references to every column of a composite key group into one foreign key', () => {
    const notes = table('entry_note', {
      id: t.serial().primaryKey(),
      playlistId: t.integer().references(() => entries.playlistId),
      trackId: t.integer().references(() => entries.trackId),
      note: t.text(),
    })
    const schema = defineSchema({ playlists, tracks, entries, notes }, ({ oneToMany, manyToOne }) => ({
      entries: { notes: oneToMany('notes', { backPopulates: 'entry' }) },
      notes: { entry: manyToOne('entries', { backPopulates: 'notes' }) },
    }))
    const [fk, ...others] = schema.table('notes').foreignKeys
    expect(others).toEqual([])
    expect(fk!.name).toBe('entry_note_playlistId_trackId_fkey')
    expect(sqlNames(fk!.columns)).toEqual(['playlistId', 'trackId'])
    expect(sqlNames(fk!.referencedColumns)).toEqual(['playlistId', 'trackId'])
    const entry = relation(schema, 'notes', 'entry')
    expect(sqlNames(entry.sourceColumns)).toEqual(['playlistId', 'trackId'])
    expect(sqlNames(entry.targetColumns)).toEqual(['playlistId', 'trackId'])
    expect(sqlNames(relation(schema, 'entries', 'notes').targetColumns)).toEqual(['playlistId', 'trackId'])
  })

  test('a reference covering part of a composite key fails, naming the key', () => {
    const partial = table('entry_note', {
      id: t.serial().primaryKey(),
      playlistId: t.integer().references(() => entries.playlistId),
    })
    expect(() => defineSchema({ playlists, tracks, entries, partial })).toThrow(
      new SchemaError(
        "Table 'entry_note' references 'playlist_track', whose primary key is (playlistId, trackId); " +
          'a composite foreign key must reference each of those columns exactly once, found (playlistId)',
      ),
    )
  })

  test('a reference covering one column of a composite key twice fails', () => {
    const twice = table('entry_note', {
      id: t.serial().primaryKey(),
      a: t.integer().references(() => entries.playlistId),
      b: t.integer().references(() => entries.playlistId),
    })
    expect(() => defineSchema({ playlists, tracks, entries, twice })).toThrow(
      new SchemaError(
        "Table 'entry_note' references 'playlist_track', whose primary key is (playlistId, trackId); " +
          'a composite foreign key must reference each of those columns exactly once, found (playlistId, playlistId)',
      ),
    )
  })
})

describe('many-to-many', () => {
  const users = table('users', { id: t.serial().primaryKey() })
  const follows = table('follows', {
    followerId: t.integer().primaryKey().references(() => users.id),
    followedId: t.integer().primaryKey().references(() => users.id),
  })

  test('a self-referential many-to-many must name sourceKey and targetKey', () => {
    expect(() => defineSchema({ users, follows }, ({ manyToMany }) => ({ users: { following: manyToMany('users', { via: 'follows' }) } }))).toThrow(
      new SchemaError("Relation 'users.following': a self-referential many-to-many must name both 'sourceKey' and 'targetKey' of 'follows'"),
    )
  })

  test('with both keys named, the two directions mirror each other', () => {
    const schema = defineSchema({ users, follows }, ({ manyToMany }) => ({
      users: {
        following: manyToMany('users', { via: 'follows', sourceKey: 'followerId', targetKey: 'followedId', backPopulates: 'followers' }),
        followers: manyToMany('users', { via: 'follows', sourceKey: 'followedId', targetKey: 'followerId', backPopulates: 'following' }),
      },
    }))
    const following = relation(schema, 'users', 'following')
    expect(sqlNames(following.association!.sourceKey.columns)).toEqual(['followerId'])
    expect(sqlNames(following.association!.targetKey.columns)).toEqual(['followedId'])
    expect(relation(schema, 'users', 'followers').association!.sourceKey).toBe(following.association!.targetKey)
  })

  test('backPopulates on the same association with swapped keys is rejected', () => {
    expect(() =>
      defineSchema({ users, follows }, ({ manyToMany }) => ({
        users: {
          following: manyToMany('users', { via: 'follows', sourceKey: 'followerId', targetKey: 'followedId', backPopulates: 'followers' }),
          followers: manyToMany('users', { via: 'follows', sourceKey: 'followerId', targetKey: 'followedId', backPopulates: 'following' }),
        },
      })),
    ).toThrow(new SchemaError("Relation 'users.following': backPopulates 'users.followers' is joined on a different foreign key"))
  })

  test('an association table without a key to one side', () => {
    const tags = table('tags', { id: t.serial().primaryKey() })
    expect(() => defineSchema({ users, follows, tags }, ({ manyToMany }) => ({ tags: { users: manyToMany('users', { via: 'follows', sourceKey: 'followerId' }) } }))).toThrow(
      new SchemaError("Relation 'tags.users': sourceKey (followerId) is not a foreign key from 'follows' to 'tags'; found: none"),
    )
  })
})

describe('mistakes only an untyped caller can make', () => {
  const bookAuthor = table('book_author', {
    bookId: t.integer().primaryKey().references(() => books.id),
    authorId: t.integer().primaryKey().references(() => authors.id),
  })
  const tables = { authors, books, bookAuthor }
  const cases: [string, (h: any) => Record<string, Record<string, unknown>>, string][] = [
    [
      'a misspelt backPopulates',
      ({ oneToMany, manyToOne }) => ({
        authors: { books: oneToMany('books', { backPopulates: 'autor' }) },
        books: { author: manyToOne('authors', { backPopulates: 'books' }) },
      }),
      "Relation 'authors.books': backPopulates 'autor' is not a relation of 'books'",
    ],
    [
      'a backPopulates pointing at another table',
      ({ oneToMany, manyToOne }) => ({
        authors: { links: oneToMany('bookAuthor') },
        books: { author: manyToOne('authors', { backPopulates: 'links' }) },
      }),
      "Relation 'books.author': backPopulates 'authors.links' does not point back: it is a oneToMany to 'bookAuthor', expected a oneToMany to 'books'",
    ],
    [
      'a mirror of the wrong kind',
      ({ oneToMany, manyToMany }) => ({
        authors: { books: oneToMany('books', { backPopulates: 'coauthors' }) },
        books: { coauthors: manyToMany('authors', { via: 'bookAuthor' }) },
      }),
      "Relation 'authors.books': backPopulates 'books.coauthors' does not point back: it is a manyToMany to 'authors', expected a manyToOne to 'authors'",
    ],
    [
      'a mirror back-populating another relation',
      ({ oneToMany, manyToOne }) => ({
        authors: { books: oneToMany('books', { backPopulates: 'author' }), written: oneToMany('books', { backPopulates: 'author' }) },
        books: { author: manyToOne('authors', { backPopulates: 'books' }) },
      }),
      "Relation 'authors.written': its mirror 'books.author' back-populates 'books', not 'written'",
    ],
    [
      'relations for a table that is not in the schema',
      ({ manyToOne }) => ({ book: { author: manyToOne('authors') } }),
      "defineSchema(): relations are declared for 'book', which is not a table of this schema",
    ],
    ['a target that is not in the schema', ({ manyToOne }) => ({ books: { author: manyToOne('writers') } }), "Relation 'books.author': 'writers' is not a table of this schema"],
    [
      'a via that is not in the schema',
      ({ manyToMany }) => ({ books: { coauthors: manyToMany('authors', { via: 'book_author' }) } }),
      "Relation 'books.coauthors': via 'book_author' is not a table of this schema",
    ],
    ['a relation named like a column', ({ manyToOne }) => ({ books: { authorId: manyToOne('authors') } }), "Relation 'books.authorId': the name is already a column of 'books'"],
  ]
  test.each(cases)('%s', (_, relations, message) => {
    expect(() => defineUntyped(tables, relations)).toThrow(new SchemaError(message))
  })
})

describe('the resolved Chinook model', () => {
  test('SQL names follow snake_case casing; an explicit .name() wins', () => {
    expect([...chinook.tables.values()].map((m) => m.sqlName).sort()).toEqual(
      ['album', 'artist', 'customer', 'employee', 'genre', 'invoice', 'invoice_line', 'media_type', 'playlist', 'playlist_track', 'track'],
    )
    const employee = chinook.table('employees')
    expect(employee.columnsByProperty.get('reportsToId')!.sqlName).toBe('reports_to')
    expect(employee.columnsByProperty.get('postalCode')!.sqlName).toBe('postal_code')
    expect(sqlNames(chinook.table('invoiceLines').columns)).toEqual(['invoice_line_id', 'invoice_id', 'track_id', 'unit_price', 'quantity'])
  })

  test('primary keys, serial for single keys, composite for playlist_track', () => {
    const keys = Object.fromEntries([...chinook.tables.values()].map((m) => [m.sqlName, sqlNames(m.primaryKey)]))
    expect(keys).toEqual({
      artist: ['artist_id'],
      album: ['album_id'],
      track: ['track_id'],
      genre: ['genre_id'],
      media_type: ['media_type_id'],
      playlist: ['playlist_id'],
      playlist_track: ['playlist_id', 'track_id'],
      employee: ['employee_id'],
      customer: ['customer_id'],
      invoice: ['invoice_id'],
      invoice_line: ['invoice_line_id'],
    })
    expect(chinook.table('tracks').primaryKey[0]!.config.dataType).toBe('serial')
    expect(chinook.table('playlistTracks').primaryKey.map((c) => c.config.dataType)).toEqual(['integer', 'integer'])
  })

  test('column types as in the SQL file', () => {
    const column = (key: string, property: string) => chinook.table(key).columnsByProperty.get(property)!.config
    expect(column('tracks', 'unitPrice')).toMatchObject({ dataType: 'numeric', precision: 10, scale: 2, nullable: false })
    expect(column('invoices', 'total')).toMatchObject({ dataType: 'numeric', precision: 10, scale: 2 })
    expect(column('invoices', 'invoiceDate')).toMatchObject({ dataType: 'timestamp', withTimezone: false, nullable: false })
    expect(column('employees', 'birthDate')).toMatchObject({ dataType: 'timestamp', nullable: true })
    expect(column('tracks', 'name')).toMatchObject({ dataType: 'varchar', length: 200, nullable: false })
    expect(column('tracks', 'composer')).toMatchObject({ dataType: 'varchar', length: 220, nullable: true })
    expect(column('customers', 'lastName')).toMatchObject({ dataType: 'varchar', length: 20 })
    expect(column('customers', 'email')).toMatchObject({ dataType: 'varchar', length: 60, nullable: false })
    expect(column('employees', 'email')).toMatchObject({ dataType: 'varchar', length: 60, nullable: true })
  })

  test('foreign keys carry the constraint names of the SQL file', () => {
    const names = [...chinook.tables.values()].flatMap((m) => m.foreignKeys.map((fk) => fk.name)).sort()
    expect(names).toEqual([
      'album_artist_id_fkey',
      'customer_support_rep_id_fkey',
      'employee_reports_to_fkey',
      'invoice_customer_id_fkey',
      'invoice_line_invoice_id_fkey',
      'invoice_line_track_id_fkey',
      'playlist_track_playlist_id_fkey',
      'playlist_track_track_id_fkey',
      'track_album_id_fkey',
      'track_genre_id_fkey',
      'track_media_type_id_fkey',
    ])
  })

  // [table.relation, kind, source columns, target columns, owning, nullable, strategy]
  const direct: [string, string, string, string, boolean, boolean, string][] = [
    ['artists.albums', 'oneToMany', 'artist_id', 'artist_id', false, false, 'selectIn'],
    ['albums.artist', 'manyToOne', 'artist_id', 'artist_id', true, false, 'join'],
    ['albums.tracks', 'oneToMany', 'album_id', 'album_id', false, false, 'selectIn'],
    ['tracks.album', 'manyToOne', 'album_id', 'album_id', true, true, 'join'],
    ['genres.tracks', 'oneToMany', 'genre_id', 'genre_id', false, false, 'selectIn'],
    ['tracks.genre', 'manyToOne', 'genre_id', 'genre_id', true, true, 'join'],
    ['mediaTypes.tracks', 'oneToMany', 'media_type_id', 'media_type_id', false, false, 'selectIn'],
    ['tracks.mediaType', 'manyToOne', 'media_type_id', 'media_type_id', true, false, 'join'],
    ['tracks.invoiceLines', 'oneToMany', 'track_id', 'track_id', false, false, 'selectIn'],
    ['invoiceLines.track', 'manyToOne', 'track_id', 'track_id', true, false, 'join'],
    ['employees.reportsTo', 'manyToOne', 'reports_to', 'employee_id', true, true, 'join'],
    ['employees.reports', 'oneToMany', 'employee_id', 'reports_to', false, false, 'selectIn'],
    ['employees.customers', 'oneToMany', 'employee_id', 'support_rep_id', false, false, 'selectIn'],
    ['customers.supportRep', 'manyToOne', 'support_rep_id', 'employee_id', true, true, 'join'],
    ['customers.invoices', 'oneToMany', 'customer_id', 'customer_id', false, false, 'selectIn'],
    ['invoices.customer', 'manyToOne', 'customer_id', 'customer_id', true, false, 'join'],
    ['invoices.lines', 'oneToMany', 'invoice_id', 'invoice_id', false, false, 'selectIn'],
    ['invoiceLines.invoice', 'manyToOne', 'invoice_id', 'invoice_id', true, false, 'join'],
  ]
  test.each(direct)('%s: %s on %s = %s', (path, kind, source, target, owning, nullable, strategy) => {
    const [key, name] = path.split('.') as [string, string]
    const r = relation(chinook, key, name)
    expect({
      kind: r.kind,
      source: sqlNames(r.sourceColumns),
      target: sqlNames(r.targetColumns),
      owning: r.owning,
      toOne: r.toOne,
      nullable: r.nullable,
      strategy: r.strategy,
      association: r.association,
    }).toEqual({ kind, source: [source], target: [target], owning, toOne: kind === 'manyToOne', nullable, strategy, association: undefined })
  })

  test('every declared relation is covered above or below', () => {
    const all = [...chinook.tables.values()].flatMap((m) => [...m.relations.keys()].map((n) => `${m.key}.${n}`))
    expect(all.sort()).toEqual([...direct.map((d) => d[0]), 'playlists.tracks', 'tracks.playlists'].sort())
  })

  test('both directions of a relation share one foreign key and name each other', () => {
    for (const [path] of direct) {
      const [key, name] = path.split('.') as [string, string]
      const r = relation(chinook, key, name)
      const mirror = relation(chinook, r.target.key, r.backPopulates!)
      expect(mirror.backPopulates).toBe(name)
      expect(mirror.foreignKey).toBe(r.foreignKey)
    }
  })

  test('playlist <-> track through playlist_track', () => {
    const tracks = relation(chinook, 'playlists', 'tracks')
    const playlists = relation(chinook, 'tracks', 'playlists')
    expect(tracks.association!.table.sqlName).toBe('playlist_track')
    expect(sqlNames(tracks.association!.sourceKey.columns)).toEqual(['playlist_id'])
    expect(sqlNames(tracks.association!.targetKey.columns)).toEqual(['track_id'])
    expect(sqlNames(tracks.sourceColumns)).toEqual(['playlist_id'])
    expect(sqlNames(tracks.targetColumns)).toEqual(['track_id'])
    expect(tracks.association!.sourceKey.references.sqlName).toBe('playlist')
    expect(tracks.association!.targetKey.references.sqlName).toBe('track')
    expect(playlists.association!.sourceKey).toBe(tracks.association!.targetKey)
    expect(playlists.association!.targetKey).toBe(tracks.association!.sourceKey)
    for (const r of [tracks, playlists]) {
      expect(r).toMatchObject({ kind: 'manyToMany', toOne: false, owning: false, nullable: false, strategy: 'selectIn' })
    }
  })

  test('an explicit strategy overrides the default', () => {
    const schema = defineSchema({ authors, books }, ({ oneToMany, manyToOne }) => ({
      authors: { books: oneToMany('books', { strategy: 'join' }) },
      books: { author: manyToOne('authors', { strategy: 'selectIn' }) },
    }))
    expect(relation(schema, 'authors', 'books').strategy).toBe('join')
    expect(relation(schema, 'books', 'author').strategy).toBe('selectIn')
  })

  test('the model is frozen', () => {
    const track = chinook.table('tracks')
    expect(Object.isFrozen(track)).toBe(true)
    expect(Object.isFrozen(track.foreignKeys)).toBe(true)
    expect(Object.isFrozen(relation(chinook, 'tracks', 'album'))).toBe(true)
  })
})

test('a self-reference needs its callback annotated, and still resolves', () => {
  const nodes = table('nodes', { id: t.serial().primaryKey(), parentId: t.integer().nullable().references((): AnyColumn => nodes.id) })
  const schema = defineSchema({ nodes }, ({ oneToMany, manyToOne }) => ({
    nodes: { parent: manyToOne('nodes', { backPopulates: 'children' }), children: oneToMany('nodes', { backPopulates: 'parent' }) },
  }))
  expect(sqlNames(relation(schema, 'nodes', 'parent').sourceColumns)).toEqual(['parentId'])
  expect(sqlNames(relation(schema, 'nodes', 'children').targetColumns)).toEqual(['parentId'])
})

describe('relation options that mean nothing for their kind, and one-sided backPopulates', () => {
  const users = table('users', { id: t.serial().primaryKey(), prefId: t.integer().nullable().references(() => prefs.id) })
  const prefs = table('prefs', { id: t.serial().primaryKey() })
  const profiles = table('profiles', { id: t.serial().primaryKey(), userId: t.integer().references(() => users.id) })
  const tags = table('tags', { id: t.serial().primaryKey() })
  const userTags = table('user_tags', { userId: t.integer().primaryKey().references(() => users.id), tagId: t.integer().primaryKey().references(() => tags.id) })
  const tables = { users, prefs, profiles, tags, userTags }
  const cases: [string, (h: any) => Record<string, Record<string, unknown>>, string][] = [
    [
      'an unknown option',
      ({ oneToMany }) => ({ prefs: { users: oneToMany('users', { cascade: { delete: true }, onDelete: 'cascade' }) } }),
      "Relation 'prefs.users': 'onDelete' is not an option of oneToMany (options: backPopulates, strategy, cascade, viewOnly, where, foreignKey, orderBy)",
    ],
    [
      'singleParent on a one-to-many (a child has one parent by its key)',
      ({ oneToMany }) => ({ prefs: { users: oneToMany('users', { singleParent: true }) } }),
      "Relation 'prefs.users': 'singleParent' is not an option of oneToMany (options: backPopulates, strategy, cascade, viewOnly, where, foreignKey, orderBy)",
    ],
    [
      'an unknown cascade option',
      ({ oneToMany }) => ({ prefs: { users: oneToMany('users', { cascade: { delete: true, refresh: true } }) } }),
      "Relation 'prefs.users': cascade.refresh is not a cascade option (save, delete, deleteOrphan, passive)",
    ],
    [
      'a cascade option that is not a boolean',
      ({ oneToMany }) => ({ prefs: { users: oneToMany('users', { cascade: { delete: 'yes' } }) } }),
      "Relation 'prefs.users': cascade.delete must be true or false",
    ],
    [
      'passive on a many-to-one',
      ({ manyToOne }) => ({ users: { pref: manyToOne('prefs', { cascade: { delete: true, passive: true } }) } }),
      "Relation 'users.pref': cascade.passive means nothing on a manyToOne that holds the foreign key: no rows point at its owner for ON DELETE to remove",
    ],
    [
      'passive on the one-to-one that holds the key',
      ({ oneToOne }) => ({ profiles: { user: oneToOne('users', { cascade: { passive: true } }) } }),
      "Relation 'profiles.user': cascade.passive means nothing on a oneToOne that holds the foreign key: no rows point at its owner for ON DELETE to remove",
    ],
    [
      'deleteOrphan on a many-to-one without singleParent',
      ({ manyToOne }) => ({ users: { pref: manyToOne('prefs', { cascade: { delete: true, deleteOrphan: true } }) } }),
      "Relation 'users.pref': cascade.deleteOrphan on a manyToOne needs singleParent: true: an object is an orphan only when it can have one parent",
    ],
    [
      'deleteOrphan on a many-to-many without singleParent',
      ({ manyToMany }) => ({ users: { tags: manyToMany('tags', { via: 'userTags', cascade: { deleteOrphan: true } }) } }),
      "Relation 'users.tags': cascade.deleteOrphan on a manyToMany needs singleParent: true: an object is an orphan only when it can have one parent",
    ],
    [
      'backPopulates declared on one side only',
      ({ oneToMany, manyToOne }) => ({ users: { pref: manyToOne('prefs', { backPopulates: 'users' }) }, prefs: { users: oneToMany('users') } }),
      "Relation 'users.pref': backPopulates 'prefs.users' has no backPopulates; add backPopulates: 'pref' to it (both sides of a pair name each other)",
    ],
  ]
  test.each(cases)('%s is a SchemaError', (_, relations, message) => {
    expect(() => defineUntyped(tables, relations)).toThrow(new SchemaError(message))
  })

  test('each kind takes the options that mean something for it', () => {
    const schema = defineSchema(tables, ({ oneToMany, manyToOne, oneToOne, manyToMany }) => ({
      users: {
        pref: manyToOne('prefs', { backPopulates: 'users', singleParent: true, cascade: { delete: true, deleteOrphan: true } }),
        profile: oneToOne('profiles', { backPopulates: 'user', cascade: { delete: true, deleteOrphan: true, passive: true } }),
        tags: manyToMany('tags', { via: 'userTags', singleParent: true, cascade: { delete: true, deleteOrphan: true, passive: true } }),
      },
      prefs: { users: oneToMany('users', { backPopulates: 'pref', cascade: { save: false, passive: true } }) },
      profiles: { user: oneToOne('users', { backPopulates: 'profile', cascade: { delete: true, deleteOrphan: true } }) },
    }))
    expect(relation(schema, 'users', 'pref')).toMatchObject({ singleParent: true, cascade: { save: true, delete: true, deleteOrphan: true, passive: false } })
    expect(relation(schema, 'users', 'profile')).toMatchObject({ singleParent: true, owning: false })
    expect(relation(schema, 'profiles', 'user')).toMatchObject({ singleParent: true, owning: true })
    expect(relation(schema, 'prefs', 'users')).toMatchObject({ singleParent: false, cascade: { save: false, delete: false, deleteOrphan: false, passive: true } })
  })
})

describe('table declarations', () => {
  const untypedTable = table as unknown as (name: string, columns: Record<string, AnyColumn>, options: unknown) => AnyTable
  const columns = { id: t.serial().primaryKey(), title: t.text(), authorId: t.integer() }

  test('resolve to SQL columns and conventional names under the schema casing', () => {
    const books = table('books', columns, {
      indexes: [{ columns: ['title'] }, { columns: ['authorId', 'title'], unique: true, name: 'by_author' }],
      uniques: [['authorId', 'title'], { name: 'one_title', columns: ['title'] }],
      checks: { books_title_check: "title <> ''" },
      comment: 'Books',
    })
    const model = defineSchema({ books }, () => ({}), { casing: 'snake_case' }).table('books')
    expect(model.indexes.map((i) => [i.name, sqlNames(i.columns), i.unique])).toEqual([
      ['books_title_idx', ['title'], false],
      ['by_author', ['author_id', 'title'], true],
    ])
    expect(model.uniques.map((u) => [u.name, sqlNames(u.columns)])).toEqual([
      ['books_author_id_title_key', ['author_id', 'title']],
      ['one_title', ['title']],
    ])
    expect(model.checks.map((c) => c.name)).toEqual(['books_title_check'])
    expect(model.comment).toBe('Books')
  })

  test('a column-level unique() is listed first among the uniques', () => {
    const model = defineSchema({ tags: table('tags', { id: t.serial().primaryKey(), name: t.text().unique() }, { uniques: [['id', 'name']] }) }).table('tags')
    expect(model.uniques.map((u) => u.name)).toEqual(['tags_name_key', 'tags_id_name_key'])
  })

  test('an unknown column, an empty list or a non-condition names the table', () => {
    expect(() => untypedTable('books', columns, { indexes: [{ columns: ['titel'] }] })).toThrow(
      "table('books'): index 1 names 'titel', not a column of the table (columns: id, title, authorId)",
    )
    expect(() => untypedTable('books', columns, { uniques: [[]] })).toThrow("table('books'): unique constraint 1 needs at least one column")
    expect(() => untypedTable('books', columns, { checks: { bad: 42 } })).toThrow("table('books'): check 'bad' is neither SQL text nor a Kysely expression")
  })

  test('two indexes or constraints with one name are a SchemaError naming the table', () => {
    const books = table('books', columns, { indexes: [{ columns: ['title'], name: 'x' }], uniques: [{ name: 'x', columns: ['authorId'] }] })
    expect(() => defineSchema({ books })).toThrow(SchemaError)
    expect(() => defineSchema({ books })).toThrow("Table 'books' declares two indexes or constraints named 'x'")
  })
})
