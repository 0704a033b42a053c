/**
 * Optional peer dependencies: packages only one entry needs (`@nuxt/kit` for the Nuxt module, `ws`
 * for the test server), so a plain Vue or React app never installs them. Loading them goes through
 * here to turn "cannot find package" into an error that names the package and the install command.
 */
import { ChatSetupError } from '../vue/errors'

/** The error for `feature` used without `packages` installed. */
export function missingPeerError(feature: string, packages: readonly string[]): ChatSetupError {
  const list = packages.map(name => `'${name}'`).join(' and ')
  return new ChatSetupError(
    'peer_missing',
    `${feature} needs ${list} (optional peer ${packages.length > 1 ? 'dependencies' : 'dependency'} of vue-realtime-chat). Install: npm install -D ${packages.join(' ')}`,
  )
}

/** Node's resolution failure for `name` itself (not for a package that `name` imports). */
export function isMissingPackage(error: unknown, name: string): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false
  // "Cannot find package 'ws' imported from ..." / "Cannot find module '@nuxt/kit'"
  return error.message.includes(`'${name}'`) || error.message.includes(`"${name}"`)
}

type Loaders = Record<string, () => Promise<unknown>>

/**
 * Import every optional peer in `loaders` (keyed by package name). When some are not installed,
 * throws one `peer_missing` ChatSetupError naming all of them; any other failure is rethrown as it is.
 */
export async function importPeers<L extends Loaders>(feature: string, loaders: L): Promise<{ [K in keyof L]: Awaited<ReturnType<L[K]>> }> {
  const names = Object.keys(loaders)
  const settled = await Promise.allSettled(names.map(name => loaders[name]!()))
  const missing = names.filter((name, i) => {
    const result = settled[i]!
    return result.status === 'rejected' && isMissingPackage(result.reason, name)
  })
  if (missing.length) throw missingPeerError(feature, missing)
  const loaded: Record<string, unknown> = {}
  settled.forEach((result, i) => {
    if (result.status === 'rejected') throw result.reason
    loaded[names[i]!] = result.value
  })
  return loaded as { [K in keyof L]: Awaited<ReturnType<L[K]>> }
}
