/** The results as an SVG bar chart, written by hand: × floor per scenario and contestant, one panel per database, on a log scale (`results/latest.svg`). */
import type { DatabaseName } from './databases.js'
import type { Measurement } from './harness.js'
import type { ScenarioId } from './scenario.js'

/** A colour per contestant, in the contestants' order; Relata's two in blues. */
const palette: Record<string, string> = {
  raw: '#616161',
  'relata-selectin': '#1565c0',
  'relata-join': '#64b5f6',
  'mikro-orm': '#ef6c00',
  drizzle: '#2e7d32',
  prisma: '#6a1b9a',
  typeorm: '#c62828',
  objection: '#8d6e63',
}
const fallback = ['#00838f', '#ad1457', '#f9a825']
const FLOOR = 'kysely'

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** Ratios shown: from 1/4 to 32 times the floor, a bar beyond is cut at the edge and labelled. */
const LOW = 0.25
const HIGH = 32
const ticks = [0.25, 0.5, 1, 2, 4, 8, 16, 32]

export interface ChartOptions {
  /** A line under the title: the machine, the date. */
  readonly note?: string
}

/**
 * One panel per database, a group of bars per scenario, a bar per contestant: its median ÷ the
 * floor's (hand-written Kysely), log scale, the floor's line at 1×. Failed and skipped cells have
 * no bar.
 */
export function svgChart(results: readonly Measurement[], scenarios: readonly ScenarioId[], databases: readonly DatabaseName[], options: ChartOptions = {}): string {
  const measured = results.filter((r) => r.status === 'ok' && r.ratio !== undefined)
  // The floor is the line at 1×, not a bar.
  const contestants = [...new Set(results.map((r) => r.contestant))].filter((name) => name !== FLOOR)
  const colour = (name: string): string => palette[name] ?? fallback[contestants.indexOf(name) % fallback.length]!
  const panels = databases.filter((d) => measured.some((r) => r.database === d))

  const plotWidth = 660
  const groupGap = 24
  const bar = Math.min(24, Math.floor((plotWidth - (scenarios.length + 1) * groupGap) / Math.max(1, scenarios.length * contestants.length)))
  const groupWidth = contestants.length * bar
  const plotHeight = 220
  const left = 56
  const top = 70
  const panelGap = 50
  const width = left + plotWidth + 24
  const height = top + panels.length * (plotHeight + panelGap) + 10
  const y = (ratio: number): number => {
    const clamped = Math.min(HIGH, Math.max(LOW, ratio))
    return plotHeight * (1 - (Math.log(clamped) - Math.log(LOW)) / (Math.log(HIGH) - Math.log(LOW)))
  }

  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`)
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`)
  out.push(`<text x="${left}" y="18" font-size="14" font-weight="bold">Time × hand-written Kysely (median; lower is faster; log scale)</text>`)
  if (options.note !== undefined) out.push(`<text x="${left}" y="34" fill="#555">${escape(options.note)}</text>`)
  // Legend.
  let lx = left
  for (const name of contestants) {
    out.push(`<rect x="${lx}" y="44" width="10" height="10" fill="${colour(name)}"/><text x="${lx + 13}" y="53">${escape(name)}</text>`)
    lx += 18 + name.length * 6.2
  }
  out.push(`<line x1="${lx}" x2="${lx + 16}" y1="49" y2="49" stroke="#000"/><text x="${lx + 19}" y="53">1× = kysely</text>`)
  panels.forEach((database, p) => {
    const oy = top + p * (plotHeight + panelGap) + 16
    out.push(`<g transform="translate(${left},${oy})">`)
    out.push(`<text x="0" y="-6" font-size="12" font-weight="bold">${escape(database)}</text>`)
    for (const tick of ticks) {
      const ty = y(tick)
      out.push(`<line x1="0" x2="${plotWidth}" y1="${ty.toFixed(1)}" y2="${ty.toFixed(1)}" stroke="${tick === 1 ? '#000' : '#e0e0e0'}" stroke-width="${tick === 1 ? 1 : 0.8}"/>`)
      out.push(`<text x="-6" y="${(ty + 4).toFixed(1)}" text-anchor="end" fill="#555">${tick}×</text>`)
    }
    scenarios.forEach((scenario, s) => {
      const gx = groupGap + s * ((plotWidth - groupGap) / scenarios.length) + ((plotWidth - groupGap) / scenarios.length - groupGap - groupWidth) / 2
      out.push(`<text x="${gx + groupWidth / 2}" y="${plotHeight + 16}" text-anchor="middle" font-weight="bold">${scenario}</text>`)
      contestants.forEach((name, c) => {
        const r = measured.find((m) => m.database === database && m.scenario === scenario && m.contestant === name)
        if (r === undefined) return
        const ratio = r.ratio!
        const top1 = y(ratio)
        const base = y(1)
        const x = gx + c * bar
        const [from, to] = top1 < base ? [top1, base] : [base, top1]
        const label = `${database} ${scenario} ${name}: ${ratio.toFixed(2)}× (${r.median!.toFixed(1)} ms)`
        out.push(`<rect x="${x}" y="${from.toFixed(1)}" width="${bar - 1}" height="${Math.max(1, to - from).toFixed(1)}" fill="${colour(name)}"><title>${escape(label)}</title></rect>`)
        // Cut bars are labelled, neighbours on two lines so that their labels do not run together.
        if (ratio > HIGH) out.push(`<text x="${x + bar / 2}" y="${c % 2 === 0 ? -2 : -10}" text-anchor="middle" font-size="8">${ratio.toFixed(0)}</text>`)
      })
    })
    out.push('</g>')
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}
