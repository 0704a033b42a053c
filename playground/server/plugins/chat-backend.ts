/** Close the embedded database cleanly when Nitro shuts down (PGlite flushes on close). */
export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('close', () => closeEmbeddedBackend())
})
