#!/usr/bin/env node
// The public API as one reviewable text file (api/vue-realtime-chat.api.md), read from the built
// declarations (dist/**/*.d.mts, so run the build first). Every change of the public surface shows
// up as a diff of that file. It lists each entry's exports and every declaration the entries' files
// hold, sorted by name and printed without comments, so build-chunk names and the way the bundler
// splits declarations across chunks do not change it.
//
// Usage: node scripts/api-report.mjs           exit 1 (with a diff) when the report is out of date
//        node scripts/api-report.mjs --update  rewrite the report (npm run api:update)
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

const root = new URL('..', import.meta.url).pathname
const reportFile = join(root, 'api', 'vue-realtime-chat.api.md')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed })

/** `./shared/x.mjs` seen from `from` -> the declaration file beside it. */
function declarationFile(from, specifier) {
  if (!specifier.startsWith('.')) return null
  return resolve(dirname(from), specifier.replace(/\.mjs$/, '.d.mts'))
}

const files = new Map()

/** Parse one declaration file: its declarations by local name, its imports and its exports. */
function load(path) {
  if (files.has(path)) return files.get(path)
  if (!existsSync(path)) throw new Error(`${relative(root, path)} is missing: run the build first (npm run build)`)
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true)
  const file = { declarations: [], imports: new Map(), exports: new Map() }
  files.set(path, file)
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const target = declarationFile(path, statement.moduleSpecifier.text)
      const named = statement.importClause?.namedBindings
      if (target && named && ts.isNamedImports(named)) {
        for (const el of named.elements) file.imports.set(el.name.text, { file: target, name: (el.propertyName ?? el.name).text })
      }
      if (target) load(target)
    }
    else if (ts.isExportDeclaration(statement)) {
      const target = statement.moduleSpecifier ? declarationFile(path, statement.moduleSpecifier.text) : null
      if (target) load(target)
      for (const el of statement.exportClause && ts.isNamedExports(statement.exportClause) ? statement.exportClause.elements : [])
        file.exports.set(el.name.text, { file: target, name: (el.propertyName ?? el.name).text })
    }
    else {
      file.declarations.push({ name: nameOf(statement), kind: kindOf(statement), text: printer.printNode(ts.EmitHint.Unspecified, statement, source) })
    }
  }
  return file
}

function kindOf(statement) {
  if (ts.isClassDeclaration(statement)) return 'class'
  if (ts.isFunctionDeclaration(statement)) return 'function'
  if (ts.isVariableStatement(statement)) return 'const'
  if (ts.isInterfaceDeclaration(statement)) return 'interface'
  if (ts.isTypeAliasDeclaration(statement)) return 'type'
  if (ts.isEnumDeclaration(statement)) return 'enum'
  return 'declaration'
}

function nameOf(statement) {
  if (ts.isModuleDeclaration(statement)) return `module ${statement.name.getText()}`
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.map(d => d.name.getText()).join(', ')
  return statement.name?.getText() ?? statement.getText().slice(0, 40)
}

/** Follow re-exports and imports to the declaration: its name where it is declared, and its kind. */
function declared(path, name, seen = 0) {
  const file = files.get(path)
  const exported = file.exports.get(name)
  if (exported?.file) return declared(exported.file, exported.name, seen + 1)
  const local = exported ? exported.name : name
  const imported = file.imports.get(local)
  if (imported && seen < 20) return declared(imported.file, imported.name, seen + 1)
  const declaration = file.declarations.find(d => d.name === local)
  return { name: local, kind: declaration?.kind ?? 'external' }
}

const byName = (a, b) => a.localeCompare(b, 'en')

function report() {
  const lines = [
    '# API report: vue-realtime-chat',
    '',
    'Generated from the built declarations by `scripts/api-report.mjs`; do not edit. After a deliberate',
    'change of the public API run `npm run build && npm run api:update` and commit the diff with it.',
    '',
  ]
  const entries = Object.entries(pkg.exports).map(([key, value]) => [key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`, resolve(root, value.types)])
  for (const [, path] of entries) load(path)
  for (const [specifier, path] of entries) {
    lines.push(`## ${specifier}`, '')
    for (const name of [...files.get(path).exports.keys()].sort(byName)) {
      const original = declared(path, name)
      lines.push(`- ${original.kind} ${name}${original.name === name ? '' : ` (declared as ${original.name})`}`)
    }
    lines.push('')
  }
  const declarations = new Map()
  for (const file of files.values()) {
    for (const d of file.declarations) declarations.set(`${d.name}\0${d.text}`, d)
  }
  lines.push('## Declarations', '', '```ts')
  const sorted = [...declarations.values()].sort((a, b) => byName(a.name, b.name) || byName(a.text, b.text))
  lines.push(sorted.map(d => d.text).join('\n\n'), '```', '')
  return lines.join('\n')
}

const current = report()
if (process.argv.includes('--update')) {
  mkdirSync(dirname(reportFile), { recursive: true })
  writeFileSync(reportFile, current)
  console.log(`wrote ${relative(root, reportFile)}`)
}
else {
  const committed = existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : ''
  if (committed === current) {
    console.log(`${relative(root, reportFile)} is up to date`)
  }
  else {
    const fresh = join(tmpdir(), 'vue-realtime-chat.api.md')
    writeFileSync(fresh, current)
    spawnSync('diff', ['-u', reportFile, fresh], { stdio: 'inherit' })
    console.error(`\nThe public API changed (${relative(root, reportFile)} is out of date). If that is intended: npm run api:update, and commit the report with the change.`)
    process.exit(1)
  }
}
