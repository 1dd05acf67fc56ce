/** The scenarios, in report order. */
import type { Scenario } from '../scenario.js'
import { f2 } from './f2-artist-album-counts.js'
import { r1 } from './r1-artists-albums-tracks.js'
import { r2 } from './r2-playlists-tracks.js'
import { r3 } from './r3-tracks-one-by-one.js'
import { w1 } from './w1-insert-catalog.js'
import { w2 } from './w2-update-prices.js'
import { f1 } from './f1-artists-with-long-tracks.js'
import { f3 } from './f3-longest-tracks-per-album.js'

export const scenarios: readonly Scenario[] = [r1, r2, r3, w1, w2, f1, f2, f3]
