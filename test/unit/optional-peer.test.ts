import { describe, expect, it } from 'vitest'
import { importPeers, isMissingPackage, missingPeerError } from '../../src/packaging/optional-peer'
import { ChatSetupError } from '../../src/vue/errors'

/** Real resolution failures: these names are not installed. */
const absent = (name: string) => () => import(/* @vite-ignore */ name)

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  }
  catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

describe('optional peer dependencies', () => {
  it('loads installed peers, keyed by package name', async () => {
    const { ws, defu } = await importPeers('test', { ws: () => import('ws'), defu: () => import('defu') })
    expect(typeof ws.WebSocketServer).toBe('function')
    expect(defu.defu({ a: 1 }, { a: 2, b: 3 })).toEqual({ a: 1, b: 3 })
  })

  it('names every missing peer and the install command in one peer_missing ChatSetupError', async () => {
    const error = await rejection(importPeers('vue-realtime-chat/nuxt', {
      'vrc-absent-kit': absent('vrc-absent-kit'),
      'ws': () => import('ws'),
      '@vrc-absent/scoped': absent('@vrc-absent/scoped'),
    }))
    expect(error).toBeInstanceOf(ChatSetupError)
    expect((error as ChatSetupError).code).toBe('peer_missing')
    expect((error as Error).message).toBe(
      `vue-realtime-chat/nuxt needs 'vrc-absent-kit' and '@vrc-absent/scoped' (optional peer dependencies of vue-realtime-chat). Install: npm install -D vrc-absent-kit @vrc-absent/scoped`,
    )
  })

  it('rethrows an installed peer\'s own failure as it is (a package it imports is missing, or it throws)', async () => {
    const inner = await rejection(absent('vrc-absent-dependency')())
    expect(isMissingPackage(inner, 'vrc-absent-dependency')).toBe(true)
    expect(await rejection(importPeers('x', { 'some-peer': () => Promise.reject(inner) }))).toBe(inner)
    const broken = new SyntaxError('Unexpected token')
    expect(await rejection(importPeers('x', { ws: () => Promise.reject(broken) }))).toBe(broken)
  })

  it('tells a package from a longer name that contains it', async () => {
    const error = await rejection(absent('ws-extra')())
    expect(isMissingPackage(error, 'ws-extra')).toBe(true)
    expect(isMissingPackage(error, 'ws')).toBe(false)
    expect(isMissingPackage(new Error(`Cannot find package 'ws'`), 'ws')).toBe(false)
    expect(missingPeerError('f', ['ws']).message).toContain('(optional peer dependency of vue-realtime-chat). Install: npm install -D ws')
  })
})
