// Opening a database whose WAL is damaged in the middle: FLOWDB_CORRUPTION
// by default, naming the file and offset; walRecovery: 'salvage' keeps what
// can be read and reports what it skipped.

import { describe, it, expect } from 'vitest'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine, FlowDBError, errorCodes } from '../lib/index.mjs'
import { tempPath } from './helpers/tmp.js'

const BATCHES = 60

async function writeDatabase (path) {
  const engine = await Engine.open({ path, valueEncoding: 'utf8' })
  for (let i = 0; i < BATCHES; i++) await engine.put(`k${i}`, i, String(i).padStart(200, '.'))
  await engine.close()
}

// Zeroes bytes [from, to) of the newest WAL segment; returns its name.
function zeroNewestWal (path, from, to) {
  const dir = join(path, 'wal')
  const name = readdirSync(dir).filter((n) => n.endsWith('.log')).sort().at(-1)
  const file = join(dir, name)
  const bytes = readFileSync(file)
  expect(bytes.length).toBeGreaterThan(to + 1000)
  bytes.fill(0, from, to)
  writeFileSync(file, bytes)
  return name
}

describe('a damaged WAL', () => {
  it('fails the open with FLOWDB_CORRUPTION naming the file and offset', async () => {
    const path = tempPath()
    await writeDatabase(path)
    const name = zeroNewestWal(path, 4096, 8192)
    const err = await Engine.open({ path }).catch((e) => e)
    expect(err).toBeInstanceOf(FlowDBError)
    expect(err.code).toBe(errorCodes.CORRUPTION)
    expect(err.message).toMatch(new RegExp(`wal/${name} at offset \\d+: .*a valid record follows`))
  })

  it("opens with walRecovery: 'salvage', keeping every readable write and counting what it skipped", async () => {
    const path = tempPath()
    await writeDatabase(path)
    zeroNewestWal(path, 4096, 8192)
    let engine = await Engine.open({ path, walRecovery: 'salvage', valueEncoding: 'utf8' })
    const stats = engine.stats()
    expect(stats.walSkippedRegions).toBe(1)
    expect(stats.walSkippedBytes).toBeGreaterThanOrEqual(4096)
    expect(engine.metrics()).toMatch(/wal_skipped_regions 1/)
    const kept = []
    for (let i = 0; i < BATCHES; i++) {
      const value = await engine.get(`k${i}`, i)
      if (value !== undefined) {
        expect(value).toBe(String(i).padStart(200, '.'))
        kept.push(i)
      }
    }
    expect(kept.length).toBeGreaterThan(BATCHES - 4096 / 200 - 3)
    expect(kept.length).toBeLessThan(BATCHES)
    expect(kept).toContain(BATCHES - 1)
    await engine.close()
    // What was salvaged was written to SSTables: a default open now works.
    engine = await Engine.open({ path, valueEncoding: 'utf8' })
    expect(engine.stats().walSkippedRegions).toBe(0)
    expect(await engine.get(`k${BATCHES - 1}`, BATCHES - 1)).toBe(String(BATCHES - 1).padStart(200, '.'))
    await engine.close()
  })
})
