import type { EffectScope } from 'vue'
import { watch } from 'vue'
import { useDocumentVisibility, useOnline } from '@vueuse/core'
import type { EnvironmentSignals } from '../core/types'

/**
 * The core's `EnvironmentSignals`, fed by VueUse's `useOnline` and `useDocumentVisibility`.
 * Runs inside `scope` (owned by the plugin, stopped when the app unmounts).
 */
export function createVueSignals(scope: EffectScope): EnvironmentSignals {
  const listeners = new Set<() => void>()
  const refs = scope.run(() => {
    const online = useOnline()
    const visibility = useDocumentVisibility()
    watch([online, visibility], () => {
      for (const listener of [...listeners]) listener()
    }, { flush: 'sync' })
    return { online, visibility }
  })
  return {
    isOnline: () => refs?.online.value ?? true,
    isVisible: () => (refs?.visibility.value ?? 'visible') !== 'hidden',
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
  }
}
