/** `POST /api/auth/login/` of the embedded dev backend. */
export default defineEventHandler(async event => answer(event, async backend => backend.login(await readRawBody(event) ?? '')))
