#!/usr/bin/env node
// Type-checks every code sample we publish (step `docs-examples` of `npm test`):
//  - the files under docs/examples/ (the site includes them with `<<< @/examples/…`);
//  - every ```ts / ```vue block of README.md. A block right after `<!-- sample: docs/examples/x -->`
//    must be an exact copy of that file (checked here, the file is type-checked with the rest);
//    any other block is written to docs/examples/_readme/ for the duration of the check, so it is
//    type-checked like a file of its own.
// Usage: node docs/tools/check-examples.mjs
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'

const root = resolve(new URL('../..', import.meta.url).pathname)
const extracted = join(root, 'docs/examples/_readme')
const problems = []

/** Fenced ts/vue blocks of a markdown file, with the `sample:` marker just above each, if any. */
function samples(file) {
  const lines = readFileSync(file, 'utf8').split('\n')
  const out = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i])
    if (!open) continue
    const end = lines.indexOf('```', i + 1)
    if (end < 0) {
      problems.push(`${relative(root, file)}:${i + 1}: unclosed code block`)
      break
    }
    let above = i - 1
    while (above >= 0 && lines[above].trim() === '') above--
    const marker = above >= 0 ? /^<!--\s*sample:\s*(\S+)\s*-->$/.exec(lines[above].trim()) : null
    if (['ts', 'vue'].includes(open[1]))
      out.push({ lang: open[1], line: i + 1, body: `${lines.slice(i + 1, end).join('\n')}\n`, copyOf: marker?.[1] })
    else if (marker)
      problems.push(`${relative(root, file)}:${i + 1}: a sample marker above a \`${open[1] || 'plain'}\` block`)
    i = end
  }
  return out
}

rmSync(extracted, { recursive: true, force: true })
const readme = join(root, 'README.md')
let written = 0
for (const s of samples(readme)) {
  if (s.copyOf) {
    const source = resolve(root, s.copyOf)
    if (!source.startsWith(join(root, 'docs/examples') + sep) || !existsSync(source))
      problems.push(`README.md:${s.line}: sample marker names no file under docs/examples/: ${s.copyOf}`)
    else if (readFileSync(source, 'utf8') !== s.body)
      problems.push(`README.md:${s.line}: differs from ${s.copyOf} (copy the file into the block again)`)
    continue
  }
  mkdirSync(extracted, { recursive: true })
  const name = s.lang === 'vue' ? `Sample${s.line}.vue` : `sample-${s.line}.ts`
  // An extracted script is a module of its own, so samples do not clash over top-level names.
  writeFileSync(join(extracted, name), s.lang === 'ts' && !/^\s*(import|export)\s/m.test(s.body) ? `${s.body}export {}\n` : s.body)
  written++
}

if (problems.length) {
  console.error(problems.join('\n'))
  console.error(`check-examples: ${problems.length} problem(s)`)
  process.exit(1)
}

const run = spawnSync('npx', ['vue-tsc', '--noEmit', '-p', 'docs/examples/tsconfig.json'], { cwd: root, stdio: 'inherit' })
rmSync(extracted, { recursive: true, force: true })
if (run.status !== 0) {
  if (written) console.error('check-examples: README blocks without a sample marker are checked as docs/examples/_readme/*-<line>.*')
  process.exit(run.status ?? 1)
}
console.log(`check-examples: docs/examples type-checked, README.md: ${written} block(s) type-checked, the others identical to their files`)
