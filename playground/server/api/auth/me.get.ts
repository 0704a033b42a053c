/** `GET /api/auth/me/` of the embedded dev backend. */
export default defineEventHandler(async event => answer(event, backend => backend.me(getRequestHeader(event, 'authorization'))))
