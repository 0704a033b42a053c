/**
 * `bench/ingest.svg`: time per frame against N (log-scale x) for ours, the floor and the backend integration guide's approach (see bench/lib/guide.ts).
 * Hand-written SVG, no dependency.
 */
export interface Series {
  name: string
  color: string
  points: Array<{ n: number; us: number }>
  dashed?: boolean
}

const W = 640
const H = 360
const M = { left: 64, right: 170, top: 40, bottom: 52 }

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function niceMax(value: number): number {
  const p = 10 ** Math.floor(Math.log10(value))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= value) return m * p
  return 10 * p
}

export function ingestSvg(series: readonly Series[], subtitle: string): string {
  const ns = series.flatMap(s => s.points.map(p => p.n))
  const minN = Math.min(...ns)
  const maxN = Math.max(...ns)
  const maxUs = niceMax(Math.max(...series.flatMap(s => s.points.map(p => p.us))) * 1.1)
  const pw = W - M.left - M.right
  const ph = H - M.top - M.bottom
  const x = (n: number) => M.left + (maxN === minN ? pw / 2 : ((Math.log10(n) - Math.log10(minN)) / (Math.log10(maxN) - Math.log10(minN))) * pw)
  const y = (us: number) => M.top + ph - (us / maxUs) * ph
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`)
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`)
  out.push(`<text x="${M.left}" y="20" font-size="14" font-weight="600">History ingest: time per frame vs N</text>`)
  out.push(`<text x="${M.left}" y="34" fill="#555">${esc(subtitle)}</text>`)
  for (let i = 0; i <= 5; i++) {
    const v = (maxUs / 5) * i
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`)
    out.push(`<text x="${M.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${Number(v.toPrecision(3))}</text>`)
  }
  for (const n of [...new Set(ns)].sort((a, b) => a - b)) {
    out.push(`<line x1="${x(n).toFixed(1)}" x2="${x(n).toFixed(1)}" y1="${M.top}" y2="${M.top + ph}" stroke="#f0f0f0"/>`)
    out.push(`<text x="${x(n).toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle" fill="#555">${n >= 1000 ? `${n / 1000}k` : n}</text>`)
  }
  out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>`)
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}" stroke="#333"/>`)
  out.push(`<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle">N history frames (log scale)</text>`)
  out.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">µs per frame (median)</text>`)
  series.forEach((s, i) => {
    const pts = s.points.map(p => `${x(p.n).toFixed(1)},${y(p.us).toFixed(1)}`).join(' ')
    out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`)
    for (const p of s.points) out.push(`<circle cx="${x(p.n).toFixed(1)}" cy="${y(p.us).toFixed(1)}" r="3.5" fill="${s.color}"><title>${esc(s.name)}: ${p.us.toFixed(2)} µs/frame at N=${p.n}</title></circle>`)
    const ly = M.top + 10 + i * 22
    out.push(`<line x1="${M.left + pw + 16}" x2="${M.left + pw + 40}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`)
    out.push(`<text x="${M.left + pw + 46}" y="${ly + 4}">${esc(s.name)}</text>`)
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}
