// Writes dist/typescript-too-old.d.ts, the declarations that package.json's `types@<5.4` export
// condition gives TypeScript older than 5.4. Those versions lack what Relata's types need
// (`NoInfer`, and relations then vanish from the types with an error far away): here every export
// of every entry point is one type whose name says what to do, so the first use of any fails with
// it, even under skipLibCheck. Run by `npm run build`, after tsdown.
import { readFile, writeFile } from 'node:fs/promises'

const dist = new URL('../dist/', import.meta.url)
const entries = ['index', 'pglite', 'postgres', 'mysql']
const values = new Set()
const types = new Set()
for (const entry of entries) {
  const text = await readFile(new URL(`${entry}.d.ts`, dist), 'utf8')
  const list = /^export \{([^}]*)\};?$/m.exec(text)
  if (list === null) throw new Error(`dist/${entry}.d.ts has no \`export { … }\` list`)
  for (const item of list[1].split(',').map((name) => name.trim()).filter(Boolean)) {
    const isType = item.startsWith('type ')
    const name = item.replace(/^type /, '').split(/\s+as\s+/).pop()
    ;(isType ? types : values).add(name)
  }
}
const tooOld = 'Relata_needs_TypeScript_5_4_or_newer__npm_i_D_typescript'
const params = Array.from({ length: 8 }, (_, i) => `_${i} = unknown`).join(', ')
const lines = [
  '/** @relata/core on TypeScript older than 5.4: every export is this type. Install TypeScript 5.4 or newer. */',
  `export interface ${tooOld} { readonly 'Relata needs TypeScript 5.4 or newer': never }`,
  ...[...values].sort().map((name) => `export declare const ${name}: ${tooOld}`),
  ...[...types].filter((name) => !values.has(name)).sort().map((name) => `export type ${name}<${params}> = ${tooOld}`),
  '',
]
await writeFile(new URL('typescript-too-old.d.ts', dist), lines.join('\n'))
