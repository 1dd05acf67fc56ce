/** The names pull gives: camelCase from snake_case, SCREAMING_CASE and PascalCase SQL names, and what a key column names once its `Id` is off. */
import { expect, test } from 'vitest'
import { camelCase, keyColumnBase } from '../../src/pull/source-text.js'

test('camelCase from the ways databases spell names', () => {
  expect(['media_type_id', 'MediaTypeId', 'SKU_ID', 'HTTPStatus', 'ID', 'full name', 'createdAt', '2fa'].map(camelCase)).toEqual([
    'mediaTypeId', 'mediaTypeId', 'skuId', 'httpStatus', 'id', 'fullName', 'createdAt', '_2fa',
  ])
})

test('a key column names its relation without its Id; one not named so names none', () => {
  expect(['artist_id', 'ArtistId', 'SupportRepId', 'reports_to', 'ReportsTo', 'id', 'paid', 'userid'].map(keyColumnBase)).toEqual([
    'artist', 'artist', 'supportRep', undefined, undefined, undefined, undefined, undefined,
  ])
})
