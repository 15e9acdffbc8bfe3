// The crash test. A child process (helpers/crash-writer.mjs) writes batches
// with syncMode 'always' and reports each acknowledged batch; the parent
// kills it with SIGKILL after a random delay, reopens the database and
// checks that
//   - every acknowledged batch is present, whole;
//   - every batch present is whole (all of its records, nothing else);
//   - nothing is present that was never written.
// The same directory is reused across runs, so recovery also runs over
// data left by earlier crashes and recoveries.
//
// FLOWDB_CRASH_RUNS (default 30) sets the number of runs, FLOWDB_CRASH_SEED
// the seed (printed, to replay a failure).

import { describe, it, expect } from 'vitest'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { Engine } from '../lib/index.mjs'
import { tempPath } from './helpers/tmp.js'
import { rng } from './helpers/random.js'

const here = dirname(fileURLToPath(import.meta.url))
const RUNS = Number(process.env.FLOWDB_CRASH_RUNS ?? 30)
const SEED = Number(process.env.FLOWDB_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31))


// Runs the writer until `delayMs` after it is ready, then SIGKILLs it.
// Resolves with the acknowledged batch ids.
function crashRun (path, firstId, seed, delayMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'helpers/crash-writer.mjs'), path, String(firstId), String(seed)],
      { stdio: ['ignore', 'pipe', 'pipe'] })
    const acked = []
    let ready = false
    let stderr = ''
    let pending = ''
    let killed = false
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk) => {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop()
      for (const line of lines) {
        if (line === 'ready' && !ready) {
          ready = true
          setTimeout(() => { killed = true; child.kill('SIGKILL') }, delayMs)
        } else if (line.startsWith('ack ')) {
          acked.push(Number(line.slice(4)))
        }
      }
    })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (killed && signal === 'SIGKILL') resolve(acked)
      else reject(new Error(`crash writer ended by itself (code ${code}, signal ${signal}):\n${stderr}`))
    })
  })
}

// Reads every batch in the database: id → { n, indexes: Set }.
async function readBatches (path) {
  const engine = await Engine.open({ path, valueEncoding: 'utf8' })
  const batches = new Map()
  const problems = []
  for await (const { key, ts, value } of engine.scan({ prefix: 'batch/' })) {
    const [, idText, indexText] = key.split('/')
    const [vid, vi, vn] = value.split(':').map(Number)
    const id = Number(idText)
    if (vid !== id || vi !== Number(indexText) || ts !== id) problems.push(`record ${key}@${ts} holds ${value.slice(0, 20)}`)
    let batch = batches.get(id)
    if (batch === undefined) batches.set(id, batch = { n: vn, indexes: new Set() })
    if (batch.n !== vn) problems.push(`batch ${id} records disagree on its size`)
    batch.indexes.add(vi)
  }
  await engine.close()
  return { batches, problems }
}

describe('crash safety (SIGKILL while writing, syncMode always)', () => {
  it(`every acknowledged batch survives and no batch is partial (${RUNS} runs)`, async () => {
    const path = tempPath()
    const random = rng(SEED)
    const acked = new Set()
    let nextId = 0
    let present = 0
    for (let run = 0; run < RUNS; run++) {
      const delay = 20 + Math.floor(random() * 280)
      const runAcked = await crashRun(path, nextId, Math.floor(random() * 2 ** 31), delay)
      for (const id of runAcked) acked.add(id)

      const { batches, problems } = await readBatches(path)
      const context = `run ${run} (seed ${SEED}, delay ${delay} ms)`
      expect(problems, context).toEqual([])
      for (const id of acked) {
        expect(batches.has(id), `${context}: acknowledged batch ${id} is missing`).toBe(true)
      }
      let maxId = nextId - 1
      for (const [id, batch] of batches) {
        expect(batch.indexes.size, `${context}: batch ${id} is partial (${batch.indexes.size} of ${batch.n})`).toBe(batch.n)
        maxId = Math.max(maxId, id)
      }
      present = batches.size
      // Ids never reused: start past anything written (acknowledged or not).
      nextId = Math.max(maxId, ...runAcked, nextId - 1) + 1 + 8
    }
    console.log(`crash test: ${RUNS} runs, seed ${SEED}, ${acked.size} acknowledged batches, ${present} batches present at the end`)
    expect(acked.size).toBeGreaterThan(0)
  }, 60_000 + RUNS * 5_000)
})
