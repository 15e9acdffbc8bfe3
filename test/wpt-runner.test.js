// The WPT runner (scripts/wpt.mjs) on a small synthetic checkout: a stand-in
// testharness.js with the callbacks the runner uses, and test files that
// pass, fail, hang, crash, need a browser or miss a script. Checks the plan
// (skips and their reasons, META scripts, HTML scripts, variants), the
// isolation between files, and the counts in the JSON results.

import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const RUNNER = fileURLToPath(new URL('../scripts/wpt.mjs', import.meta.url))

// Statuses as testharness.js numbers them: PASS 0, FAIL 1, TIMEOUT 2; harness OK 0, TIMEOUT 2.
const HARNESS = `(function () {
  const tests = []; const onResult = []; const onDone = []; let finished = false; let explicitDone = false
  const report = (t) => { for (const cb of onResult) cb(t) }
  const finish = (status) => { if (finished) return; finished = true; for (const cb of onDone) cb(tests, { status, message: null }) }
  const check = () => { if (!explicitDone && tests.every((t) => !t.pending)) finish(0) }
  self.setup = (options) => { explicitDone = Boolean(options.explicit_done) }
  self.done = () => finish(0)
  self.add_result_callback = (cb) => onResult.push(cb)
  self.add_completion_callback = (cb) => onDone.push(cb)
  self.test = (fn, name) => {
    const t = { name, status: 0, message: null }
    try { fn() } catch (e) { t.status = 1; t.message = String(e) }
    tests.push(t); report(t)
  }
  self.async_test = (name) => {
    const t = { name, status: 0, message: null, pending: true, done () { t.pending = false; report(t); check() } }
    tests.push(t); return t
  }
  self.timeout = () => { for (const t of tests) if (t.pending) { t.pending = false; t.status = 2; report(t) } finish(2) }
  setTimeout(check, 0)
})()
`

const FILES = {
  'resources/testharness.js': HARNESS,
  'IndexedDB/resources/support.js': 'function helper () { return 41 + 1 }\n',
  'IndexedDB/basic.any.js': `// META: title=basic
// META: script=resources/support.js
var leaked = 'from basic'
test(() => { if (helper() !== 42) throw new Error('no helper') }, 'META script loaded')
test(() => { if (typeof indexedDB.open !== 'function' || typeof IDBKeyRange.only !== 'function') throw new Error('no IDB globals') }, 'IDB globals installed')
test(() => { throw new Error('expected failure') }, 'fails')
`,
  'IndexedDB/page.html': `<!doctype html><title>page</title>
<script src="/resources/testharness.js"></script>
<script src="/resources/testharnessreport.js"></script>
<script src="resources/support.js"></script>
<script>
test(() => { if (typeof leaked !== 'undefined') throw new Error('state leaked from another file') }, 'fresh global')
test(() => { if (helper() !== 42) throw new Error('no helper') }, 'script src loaded')
</script>`,
  'IndexedDB/variants.any.js': `// META: variant=?one
// META: variant=?two
test(() => { if (!['?one', '?two'].includes(location.search)) throw new Error(location.search) }, 'variant ' + location.search)
`,
  'IndexedDB/hang.any.js': `async_test('never finishes')
test(() => {}, 'quick')
`,
  'IndexedDB/never-done.any.js': 'setup({ explicit_done: true })\ntest(() => {}, "only")\n',
  'IndexedDB/crash.any.js': 'test(() => {}, "before the crash")\nsetTimeout(() => process.exit(3), 10)\nasync_test("pending")\n',
  'IndexedDB/worker.any.js': 'test(() => { new Worker("x.js") }, "worker")\n',
  'IndexedDB/missing.any.js': '// META: script=/common/absent.js\ntest(() => {}, "x")\n',
  'IndexedDB/reftest.html': '<!doctype html><link rel="match" href="ref.html"><p>hi</p>'
}

describe('WPT runner', () => {
  let root, report, stdout

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'flowdb-wpt-'))
    for (const [name, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(root, name)), { recursive: true })
      writeFileSync(join(root, name), text)
    }
    const out = join(root, 'results.json')
    const r = spawnSync(process.execPath, [RUNNER, root, '--impl', 'fake-indexeddb', '--timeout', '1', '--out', out], { encoding: 'utf8', timeout: 60_000 })
    stdout = r.stdout
    expect(r.status, r.stderr).toBe(0)
    report = JSON.parse(readFileSync(out, 'utf8'))
  }, 60_000)

  afterAll(() => rmSync(root, { recursive: true, force: true }))

  const file = (name) => report.files.find((f) => f.file === name)

  it('skips browser-only files, files missing a script and non-testharness pages, with the reason', () => {
    expect(report.skipped).toEqual([
      { file: 'IndexedDB/missing.any.js', reason: 'missing script /common/absent.js' },
      { file: 'IndexedDB/reftest.html', reason: 'not a testharness.js test (reftest or manual)' },
      { file: 'IndexedDB/worker.any.js', reason: 'workers' }
    ])
    expect(file('IndexedDB/resources/support.js')).toBeUndefined()
  })

  it('loads META and <script src> dependencies and installs the implementation in a fresh global per file', () => {
    expect(file('IndexedDB/basic.any.js')).toMatchObject({ status: 'OK', passed: 2, total: 3 })
    expect(file('IndexedDB/basic.any.js').subtests.find((s) => s.name === 'fails')).toMatchObject({ status: 'FAIL', message: 'Error: expected failure' })
    expect(file('IndexedDB/page.html')).toMatchObject({ status: 'OK', passed: 2, total: 2 })
  })

  it('runs each variant as its own entry with its location.search', () => {
    expect(file('IndexedDB/variants.any.js?one').subtests).toEqual([{ name: 'variant ?one', status: 'PASS', message: null }])
    expect(file('IndexedDB/variants.any.js?two').subtests).toEqual([{ name: 'variant ?two', status: 'PASS', message: null }])
  })

  it('times out a file that does not finish and counts a crash as a failed subtest', () => {
    expect(file('IndexedDB/hang.any.js')).toMatchObject({ status: 'TIMEOUT', passed: 1, total: 2 })
    // A harness timeout that no subtest shows counts as a failed subtest.
    expect(file('IndexedDB/never-done.any.js')).toMatchObject({ status: 'TIMEOUT', passed: 1, total: 2 })
    expect(file('IndexedDB/hang.any.js').subtests).toContainEqual({ name: 'never finishes', status: 'TIMEOUT', message: null })
    const crash = file('IndexedDB/crash.any.js')
    expect(crash).toMatchObject({ status: 'CRASH', passed: 1, total: 2 })
    expect(crash.message).toMatch(/exited with code 3/)
  })

  it('sums the run in the summary and the last lines', () => {
    expect(report.summary).toEqual({ filesRun: 7, filesPassed: 3, filesSkipped: 3, subtestsPassed: 9, subtests: 13, passPercent: 69.2 })
    expect(stdout).toMatch(/subtests: 9 \/ 13 passed \(69\.2%\)/)
  })
})
