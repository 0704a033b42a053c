/** `POST /api/auth/token/refresh/` of the embedded dev backend. */
export default defineEventHandler(async event => answer(event, async backend => backend.refresh(await readRawBody(event) ?? '')))
