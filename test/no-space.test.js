// FLOWDB_NO_SPACE on a real file system that fills up, and resume() once
// space is freed. Needs a small tmpfs of its own: runs where mounting one is
// allowed (Linux, as root), and is skipped elsewhere.

import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { Engine, FlowDBError, errorCodes } from '../lib/index.mjs'

let mountPoint = null

beforeAll(() => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return
  const dir = mkdtempSync(join(tmpdir(), 'flowdb-nospace-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' })
    mountPoint = dir
  } catch {
    rmSync(dir, { recursive: true, force: true })
  }
})

afterAll(() => {
  if (mountPoint === null) return
  try { execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' }) } catch {}
  rmSync(mountPoint, { recursive: true, force: true })
})

// Values that do not compress, so that the file system fills up quickly.
const values = new Map()
const batch = (i) => Array.from({ length: 10 }, (_, j) => {
  const key = `k${j}-${i}`
  values.set(key, randomBytes(200))
  return { key, ts: i, value: values.get(key) }
})

describe('a full disk', () => {
  it('makes the engine read-only with FLOWDB_NO_SPACE; resume() after space is freed loses nothing', async (ctx) => {
    if (mountPoint === null) ctx.skip()
    const filler = join(mountPoint, 'filler')
    writeFileSync(filler, Buffer.alloc(1 << 20))
    const path = join(mountPoint, 'db')
    const e = await Engine.open({ path, memtableSize: 64 << 10 })
    const acked = []
    let err
    for (let i = 0; err === undefined; i++) {
      try {
        await e.writeBatch(batch(i))
        acked.push(i)
      } catch (x) {
        err = x
      }
    }
    expect(err).toBeInstanceOf(FlowDBError)
    expect(err.code).toBe(errorCodes.NO_SPACE)
    // Read-only until resumed, also once space is back.
    rmSync(filler)
    await expect(e.put('x', 1, 'y')).rejects.toMatchObject({ code: errorCodes.NO_SPACE })
    await e.resume()
    const next = acked.length + 1
    for (let i = next; i < next + 20; i++) {
      await e.writeBatch(batch(i))
      acked.push(i)
    }
    await e.close()

    const reopened = await Engine.open({ path })
    let found = 0
    for (const i of acked) {
      for (let j = 0; j < 10; j++) {
        const key = `k${j}-${i}`
        if ((await reopened.get(key, i))?.equals(values.get(key))) found++
      }
    }
    expect(found).toBe(acked.length * 10)
    await reopened.close()
  })
})
