// engine.checkpoint() and jsondb.checkpoint(): online backups through the
// public API, taken while writers run.

import { describe, it, expect } from 'vitest'
import { mkdirSync, writeFileSync, readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { Engine, JsonDB, errorCodes } from '../lib/index.mjs'
import { tempPath } from './helpers/tmp.js'
import { codeOf } from './helpers/code-of.js'

const RECORDS_PER_BATCH = 2

// Writer w's batch i: RECORDS_PER_BATCH records with keys w<w>/<i>/<r>.
const batch = (w, i) => Array.from({ length: RECORDS_PER_BATCH }, (_, r) => ({
  key: `w${w}/${String(i).padStart(8, '0')}/${r}`, ts: 0, value: Buffer.alloc(100, 'v')
}))

describe('engine.checkpoint', () => {
  it('copies while writers run: each copy holds a prefix of every writer and exactly `sequence` records', async () => {
    const path = tempPath()
    const e = await Engine.open({ path, memtableSize: 64 * 1024 })
    const WRITERS = 4
    const acked = new Array(WRITERS).fill(0)
    let stop = false
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        await e.writeBatch(batch(w, i))
        acked[w] = i + 1
      }
    })
    const copies = []
    for (let c = 0; c < 4; c++) {
      await new Promise((resolve) => setTimeout(resolve, 40))
      const dir = tempPath(`copy${c}`)
      const before = [...acked]
      const { sequence } = await e.checkpoint(dir)
      copies.push({ dir, before, sequence })
    }
    stop = true
    await Promise.all(writers)
    expect(e.stats().flushes).toBeGreaterThan(0)
    await e.close()

    for (const { dir, before, sequence } of copies) {
      const copy = await Engine.open({ path: dir, createIfMissing: false })
      expect(copy.stats().lastSequence).toBe(sequence)
      const perWriter = new Array(WRITERS).fill(null).map(() => new Map())
      let records = 0
      for await (const r of copy.scan()) {
        const [w, i, n] = r.key.slice(1).split('/').map(Number)
        const m = perWriter[w]
        m.set(i, (m.get(i) ?? 0) + 1)
        records++
        expect(n).toBeLessThan(RECORDS_PER_BATCH)
      }
      // Each writer's batches form a prefix, whole, covering every batch
      // acknowledged before the call; and the copy holds as many records as
      // sequence numbers were used up to `sequence`.
      for (let w = 0; w < WRITERS; w++) {
        const n = perWriter[w].size
        expect(n).toBeGreaterThanOrEqual(before[w])
        for (let i = 0; i < n; i++) expect(perWriter[w].get(i)).toBe(RECORDS_PER_BATCH)
      }
      expect(records).toBe(sequence)
      await copy.close()
    }
  })

  it('makes a copy independent of the source, and saves an in-memory engine to disk', async () => {
    const e = await Engine.open({ inMemory: true })
    await e.put('a', 1, 'flushed')
    await e.flush()
    await e.put('b', 1, 'in the WAL')
    const dir = tempPath('copy')
    expect(await e.checkpoint(dir)).toEqual({ sequence: 2 })
    await e.put('a', 1, 'changed later')
    await e.close()
    const copy = await Engine.open({ path: dir, createIfMissing: false, valueEncoding: 'utf8' })
    expect(await copy.get('a', 1)).toBe('flushed')
    expect(await copy.get('b', 1)).toBe('in the WAL')
    await copy.put('c', 1, 'copy only')
    await copy.close()
    const again = await Engine.open({ path: dir, createIfMissing: false, valueEncoding: 'utf8' })
    expect(await again.get('c', 1)).toBe('copy only')
    await again.close()
  })

  it('refuses bad input and a directory that is not empty', async () => {
    const e = await Engine.open({ inMemory: true })
    await e.put('k', 1, 'v')
    await expect(e.checkpoint()).rejects.toThrow(TypeError)
    await expect(e.checkpoint('')).rejects.toThrow(TypeError)
    await expect(e.checkpoint(42)).rejects.toThrow(TypeError)
    await expect(e.checkpoint('a\0b')).rejects.toThrow(TypeError)
    const dir = tempPath('full')
    mkdirSync(dir)
    writeFileSync(join(dir, 'keep.txt'), 'mine')
    expect(await codeOf(e.checkpoint(dir))).toBe(errorCodes.INVALID_ARGUMENT)
    await expect(e.checkpoint(dir)).rejects.toThrow(/not empty/)
    expect(readdirSync(dir)).toEqual(['keep.txt'])
    // Missing folders above the target are created, as an open creates them.
    const missingParent = join(tempPath('nowhere'), 'deeper', 'copy')
    await e.checkpoint(missingParent)
    expect(existsSync(join(missingParent, 'CURRENT'))).toBe(true)
    const empty = tempPath('empty')
    mkdirSync(empty)
    await e.checkpoint(empty)
    await e.close()
    expect(await codeOf(e.checkpoint(tempPath('late')))).toBe(errorCodes.CLOSED)
  })

  it('close waits for a checkpoint in flight', async () => {
    const e = await Engine.open({ path: tempPath() })
    await e.writeBatch(Array.from({ length: 2000 }, (_, i) => ({ key: `k${i}`, ts: 0, value: Buffer.alloc(200) })))
    const dir = tempPath('copy')
    const pending = e.checkpoint(dir)
    await e.close()
    expect((await pending).sequence).toBe(2000)
    const copy = await Engine.open({ path: dir, createIfMissing: false })
    expect(copy.stats().lastSequence).toBe(2000)
    await copy.close()
  })
})

describe('jsondb.checkpoint', () => {
  it('copies while transactions run; the copy opens as a JsonDB with the same stores and documents', async () => {
    const db = await JsonDB.open({ path: tempPath() })
    await db.applySchema([
      { name: 'users', keyPath: 'id', indexes: [{ name: 'email', keyPath: 'email', unique: true }] },
      { name: 'notes', keyPath: 'n', autoIncrement: true }
    ])
    let stop = false
    let written = 0
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        await db.store('users').put({ id: i, email: `u${i}@example.com` })
        written = i + 1
      }
    })()
    await new Promise((resolve) => setTimeout(resolve, 30))
    await db.store('notes').put({ text: 'hello' })
    const before = written
    const dir = tempPath('copy')
    await db.checkpoint(dir)
    stop = true
    await writer
    const schema = db.schema()
    await db.close()

    const copy = await JsonDB.open({ path: dir, createIfMissing: false })
    expect(copy.objectStoreNames).toEqual(['notes', 'users'])
    expect(copy.schema()).toEqual(schema)
    const users = await copy.store('users').getAll()
    expect(users.length).toBeGreaterThanOrEqual(before)
    expect(users.map((u) => u.id)).toEqual(users.map((_, i) => i))
    expect(await copy.store('users').index('email').get(`u${users.length - 1}@example.com`)).toEqual(users.at(-1))
    expect(await copy.store('notes').getAll()).toEqual([{ n: 1, text: 'hello' }])
    await copy.close()
  })

  it('refuses bad input', async () => {
    const db = await JsonDB.open({ inMemory: true })
    await expect(db.checkpoint(null)).rejects.toThrow(TypeError)
    await db.close()
    expect(await codeOf(db.checkpoint(tempPath()))).toBe(errorCodes.CLOSED)
  })
})
