#!/usr/bin/env node
// Link check for everything the repo publishes:
//  - the built site (docs/.vitepress/dist): every internal href and src resolves to a page or
//    file, and every #anchor to an id on that page (VitePress itself checks pages, not anchors);
//  - the markdown outside the site (README, CONTRIBUTING, bench/README): relative links resolve
//    to a file inside the repository, #anchors to a heading of that file;
//  - no text we own points outside the repository (team-only paths).
// Usage: node docs/tools/check-links.mjs   (after `npm run docs:build`; the site part is skipped
// with a notice when the site is not built)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

const root = resolve(new URL('../..', import.meta.url).pathname)
const dist = join(root, 'docs/.vitepress/dist')
const problems = []
const report = (where, what) => problems.push(`${where}: ${what}`)

function walk(dir, keep) {
  const out = []
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'cache' || name === 'dist' && dir === join(root, 'docs/.vitepress')) continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...walk(path, keep))
    else if (keep(path)) out.push(path)
  }
  return out
}

const isExternal = href => /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')
const decode = s => { try { return decodeURIComponent(s) } catch { return s } }

// ── the built site ──────────────────────────────────────────────────────────
const idsCache = new Map()
function idsOf(file) {
  if (!idsCache.has(file)) {
    const html = readFileSync(file, 'utf8')
    idsCache.set(file, new Set([...html.matchAll(/\sid="([^"]+)"/g)].map(m => decode(m[1]))))
  }
  return idsCache.get(file)
}

function siteFile(urlPath) {
  const p = decode(urlPath).replace(/^\/+/, '')
  const candidates = p === '' || p.endsWith('/')
    ? [join(dist, p, 'index.html')]
    : [join(dist, p), join(dist, `${p}.html`), join(dist, p, 'index.html'), join(dist, p.replace(/\.md$/, '.html'))]
  return candidates.find(c => existsSync(c) && statSync(c).isFile())
}

function checkSite() {
  if (!existsSync(dist)) {
    console.log('check-links: docs/.vitepress/dist missing, site links not checked (run `npm run docs:build`)')
    return 0
  }
  const pages = walk(dist, p => p.endsWith('.html'))
  for (const page of pages) {
    const html = readFileSync(page, 'utf8')
      .replace(/<pre[\s\S]*?<\/pre>/g, '') // code blocks show URLs as text
    const pageUrl = `/${relative(dist, page).split(sep).join('/')}`
    for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      const href = m[1].replace(/&amp;/g, '&')
      if (!href || isExternal(href) || href.startsWith('data:')) continue
      const [pathPart, anchor] = href.split('#', 2)
      const target = pathPart === '' ? page : siteFile(new URL(pathPart, `http://site${pageUrl}`).pathname)
      if (!target) {
        report(relative(root, page), `dead link ${href}`)
        continue
      }
      if (anchor && target.endsWith('.html') && !idsOf(target).has(decode(anchor)))
        report(relative(root, page), `missing anchor ${href}`)
    }
  }
  return pages.length
}

// ── markdown outside the site ───────────────────────────────────────────────
/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function githubAnchors(md) {
  const seen = new Map()
  const anchors = new Set()
  for (const line of stripFences(md).split('\n')) {
    const h = /^#{1,6}\s+(.*)$/.exec(line)
    if (!h) continue
    const base = h[1].trim().toLowerCase()
      .replace(/<[^>]+>/g, '').replace(/`/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    anchors.add(n ? `${base}-${n}` : base)
  }
  return anchors
}

const stripFences = md => md.replace(/^(```|~~~)[\s\S]*?^\1/gm, '')
const stripCode = md => stripFences(md).replace(/`[^`\n]*`/g, '')

function checkMarkdown(file) {
  const md = readFileSync(file, 'utf8')
  const where = relative(root, file)
  for (const m of stripCode(md).matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const href = m[1]
    if (isExternal(href)) continue
    const [pathPart, anchor] = href.split('#', 2)
    const target = pathPart ? resolve(dirname(file), decode(pathPart)) : file
    if (!target.startsWith(root + sep)) {
      report(where, `link leaves the repository: ${href}`)
      continue
    }
    if (!existsSync(target)) {
      report(where, `dead link ${href}`)
      continue
    }
    if (anchor && target.endsWith('.md') && !githubAnchors(readFileSync(target, 'utf8')).has(decode(anchor)))
      report(where, `missing anchor ${href}`)
  }
}

const outside = ['README.md', 'CONTRIBUTING.md', 'bench/README.md'].map(f => join(root, f)).filter(existsSync)
outside.forEach(checkMarkdown)

// ── nothing we publish points outside the repository ───────────────────────
const owned = [
  ...walk(join(root, 'docs'), p => /\.(md|ts|vue|mjs|json)$/.test(p) && !p.includes(`${sep}api${sep}`)),
  join(root, 'README.md'),
  join(root, 'CONTRIBUTING.md'),
  join(root, 'bench/README.md'),
].filter(existsSync)
const forbidden = [/\.\.\/shared\b/, /\/work\//, /\bthe (backend )?guide\b/i, /\bseed\//]
for (const file of owned) {
  if (file === new URL(import.meta.url).pathname) continue
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    for (const re of forbidden) if (re.test(line)) report(`${relative(root, file)}:${i + 1}`, `points outside the repository (${re.source})`)
  })
}

const pages = checkSite()
if (problems.length) {
  console.error(problems.join('\n'))
  console.error(`check-links: ${problems.length} problem(s)`)
  process.exit(1)
}
console.log(`check-links: ${pages} site pages, ${outside.length} markdown files, ${owned.length} owned files: all links resolve`)
