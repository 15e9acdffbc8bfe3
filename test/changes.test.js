// engine.changes({ since }): the committed batches in sequence order with
// their exact contents, resuming after a reopen, WAL retention and
// FLOWDB_SEQUENCE_GONE, tailing new commits, close and break during
// iteration, and bad input.

import { describe, it, expect } from 'vitest'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Engine, FlowDBError, errorCodes } from '../lib/index.mjs'
import { tempPath } from './helpers/tmp.js'
import { codeOf } from './helpers/code-of.js'

// Takes batches from a feed until `n` have arrived (or the feed ends).
async function take (feed, n) {
  const out = []
  if (n === 0) return out
  for await (const batch of feed) {
    out.push(batch)
    if (out.length === n) break
  }
  return out
}

// Writes `count` operations through the public API and returns, for each,
// the batch the feed must deliver (the write is alone in its WAL record, as
// each awaits the previous one).
async function writeModel (engine, start, count) {
  const model = []
  for (let i = start; i < start + count; i++) {
    const key = `k${i % 7}`
    switch (i % 4) {
      case 0:
        await engine.put(key, i, `v${i}`)
        model.push({ records: [{ key, ts: i, value: `v${i}`, expireAt: null }], deletes: [], rangeDeletes: [] })
        break
      case 1:
        await engine.writeBatch([
          { key, ts: i, value: `a${i}`, expireAt: 4102444800000000 },
          { type: 'del', key, ts: i - 1 },
          { key: `${key}x`, ts: -i, value: '' }
        ])
        model.push({
          records: [{ key, ts: i, value: `a${i}`, expireAt: 4102444800000000 }, { key: `${key}x`, ts: -i, value: '', expireAt: null }],
          deletes: [{ key, ts: i - 1 }],
          rangeDeletes: []
        })
        break
      case 2:
        await engine.deleteRange(key, `${key}~`)
        model.push({ records: [], deletes: [], rangeDeletes: [{ start: key, end: `${key}~` }] })
        break
      default:
        await engine.del(key, i)
        model.push({ records: [], deletes: [{ key, ts: i }], rangeDeletes: [] })
    }
    model.at(-1).seq = engine.stats().lastSequence
  }
  return model
}

// A delivered batch without the per-entry sequence numbers, after checking
// them: consecutive from firstSeq to seq, in the batch's entry order.
function strip (batch) {
  const seqs = [...batch.records, ...batch.deletes, ...batch.rangeDeletes].map((e) => e.seq).sort((a, b) => a - b)
  expect(seqs).toEqual(Array.from({ length: batch.seq - batch.firstSeq + 1 }, (_, i) => batch.firstSeq + i))
  const drop = ({ seq, ...rest }) => rest
  return {
    seq: batch.seq,
    records: batch.records.map(drop),
    deletes: batch.deletes.map(drop),
    rangeDeletes: batch.rangeDeletes.map(drop)
  }
}

describe('engine.changes', () => {
  it('delivers every committed batch in order with its exact contents', async () => {
    const e = await Engine.open({ path: tempPath(), memtableSize: 64 * 1024, walRetentionBytes: 16 << 20, valueEncoding: 'utf8' })
    const model = await writeModel(e, 1, 400)
    await e.flush() // part of it comes from flushed (retained) WAL segments
    const got = await take(e.changes({ since: 0 }), model.length)
    expect(got.map(strip)).toEqual(model)
    // In the middle: the first batch whose seq is after `since`.
    const mid = await take(e.changes({ since: model[199].seq }), 3)
    expect(mid.map(strip)).toEqual(model.slice(200, 203))
    // Encodings per feed, bigint timestamps from the engine's option.
    const [raw] = await take(e.changes({ since: 0, keyEncoding: 'buffer', valueEncoding: 'buffer' }), 1)
    expect(raw.records[0].key).toEqual(Buffer.from('k1'))
    expect(raw.records[0].value).toEqual(Buffer.from('a1'))
    await e.close()
  })

  it('resumes from a stored sequence number after a reopen', async () => {
    const path = tempPath()
    let e = await Engine.open({ path, walRetentionBytes: 16 << 20, valueEncoding: 'utf8' })
    const model = await writeModel(e, 1, 30)
    const first = await take(e.changes({ since: 0 }), 10)
    const stored = first.at(-1).seq
    await e.close()
    e = await Engine.open({ path, walRetentionBytes: 16 << 20, valueEncoding: 'utf8' })
    model.push(...await writeModel(e, 31, 10))
    const rest = await take(e.changes({ since: stored }), 30)
    expect(rest.map(strip)).toEqual(model.slice(10))
    await e.close()
  })

  it('keeps flushed WAL within walRetentionBytes and says FLOWDB_SEQUENCE_GONE beyond it', async () => {
    const e = await Engine.open({ path: tempPath(), valueEncoding: 'utf8' }) // walRetentionBytes 0
    const model = await writeModel(e, 1, 20)
    await e.flush()
    const feed = e.changes({ since: 0 })
    expect(await codeOf(feed.next())).toBe(errorCodes.SEQUENCE_GONE)
    expect(await feed.next()).toEqual({ done: true, value: undefined })
    // Writes after the flush are there; nothing new is not an error.
    const after = await writeModel(e, 21, 3)
    expect((await take(e.changes({ since: model.at(-1).seq }), 3)).map(strip)).toEqual(after)
    expect(await codeOf(e.changes({ since: e.stats().lastSequence + 5 }).next())).toBe(errorCodes.INVALID_ARGUMENT)
    await e.close()

    const kept = await Engine.open({ path: tempPath(), walRetentionBytes: 1 << 20, valueEncoding: 'utf8' })
    const all = await writeModel(kept, 1, 20)
    await kept.flush()
    expect((await take(kept.changes({ since: 0 }), 20)).map(strip)).toEqual(all)
    await kept.close()
  })

  it('tails new commits: a caught-up feed waits for the next write without polling', async () => {
    const e = await Engine.open({ inMemory: true, valueEncoding: 'utf8' })
    await e.put('before', 1, 'x')
    const feed = e.changes({ since: e.stats().lastSequence })
    const pending = feed.next()
    let settled = false
    pending.then(() => { settled = true })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(settled).toBe(false)
    await e.put('later', 2, 'y')
    const { value } = await pending
    expect(value.records).toEqual([{ key: 'later', ts: 2, value: 'y', expireAt: null, seq: 2 }])
    // Writers running while the consumer pulls: every write arrives once, in order.
    const writers = (async () => {
      for (let i = 0; i < 300; i++) await e.put(`w${i}`, i, 'v')
    })()
    const keys = []
    for await (const b of feed) {
      for (const r of b.records) keys.push(r.key)
      if (keys.length === 300) break
    }
    await writers
    expect(keys).toEqual(Array.from({ length: 300 }, (_, i) => `w${i}`))
    await e.close()
  })

  it('close rejects a waiting and a later next() with FLOWDB_CLOSED; break releases the WAL it held', async () => {
    const path = tempPath()
    const e = await Engine.open({ path })
    await e.put('a', 1, 'x')
    const feed = e.changes({ since: 1 })
    const waiting = feed.next()
    await new Promise((resolve) => setTimeout(resolve, 20))
    await e.close()
    expect(await codeOf(waiting)).toBe(errorCodes.CLOSED)
    expect(await codeOf(feed.next())).toBe(errorCodes.CLOSED)
    expect(() => e.changes({ since: 0 })).toThrow(FlowDBError)

    // A feed pins the WAL segments it has not read; break lets them go.
    const f = await Engine.open({ path })
    await f.writeBatch(Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, ts: 0, value: 'v' })))
    const segments = () => readdirSync(join(path, 'wal')).filter((n) => n.endsWith('.log')).length
    for await (const b of f.changes({ since: 1 })) {
      expect(b.records.length).toBe(50)
      await f.flush()
      expect(segments()).toBeGreaterThan(1) // still pinned while iterating
      break
    }
    await f.put('again', 1, 'x')
    await f.flush()
    // The cleanup after a flush may still run when flush() resolves.
    for (let i = 0; i < 100 && segments() !== 1; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(segments()).toBe(1)
    await f.close()
  })

  it('a worker terminated while its feed waits for a commit ends cleanly, and so does its process', () => {
    const lib = fileURLToPath(new URL('../lib/index.mjs', import.meta.url))
    const child = `
      import { Worker } from 'node:worker_threads'
      const code = \`
        import { parentPort } from 'node:worker_threads'
        const { Engine } = await import(${JSON.stringify(lib)})
        const e = await Engine.open({ inMemory: true })
        await e.put('k', 1, 'v')
        const feed = e.changes({ since: 1 })
        const waiting = feed.next()
        setTimeout(() => parentPort.postMessage('waiting'), 20)
        await waiting\`
      for (let i = 0; i < 5; i++) {
        const w = new Worker(code, { eval: true })
        await new Promise((resolve) => w.once('message', resolve))
        await new Promise((resolve) => setTimeout(resolve, 20))
        await w.terminate()
      }
      console.log('done')`
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8', timeout: 60_000 })
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('done\n')
    expect(r.status).toBe(0)
  })

  it('examples/change-feed.mjs ships every batch as an NDJSON line and resumes from its offset file', () => {
    const example = fileURLToPath(new URL('../examples/change-feed.mjs', import.meta.url))
    const path = tempPath()
    const offset = `${path}.offset`
    const run = (demo) => spawnSync(process.execPath, [example, '--path', path, '--demo', String(demo), '--offset-file', offset], { encoding: 'utf8', timeout: 60_000 })
    const first = run(20)
    expect(first.status, first.stderr).toBe(0)
    const lines = first.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(lines.map((b) => b.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect(lines[0].records[0]).toMatchObject({ key: 'sensor/0', value: '20.00', expireAt: null, seq: 1 })
    expect(lines[9].deletes).toEqual([expect.objectContaining({ key: 'sensor/1', seq: 10 })])
    const second = run(5)
    expect(second.status, second.stderr).toBe(0)
    expect(second.stdout.trim().split('\n').map((l) => JSON.parse(l).seq)).toEqual([21, 22, 23, 24, 25])
  })

  it('refuses bad input with TypeError/RangeError', async () => {
    const e = await Engine.open({ inMemory: true })
    expect(() => e.changes()).toThrow(TypeError)
    expect(() => e.changes({})).toThrow(TypeError)
    expect(() => e.changes({ since: '1' })).toThrow(TypeError)
    expect(() => e.changes({ since: 1.5 })).toThrow(TypeError)
    expect(() => e.changes({ since: -1 })).toThrow(RangeError)
    expect(() => e.changes({ since: 2 ** 60 })).toThrow(RangeError)
    expect(() => e.changes({ sinse: 0 })).toThrow(/did you mean 'since'/)
    expect(() => e.changes({ since: 0, valueEncoding: 'hex' })).toThrow(RangeError)
    await expect(Engine.open({ inMemory: true, walRetentionBytes: -1 })).rejects.toThrow(RangeError)
    await e.close()
  })
})
