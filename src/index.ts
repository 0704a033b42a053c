/**
 * `vue-realtime-chat`: the framework-agnostic core plus the Vue layer.
 * HTML sanitising lives in `vue-realtime-chat/sanitize`, the test server in `vue-realtime-chat/testing`.
 */
export * from './core/index'
export * from './vue/index'
