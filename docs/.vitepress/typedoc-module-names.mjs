// Names the API modules after the import paths users write, instead of typedoc's file-path names.
import { Converter, ReflectionKind } from 'typedoc'

const names = {
  'index': 'vue-realtime-chat',
  'core': 'vue-realtime-chat/core',
  'core/index': 'vue-realtime-chat/core',
  'protocol': 'vue-realtime-chat/protocol',
  'protocol/index': 'vue-realtime-chat/protocol',
  'sanitize': 'vue-realtime-chat/sanitize',
  'sanitize/index': 'vue-realtime-chat/sanitize',
  'testing': 'vue-realtime-chat/testing',
  'testing/index': 'vue-realtime-chat/testing',
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const mod of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const name = names[mod.name]
      if (name) mod.name = name
    }
  })
}
