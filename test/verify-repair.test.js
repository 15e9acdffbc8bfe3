// engine.verify() and Engine.repair(): a clean database verifies clean,
// damage to an SSTable or the WAL is reported naming the file, and repair
// brings the database back with what can be read, saying what it dropped.

import { describe, it, expect } from 'vitest'
import { readdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { Engine, FlowDBError } from '../lib/index.mjs'
import { tempPath } from './helpers/tmp.js'

const value = (i) => Buffer.from(`value-${i}-`.padEnd(120, 'x'))

// 600 records in 3 SSTables, then 40 more left in the WAL.
async function build (path) {
  const e = await Engine.open({ path, blockSize: 512, compactionTrigger: 0, memtableSize: 64 * 1024 })
  for (let t = 0; t < 3; t++) {
    const batch = []
    for (let i = t * 200; i < (t + 1) * 200; i++) batch.push({ key: `k${String(i).padStart(4, '0')}`, ts: 1, value: value(i) })
    await e.writeBatch(batch)
    await e.flush()
  }
  for (let i = 600; i < 640; i += 4) {
    const batch = []
    for (let j = i; j < i + 4; j++) batch.push({ key: `k${String(j).padStart(4, '0')}`, ts: 1, value: value(j) })
    await e.writeBatch(batch)
  }
  return e
}

const tables = (path) => readdirSync(join(path, 'sst')).filter((n) => n.endsWith('.sst')).sort()

function flipByte (file, at) {
  const data = readFileSync(file)
  data[at(data.length)] ^= 0x20
  writeFileSync(file, data)
}

// Every record read must be one that was written, with its value; returns
// how many of the 640 are there.
async function checkedCount (path) {
  const e = await Engine.open({ path })
  let n = 0
  for await (const r of e.scan()) {
    const i = Number(r.key.slice(1))
    expect(r.ts).toBe(1)
    expect(Buffer.compare(r.value, value(i))).toBe(0)
    n++
  }
  const report = await e.verify()
  expect(report.problems).toEqual([])
  await e.close()
  return n
}

describe('engine.verify()', () => {
  it('reads a clean database and finds nothing wrong', async () => {
    const path = tempPath()
    const e = await build(path)
    const report = await e.verify()
    expect(report).toMatchObject({ ok: true, sstables: 3, entries: 600, walRecords: 10, problems: [] })
    expect(report.dataBlocks).toBeGreaterThan(30)
    expect(report.sstableBytes).toBe(e.stats().sstableBytes)
    await e.close()
    await expect(e.verify()).rejects.toMatchObject({ code: 'FLOWDB_CLOSED' })
  })

  it('names a damaged SSTable and the offset of the damage', async () => {
    const path = tempPath()
    const e = await build(path)
    const name = tables(path)[1]
    flipByte(join(path, 'sst', name), (n) => Math.floor(n / 3))
    const report = await e.verify()
    expect(report.ok).toBe(false)
    expect(report.problems).toHaveLength(1)
    expect(report.problems[0].file).toBe(`sst/${name}`)
    expect(report.problems[0].offset).toBeGreaterThan(0)
    expect(report.problems[0].message).toMatch(/Corruption/)
    await e.close()
  })
})

describe('Engine.repair()', () => {
  it('keeps a clean database whole', async () => {
    const path = tempPath()
    await (await build(path)).close()
    const report = await Engine.repair({ path })
    expect(report).toMatchObject({ sstablesKept: 3, sstablesSalvaged: 0, sstablesDropped: 0, walRecords: 10, dropped: [] })
    expect(await checkedCount(path)).toBe(640)
  })

  it('salvages what it can read of a damaged SSTable and says what it dropped', async () => {
    const path = tempPath()
    await (await build(path)).close()
    const name = tables(path)[0]
    flipByte(join(path, 'sst', name), (n) => Math.floor(n / 2))
    // Reading through the damage fails loudly, naming the file.
    const e = await Engine.open({ path })
    await expect(e.scan().all()).rejects.toMatchObject({ code: 'FLOWDB_CORRUPTION', message: expect.stringContaining(name) })
    await e.close()
    const report = await Engine.repair({ path })
    expect(report.sstablesKept).toBe(2)
    expect(report.sstablesSalvaged + report.sstablesDropped).toBe(1)
    expect(report.dropped.map((p) => p.file)).toContain(`sst/${name}`)
    expect(report.movedToLost).toContain(`lost/${name}`)
    expect(existsSync(join(path, 'lost', name))).toBe(true)
    const n = await checkedCount(path)
    expect(n).toBeGreaterThanOrEqual(440)
    expect(n).toBeLessThan(640)
  })

  it('rebuilds a database whose MANIFEST and CURRENT are gone', async () => {
    const path = tempPath()
    await (await build(path)).close()
    for (const n of readdirSync(path)) if (n.startsWith('MANIFEST-') || n === 'CURRENT') rmSync(join(path, n))
    const report = await Engine.repair({ path })
    expect(report.sstablesKept).toBe(3)
    expect(await checkedCount(path)).toBe(640)
  })

  it('refuses an open database and bad options', async () => {
    const path = tempPath()
    const e = await build(path)
    const err = await Engine.repair({ path }).catch((x) => x)
    expect(err).toBeInstanceOf(FlowDBError)
    expect(err.code).toBe('FLOWDB_LOCKED')
    await e.close()
    await expect(Engine.repair()).rejects.toThrow(TypeError)
    await expect(Engine.repair({})).rejects.toThrow(TypeError)
    await expect(Engine.repair({ path, inMemory: true })).rejects.toThrow(TypeError)
    await expect(Engine.repair({ path, blockSize: 1 })).rejects.toThrow(RangeError)
    await expect(Engine.repair({ path, compression: 'zip' })).rejects.toThrow(/compression/)
  })
})
