import { canSanitize, escapeHtml, sanitizeHtml } from 'vue-realtime-chat/sanitize'

const html = '<b>hi</b> <img src=x onerror=alert(1)> <a href="javascript:alert(1)">x</a> <a href="https://example.com">ok</a>'

// In a browser: '<b>hi</b> <img> <a>x</a> <a href="https://example.com" rel="noopener noreferrer" target="_blank">ok</a>'
// Images keep their source only with { allowRemoteImages: true }; data: sources never.
// On a server (no DOM) it escapes instead of guessing.
export const safe = sanitizeHtml(html)
export const text = escapeHtml('<b>as text</b>') // '&lt;b&gt;as text&lt;/b&gt;'
export const sanitising = canSanitize() // true when a DOM is present
