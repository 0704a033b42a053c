import { createWebStorage, StorageWriteError } from 'vue-realtime-chat/core'

const storage = createWebStorage('local')
if (!storage.persistent) console.warn('no web storage here (SSR, private mode): memory only')

try {
  storage.setItem('my-app:draft', 'a long draft…')
}
catch (error) {
  // The quota refused the write: the value is kept in memory for this page, the stale
  // stored copy is gone, and nothing counts on a reload or another tab seeing it.
  if (error instanceof StorageWriteError) console.warn(`${error.key} kept in memory only`)
}
