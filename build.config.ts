import { defineBuildConfig } from 'unbuild'

// One package, several entries: the main entry (core + Vue), the framework-agnostic core, the
// building blocks for custom transports, the DOMPurify-based sanitiser (separate so DOMPurify is
// only bundled when used), the Node test server, and the Nuxt module with its runtime files (kept
// as files: Nuxt transpiles them).
export default defineBuildConfig({
  entries: [
    { input: 'src/index', name: 'index' },
    { input: 'src/core/index', name: 'core' },
    { input: 'src/protocol/index', name: 'protocol' },
    { input: 'src/sanitize/index', name: 'sanitize' },
    { input: 'src/testing/index', name: 'testing' },
    { input: 'nuxt-module/src/module', name: 'nuxt/module' },
    { builder: 'mkdist', input: 'nuxt-module/src/runtime', outDir: 'dist/nuxt/runtime' },
  ],
  declaration: 'node16',
  clean: true,
  externals: [
    'vue', 'pinia', '@vueuse/core', 'nuxt', '@nuxt/kit', '@nuxt/schema', '@pinia/nuxt',
    '#app', '#imports', 'ws', 'dompurify', 'jwt-decode', 'defu', 'vue-realtime-chat',
  ],
  rollup: { emitCJS: false },
})
