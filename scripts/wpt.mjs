#!/usr/bin/env node
// Runs the web-platform-tests IndexedDB suite against an IndexedDB
// implementation in Node, one child process per test file (and variant).
//
//   npm run test:wpt -- <wpt checkout> [--impl flowdb|flowdb-persistent|fake-indexeddb|indexeddbshim]
//                       [--out results.json] [--jobs N] [--timeout S] [filter]
//
// <wpt checkout>: a folder with resources/testharness.js and IndexedDB/
// (the tests are fetched separately, never part of this repository).
// filter: only files whose path contains this string.
// --impl: flowdb (default; in memory; needs lib/indexeddb), flowdb-persistent
// (a factory on a temporary directory), fake-indexeddb, or indexeddbshim
// (once `npm run bench:idb:setup` has installed it).
//
// Per file: a fresh process, a fresh empty factory of the implementation as
// `indexedDB` with the IDB* interfaces as globals, testharness.js, the
// `// META: script=` (or <script src>) dependencies, then the test. Results
// come from testharness's result and completion callbacks. A file gets
// --timeout seconds (three times that with META timeout=long); then
// testharness's timeout() marks what is still running TIMEOUT, and a process
// that still has not finished 5 s later is killed.
//
// Files that need a browser are skipped and counted apart; the reason comes
// from the rules in scripts/wpt/discover.mjs (workers, iframes and other
// windows, Blob URLs, testdriver, remote contexts, the DOM document, a WPT
// server, missing support scripts).
//
// Counting: a subtest passes when testharness reports PASS. A file whose
// harness ends in ERROR, a crash, or a timeout that no subtest shows (tests
// not yet created when time ran out) counts one failed subtest more, so
// such a file never looks fully passing.
// Exit code: 0 when the run completed (whatever the pass rate), 2 on bad usage.

import { fork } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { discover } from './wpt/discover.mjs'
import { IMPLS, unavailable } from './wpt/impls.mjs'

const USAGE = 'npm run test:wpt -- <wpt checkout> [--impl flowdb|flowdb-persistent|fake-indexeddb|indexeddbshim] [--out results.json] [--jobs N] [--timeout seconds] [filter]'
const CHILD = fileURLToPath(new URL('./wpt/child.mjs', import.meta.url))
const KILL_GRACE_MS = 5000

function parse (argv) {
  const opts = { impl: 'flowdb', out: undefined, jobs: Math.min(2, availableParallelism()), timeout: 15, positional: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '-h' || arg === '--help') { console.log(USAGE); process.exit(0) }
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(arg)
    if (!m) { opts.positional.push(arg); continue }
    const value = m[2] ?? argv[++i]
    if (value === undefined) usage(`--${m[1]} needs a value`)
    if (m[1] === 'impl') opts.impl = value
    else if (m[1] === 'out') opts.out = value
    else if (m[1] === 'jobs' || m[1] === 'timeout') {
      const n = Number(value)
      if (!Number.isFinite(n) || n <= 0) usage(`--${m[1]} must be a positive number, got ${value}`)
      opts[m[1]] = n
    } else usage(`unknown option --${m[1]}`)
  }
  if (!(opts.impl in IMPLS)) usage(`--impl must be one of ${Object.keys(IMPLS).join(', ')}, got ${opts.impl}`)
  const why = unavailable(opts.impl)
  if (why) usage(why)
  if (opts.positional.length < 1 || opts.positional.length > 2) usage('give the path of a WPT checkout and at most one filter')
  return opts
}

function usage (message) {
  console.error(`${message}\n${USAGE}`)
  process.exit(2)
}

// Runs one plan in a child process; resolves to
// { status, message, subtests: [{ name, status, message }], ms }.
function runFile (plan, impl, timeoutS) {
  const timeoutMs = timeoutS * 1000 * (plan.long ? 3 : 1)
  const started = Date.now()
  return new Promise((resolveRun) => {
    const child = fork(CHILD, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' })
    const subtests = []
    let done = null
    let output = ''
    const keep = (chunk) => { if (output.length < 4000) output += chunk }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.on('message', (m) => {
      if (m.type === 'result') subtests.push({ name: m.name, status: m.status, message: m.message })
      else if (m.type === 'done') done = m
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + KILL_GRACE_MS)
    child.on('exit', (code, signal) => {
      clearTimeout(killer)
      const ms = Date.now() - started
      if (done) {
        resolveRun({ status: done.status, message: done.message, subtests, ms })
      } else if (signal === 'SIGKILL') {
        resolveRun({ status: 'TIMEOUT', message: `killed after ${timeoutMs + KILL_GRACE_MS} ms without completing`, subtests, ms })
      } else {
        const why = code === 0 ? 'the event loop emptied before the harness completed' : `exited with code ${code}${signal ? ` (${signal})` : ''}`
        resolveRun({ status: 'CRASH', message: `${why}${output ? `\n${output.trim()}` : ''}`, subtests, ms })
      }
    })
    child.send({ impl, root: plan.root, file: plan.file, variant: plan.variant, scripts: plan.scripts, title: plan.title, timeoutMs })
  })
}

async function main () {
  const opts = parse(process.argv.slice(2))
  const root = resolve(opts.positional[0])
  let plans
  try {
    plans = discover(root, opts.positional[1])
  } catch (error) {
    usage(error.message)
  }
  if (plans.length === 0) usage('no test file matches')

  const started = Date.now()
  const results = new Array(plans.length)
  let next = 0
  const worker = async () => {
    while (next < plans.length) {
      const i = next++
      const plan = plans[i]
      const id = plan.file + plan.variant
      if (plan.skip) {
        results[i] = { file: id, skipped: plan.skip }
        console.log(`SKIP ${id}: ${plan.skip}`)
        continue
      }
      const r = await runFile(plan, opts.impl, opts.timeout)
      const passed = r.subtests.filter((s) => s.status === 'PASS').length
      // A harness that did not end OK counts as one failed subtest, unless it
      // is a timeout that a TIMEOUT subtest already shows.
      const failedHarness = r.status !== 'OK' && !(r.status === 'TIMEOUT' && r.subtests.some((s) => s.status === 'TIMEOUT'))
      const total = r.subtests.length + (failedHarness ? 1 : 0)
      results[i] = { file: id, status: r.status, message: r.message, passed, total, ms: r.ms, subtests: r.subtests }
      const note = r.status === 'OK' ? '' : `  [${r.status}${r.message ? `: ${String(r.message).split('\n')[0].slice(0, 120)}` : ''}]`
      console.log(`${passed === total ? 'PASS' : 'FAIL'} ${id}  ${passed}/${total}${note}`)
    }
  }
  await Promise.all(Array.from({ length: opts.jobs }, worker))

  const ran = results.filter((r) => !r.skipped)
  const skipped = results.filter((r) => r.skipped)
  const passed = ran.reduce((n, r) => n + r.passed, 0)
  const total = ran.reduce((n, r) => n + r.total, 0)
  const filesPassed = ran.filter((r) => r.passed === r.total).length
  const harnessProblems = ran.filter((r) => r.status !== 'OK')
  const pct = total ? (100 * passed / total).toFixed(1) : '0.0'
  const bySkipReason = {}
  for (const r of skipped) bySkipReason[r.skipped] = (bySkipReason[r.skipped] ?? 0) + 1

  console.log('')
  console.log(`implementation: ${opts.impl}   checkout: ${root}`)
  console.log(`files run: ${ran.length} (${filesPassed} fully passing, ${harnessProblems.length} with a harness error, timeout or crash)`)
  console.log(`files skipped: ${skipped.length}`)
  for (const [reason, n] of Object.entries(bySkipReason).sort((a, b) => b[1] - a[1])) console.log(`  ${n}  ${reason}`)
  console.log(`subtests: ${passed} / ${total} passed (${pct}%)   in ${((Date.now() - started) / 1000).toFixed(1)} s`)

  if (opts.out) {
    const report = {
      implementation: opts.impl,
      checkout: root,
      date: new Date().toISOString(),
      node: process.version,
      summary: { filesRun: ran.length, filesPassed, filesSkipped: skipped.length, subtestsPassed: passed, subtests: total, passPercent: Number(pct) },
      skipped: skipped.map((r) => ({ file: r.file, reason: r.skipped })),
      files: ran
    }
    writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n')
    console.log(`results written to ${opts.out}`)
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
