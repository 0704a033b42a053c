import { createWebStorage, StorageWriteError } from 'vue-realtime-chat/core'

const storage = createWebStorage('local')
if (!storage.persistent) console.warn('no web storage here (SSR, private mode): memory only')

try {
  storage.setItem('my-app:draft', 'a long draft…')
}
catch (error) {
  // The quota refused the write and nothing changed: the previous stored value, if any, is
  // still there. Keep the new value in memory and do not count on a reload or another tab seeing it.
  if (error instanceof StorageWriteError) console.warn(`${error.key} not stored`)
}
