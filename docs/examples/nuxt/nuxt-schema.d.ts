// In an app Nuxt generates this in .nuxt/ from the installed modules; the samples have no .nuxt.
import type { ModuleOptions } from 'vue-realtime-chat/nuxt'

declare module 'nuxt/schema' {
  interface NuxtConfig {
    chat?: Partial<ModuleOptions>
  }
}
