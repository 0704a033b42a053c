/**
 * Setup errors of the Vue layer: `ChatSetupError` (defined in the core, whose extension check
 * throws it too) and the install lines their messages point to.
 */
export { ChatSetupError } from '../core/errors'
export type { ChatSetupErrorCode } from '../core/errors'

/** The install lines every message points to. */
export const SETUP_HINT = 'app.use(createPinia()); app.use(ChatPlugin, { baseUrl })'
