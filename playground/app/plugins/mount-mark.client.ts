// A performance mark when the app has mounted: the benchmarks measure from it (what a cache can
// show is bounded by when the app can show anything at all).
export default defineNuxtPlugin((nuxtApp) => {
  nuxtApp.hook('app:mounted', () => {
    performance.mark('app:mounted')
  })
})
