/**
 * The extensions a Nuxt app bundles: `nuxt.config` says which are on (booleans, JSON), and the
 * module generates `#vue-realtime-chat/extensions`, which imports only those. An app with them off
 * bundles neither.
 */

/** The virtual module the runtime plugin imports the built extensions from. */
export const EXTENSIONS_MODULE = '#vue-realtime-chat/extensions'

const EXPORTS = { typing: 'typingExtension', readReceipts: 'readReceiptsExtension' } as const

/** The source of {@link EXTENSIONS_MODULE} for these flags: a default export with the enabled extensions only. */
export function extensionsModule(flags: Partial<Record<keyof typeof EXPORTS, unknown>> | undefined): string {
  const on = (Object.keys(EXPORTS) as Array<keyof typeof EXPORTS>).filter(key => flags?.[key])
  if (on.length === 0) return 'export default {}\n'
  return `import { ${on.map(key => EXPORTS[key]).join(', ')} } from 'vue-realtime-chat'\nexport default { ${on.map(key => `${key}: ${EXPORTS[key]}`).join(', ')} }\n`
}

/** Its type, for the app's TypeScript. */
export const extensionsModuleTypes = `declare module '${EXTENSIONS_MODULE}' {
  const extensions: import('vue-realtime-chat').ExtensionOptions
  export default extensions
}
`
