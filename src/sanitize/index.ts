/**
 * Optional HTML rendering for chat messages (`vue-realtime-chat/sanitize`).
 *
 * A separate entry so DOMPurify is only bundled by apps that render HTML. Plain text
 * (`{{ message.content }}`) stays the recommended default.
 */
import DOMPurify from 'dompurify'
import type { Config, DOMPurify as DOMPurifyInstance } from 'dompurify'
import type { Directive, DirectiveBinding } from 'vue'

/** Where links in sanitised HTML open. `null` removes any `target`. */
export type LinkTarget = '_blank' | '_self' | null

/** DOMPurify options minus the ones that would change the return type from a string. */
export type SanitizeHtmlConfig = Omit<Config, 'RETURN_DOM' | 'RETURN_DOM_FRAGMENT' | 'RETURN_DOM_IMPORT' | 'RETURN_TRUSTED_TYPE' | 'IN_PLACE'> & {
  /**
   * `target` given to every link. Links always get `rel="noopener noreferrer"`.
   * @default '_blank'
   */
  linkTarget?: LinkTarget
  /**
   * Keep the sources of images and other media (`src`, `poster`, `background`). Off by default: a
   * remote image in a message is a tracking pixel (it tells its server who read the message, and
   * when). `data:` sources are dropped either way.
   * @default false
   */
  allowRemoteImages?: boolean
}

const FORBID_TAGS = Object.freeze(['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'object', 'embed', 'base', 'meta', 'link'])
const FORBID_ATTR = Object.freeze(['style', 'srcset', 'formaction', 'action'])

/**
 * The default DOMPurify config: the HTML profile only (no SVG, no MathML), no inline styles,
 * no forms or frames, and only `http(s)`, `mailto`, `tel` and relative URLs. A caller's
 * `FORBID_TAGS` / `FORBID_ATTR` are added to these lists, never replace them.
 */
export const DEFAULT_SANITIZE_CONFIG: Readonly<Config> = Object.freeze({
  USE_PROFILES: { html: true },
  FORBID_TAGS: FORBID_TAGS as string[],
  FORBID_ATTR: FORBID_ATTR as string[],
  ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto|tel):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
  ALLOW_DATA_ATTR: false,
})

/** Attributes that make the browser fetch a resource as soon as the HTML is shown (`href` too, off links: SVG `<image>`, `<use>`). */
const RESOURCE_ATTR = /^(?:src|poster|background|(?:xlink:)?href)$/

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\'': '&#39;',
}

/**
 * Escape text for safe insertion into HTML (element content or a quoted attribute).
 *
 * @example escapeHtml('<b>hi</b>') // '&lt;b&gt;hi&lt;/b&gt;'
 */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, ch => ESCAPES[ch] ?? ch)
}

let purifier: DOMPurifyInstance | null | undefined
let currentTarget: LinkTarget = '_blank'
let remoteImages = false

/**
 * A private DOMPurify instance (hooks added here do not leak into the app's own DOMPurify),
 * created on first use so importing this module never touches `window`.
 */
function getPurifier(): DOMPurifyInstance | null {
  if (purifier !== undefined) return purifier
  if (typeof window === 'undefined' || typeof document === 'undefined') return null
  const instance = DOMPurify(window)
  if (!instance.isSupported) {
    purifier = null
    return null
  }
  instance.addHook('uponSanitizeAttribute', (node, data) => {
    const name = data.attrName
    if (!RESOURCE_ATTR.test(name) || (name.endsWith('href') && /^(?:a|area)$/i.test(node.nodeName))) return
    // DOMPurify lets `data:` through on media tags whatever ALLOWED_URI_REGEXP says (an SVG with scripts, too).
    // eslint-disable-next-line no-control-regex -- browsers ignore C0 controls and spaces in a URL
    if (!remoteImages || /^data:/i.test(data.attrValue.replace(/[\u0000-\u0020]/g, ''))) data.keepAttr = false
  })
  instance.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName !== 'A' && node.nodeName !== 'AREA') return
    const el = node as Element
    if (el.hasAttribute('href')) el.setAttribute('rel', 'noopener noreferrer')
    else el.removeAttribute('rel')
    if (currentTarget && el.hasAttribute('href')) el.setAttribute('target', currentTarget)
    else el.removeAttribute('target')
  })
  purifier = instance
  return instance
}

/**
 * `true` when HTML can really be sanitised here (a DOM is present). On the server,
 * {@link sanitizeHtml} escapes instead.
 */
export function canSanitize(): boolean {
  return getPurifier() !== null
}

/**
 * Sanitise untrusted HTML with DOMPurify and a safe default config ({@link DEFAULT_SANITIZE_CONFIG}).
 * Links get `rel="noopener noreferrer"` and `target` per `linkTarget`; `javascript:` URLs,
 * event handlers, scripts and SVG payloads are removed, and so are image and media sources unless
 * `allowRemoteImages` (`data:` sources always).
 *
 * Without a DOM (SSR, Node) the input is ESCAPED to plain text instead: DOMPurify cannot
 * sanitise there, and passing HTML through unchecked would be unsafe.
 *
 * @param html untrusted HTML
 * @param config DOMPurify options merged over the defaults (`FORBID_TAGS` / `FORBID_ATTR` add to
 *   the default lists), plus `linkTarget` and `allowRemoteImages`
 */
export function sanitizeHtml(html: string, config: SanitizeHtmlConfig = {}): string {
  const input = typeof html === 'string' ? html : String(html ?? '')
  const instance = getPurifier()
  if (!instance) return escapeHtml(input)
  const { linkTarget = '_blank', allowRemoteImages = false, ...purifyConfig } = config
  const base: Config = { ...DEFAULT_SANITIZE_CONFIG }
  // DOMPurify lets USE_PROFILES win over explicit allow-lists: drop our profile when the caller sets one.
  if (purifyConfig.ALLOWED_TAGS || purifyConfig.ALLOWED_ATTR) delete base.USE_PROFILES
  currentTarget = linkTarget
  remoteImages = allowRemoteImages
  try {
    return instance.sanitize(input, {
      ...base,
      ...purifyConfig,
      FORBID_TAGS: [...FORBID_TAGS, ...purifyConfig.FORBID_TAGS ?? []],
      FORBID_ATTR: [...FORBID_ATTR, ...purifyConfig.FORBID_ATTR ?? []],
      RETURN_DOM: false,
      RETURN_DOM_FRAGMENT: false,
      RETURN_TRUSTED_TYPE: false,
    }) as string
  }
  finally {
    currentTarget = '_blank'
    remoteImages = false
  }
}

/** Value of `v-chat-html`: the HTML, or the HTML with per-use options. */
export type ChatHtmlValue = string | null | undefined | { html: string | null | undefined; config?: SanitizeHtmlConfig }

function render(binding: DirectiveBinding<ChatHtmlValue>): string {
  const value = binding.value
  if (value == null) return ''
  if (typeof value === 'string') return sanitizeHtml(value)
  return value.html == null ? '' : sanitizeHtml(value.html, value.config)
}

function sameValue(a: ChatHtmlValue, b: ChatHtmlValue): boolean {
  if (a === b) return true
  if (a && b && typeof a === 'object' && typeof b === 'object') return a.html === b.html && a.config === b.config
  return false
}

/**
 * `v-chat-html`: like `v-html`, but sanitised with {@link sanitizeHtml}. Renders escaped text
 * during SSR.
 *
 * @example
 * ```vue
 * <div v-chat-html="message.content" />
 * <div v-chat-html="{ html: message.content, config: { linkTarget: null } }" />
 * ```
 */
export const vChatHtml: Directive<HTMLElement, ChatHtmlValue> = {
  mounted(el, binding) {
    el.innerHTML = render(binding)
  },
  updated(el, binding) {
    if (!sameValue(binding.value, binding.oldValue)) el.innerHTML = render(binding)
  },
  getSSRProps(binding) {
    const value = binding.value
    const html = typeof value === 'string' ? value : value?.html
    return { innerHTML: escapeHtml(html ?? '') }
  },
}
