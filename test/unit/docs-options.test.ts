/**
 * The option tables of the docs site state every default; this test reads them and compares each
 * one with the code, so a changed default fails here instead of leaving the docs behind.
 * To repoint it at another source of defaults, change `coreDefaults` / `nuxtDefaults` only.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { defaults as nuxtModuleDefaults } from '../../nuxt-module/src/module'
import { resolveOptions } from '../../src/core/options'

type Scalar = string | number | boolean

/** `{ reconnect: { maxDelayMs: 1 } }` → `{ 'reconnect.maxDelayMs': 1 }`, scalars only. */
function flatten(value: object, prefix = ''): Record<string, Scalar> {
  const out: Record<string, Scalar> = {}
  for (const [key, v] of Object.entries(value)) {
    const path = prefix + key
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[path] = v
    // Option groups (reconnect, extensions) hold scalars only; adapters and signals have methods.
    else if (v && typeof v === 'object' && Object.values(v).every(x => typeof x !== 'object' && typeof x !== 'function')) Object.assign(out, flatten(v, `${path}.`))
  }
  return out
}

// URLs depend on the page's location, not on a default.
const { apiUrl: _api, wsUrl: _ws, ...coreDefaults } = flatten(resolveOptions({}))
const nuxtDefaults = flatten(nuxtModuleDefaults)
// Documented defaults applied outside resolveOptions (by createChatClient itself).
const appliedByClient: Record<string, Scalar> = { notify: 'timeout' }

interface Row { option: string; cells: string[]; line: number }

/** Rows of every markdown table whose first column is `option`, up to the heading `stopAt`. */
function optionRows(page: string, stopAt?: string): Row[] {
  const md = readFileSync(fileURLToPath(new URL(`../../docs/${page}`, import.meta.url)), 'utf8')
  const lines = md.split('\n')
  const end = stopAt ? lines.findIndex(l => l.trim() === stopAt) : lines.length
  if (end < 0) throw new Error(`${page}: heading "${stopAt}" not found`)
  const rows: Row[] = []
  let inOptionTable = false
  lines.slice(0, end).forEach((line, i) => {
    if (!line.startsWith('|')) {
      inOptionTable = false
      return
    }
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map(c => c.trim())
    if (cells[0] === 'option') inOptionTable = true
    else if (inOptionTable && !/^-+$/.test(cells[0]!)) {
      const name = /^`([\w.]+)`$/.exec(cells[0]!)?.[1]
      if (!name) throw new Error(`${page}:${i + 1}: option cell is not a code span: ${cells[0]}`)
      rows.push({ option: name, cells, line: i + 1 })
    }
  })
  return rows
}

/**
 * A cell that starts with a literal (`300`, `'vrc'`, `true`, `Infinity`), alone or followed by a
 * parenthesis, as a value; a default described in words (`true` when …) is undefined.
 */
function literal(cell: string): Scalar | undefined {
  const code = /^`([^`]+)`(?:$| \()/.exec(cell)?.[1]
  if (code === undefined) return undefined
  if (code === 'true' || code === 'false') return code === 'true'
  if (code === 'Infinity') return Number.POSITIVE_INFINITY
  if (/^-?\d+(\.\d+)?$/.test(code)) return Number(code)
  const quoted = /^'([^']*)'$/.exec(code)
  return quoted ? quoted[1] : undefined
}

function byOption(rows: Row[]): Map<string, Row> {
  const map = new Map<string, Row>()
  for (const row of rows) {
    expect(map.has(row.option), `${row.option} documented twice (line ${row.line})`).toBe(false)
    map.set(row.option, row)
  }
  return map
}

describe('docs/guide/options.md', () => {
  const rows = byOption(optionRows('guide/options.md', '## Vue plugin only'))

  it.each(Object.entries(coreDefaults))('documents %s with its default', (option, value) => {
    const row = rows.get(option)
    expect(row, `${option} is missing from the option tables`).toBeDefined()
    expect(literal(row!.cells[1]!), `default of ${option} (line ${row!.line})`).toBe(value)
  })

  it('states no literal default the code does not have', () => {
    for (const row of rows.values()) {
      const documented = literal(row.cells[1]!)
      if (documented === undefined) continue
      const actual = row.option in coreDefaults ? coreDefaults[row.option] : appliedByClient[row.option]
      expect(actual, `${row.option} (line ${row.line})`).toBe(documented)
    }
  })
})

describe('docs/guide/nuxt.md', () => {
  const rows = byOption(optionRows('guide/nuxt.md'))

  it.each(Object.entries(nuxtDefaults))('documents %s with its default and env variable', (option, value) => {
    const row = rows.get(option)
    expect(row, `${option} is missing from the Nuxt option table`).toBeDefined()
    expect(literal(row!.cells[1]!), `default of ${option} (line ${row!.line})`).toBe(value)
    const env = `NUXT_PUBLIC_CHAT_${option.replace(/\./g, '_').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`
    expect(row!.cells[2], `env override of ${option}`).toBe(`\`${env}\``)
  })

  it('documents no option the module does not have', () => {
    for (const row of rows.values()) expect(Object.keys(nuxtDefaults), `line ${row.line}`).toContain(row.option)
  })
})
