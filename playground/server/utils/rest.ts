import type { H3Event } from 'h3'
import type { ChatBackend, RestResponse } from '../../../src/testing/backend'

/** Run one REST call of the embedded backend; 404 when it is disabled. */
export function answer(event: H3Event, handle: (backend: ChatBackend) => RestResponse | Promise<RestResponse>): Promise<unknown> {
  const backend = useEmbeddedBackend()
  if (!backend) throw createError({ statusCode: 404, statusMessage: 'Embedded chat backend disabled' })
  return Promise.resolve(handle(backend)).then((response) => {
    setResponseStatus(event, response.status)
    setResponseHeader(event, 'cache-control', 'no-store')
    return response.body
  })
}
