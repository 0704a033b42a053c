/**
 * Every option of `createChatClient` must be settable from a Nuxt app: a JSON-serialisable one
 * through the `chat` key (and so `NUXT_PUBLIC_CHAT_*`), any other through the `chat:options` hook,
 * whose parameter is `ChatPluginOptions`. The option lists are read from the TypeScript types, so
 * an option added to the core without a route fails here.
 */
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { defaults } from '../../nuxt-module/src/defaults'
import { toPluginOptions } from '../../nuxt-module/src/runtime/options'

const file = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))

/** Serialisable options the module sets itself, with the reason. */
const SET_BY_THE_MODULE: Record<string, string> = {
  passive: 'the module makes the server render passive and the browser client active',
  location: 'the page location in the browser; a server render opens no socket and needs none',
}

const program = ts.createProgram([file('src/core/client.ts'), file('src/vue/plugin.ts')], {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  target: ts.ScriptTarget.ES2022,
})
const checker = program.getTypeChecker()

/** The properties of an exported type alias or interface of `path`. */
function members(path: string, name: string): ts.Symbol[] {
  const source = program.getSourceFile(file(path))
  if (!source) throw new Error(`${path} not in the program`)
  const node = source.statements.find((s): s is ts.TypeAliasDeclaration | ts.InterfaceDeclaration =>
    (ts.isTypeAliasDeclaration(s) || ts.isInterfaceDeclaration(s)) && s.name.text === name)
  if (!node) throw new Error(`${name} not found in ${path}`)
  return checker.getPropertiesOfType(checker.getTypeAtLocation(node.name))
}

/** JSON can carry it: strings, numbers, booleans, and objects of those (no methods, no constructors). */
function serialisable(type: ts.Type): boolean {
  const parts = type.isUnion() ? type.types : [type]
  return parts.every((t) => {
    if (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike)) return true
    if (!(t.flags & ts.TypeFlags.Object) || t.getCallSignatures().length || t.getConstructSignatures().length) return false
    return t.getProperties().every(p => serialisable(checker.getNonNullableType(checker.getTypeOfSymbol(p))))
  })
}

const coreOptions = members('src/core/client.ts', 'CreateChatClientOptions')
const hookOptions = new Set(members('src/vue/plugin.ts', 'ChatPluginOptions').map(p => p.name))

describe('every core option has a Nuxt route', () => {
  it('reads the option lists from the types', () => {
    expect(coreOptions.length).toBeGreaterThan(30)
    expect(coreOptions.map(p => p.name)).toEqual(expect.arrayContaining(['baseUrl', 'reconnect', 'logger', 'fetch', 'notify', 'heartbeatMs']))
  })

  it.each(coreOptions.map(p => [p.name, p] as const))('%s', (name, symbol) => {
    expect(hookOptions.has(name), `${name} is missing from ChatPluginOptions, the chat:options hook's parameter`).toBe(true)
    const type = checker.getTypeOfSymbol(symbol)
    if (!serialisable(type) || name in SET_BY_THE_MODULE) return
    expect(defaults, `${name} is JSON-serialisable: add it to the module's runtime config`).toHaveProperty(name)
    const plugin = toPluginOptions({ ...defaults, baseUrl: 'https://a.example', apiUrl: 'https://b.example', wsUrl: 'wss://c.example' }, true) as Record<string, unknown>
    expect(plugin, `toPluginOptions drops ${name}`).toHaveProperty(name)
    // Groups: every member of the option has a config key too.
    const group = checker.getNonNullableType(type)
    if (group.flags & ts.TypeFlags.Object) {
      for (const member of group.getProperties()) expect(defaults, `${name}.${member.name}`).toHaveProperty([name, member.name])
    }
  })
})
