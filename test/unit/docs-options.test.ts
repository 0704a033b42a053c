/**
 * The option tables of the docs site take their default column from the code (`DEFAULTS` and the
 * Nuxt module's runtime config defaults, through `docs/guide/defaults.data.ts`). This test checks
 * that every default there is in a table, generated from its own key, and that no row states a
 * literal default of its own; and that the TSDoc `@default` tags of the API reference agree.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import loader, { formatDefaults } from '../../docs/guide/defaults.data'
import { defaults as nuxtModuleDefaults } from '../../nuxt-module/src/defaults'
import { DEFAULTS } from '../../src/core/defaults'

const path = (file: string) => fileURLToPath(new URL(`../../${file}`, import.meta.url))
const data = loader.load()

interface Row { option: string; cells: string[]; line: number }

/** Rows of every markdown table whose first column is `option`, from the heading `from` up to the heading `to`. */
function optionRows(page: string, from?: string, to?: string): Row[] {
  const lines = readFileSync(path(`docs/${page}`), 'utf8').split('\n')
  const start = from ? lines.findIndex(l => l.trim() === from) : 0
  const end = to ? lines.findIndex(l => l.trim() === to) : lines.length
  if (start < 0 || end < 0) throw new Error(`${page}: heading "${start < 0 ? from : to}" not found`)
  const rows: Row[] = []
  let inOptionTable = false
  lines.forEach((line, i) => {
    if (i < start || i >= end || !line.startsWith('|')) {
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

function byOption(rows: Row[]): Map<string, Row> {
  const map = new Map<string, Row>()
  for (const row of rows) {
    expect(map.has(row.option), `${row.option} documented twice (line ${row.line})`).toBe(false)
    map.set(row.option, row)
  }
  return map
}

/** The key a default cell is generated from (`{{ core['x'] }}`), if any. */
function generatedKey(cell: string, source: 'core' | 'nuxt'): string | undefined {
  return new RegExp(`\\{\\{ ${source}\\['([\\w.]+)'\\] \\}\\}`).exec(cell)?.[1]
}

/**
 * A default written as a literal (`300`, `'vrc'`, `true`, `Infinity`), alone or before a
 * parenthesis, instead of generated; a default in words (`true` when …) is not one.
 */
function isLiteral(cell: string): boolean {
  return /^`(true|false|Infinity|-?\d[\d_.]*|'[^']*')`(?:$| \()/.test(cell)
}

/** Every table row states its default in the generated form, or in words when it has no value. */
function checkTables(rows: Map<string, Row>, source: 'core' | 'nuxt', keys: readonly string[], only?: (option: string) => boolean): void {
  for (const key of keys) {
    if (only && !only(key)) continue
    const row = rows.get(key)
    expect(row, `${key} is missing from the option tables`).toBeDefined()
    expect(generatedKey(row!.cells[1]!, source), `default of ${key} (line ${row!.line}) must be {{ ${source}['${key}'] }}`).toBe(key)
  }
  for (const row of rows.values()) {
    const key = generatedKey(row.cells[1]!, source)
    if (key !== undefined) expect(key, `line ${row.line}`).toBe(row.option)
    else expect(isLiteral(row.cells[1]!), `${row.option} (line ${row.line}) states a literal default: generate it from ${source}`).toBe(false)
  }
}

describe('the generated default column', () => {
  it('formats every default as code would write it', () => {
    expect(data.core).toEqual(formatDefaults(DEFAULTS))
    expect(data.core['reconnect.maxAttempts']).toBe('Infinity')
    expect(data.core.storageKey).toBe(`'${DEFAULTS.storageKey}'`)
    expect(data.nuxt['reconnect.maxAttempts']).toBe('0')
    expect(data.nuxt.baseUrl).toBe(`''`)
  })
})

describe('docs/guide/options.md', () => {
  const coreRows = byOption(optionRows('guide/options.md', undefined, '## Vue plugin only'))
  const vueRows = byOption(optionRows('guide/options.md', '## Vue plugin only'))

  it('documents every core default, generated from DEFAULTS', () => {
    checkTables(coreRows, 'core', Object.keys(data.core))
  })

  it('documents the Vue plugin\'s own defaults, generated from DEFAULTS', () => {
    checkTables(vueRows, 'core', Object.keys(data.core), key => vueRows.has(key))
  })
})

describe('docs/guide/nuxt.md', () => {
  const rows = byOption(optionRows('guide/nuxt.md'))

  it('documents every runtime config key with its generated default and env variable', () => {
    checkTables(rows, 'nuxt', Object.keys(data.nuxt))
    for (const option of Object.keys(data.nuxt)) {
      const env = `NUXT_PUBLIC_CHAT_${option.replace(/\./g, '_').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`
      expect(rows.get(option)!.cells[2], `env override of ${option}`).toBe(`\`${env}\``)
    }
  })

  it('documents no option the module does not have', () => {
    for (const row of rows.values()) expect(Object.keys(data.nuxt), `line ${row.line}`).toContain(row.option)
  })
})

describe('TSDoc @default tags (the API reference)', () => {
  /** `@default` literals of interface members: `{ 'reconnect.maxDelayMs': 30000 }`. */
  function tsdocDefaults(file: string, interfaces: Record<string, string>): Map<string, { value: string; line: number }> {
    const source = ts.createSourceFile(file, readFileSync(path(file), 'utf8'), ts.ScriptTarget.Latest, true)
    const out = new Map<string, { value: string; line: number }>()
    const visit = (members: ts.NodeArray<ts.TypeElement>, prefix: string): void => {
      for (const member of members) {
        if (!ts.isPropertySignature(member) || !member.name) continue
        const name = prefix + member.name.getText(source)
        if (member.type && ts.isTypeLiteralNode(member.type)) visit(member.type.members, `${name}.`)
        for (const tag of ts.getJSDocTags(member)) {
          const literal = tag.tagName.text === 'default' ? /^(true|false|Infinity|-?\d+|'[^']*')(?:\s|$)/.exec(ts.getTextOfJSDocComment(tag.comment) ?? '')?.[1] : undefined
          if (literal) out.set(name, { value: literal, line: source.getLineAndCharacterOfPosition(member.getStart()).line + 1 })
        }
      }
    }
    for (const statement of source.statements) {
      if (ts.isInterfaceDeclaration(statement) && statement.name.text in interfaces) visit(statement.members, interfaces[statement.name.text]!)
      if (ts.isTypeAliasDeclaration(statement) && statement.name.text in interfaces && ts.isIntersectionTypeNode(statement.type)) {
        for (const part of statement.type.types) if (ts.isTypeLiteralNode(part)) visit(part.members, interfaces[statement.name.text]!)
      }
    }
    return out
  }

  it.each([
    ['src/core/types.ts', { ChatClientOptions: '', ReconnectOptions: 'reconnect.', ExtensionOptions: 'extensions.' }, data.core],
    ['src/core/options.ts', { ChatRuntimeInjections: '' }, data.core],
    ['src/core/client.ts', { CreateChatClientOptions: '' }, data.core],
    ['src/vue/plugin.ts', { ChatPluginOptions: '' }, data.core],
    ['nuxt-module/src/runtime/types.ts', { ChatPublicRuntimeConfig: '' }, formatDefaults(nuxtModuleDefaults)],
  ] as const)('%s agrees with the defaults', (file, interfaces, expected) => {
    const tags = tsdocDefaults(file, interfaces)
    expect(tags.size).toBeGreaterThan(0)
    for (const [key, { value, line }] of tags) {
      if (!(key in expected)) continue
      expect(value, `${file}:${line} @default of ${key}`).toBe((expected as Record<string, string>)[key])
    }
  })
})
