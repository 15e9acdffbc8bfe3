// Starts worker threads that write to and scan an engine, or use a JsonDB
// (in memory and on disk) without awaiting, and terminates each one at a random moment, many
// times. Run as its own process (test/worker-terminate.test.js does), so a
// crash during termination shows as this process's exit status. Prints one
// JSON line: { terminations, byKind, opened }.
//
// Usage: node terminate-stress.mjs <terminations> [concurrency]

import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const lib = fileURLToPath(new URL('../../lib/index.cjs', import.meta.url))
const total = Number(process.argv[2] ?? 100)
const concurrency = Number(process.argv[3] ?? 4)
const root = mkdtempSync(join(tmpdir(), 'flowdb-terminate-'))

// The worker: opens an engine, says so, then writes and/or scans without
// awaiting what it starts, yielding to its event loop now and then so that
// completions (and the Promises they settle) keep coming.
const source = `
  const { parentPort, workerData } = require('node:worker_threads')
  const { Engine, JsonDB } = require(workerData.lib)
  const { kind, path } = workerData
  const noop = () => {}
  const tick = () => new Promise((resolve) => setImmediate(resolve))
  // The document store: calls of their own, calls queued on transactions,
  // commits, cursors and queries.
  async function docs () {
    const db = await JsonDB.open(path === null ? { inMemory: true } : { path, syncMode: 'none', memtableSize: 64 * 1024 })
    await db.createObjectStore('s', { keyPath: 'id' })
    await db.createIndex('s', 'byG', 'g')
    await db.store('s').putMany(Array.from({ length: 200 }, (_, i) => ({ id: i, g: i % 7 })))
    parentPort.postMessage('ready')
    for (let n = 0; ; n++) {
      const s = db.store('s')
      for (let i = 0; i < 10; i++) s.put({ id: 1000 + ((n * 10 + i) % 500), g: i % 7 }).catch(noop)
      s.get(n % 200).catch(noop)
      s.index('byG').getAll(n % 7).catch(noop)
      try {
        const t = db.transaction('s', 'readwrite')
        const ts = t.store('s')
        for (let i = 0; i < 5; i++) ts.put({ id: 5000 + i, g: n % 7 }).catch(noop)
        ts.count().catch(noop)
        t.commit().catch(noop)
      } catch {}
      const it = s.iterate()[Symbol.asyncIterator]()
      it.next().then(() => it.next(), noop).catch(noop)
      if (n % 2 === 0) await tick()
    }
  }
  ;(async () => {
    if (kind === 'docs') return docs()
    const engine = await Engine.open(path === null ? { inMemory: true } : { path, syncMode: 'none', memtableSize: 64 * 1024 })
    const seed = []
    for (let i = 0; i < 300; i++) seed.push({ key: 'k' + (i % 50), ts: i, value: 'seed-' + i })
    await engine.writeBatch(seed)
    parentPort.postMessage('ready')
    for (let n = 0; ; n++) {
      if (kind !== 'scan') {
        for (let i = 0; i < 20; i++) engine.put('w' + (n % 97), n * 20 + i, 'value-' + i).catch(noop)
        engine.writeBatch([{ key: 'b' + n, ts: n, value: 'x' }, { key: 'b' + n, ts: n + 1, value: 'y' }]).catch(noop)
        engine.getLatest('w' + (n % 97)).catch(noop)
      }
      if (kind !== 'write') {
        for (let i = 0; i < 4; i++) {
          const scan = engine.scan({ prefix: 'k' + (i % 5), limit: 40 })
          scan.next().then(() => scan.all(), noop).catch(noop)
        }
        engine.scan({ reverse: true }).all().catch(noop)
        if (n % 8 === 0) engine.flush().catch(noop)
        try { engine.snapshot().release() } catch {}
      }
      if (n % 2 === 0) await tick()
    }
  })().catch((err) => parentPort.postMessage({ error: String(err && err.stack || err) }))
`

const KINDS = ['write', 'scan', 'mixed', 'docs']
const byKind = {}
let started = 0
let finished = 0
let opened = 0
const failures = []

function random (n) {
  return Math.floor(Math.random() * n)
}

function runOne (i) {
  const kind = KINDS[i % KINDS.length]
  const onDisk = Math.floor(i / KINDS.length) % 2 === 1
  const label = `${kind}/${onDisk ? 'disk' : 'memory'}`
  const path = onDisk ? join(root, `db-${i}`) : null
  return new Promise((resolve) => {
    const worker = new Worker(source, { eval: true, workerData: { lib, kind, path } })
    let timer = null
    const terminate = () => { worker.terminate().catch(noop) }
    // Half the workers are terminated at a random moment from their start
    // (also while opening), half at a random moment after they began work.
    if (i % 2 === 0) timer = setTimeout(terminate, random(200))
    worker.on('message', (m) => {
      if (m === 'ready') {
        opened++
        if (timer === null) timer = setTimeout(terminate, random(60))
      } else if (m && m.error) {
        failures.push(`${label}: ${m.error}`)
      }
    })
    worker.on('error', (err) => failures.push(`${label}: ${err && err.stack}`))
    worker.on('exit', () => {
      clearTimeout(timer)
      byKind[label] = (byKind[label] ?? 0) + 1
      finished++
      if (path !== null) rmSync(path, { recursive: true, force: true })
      resolve()
    })
  })
}

function noop () {}

async function lane () {
  while (started < total) await runOne(started++)
}

await Promise.all(Array.from({ length: concurrency }, lane))
rmSync(root, { recursive: true, force: true })
console.log(JSON.stringify({ terminations: finished, opened, byKind, failures }))
process.exitCode = failures.length === 0 ? 0 : 1
