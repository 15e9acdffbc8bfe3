// The addon is context-aware: engines opened in worker threads work on
// their own, each thread sees the same files, and the directory lock holds
// across threads of one process.

import { describe, it, expect } from 'vitest'
import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import { Engine } from '../lib/index.mjs'
import { tempPath } from './helpers/tmp.js'

const lib = fileURLToPath(new URL('../lib/index.cjs', import.meta.url))

// Runs `body` (the source of an async function taking (Engine, data)) in a
// worker thread and resolves with what it returns.
function inWorker (body, data) {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads')
    const { Engine } = require(workerData.lib)
    ;(${body})(Engine, workerData.data).then(
      (result) => parentPort.postMessage({ result }),
      (err) => parentPort.postMessage({ error: { message: err.message, code: err.code } }))
  `
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { lib, data } })
    worker.once('message', (m) => (m.error ? reject(Object.assign(new Error(m.error.message), m.error)) : resolve(m.result)))
    worker.once('error', reject)
  })
}

describe('worker_threads', () => {
  it('opens, writes, reads and closes an engine inside workers, in parallel', async () => {
    const paths = [tempPath('wt-a'), tempPath('wt-b')]
    const results = await Promise.all(paths.map((path, i) => inWorker(async (Engine, { path, i }) => {
      const engine = await Engine.open({ path })
      const records = []
      for (let n = 0; n < 500; n++) records.push({ key: `w${i}`, ts: n, value: String(n * (i + 1)) })
      await engine.writeBatch(records)
      await engine.flush()
      const latest = engine.getLatestSync(`w${i}`, { valueEncoding: 'utf8' })
      const count = (await engine.scan({ prefix: `w${i}` }).all()).length
      await engine.close()
      return { ts: latest.ts, value: latest.value, count }
    }, { path, i })))
    expect(results).toEqual([{ ts: 499, value: '499', count: 500 }, { ts: 499, value: '998', count: 500 }])
    // The main thread reads what the workers wrote.
    const engine = await Engine.open({ path: paths[1] })
    expect(engine.getSync('w1', 10, { valueEncoding: 'utf8' })).toBe('20')
    await engine.close()
  })

  it('a directory open in one thread is locked for another', async () => {
    const path = tempPath('wt-lock')
    const engine = await Engine.open({ path })
    const code = await inWorker(async (Engine, { path }) => {
      try {
        await Engine.open({ path })
        return 'opened'
      } catch (err) {
        return err.code
      }
    }, { path })
    expect(code).toBe('FLOWDB_LOCKED')
    await engine.close()
    const reopened = await inWorker(async (Engine, { path }) => {
      const e = await Engine.open({ path })
      await e.close()
      return 'ok'
    }, { path })
    expect(reopened).toBe('ok')
  })

  it('in-memory engines of different threads are separate', async () => {
    const main = await Engine.open({ inMemory: true })
    await main.put('k', 1, 'main')
    const seen = await inWorker(async (Engine) => {
      const e = await Engine.open({ inMemory: true })
      const before = e.getSync('k', 1)
      await e.put('k', 1, 'worker')
      await e.close()
      return before === undefined ? 'empty' : 'shared'
    }, {})
    expect(seen).toBe('empty')
    expect(main.getSync('k', 1, { valueEncoding: 'utf8' })).toBe('main')
    await main.close()
  })
})
