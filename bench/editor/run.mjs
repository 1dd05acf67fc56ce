// The editor benchmark (issue #19): drives tsserver over its protocol, as an editor does, on one
// file holding a generated schema of N tables and a few lines that use it, written with Relata,
// Drizzle and MikroORM. After a one-character edit in that file it times completion after
// `loaded.`, quick info on `loaded`, and the file's diagnostics; it reports the hover's text and
// length, and whether completion offers internal members (names starting with `$`).
//
// Usage: node bench/editor/run.mjs [sizes...]   (default 3 50 200; ROUNDS=n edits per operation,
// default 5, median reported; LIBRARIES=relata,drizzle,mikro-orm). Relata is read from its built
// declarations (packages/core/dist: `npm run build` first), as the other two are, as a user's
// editor reads them. Writes bench/editor/results.md and prints it.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { libraries } from './projects.mjs'
import { TsServer } from './tsserver-client.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const outDir = path.join(here, '.generated')

const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n >= 3)
if (sizes.length === 0) sizes.push(3, 50, 200)
const rounds = Math.max(1, Number(process.env.ROUNDS ?? 5))
const chosen = (process.env.LIBRARIES ?? Object.keys(libraries).join(',')).split(',')

if (chosen.includes('relata') && !existsSync(path.join(root, 'packages/core/dist/index.d.ts'))) {
  console.error('bench/editor reads @relata/core from its built declarations: run `npm run build` first.')
  process.exit(1)
}

const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    experimentalDecorators: false,
  },
  files: ['app.ts'],
}

/** 1-based line and offset of a character index, as tsserver counts them. */
function location(text, index) {
  const before = text.slice(0, index).split('\n')
  return { line: before.length, offset: before.at(-1).length + 1 }
}

function marker(text, name) {
  const index = text.indexOf(`/*@${name}*/`)
  if (index < 0) throw new Error(`generated file has no /*@${name}*/ marker`)
  return index + `/*@${name}*/`.length
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

async function timed(action) {
  const start = performance.now()
  const result = await action()
  return { ms: performance.now() - start, result }
}

async function measure(library, n) {
  const { file, source } = libraries[library](n)
  const dir = path.join(outDir, `${library}-${n}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
  const filePath = path.join(dir, file)
  writeFileSync(filePath, source)

  const server = new TsServer(root)
  try {
    await server.request('open', { file: filePath, fileContent: source, projectRootPath: dir })
    const opened = await timed(() => server.diagnostics(filePath))
    const errors = opened.result.filter((d) => d.category === 'error')

    const hoverAt = location(source, marker(source, 'hover'))
    const completeAt = location(source, marker(source, 'complete'))
    const editIndex = marker(source, 'edit')
    let typed = false
    // One character typed, then deleted by the next edit: the file alternates between two texts.
    const edit = () => {
      const at = location(source, editIndex)
      const change = typed ? { ...at, endLine: at.line, endOffset: at.offset + 1, insertString: '' } : { ...at, endLine: at.line, endOffset: at.offset, insertString: 'x' }
      typed = !typed
      return server.request('change', { file: filePath, ...change })
    }

    const times = { completion: [], quickinfo: [], diagnostics: [] }
    let hover = ''
    let entries = []
    for (let round = 0; round < rounds; round += 1) {
      await edit()
      const completion = await timed(() => server.request('completionInfo', { file: filePath, ...completeAt, triggerCharacter: '.' }))
      times.completion.push(completion.ms)
      entries = completion.result?.entries ?? []
      await edit()
      const info = await timed(() => server.request('quickinfo', { file: filePath, ...hoverAt }))
      times.quickinfo.push(info.ms)
      hover = info.result?.displayString ?? ''
      await edit()
      times.diagnostics.push((await timed(() => server.diagnostics(filePath))).ms)
    }
    const names = entries.map((e) => e.name)
    return {
      library,
      n,
      open: opened.ms,
      errors: errors.map((d) => `${d.start.line}:${d.start.offset} ${d.text.slice(0, 200)}`),
      completion: median(times.completion),
      quickinfo: median(times.quickinfo),
      diagnostics: median(times.diagnostics),
      hover,
      offersName: names.includes('name'),
      internal: names.filter((name) => name.startsWith('$')),
      duplicates: names.length - new Set(names).size,
    }
  } finally {
    await server.close()
  }
}

rmSync(outDir, { recursive: true, force: true })
const rows = []
for (const n of sizes) {
  for (const library of chosen) {
    const row = await measure(library, n)
    rows.push(row)
    console.error(`${library} ${n} tables: completion ${row.completion.toFixed(0)} ms, quick info ${row.quickinfo.toFixed(0)} ms, diagnostics ${row.diagnostics.toFixed(0)} ms, hover ${row.hover.length} chars`)
  }
}

const ms = (value) => `${(value / 1000).toFixed(2)} s`
const lines = [
  `Editor latency after a one-character edit in the file that holds the schema (tsserver, median of ${rounds}; TypeScript ${(await import('typescript')).default.version}).`,
  '',
  '| tables | library | completion | quick info | diagnostics | first diagnostics | hover length | errors | `$` members offered | duplicate entries |',
  '|---:|---|---:|---:|---:|---:|---:|---:|---|---:|',
  ...rows.map(
    (r) =>
      `| ${r.n} | ${r.library} | ${ms(r.completion)} | ${ms(r.quickinfo)} | ${ms(r.diagnostics)} | ${ms(r.open)} | ${r.hover.length} | ${r.errors.length} | ${r.internal.join(', ') || 'none'} | ${r.duplicates} |`,
  ),
  '',
  'Hovers (quick info on `loaded`), first 300 characters:',
  '',
  ...rows.map((r) => `- ${r.library}, ${r.n} tables: \`${r.hover.slice(0, 300).replaceAll('\n', ' ')}${r.hover.length > 300 ? '…' : ''}\``),
  '',
]
const failures = rows.filter((r) => r.errors.length > 0 || !r.offersName)
for (const r of failures) lines.push(`**${r.library}, ${r.n} tables**: ${r.errors.length} type error(s) in the generated file${r.offersName ? '' : ', completion does not offer `name`'}: ${r.errors.slice(0, 3).join(' | ')}`)
const report = lines.join('\n')
writeFileSync(path.join(here, 'results.md'), report)
console.log(report)
process.exitCode = failures.length > 0 ? 1 : 0
