import type { App } from 'vue'
import { effectScope } from 'vue'
import { setupDevtoolsPlugin } from '@vue/devtools-api'
import type { ChatClient } from '../../core/index'
import { trackHeldConversations } from '../heldConversations'
import type { ChatStore } from '../store'
import { inspectorNode, inspectorState } from './inspector'
import { toTimelineEvent } from './timeline'
import { watchConversation } from './track'

/** Id of the chat's inspector and of its timeline layer. */
export const DEVTOOLS_ID = 'vue-realtime-chat'

/**
 * Register the chat's Vue devtools plugin for `app`: an inspector of the held conversations and a
 * timeline layer. Costs nothing until devtools connect. Call it inside the plugin's effect scope
 * (it stops with the app); development builds only.
 */
export function setupChatDevtools(app: App, client: ChatClient, store: ChatStore): void {
  const scope = effectScope()
  setupDevtoolsPlugin({ id: DEVTOOLS_ID, label: 'Chat', packageName: 'vue-realtime-chat', app }, (api) => {
    api.addInspector({ id: DEVTOOLS_ID, label: 'Chat', icon: 'forum', treeFilterPlaceholder: 'Search peers' })
    api.addTimelineLayer({ id: DEVTOOLS_ID, label: 'Chat', color: 0x42b883 })

    api.on.getInspectorTree((payload) => {
      if (payload.app !== app || payload.inspectorId !== DEVTOOLS_ID) return
      payload.rootNodes = Object.values(store.conversations)
        .filter(state => !payload.filter || state.peerId.includes(payload.filter))
        .map(inspectorNode)
    })
    api.on.getInspectorState((payload) => {
      const state = store.conversations[payload.nodeId]
      if (payload.app === app && payload.inspectorId === DEVTOOLS_ID && state) payload.state = inspectorState(state)
    })

    const refresh = (): void => {
      api.sendInspectorTree(DEVTOOLS_ID)
      api.sendInspectorState(DEVTOOLS_ID)
    }
    // Devtools may connect after the app unmounted (its scope stopped): nothing left to show then.
    if (scope.active) scope.run(() => trackHeldConversations(client, store, (conversation) => {
      const stops = [
        watchConversation(conversation, event =>
          api.addTimelineEvent({ layerId: DEVTOOLS_ID, event: toTimelineEvent(event, api.now()) })),
        conversation.subscribe(refresh),
      ]
      refresh()
      return () => {
        for (const stop of stops) stop()
        refresh()
      }
    }))
  })
}
