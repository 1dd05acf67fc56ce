/**
 * The API reference: `npm run docs` builds it with TypeDoc from the TSDoc of the public entry
 * points, warnings as errors (an export without documentation, a broken link, a public type that
 * names an unexported one not listed as intended all fail the build); a headless Chromium then
 * opens pages as a reader would and checks that they render (the navigation is built by the
 * site's script) and show the examples.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { childEnv } from './support/child-env.js'

const run = promisify(execFile)
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path))

// In CI the browser is installed by .ci/run: its absence is a failure there, a skip elsewhere.
if (chromium === undefined && !process.env.CI) console.warn('[relata] skipping the API reference browser checks: no chromium (apt-get install chromium)')

describe('API reference', () => {
  let out: string

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'relata-api-'))
    // The same build as `npm run docs`, into a scratch folder.
    await run('npx', ['typedoc', '--out', out], { cwd: packageDir, env: childEnv(), timeout: 240_000 })
    // TypeDoc type-checks the whole package: minutes on a loaded two-core machine.
  }, 300_000)

  afterAll(async () => {
    if (out !== undefined) await rm(out, { recursive: true, force: true })
  })

  /** The page's DOM after its scripts ran, as Chromium renders it. */
  async function rendered(page: string): Promise<string> {
    const url = pathToFileURL(join(out, page)).href
    const { stdout } = await run(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=2000', '--dump-dom', url], { timeout: 60_000, maxBuffer: 64 * 2 ** 20 })
    return stdout
  }

  const pages = [
    { page: 'functions/_relata_core.createOrm.html', name: 'createOrm', example: 'createOrm(' },
    { page: 'functions/_relata_core.defineSchema.html', name: 'defineSchema', example: 'defineSchema(' },
    { page: 'interfaces/_relata_core.Session.html', name: 'Session', example: 'orm.session()' },
    { page: 'interfaces/_relata_core.EntityQuery.html', name: 'EntityQuery', example: '.with(' },
    { page: 'functions/_relata_core_pglite.pglite.html', name: 'pglite', example: 'pglite(' },
    { page: 'functions/_relata_core_postgres.postgres.html', name: 'postgres', example: 'postgres(' },
    { page: 'functions/_relata_core_mysql.mysql.html', name: 'mysql', example: 'mysql(' },
  ]

  test.runIf(chromium !== undefined || process.env.CI)('the reference builds with no warning; the landing page renders the README and lists the four entry points', async () => {
    expect(chromium, 'chromium is not installed (apt-get install chromium)').toBeDefined()
    const dom = await rendered('index.html')
    expect(dom).toContain('<title>Relata</title>')
    // The package README is the landing page.
    expect(dom).toMatch(/<h2[^>]*>.*Install/)
    // The navigation is filled in by the site's script: present only if the page really ran.
    const navigation = dom.slice(dom.indexOf('id="tsd-nav-container"'))
    for (const entry of ['@relata/core', '@relata/core$pglite', '@relata/core$postgres', '@relata/core$mysql']) expect(navigation).toContain(`data-key="${entry}"`)
  }, 120_000)

  test.runIf(chromium !== undefined || process.env.CI)('each page of the main exports renders with its signature, its navigation and its example', async () => {
    expect(chromium, 'chromium is not installed (apt-get install chromium)').toBeDefined()
    for (const { page } of pages) expect(existsSync(join(out, page)), page).toBe(true)
    // Two browsers at a time (two cores): a Chromium start takes seconds on a loaded machine.
    const doms: string[] = []
    for (let i = 0; i < pages.length; i += 2) doms.push(...(await Promise.all(pages.slice(i, i + 2).map(({ page }) => rendered(page)))))
    for (const [i, { page, name, example }] of pages.entries()) {
      const dom = doms[i]!
      expect(dom, page).toContain(`<title>${name} |`)
      expect(dom.match(/class="tsd-kind-icon"/g)?.length ?? 0, `${page}: navigation rendered`).toBeGreaterThan(20)
      const examples = dom.slice(dom.indexOf('tsd-tag-example'))
      expect(dom.indexOf('tsd-tag-example'), `${page}: an Example section`).toBeGreaterThan(0)
      // The example's code, highlighted (tags stripped to compare the text).
      expect(examples.replace(/<[^>]+>/g, '').replace(/&gt;/g, '>').replace(/&lt;/g, '<'), page).toContain(example)
    }
  }, 300_000)
})
