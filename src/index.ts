/**
 * `vue-realtime-chat`: the Vue plugin, the Pinia store and the composables, with the client,
 * errors, storage helpers and public types of `vue-realtime-chat/core`. HTML sanitising lives in
 * `vue-realtime-chat/sanitize`, transport building blocks in `vue-realtime-chat/protocol`, the
 * test server in `vue-realtime-chat/testing`.
 */
export * from './core/index'
export * from './vue/index'
