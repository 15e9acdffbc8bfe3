// Expiry: expireAt (absolute µs), ttl (ms from now), defaultTtl (ms, from
// the write's wall-clock time). Expired records are invisible at once to
// get, getLatest and scans, in the memtable and in SSTables.

import { describe, it, expect } from 'vitest'
import { Engine } from '../lib/index.mjs'
import { tempPath } from './helpers/tmp.js'

const nowUs = () => Date.now() * 1000
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

describe('expireAt', () => {
  it('a record whose expireAt is past is invisible everywhere', async () => {
    const engine = await Engine.open({ inMemory: true, valueEncoding: 'utf8' })
    await engine.put('k', 1, 'live')
    await engine.put('k', 2, 'dead', { expireAt: nowUs() - 1_000_000 })
    await engine.put('k', 3, 'ancient', { expireAt: 0 })
    expect(await engine.get('k', 2)).toBeUndefined()
    expect(engine.getSync('k', 3)).toBeUndefined()
    expect(await engine.getLatest('k')).toEqual({ key: 'k', ts: 1, value: 'live', expireAt: null })
    expect(engine.getLatestSync('k').ts).toBe(1)
    expect((await engine.scan().all()).map((r) => r.ts)).toEqual([1])
    await engine.close()
  })

  it('a future expireAt is visible and returned as written', async () => {
    const engine = await Engine.open({ inMemory: true })
    const at = nowUs() + 3_600_000_000
    await engine.put('k', 1, 'v', { expireAt: at })
    await engine.put('far', 1, 'v', { expireAt: 2n ** 62n })
    expect((await engine.getLatest('k')).expireAt).toBe(at)
    expect((await engine.getLatest('far')).expireAt).toBe(2n ** 62n)
    const [r] = await engine.scan({ prefix: 'k' }).all()
    expect(r.expireAt).toBe(at)
    await engine.close()
  })

  it('expiry also hides records that were flushed to SSTables', async () => {
    const path = tempPath()
    let engine = await Engine.open({ path })
    const soon = nowUs() + 300_000
    await engine.writeBatch(Array.from({ length: 100 }, (_, i) => ({ key: `f${i}`, ts: 1, value: 'v', expireAt: i % 2 ? soon : Infinity })))
    await engine.flush()
    await engine.close()
    engine = await Engine.open({ path })
    expect((await engine.scan().all()).length).toBe(100)
    await sleep(Math.max(0, (soon - nowUs()) / 1000) + 50)
    expect((await engine.scan().all()).length).toBe(50)
    expect(await engine.get('f1', 1)).toBeUndefined()
    expect(await engine.get('f2', 1)).toBeDefined()
    await engine.close()
  })
})

describe('ttl', () => {
  it('ttl (ms) expires a record that long after the write', async () => {
    const engine = await Engine.open({ inMemory: true })
    const before = nowUs()
    await engine.put('short', 1, 'v', { ttl: 150 })
    await engine.writeBatch([{ key: 'batch', ts: 1, value: 'v', ttl: 150 }, { key: 'batch', ts: 2, value: 'v' }])
    const r = await engine.getLatest('short')
    expect(r.expireAt).toBeGreaterThanOrEqual(before + 150_000)
    expect(r.expireAt).toBeLessThanOrEqual(nowUs() + 150_000)
    expect(await engine.get('batch', 1)).toBeDefined()
    await sleep(250)
    expect(await engine.get('short', 1)).toBeUndefined()
    expect(await engine.getLatest('short')).toBeUndefined()
    expect((await engine.scan({ prefix: 'batch' }).all()).map((x) => x.ts)).toEqual([2])
    await engine.close()
  })
})

describe('defaultTtl', () => {
  it('applies to writes without expireAt/ttl, counted from the write time', async () => {
    const engine = await Engine.open({ inMemory: true, defaultTtl: 200 })
    const before = nowUs()
    await engine.put('default', 1, 'v')
    await engine.put('explicit', 1, 'v', { ttl: 60_000 })
    await engine.put('forever', 1, 'v', { expireAt: Infinity })
    const d = await engine.getLatest('default')
    expect(typeof d.expireAt).toBe('number')
    expect(d.expireAt).toBeGreaterThanOrEqual(before + 200_000)
    expect(d.expireAt).toBeLessThan(nowUs() + 200_000 + 1_000_000)
    expect((await engine.getLatest('explicit')).expireAt).toBeGreaterThan(before + 59_000_000)
    expect((await engine.getLatest('forever')).expireAt).toBe(null)
    await sleep(300)
    expect(await engine.get('default', 1)).toBeUndefined()
    expect(await engine.get('explicit', 1)).toBeDefined()
    expect(await engine.get('forever', 1)).toBeDefined()
    await engine.close()
  })

  it('is validated as a non-negative number of ms', async () => {
    await expect(Engine.open({ inMemory: true, defaultTtl: -1 })).rejects.toThrow(RangeError)
    await expect(Engine.open({ inMemory: true, defaultTtl: '1s' })).rejects.toThrow(TypeError)
    await expect(Engine.open({ inMemory: true, defaultTtl: 1e20 })).rejects.toThrow(/options\.defaultTtl must be between 0 and/)
  })
})
