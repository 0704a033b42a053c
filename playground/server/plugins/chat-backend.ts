/** Open the embedded database at startup, and close it cleanly on shutdown (PGlite flushes on close). */
export default defineNitroPlugin((nitroApp) => {
  warmUpEmbeddedBackend()
  nitroApp.hooks.hook('close', () => closeEmbeddedBackend())
})
