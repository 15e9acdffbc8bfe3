// Range deletes, snapshots, patchRecord, compaction, whole-file expiry,
// stats and Prometheus metrics through the JS API.

import { describe, it, expect } from 'vitest'
import { Engine } from '../lib/index.mjs'
import { tempPath } from './helpers/tmp.js'

const v = (s) => Buffer.from(s)
const keysOf = async (engine, range) => (await engine.scan(range).all()).map((r) => `${r.key}@${r.ts}`)

describe('deleteRange', () => {
  it('deletes every version of keys in [start, end) and nothing written later', async () => {
    const path = tempPath()
    let e = await Engine.open({ path })
    for (const k of ['a', 'b', 'ba', 'c', 'd']) await e.writeBatch([{ key: k, ts: 1, value: v('1') }, { key: k, ts: 2, value: v('2') }])
    await e.deleteRange('b', 'd')
    expect(await keysOf(e)).toEqual(['a@1', 'a@2', 'd@1', 'd@2'])
    expect(await e.get('ba', 1)).toBeUndefined()
    expect(e.getSync('c', 2)).toBeUndefined()
    expect(await e.getLatest('c')).toBeUndefined()
    await e.put('c', 9, v('new'))
    expect(String(await e.get('c', 9))).toBe('new')
    await e.flush()
    expect(await keysOf(e)).toEqual(['a@1', 'a@2', 'c@9', 'd@1', 'd@2'])
    await e.close()
    e = await Engine.open({ path })
    expect(await keysOf(e)).toEqual(['a@1', 'a@2', 'c@9', 'd@1', 'd@2'])
    await e.compact()
    expect(await keysOf(e)).toEqual(['a@1', 'a@2', 'c@9', 'd@1', 'd@2'])
    expect(e.stats().rangeDeletions).toBe(0)
    await e.close()
  })

  it('rejects bad ranges clearly and treats an empty one as a no-op', async () => {
    const e = await Engine.open({ inMemory: true })
    await expect(e.deleteRange('b', 'a')).rejects.toThrow(RangeError)
    await expect(e.deleteRange(1, 'a')).rejects.toThrow(TypeError)
    await e.put('a', 1, v('x'))
    await e.deleteRange('a', 'a')
    expect(String(await e.get('a', 1))).toBe('x')
    await e.deleteRange(Buffer.from([0]), Buffer.from([0xff, 0xff]))
    expect(await e.get('a', 1)).toBeUndefined()
    await e.close()
  })
})

describe('snapshots', () => {
  it('pin what reads see through writes, deletes and compaction until released', async () => {
    const e = await Engine.open({ path: tempPath(), compactionTrigger: 0 })
    await e.put('k', 1, v('old'))
    await e.put('gone', 1, v('x'))
    await e.flush()
    const snap = e.snapshot()
    expect(typeof snap.sequence).toBe('number')
    await e.put('k', 1, v('new'))
    await e.deleteRange('gone', 'gone\u0001')
    await e.put('later', 1, v('y'))
    await e.compact()
    expect(String(await e.get('k', 1))).toBe('new')
    expect(String(await e.get('k', 1, { snapshot: snap }))).toBe('old')
    expect(String(e.getSync('gone', 1, { snapshot: snap }))).toBe('x')
    expect((await e.getLatest('gone', { snapshot: snap })).ts).toBe(1)
    expect(await keysOf(e, { snapshot: snap })).toEqual(['gone@1', 'k@1'])
    expect(await keysOf(e)).toEqual(['k@1', 'later@1'])
    expect(e.stats().snapshots).toBe(1)
    snap.release()
    snap.release() // idempotent
    expect(snap.released).toBe(true)
    expect(e.stats().snapshots).toBe(0)
    expect(() => e.getSync('k', 1, { snapshot: snap })).toThrow(expect.objectContaining({ code: 'FLOWDB_INVALID_ARGUMENT' }))
    expect(() => e.scan({ snapshot: {} })).toThrow(TypeError)
    await e.close()
  })

  it('are refused by every read once released or by another engine (checked natively)', async () => {
    const e = await Engine.open({ inMemory: true })
    const other = await Engine.open({ inMemory: true })
    await e.put('k', 1, v('a'))
    const snap = e.snapshot()
    const foreign = other.snapshot()
    const invalid = expect.objectContaining({ code: 'FLOWDB_INVALID_ARGUMENT' })
    await e.put('k', 1, v('b'))
    expect(String(await e.get('k', 1, { snapshot: snap }))).toBe('a')
    for (const s of [foreign, snap]) {
      if (s === snap) snap.release()
      await expect(e.get('k', 1, { snapshot: s })).rejects.toThrow(invalid)
      expect(() => e.getSync('k', 1, { snapshot: s })).toThrow(invalid)
      await expect(e.getLatest('k', { snapshot: s })).rejects.toThrow(invalid)
      expect(() => e.getLatestSync('k', { snapshot: s })).toThrow(invalid)
      expect(() => e.scan({ snapshot: s })).toThrow(invalid)
    }
    expect(() => e.getSync('k', 1, { snapshot: foreign })).toThrow(/another engine/)
    expect(() => e.getSync('k', 1, { snapshot: snap })).toThrow(/released/)
    foreign.release()
    await e.close()
    await other.close()
  })

  it('work with `using` and are released when the engine closes', async () => {
    const e = await Engine.open({ inMemory: true })
    const other = await Engine.open({ inMemory: true })
    {
      const s = e.snapshot()
      try {
        expect(() => other.getSync('k', 1, { snapshot: s })).toThrow(/another engine/)
      } finally {
        s[Symbol.dispose]()
      }
      expect(s.released).toBe(true)
    }
    const kept = e.snapshot()
    await e.close()
    expect(kept.released).toBe(true)
    kept.release() // harmless after close
    await other.close()
  })
})

describe('patchRecord', () => {
  it('changes value and expiry atomically and reports a missing record', async () => {
    const e = await Engine.open({ inMemory: true, valueEncoding: 'json' })
    await e.put('k', 5, { n: 1 })
    const r = await e.patchRecord('k', 5, { value: { n: 2 } })
    expect(r).toEqual({ key: 'k', ts: 5, value: { n: 2 }, expireAt: null })
    const before = Date.now() * 1000
    const t = await e.patchRecord('k', 5, { ttl: 60_000 })
    expect(t.value).toEqual({ n: 2 })
    expect(t.expireAt).toBeGreaterThanOrEqual(before + 60_000_000)
    const never = await e.patchRecord('k', 5, { expireAt: Infinity })
    expect(never.expireAt).toBeNull()
    await expect(e.patchRecord('nope', 1, { value: 1 })).rejects.toMatchObject({ code: 'FLOWDB_NOT_FOUND' })
    await expect(e.patchRecord('k', 5, { ttl: 1, expireAt: 1 })).rejects.toThrow(TypeError)
    await expect(e.patchRecord('k', 5, { colour: 'red' })).rejects.toThrow(TypeError)
    await e.close()
  })

  it('never loses a concurrent put', async () => {
    const e = await Engine.open({ inMemory: true })
    await e.put('k', 1, v('v0'))
    // One chain overwrites the value in order (concurrent puts to one record
    // have no order among themselves); another patches only the expiry.
    let writing = true
    const writer = (async () => {
      for (let i = 1; i <= 300; i++) await e.put('k', 1, v(`v${i}`))
      writing = false
    })()
    let patches = 0
    while (writing) await e.patchRecord('k', 1, { expireAt: 2e15 + patches++ })
    await writer
    expect(patches).toBeGreaterThan(0)
    const last = await e.patchRecord('k', 1, { expireAt: 3e15 })
    expect(String(last.value)).toBe('v300')
    await e.close()
  })
})

describe('retention', () => {
  it('hides expired records at once and gc() drops whole expired SSTables', async () => {
    const e = await Engine.open({ path: tempPath(), compactionTrigger: 0 })
    const now = Date.now() * 1000
    const batch = (ts, expireAt) => Array.from({ length: 100 }, (_, i) => ({ key: `s${i}`, ts, value: v('x'.repeat(50)), expireAt }))
    await e.writeBatch(batch(1, now + 300_000)) // 300 ms
    await e.flush()
    await e.writeBatch(batch(2, now + 3_600_000_000)) // an hour
    await e.flush()
    expect(e.stats().sstables).toBe(2)
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(await e.get('s1', 1)).toBeUndefined()
    expect(await e.get('s1', 2)).toBeDefined()
    const dropped = await e.gc()
    // The background thread checks about once a second and may come first.
    const st = e.stats()
    expect(st.gcFiles).toBe(1)
    expect(dropped.files).toBeLessThanOrEqual(1)
    expect(st.gcRecords).toBe(100)
    expect(st.sstables).toBe(1)
    await e.close()
  })

  it('drops records that expired before their memtable is flushed', async () => {
    const e = await Engine.open({ path: tempPath(), compactionTrigger: 0 })
    const now = Date.now() * 1000
    await e.writeBatch(Array.from({ length: 100 }, (_, i) => ({ key: `s${i}`, ts: 1, value: v('x'), expireAt: now - 1 })))
    await e.put('live', 1, v('y'))
    await e.flush()
    const st = e.stats()
    expect(st.sstables).toBe(1)
    expect(await keysOf(e)).toEqual(['live@1'])
    await e.close()
  })

  it("counts defaultTtl and ttl from the record's ts with ttlBasis: 'ts'", async () => {
    const e = await Engine.open({ inMemory: true, ttlBasis: 'ts', defaultTtl: 1000 })
    const ts = Date.now() * 1000
    await e.put('a', ts, v('x'))
    await e.put('b', ts, v('x'), { ttl: 5000 })
    await e.put('old', ts - 2_000_000, v('x')) // ts + 1 s is already past
    expect((await e.getLatest('a')).expireAt).toBe(ts + 1_000_000)
    expect((await e.getLatest('b')).expireAt).toBe(ts + 5_000_000)
    expect(await e.getLatest('old')).toBeUndefined()
    await e.close()
    await expect(Engine.open({ inMemory: true, ttlBasis: 'tomorrow' })).rejects.toThrow(RangeError)
  })
})

describe('compaction, stats and metrics', () => {
  it('merges SSTables in the background and reports amplification and latencies', async () => {
    const e = await Engine.open({ path: tempPath(), memtableSize: 64 * 1024, compactionTrigger: 2 })
    for (let round = 0; round < 8; round++) {
      await e.writeBatch(Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, ts: 1, value: v(`${round}`.repeat(100)) })))
      await e.flush()
    }
    for (let i = 0; i < 200 && e.stats().sstables > 1; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    await e.compact()
    for (let i = 0; i < 50; i++) await e.get(`k${i}`, 1)
    const st = e.stats()
    expect(st.sstables).toBe(1)
    expect(st.compactions).toBeGreaterThan(0)
    expect(st.compactionRecordsDropped).toBeGreaterThan(0)
    expect(st.writeAmplification).toBeGreaterThan(0)
    expect(st.spaceAmplification).toBe(1)
    expect(st.readAmplification).toBeGreaterThan(0)
    expect(st.readLatency.count).toBeGreaterThanOrEqual(50)
    expect(st.writeLatency.p99).toBeGreaterThanOrEqual(st.writeLatency.p50)
    expect(st.flushLatency.count).toBeGreaterThan(0)
    expect(String(await e.get('k7', 1))).toBe('7'.repeat(100))
    const text = e.metrics()
    expect(text).toMatch(/^# HELP flowdb_records_written_total /m)
    expect(text).toMatch(/^flowdb_records_written_total 4000$/m)
    expect(text).toMatch(/^flowdb_read_latency_seconds\{quantile="0.99"\} [0-9.e-]+$/m)
    expect(text).toMatch(/^flowdb_compactions_total [1-9]/m)
    // Every sample line is name{labels}? value.
    for (const line of text.trim().split('\n')) {
      if (!line.startsWith('#')) expect(line).toMatch(/^flowdb_[a-z_]+(\{quantile="[0-9.]+"\})? -?[0-9.e+-]+$/)
    }
    await e.close()
  })

  it('validates the compaction options', async () => {
    await expect(Engine.open({ inMemory: true, compactionTrigger: 1 })).rejects.toThrow(RangeError)
    await expect(Engine.open({ inMemory: true, compactionSizeRatio: -1 })).rejects.toThrow(RangeError)
    const e = await Engine.open({ inMemory: true, compactionTrigger: 0 })
    await e.close()
    await expect(e.compact()).rejects.toMatchObject({ code: 'FLOWDB_CLOSED' })
    expect(() => e.snapshot()).toThrow(expect.objectContaining({ code: 'FLOWDB_CLOSED' }))
  })
})

describe('OPTIONS file', () => {
  it('records the options in use and refuses a directory from a newer format', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs')
    const { join } = await import('node:path')
    const path = tempPath()
    let e = await Engine.open({ path, blockSize: 4096, compactionTrigger: 6 })
    await e.put('k', 1, v('v'))
    await e.close()
    const file = join(path, 'OPTIONS')
    const text = readFileSync(file, 'utf8')
    expect(text).toMatch(/^FLOWDB-OPTIONS 1\n/)
    expect(text).toMatch(/^block_size=4096$/m)
    expect(text).toMatch(/^compaction_trigger=6$/m)
    // Tuning options may change between opens.
    e = await Engine.open({ path, blockSize: 8192 })
    expect(String(await e.get('k', 1))).toBe('v')
    await e.close()
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^format_version=\d+$/m, 'format_version=999'))
    await expect(Engine.open({ path })).rejects.toMatchObject({ code: 'FLOWDB_NOT_SUPPORTED', message: expect.stringMatching(/format/) })
    writeFileSync(file, text.replace(/^comparator=.*$/m, 'comparator=reverse-bytewise'))
    await expect(Engine.open({ path })).rejects.toMatchObject({ code: 'FLOWDB_INVALID_ARGUMENT', message: expect.stringMatching(/comparator/) })
  })
})
