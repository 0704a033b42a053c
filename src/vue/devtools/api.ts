import type { setupDevtoolsPlugin } from '@vue/devtools-api'

/** The devtools plugin API handed to a plugin's setup function. */
export type DevtoolsApi = Parameters<Parameters<typeof setupDevtoolsPlugin>[1]>[0]
/** One timeline entry as `addTimelineEvent` takes it. */
export type DevtoolsTimelineEvent = Parameters<DevtoolsApi['addTimelineEvent']>[0]['event']
type Hook<K extends keyof DevtoolsApi['on']> = Parameters<Parameters<DevtoolsApi['on'][K]>[0]>[0]
/** What `getInspectorTree` asks for (`rootNodes` is filled in). */
export type InspectorTreePayload = Hook<'getInspectorTree'>
/** What `getInspectorState` asks for (`state` is filled in). */
export type InspectorStatePayload = Hook<'getInspectorState'>
