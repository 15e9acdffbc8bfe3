// Runs one WPT test file in this (fresh) process and reports to the parent
// over IPC: { type: 'result', name, status, message } per subtest as it
// finishes, then { type: 'done', status, message } when the harness
// completes. The parent sends the plan: { impl, root, file, variant,
// scripts, title, timeoutMs }.
//
// The scripts run with vm.runInThisContext, in this process's own realm,
// so the implementation's objects and the tests' share one set of built-ins
// (Array, Promise, DOMException...), as they would on a page.

import vm from 'node:vm'
import { existsSync, readFileSync } from 'node:fs'
import { join, sep } from 'node:path'
import { IMPLS } from './impls.mjs'

const TEST_STATUS = ['PASS', 'FAIL', 'TIMEOUT', 'NOTRUN', 'PRECONDITION_FAILED']
const HARNESS_STATUS = ['OK', 'ERROR', 'TIMEOUT', 'PRECONDITION_FAILED']

function send (message) {
  return new Promise((resolve) => process.send(message, resolve))
}

// The global object as an EventTarget with `onerror`, so that exceptions
// escaping event handlers and timers reach testharness.js as a page's
// 'error' and 'unhandledrejection' events would.
function installGlobalEvents () {
  const target = new EventTarget()
  globalThis.addEventListener = target.addEventListener.bind(target)
  globalThis.removeEventListener = target.removeEventListener.bind(target)
  globalThis.dispatchEvent = target.dispatchEvent.bind(target)
  globalThis.onerror = null
  const report = (error) => {
    const event = new Event('error', { cancelable: true })
    const message = error instanceof Error ? `Uncaught ${error.name}: ${error.message}` : `Uncaught ${String(error)}`
    Object.defineProperties(event, {
      message: { value: message },
      error: { value: error },
      filename: { value: '' },
      lineno: { value: 0 },
      colno: { value: 0 }
    })
    if (typeof globalThis.onerror === 'function') {
      if (globalThis.onerror(message, '', 0, 0, error) === true) return
    }
    target.dispatchEvent(event)
  }
  process.on('uncaughtException', report)
  process.on('unhandledRejection', (reason, promise) => {
    const event = new Event('unhandledrejection', { cancelable: true })
    Object.defineProperties(event, { reason: { value: reason }, promise: { value: promise } })
    target.dispatchEvent(event)
  })
  return report
}

// FileReader as a page has it, for the tests that read Blobs back from the
// database (Node has Blob but not FileReader). Reads are asynchronous and
// fire load/error then loadend, through on* handlers and listeners.
class FileReader extends EventTarget {
  static EMPTY = 0
  static LOADING = 1
  static DONE = 2
  readyState = 0
  result = null
  error = null
  onload = null
  onerror = null
  onloadend = null
  readAsArrayBuffer (blob) { this.#read(blob, (b) => b.arrayBuffer()) }
  readAsText (blob) { this.#read(blob, (b) => b.text()) }
  #read (blob, how) {
    if (!(blob instanceof Blob)) throw new TypeError('FileReader: the argument is not a Blob')
    if (this.readyState === 1) throw new DOMException('a read is already in progress', 'InvalidStateError')
    this.readyState = 1
    how(blob).then((result) => { this.result = result; this.#finish('load') },
      (error) => { this.error = error; this.#finish('error') })
  }
  #finish (type) {
    this.readyState = 2
    for (const name of [type, 'loadend']) {
      const event = new Event(name)
      if (typeof this['on' + name] === 'function') this['on' + name](event)
      this.dispatchEvent(event)
    }
  }
}

const ORIGIN = 'http://web-platform.test:8000'

// fetch() of the checkout's static files, as the WPT server serves them
// (idlharness reads /interfaces/*.idl this way). Other URLs are refused.
function installFetch (root) {
  const nodeFetch = globalThis.fetch
  globalThis.fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input.url, globalThis.location.href)
    if (url.origin !== ORIGIN) return nodeFetch ? Promise.reject(new TypeError(`fetch: only ${ORIGIN} (the checkout) is served, not ${url.origin}`)) : undefined
    const file = join(root, decodeURIComponent(url.pathname))
    if (!file.startsWith(root + sep) || !existsSync(file)) return new Response('not found', { status: 404 })
    return new Response(readFileSync(file))
  }
}

function installLocation (file, variant) {
  const url = new URL(`${ORIGIN}/${file.replace(/\.js$/, '.html')}${variant}`)
  globalThis.location = {
    href: url.href,
    origin: url.origin,
    protocol: url.protocol,
    host: url.host,
    hostname: url.hostname,
    port: url.port,
    pathname: url.pathname,
    search: url.search,
    hash: url.hash,
    toString () { return url.href }
  }
}

async function run (plan) {
  globalThis.self = globalThis
  // idlharness decides which interfaces must be exposed from the kind of
  // global; the tests run as in a window (.any.js files run as .any.html).
  if (!('Window' in globalThis)) globalThis.Window = function Window () { throw new TypeError('Illegal constructor') }
  if (typeof globalThis.FileReader !== 'function') globalThis.FileReader = FileReader
  installLocation(plan.file, plan.variant)
  installFetch(plan.root)
  if (plan.title) globalThis.META_TITLE = plan.title
  const reportError = installGlobalEvents()
  // As on a page: interface objects are non-enumerable, writable,
  // configurable properties of the global; indexedDB is an enumerable getter.
  const { indexedDB, ...interfaces } = await IMPLS[plan.impl]()
  for (const [name, value] of Object.entries(interfaces)) {
    Object.defineProperty(globalThis, name, { value, writable: true, enumerable: false, configurable: true })
  }
  Object.defineProperty(globalThis, 'indexedDB', { get () { return indexedDB }, enumerable: true, configurable: true })

  let finished = false
  const pending = []
  const loadHarness = () => {
    globalThis.add_result_callback((test) => {
      pending.push(send({ type: 'result', name: test.name, status: TEST_STATUS[test.status] ?? String(test.status), message: test.message ?? null }))
    })
    globalThis.add_completion_callback((tests, status) => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      // Results of subtests that never reported (e.g. NOTRUN after a harness error).
      Promise.all(pending)
        .then(() => send({ type: 'done', status: HARNESS_STATUS[status.status] ?? String(status.status), message: status.message ?? null, count: tests.length }))
        .then(() => process.exit(0))
    })
  }
  // The harness's own timeout: subtests still running are reported TIMEOUT.
  const timer = setTimeout(() => { if (typeof globalThis.timeout === 'function') globalThis.timeout() }, plan.timeoutMs)

  for (const script of plan.scripts) {
    const code = script.code ?? readFileSync(script.path, 'utf8')
    try {
      vm.runInThisContext(code, { filename: script.path, lineOffset: script.line ? script.line - 1 : 0 })
    } catch (error) {
      if (typeof globalThis.add_completion_callback !== 'function') throw error
      reportError(error)
    }
    if (typeof globalThis.add_completion_callback === 'function' && !loadHarness.done) {
      loadHarness.done = true
      loadHarness()
    }
  }
}

process.once('message', (plan) => {
  run(plan).catch((error) => {
    send({ type: 'done', status: 'ERROR', message: `runner: ${error && error.stack ? error.stack : error}`, count: 0 })
      .then(() => process.exit(1))
  })
})
