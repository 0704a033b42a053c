/**
 * `GET /api/_dev/ready`: 204 once the embedded database is open (it takes seconds on first start).
 * Lets scripts and the e2e tests wait for a fully warm server instead of guessing.
 */
export default defineEventHandler(async (event) => {
  if (!useEmbeddedBackend()) throw createError({ statusCode: 404, statusMessage: 'Embedded chat backend disabled' })
  await embeddedDatabaseReady()
  setResponseStatus(event, 204)
  return null
})
