// Finds the IndexedDB test files of a web-platform-tests checkout and turns
// each into a run plan: the scripts to load in order (testharness.js, the
// META or <script src> dependencies, the test's own code), its variants, its
// timeout class, or the reason it is skipped.
//
// Layout expected (as in a real checkout):
//   <root>/resources/testharness.js
//   <root>/IndexedDB/*.any.js | *.window.js | *.html | *.htm  (and subfolders)
//   <root>/IndexedDB/resources/*.js                            (support, not tests)
// `// META: script=X` and `<script src=X>` resolve against the test's folder,
// or against <root> when X starts with '/'.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, dirname, resolve, sep } from 'node:path'

/** Directory of the suite inside a checkout. */
export const SUITE_DIR = 'IndexedDB'

// Browser-only features, matched on the test's own code and its test-specific
// scripts. A file that uses one is skipped: Node has no document, frames,
// workers of a page, window.open, navigations or a WPT server.
// Each entry: [reason, regexp].
const DOCUMENT_RULE = 'the document and its lifecycle'
export const BROWSER_ONLY = [
  ['workers', /\bnew\s+(Shared)?Worker\s*\(|fetch_tests_from_worker|navigator\.serviceWorker|service_worker_test/],
  ['iframes or other windows', /<iframe|createElement\(\s*['"]iframe|contentWindow|window\.open\s*\(|fetch_tests_from_window/],
  ['Blob URLs', /URL\.createObjectURL/],
  ['browser automation (testdriver)', /test_driver\.|testdriver/],
  ['remote browsing contexts', /RemoteContext|remote-context-helper|\/common\/dispatcher\//],
  [DOCUMENT_RULE, /\bdocument\.(body|createElement|getElementById|querySelector|documentElement)|\bwindow\.(addEventListener|onload)|onpagehide|onpageshow/],
  ['a WPT server (XMLHttpRequest, server-side handlers)', /XMLHttpRequest|\.py['"?]/],
  ['storage buckets', /navigator\.storageBuckets/]
]

/** Scripts the runner provides itself or that drive a browser, never loaded. */
const PROVIDED = new Set(['/resources/testharnessreport.js'])

function walk (dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name)
    if (statSync(full).isDirectory()) {
      if (name === 'resources' || name === 'support') continue
      walk(full, out)
    } else {
      out.push(full)
    }
  }
  return out
}

function isTestFile (name) {
  return /\.(any|window|worker)\.js$/.test(name) || /\.html?$/.test(name)
}

/** Parses `// META: key=value` lines at the top of a .js test. */
export function parseMeta (source) {
  const meta = []
  for (const line of source.split('\n')) {
    const m = /^\s*\/\/\s*META:\s*([a-z_]+)=(.*)$/.exec(line)
    if (m) meta.push([m[1], m[2].trim()])
    else if (line.trim() !== '' && !line.trim().startsWith('//')) break
  }
  return meta
}

/**
 * Splits an HTML test into its scripts in document order: { src } for an
 * external script, { code, line } for an inline one (line: 1-based line of
 * its first character, for stack traces). Also returns variants from
 * <meta name="variant"> and the <title>.
 */
export function parseHtml (html) {
  const scripts = []
  const re = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi
  let m
  while ((m = re.exec(html)) !== null) {
    const attrs = m[1]
    const type = /\btype\s*=\s*["']?([^"'\s>]+)/i.exec(attrs)
    if (type && !/javascript|^module$/i.test(type[1])) continue
    const src = /\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(attrs)
    if (src) {
      scripts.push({ src: src[1] ?? src[2] ?? src[3] })
    } else {
      const start = m.index + m[0].indexOf('>') + 1
      scripts.push({ code: m[2], line: html.slice(0, start).split('\n').length })
    }
  }
  const variants = [...html.matchAll(/<meta\s+name=["']?variant["']?\s+content=["']([^"']*)["']/gi)].map((v) => v[1])
  const title = /<title>([\s\S]*?)<\/title>/i.exec(html)
  return { scripts, variants, title: title ? title[1].trim() : undefined }
}

function resolveScript (root, fileDir, src) {
  const clean = src.split(/[?#]/)[0]
  return clean.startsWith('/') ? join(root, clean) : resolve(fileDir, clean)
}

/**
 * Plans every test file under <root>/IndexedDB. Returns
 * [{ root, file (relative to root, '/' separators), variant ('' or '?…'),
 *    scripts: [{ path } | { code, path, line }], title, long (META timeout=long),
 *    skip: undefined | reason }].
 * Throws an Error when root has no IndexedDB folder or no resources/testharness.js.
 */
export function discover (root, filter) {
  const suite = join(root, SUITE_DIR)
  if (!existsSync(suite)) throw new Error(`${root} has no ${SUITE_DIR}/ folder: pass the root of a web-platform-tests checkout`)
  const harness = join(root, 'resources', 'testharness.js')
  if (!existsSync(harness)) throw new Error(`${harness} is missing: the checkout needs resources/testharness.js`)
  const plans = []
  for (const full of walk(suite, [])) {
    const rel = relative(root, full).split(sep).join('/')
    const name = rel.slice(rel.lastIndexOf('/') + 1)
    if (!isTestFile(name)) continue
    if (filter && !rel.includes(filter)) continue
    const source = readFileSync(full, 'utf8')
    const dir = dirname(full)
    let scripts = []
    let variants = ['']
    let title
    let long = false
    let skip
    if (name.endsWith('.js')) {
      const meta = parseMeta(source)
      scripts.push({ path: harness })
      for (const [key, value] of meta) {
        if (key === 'script') scripts.push({ path: resolveScript(root, dir, value), src: value })
        else if (key === 'variant') variants = variants[0] === '' && variants.length === 1 ? [value] : [...variants, value]
        else if (key === 'title') title = value
        else if (key === 'timeout' && value === 'long') long = true
      }
      scripts.push({ path: full })
      if (name.endsWith('.worker.js')) skip = 'workers (a .worker.js test runs only inside a worker)'
    } else {
      const html = parseHtml(source)
      if (html.variants.length > 0) variants = html.variants
      title = html.title
      long = /<meta\s+name=["']?timeout["']?\s+content=["']?long/i.test(source)
      scripts = html.scripts.map((s) => s.src !== undefined
        ? { path: resolveScript(root, dir, s.src), src: s.src }
        : { code: s.code, path: full, line: s.line })
      if (!scripts.some((s) => s.src && /(^|\/)testharness\.js$/.test(s.src))) skip = 'not a testharness.js test (reftest or manual)'
      scripts = scripts.filter((s) => !(s.src && PROVIDED.has(s.src.split(/[?#]/)[0])))
      if (/\.https\./.test(name) || /\.headers$/.test(name)) skip ??= 'needs a secure context served by a WPT server'
    }
    if (/\.sub\./.test(name)) skip ??= 'needs the WPT server\'s substitutions (.sub.)'
    // Test-specific code: the file itself plus its non-shared scripts.
    let own = source
    for (const s of scripts) {
      if (!s.src) continue
      if (!existsSync(s.path)) { skip ??= `missing script ${s.src}`; continue }
      // Shared helpers (/resources, /common, the suite's support*.js) are
      // not scanned: they hold browser-only branches the tests may not use.
      const shared = s.src.startsWith('/') || /(^|\/)support[^/]*\.js$/.test(s.src)
      if (!shared) own += '\n' + readFileSync(s.path, 'utf8')
    }
    for (const [reason, re] of BROWSER_ONLY) {
      // An .any.js test also runs in workers, which have no document: its
      // uses of the document sit behind a check and do not need a browser.
      if (reason === DOCUMENT_RULE && name.endsWith('.any.js')) continue
      if (!skip && re.test(own)) skip = reason
    }
    for (const variant of variants) plans.push({ root, file: rel, variant, scripts, title, long, skip })
  }
  return plans
}
