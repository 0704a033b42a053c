import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig, type DefaultTheme } from 'vitepress'

// typedoc writes the API pages and their sidebar before VitePress runs (`npm run docs:api`).
const apiSidebarFile = fileURLToPath(new URL('../api/typedoc-sidebar.json', import.meta.url))
const apiSidebar: DefaultTheme.SidebarItem[] = existsSync(apiSidebarFile)
  ? JSON.parse(readFileSync(apiSidebarFile, 'utf8')) as DefaultTheme.SidebarItem[]
  : []

export default defineConfig({
  title: 'vue-realtime-chat',
  description: 'Vue 3, Nuxt and plain TypeScript client for JWT-authenticated WebSocket chat backends of the Django Channels kind.',
  cleanUrls: true,
  lastUpdated: false,
  // A dead internal link fails the build (VitePress's default, stated so nobody turns it off by accident).
  ignoreDeadLinks: false,
  srcExclude: ['examples/**', 'tools/**'],
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'Recipes', link: '/recipes/chat-window' },
      { text: 'Performance', link: '/performance' },
      { text: 'API', link: '/api/' },
    ],
    sidebar: [
      {
        text: 'Guide',
        items: [
          { text: 'Getting started', link: '/guide/getting-started' },
          { text: 'Client options', link: '/guide/options' },
          { text: 'Authentication and tokens', link: '/guide/auth' },
          { text: 'Conversations and the timeline', link: '/guide/timeline' },
          { text: 'The protocol', link: '/guide/protocol' },
          { text: 'Testing your app', link: '/guide/testing' },
          { text: 'Nuxt', link: '/guide/nuxt' },
          { text: 'Notifications and the tab title', link: '/guide/notifications' },
          { text: 'An inbox of many conversations', link: '/guide/inbox' },
          { text: 'Vue devtools', link: '/guide/devtools' },
          { text: 'History cache', link: '/guide/history-cache' },
          { text: 'Vue API at a glance', link: '/guide/vue-api' },
        ],
      },
      {
        text: 'Recipes',
        items: [
          { text: 'A chat window', link: '/recipes/chat-window' },
          { text: 'Long conversations', link: '/recipes/long-conversations' },
          { text: 'Contact list with unread badges', link: '/recipes/contact-list' },
          { text: 'Sending while offline', link: '/recipes/offline' },
          { text: 'Rendering HTML safely', link: '/recipes/html' },
          { text: 'Your own Django backend', link: '/recipes/django-backend' },
        ],
      },
      { text: 'Performance', items: [{ text: 'Benchmarks and bundle size', link: '/performance' }] },
      { text: 'API reference', link: '/api/', collapsed: true, items: apiSidebar },
    ],
    outline: [2, 3],
    search: { provider: 'local' },
  },
})
