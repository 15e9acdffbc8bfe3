// Engine.open: option validation, defaults, persistence, in-memory mode,
// locking (same process and across processes) and the package's exports.

import { describe, it, expect } from 'vitest'
import { spawn, execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { Engine, FlowDBError, errorCodes, versions } from '../lib/index.mjs'
import { tempPath } from './helpers/tmp.js'

const require = createRequire(import.meta.url)
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

// [option, a value of the wrong type, a value out of range (or null if the
// option has no range)]
const OPTION_CASES = [
  ['inMemory', 'yes', null],
  ['createIfMissing', 1, null],
  ['errorIfExists', 'false', null],
  ['syncMode', 0, 'sometimes'],
  ['syncIntervalMs', '100', 0],
  ['walRecovery', 1, 'lenient'],
  ['memtableSize', 1.5, 32 * 1024],
  ['maxFrozenMemtables', null, 0],
  ['blockSize', '16k', 2 ** 30],
  ['blockRestartInterval', NaN, 0],
  ['bloomBitsPerKey', true, -1],
  ['compression', true, 'zstd'],
  ['blockCacheSize', 10n, -1],
  ['maxOpenFiles', Infinity, 1],
  ['defaultTtl', '1h', -5],
  ['flushIntervalMs', {}, -1],
  ['timestampType', 1, 'date'],
  ['keyEncoding', [], 'hex'],
  ['valueEncoding', Buffer, 'view'],
  ['path', 42, null]
]

async function openRejects (options) {
  try {
    const engine = await Engine.open(options)
    await engine.close()
  } catch (err) {
    return err
  }
  throw new Error('Engine.open resolved for ' + JSON.stringify(options))
}

describe('Engine.open options', () => {
  it.each(OPTION_CASES)('%s of the wrong type is a TypeError naming it', async (name, wrongType) => {
    const options = name === 'path' ? { path: wrongType } : { inMemory: true, [name]: wrongType }
    const err = await openRejects(options)
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toContain(`options.${name}`)
  })

  it.each(OPTION_CASES.filter(([, , outOfRange]) => outOfRange !== null))(
    '%s out of range is a RangeError naming it and the range', async (name, _, outOfRange) => {
      const err = await openRejects({ inMemory: true, [name]: outOfRange })
      expect(err).toBeInstanceOf(RangeError)
      expect(err.message).toContain(`options.${name} must be`)
      expect(err.message).toMatch(/between|one of|greater than/)
    })

  it('rejects unknown options, suggesting the intended one', async () => {
    const err = await openRejects({ path: tempPath(), syncmode: 'none' })
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toBe("Unknown option 'syncmode' in Engine.open() options; did you mean 'syncMode'?")
    const other = await openRejects({ inMemory: true, cache: 1 })
    expect(other.message).toBe("Unknown option 'cache' in Engine.open() options")
  })

  it('needs an options object with a path or inMemory', async () => {
    expect(await openRejects()).toBeInstanceOf(TypeError)
    expect((await openRejects(null)).message).toBe('options must be an object, got null')
    expect((await openRejects('dir')).message).toBe('options must be an object, got a string')
    expect((await openRejects({})).message).toMatch(/options\.path is required/)
    expect((await openRejects({ path: '' })).message).toMatch(/options\.path must be a non-empty string/)
    expect((await openRejects({ inMemory: true, path: tempPath() })).message).toMatch(/cannot be combined/)
  })

  it('accepts every documented option value', async () => {
    const engine = await Engine.open({
      path: tempPath(),
      createIfMissing: true,
      errorIfExists: true,
      syncMode: 'interval',
      syncIntervalMs: 10,
      memtableSize: 128 * 1024,
      maxFrozenMemtables: 1,
      blockSize: 256,
      blockRestartInterval: 1,
      bloomBitsPerKey: 0,
      compression: 'none',
      blockCacheSize: 0,
      maxOpenFiles: 16,
      defaultTtl: 0,
      flushIntervalMs: 50,
      timestampType: 'bigint',
      keyEncoding: 'buffer',
      valueEncoding: 'utf8'
    })
    for (let i = 0; i < 200; i++) await engine.put(`k${i % 7}`, i, 'v'.repeat(100))
    await engine.flush()
    expect(await engine.get('k0', 0)).toBe('v'.repeat(100))
    expect(await engine.getLatest('k0')).toEqual({ key: Buffer.from('k0'), ts: 196n, value: 'v'.repeat(100), expireAt: null })
    await engine.close()
    for (const syncMode of ['always', 'none']) {
      const e = await Engine.open({ path: tempPath(), syncMode, compression: 'lz4' })
      await e.put('a', 1, 'b')
      await e.close()
    }
  })

  it('works with the smallest memtable (64 KiB), flushing as it fills', async () => {
    const engine = await Engine.open({ inMemory: true, memtableSize: 64 * 1024 })
    for (let b = 0; b < 10; b++) {
      await engine.writeBatch(Array.from({ length: 100 }, (_, i) => ({ key: `m${b}`, ts: i, value: Buffer.alloc(200, b) })))
    }
    expect((await engine.scan().all()).length).toBe(1000)
    await engine.close()
  }, 10_000)

  it('cannot be constructed directly', () => {
    expect(() => new Engine()).toThrow(TypeError)
    expect(() => new Engine()).toThrow(/Engine\.open/)
  })
})

describe('persistence and locking', () => {
  it('reopening a path finds the data written before close', async () => {
    const path = tempPath()
    const first = await Engine.open({ path })
    expect(existsSync(path)).toBe(true)
    await first.writeBatch(Array.from({ length: 100 }, (_, i) => ({ key: `key${i}`, ts: i, value: `value${i}` })))
    await first.close()
    const second = await Engine.open({ path, valueEncoding: 'utf8' })
    expect(await second.get('key42', 42)).toBe('value42')
    expect((await second.scan().all()).length).toBe(100)
    await second.close()
  })

  it('reopening after a flush reads from SSTables', async () => {
    const path = tempPath()
    const first = await Engine.open({ path, memtableSize: 256 * 1024 })
    for (let batch = 0; batch < 20; batch++) {
      await first.writeBatch(Array.from({ length: 100 }, (_, i) => ({ key: `k${batch}`, ts: i, value: Buffer.alloc(100, batch) })))
    }
    await first.flush()
    await first.close()
    const second = await Engine.open({ path })
    expect(await second.get('k7', 99)).toEqual(Buffer.alloc(100, 7))
    expect((await second.scan({ prefix: 'k1' }).all()).length).toBe(1100) // k1, k10..k19
    await second.close()
  })

  it('createIfMissing: false fails on a missing database; errorIfExists on an existing one', async () => {
    const missing = await openRejects({ path: tempPath(), createIfMissing: false })
    expect(missing).toBeInstanceOf(FlowDBError)
    expect(Object.values(errorCodes)).toContain(missing.code)
    const path = tempPath()
    await (await Engine.open({ path })).close()
    const exists = await openRejects({ path, errorIfExists: true })
    expect(exists).toBeInstanceOf(FlowDBError)
    expect(Object.values(errorCodes)).toContain(exists.code)
  })

  it('createIfMissing creates the missing folders above the database, as mkdir -p does', async () => {
    const path = join(tempPath('app'), 'user', 'data', 'db')
    const missing = await openRejects({ path, createIfMissing: false })
    expect(missing.code).toBe(errorCodes.INVALID_ARGUMENT)
    expect(existsSync(dirname(dirname(path)))).toBe(false)
    const db = await Engine.open({ path })
    await db.put('k', 1, 'v')
    await db.close()
    const again = await Engine.open({ path, createIfMissing: false })
    expect(String(await again.get('k', 1))).toBe('v')
    await again.close()
  })

  it('in-memory engines are independent and leave nothing behind', async () => {
    const a = await Engine.open({ inMemory: true })
    const b = await Engine.open({ inMemory: true })
    await a.put('k', 1, 'a')
    expect(await b.get('k', 1)).toBeUndefined()
    await a.close()
    const c = await Engine.open({ inMemory: true })
    expect(await c.get('k', 1)).toBeUndefined()
    await Promise.all([b.close(), c.close()])
  })

  it('a second open of the same path fails with FLOWDB_LOCKED until the first closes', async () => {
    const path = tempPath()
    const first = await Engine.open({ path })
    const err = await openRejects({ path })
    expect(err).toBeInstanceOf(FlowDBError)
    expect(err.name).toBe('FlowDBError')
    expect(err.code).toBe('FLOWDB_LOCKED')
    expect(err.code).toBe(errorCodes.LOCKED)
    await first.close()
    const again = await Engine.open({ path })
    await again.close()
  })

  it('a path open in another process fails with FLOWDB_LOCKED', async () => {
    const path = tempPath()
    const child = spawn(process.execPath, [join(root, 'test/helpers/lock-holder.mjs'), path], { stdio: ['pipe', 'pipe', 'inherit'] })
    try {
      await new Promise((resolve, reject) => {
        child.stdout.on('data', (d) => { if (String(d).includes('ready')) resolve() })
        child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)))
      })
      const err = await openRejects({ path })
      expect(err.code).toBe('FLOWDB_LOCKED')
    } finally {
      child.kill('SIGKILL')
      await new Promise((resolve) => child.on('close', resolve))
    }
    // The kernel drops the dead process's lock.
    const engine = await Engine.open({ path })
    await engine.close()
  })
})

describe('one option policy', () => {
  const binding = require('../lib/binding.cjs')
  const { optionLimits } = binding.constants
  // Every integer option of open() in its native spelling, with a valid value.
  const NATIVE = {
    inMemory: true,
    createIfMissing: true,
    errorIfExists: false,
    syncMode: 0,
    syncIntervalMs: 100,
    walRecovery: 0,
    memtableSize: 64 * 1024 * 1024,
    maxFrozenMemtables: 2,
    blockSize: 16 * 1024,
    blockRestartInterval: 16,
    bloomBitsPerKey: 10,
    compression: 1,
    blockCacheSize: 64 * 1024 * 1024,
    maxOpenFiles: 1000,
    defaultTtlUs: 0,
    flushIntervalMs: 0,
    ttlBasis: 0,
    compactionTrigger: 4,
    compactionSizeRatio: 1,
    maxSpaceAmplification: 200,
    walRetentionBytes: 0
  }
  const js = (name) => name === 'defaultTtlUs' ? 'defaultTtl' : name

  it('exports the engine limits of every numeric option', () => {
    expect(Object.keys(optionLimits).sort()).toEqual([
      'blockCacheSize', 'blockRestartInterval', 'blockSize', 'bloomBitsPerKey', 'compactionSizeRatio',
      'compactionTrigger', 'defaultTtlUs', 'flushIntervalMs', 'maxFrozenMemtables', 'maxOpenFiles',
      'maxSpaceAmplification', 'memtableSize', 'syncIntervalMs', 'walRetentionBytes'])
    expect(optionLimits.memtableSize).toEqual({ min: 64 * 1024, max: 4 * 1024 ** 3 })
    expect(optionLimits.compactionTrigger).toEqual({ min: 0, max: 1024, excluded: 1 })
    expect(Object.isFrozen(optionLimits)).toBe(true)
  })

  it.each(Object.keys(optionLimits))('JS accepts the bounds of %s and refuses what lies outside them', async (name) => {
    const { min, max } = optionLimits[name]
    const scale = name === 'defaultTtlUs' ? 1000 : 1 // defaultTtl is in ms
    for (const bad of [min - 1, max + 1]) {
      const err = await openRejects({ inMemory: true, [js(name)]: bad / scale })
      expect(err).toBeInstanceOf(RangeError)
      expect(err.message).toContain(`options.${js(name)}`)
    }
    // The bounds themselves pass JS (the engine may still open: only check
    // that no RangeError comes from JS for the two that allocate little).
    if (name === 'maxOpenFiles' || name === 'compactionTrigger') {
      for (const ok of [min, max]) {
        const engine = await Engine.open({ inMemory: true, [js(name)]: ok })
        await engine.close()
      }
    }
  })

  it('the engine itself refuses a value outside its limits, naming the field (the binding checks types only)', async () => {
    for (const [name, field] of [['maxOpenFiles', 'max_open_files'], ['memtableSize', 'memtable_size'], ['compactionTrigger', 'compaction_trigger']]) {
      const bad = name === 'compactionTrigger' ? 1 : optionLimits[name].min - 1
      const err = await binding.open('', { ...NATIVE, [name]: bad }).then(() => null, (e) => e)
      expect(err).toBeInstanceOf(FlowDBError)
      expect(err.code).toBe(errorCodes.INVALID_ARGUMENT)
      expect(err.message).toContain(`${field} must be between`)
      expect(err.message).toContain(`got ${bad}`)
    }
    expect(() => binding.open('', { ...NATIVE, maxOpenFiles: 2 ** 40 })).toThrow(RangeError)
    expect(() => binding.open('', { ...NATIVE, maxOpenFiles: 1.5 })).toThrow(TypeError)
  })

  it('the d.ts and the README quote the memtableSize limits the engine has', () => {
    const dts = readFileSync(join(root, 'index.d.ts'), 'utf8')
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    expect(optionLimits.memtableSize).toEqual({ min: 64 * 1024, max: 4 * 1024 ** 3 })
    expect(dts).toMatch(/memtable holds before it is frozen and flushed, 64 KiB to 4 GiB/)
    expect(readme).toMatch(/`memtableSize` \| integer, 64 KiB – 4 GiB/)
  })
})

describe('package exports', () => {
  it('exports the error class, codes and versions from the native constants', () => {
    const cjs = require('../lib/index.cjs')
    expect(cjs.Engine).toBe(Engine)
    expect(cjs.FlowDBError).toBe(FlowDBError)
    expect(errorCodes).toMatchObject({ LOCKED: 'FLOWDB_LOCKED', CLOSED: 'FLOWDB_CLOSED', CORRUPTION: 'FLOWDB_CORRUPTION' })
    expect(Object.isFrozen(errorCodes)).toBe(true)
    expect(versions.flowdb).toBe(pkg.version)
    expect(versions.lz4).toMatch(/^\d+\.\d+\.\d+$/)
    // lz4 before 1.9.3 has CVE-2021-3520.
    const [major, minor, patch] = versions.lz4.split('.').map(Number)
    expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(1009003)
    expect(versions.simdjson).toMatch(/^\d+\.\d+\.\d+$/)
    expect(typeof versions.format).toBe('number')
  })

  it('exports the format constants lib/ encodes and decodes with', () => {
    const { batchFormat, getIntoResults, nextvEntryHeaderSize } = require('../lib/binding.cjs').constants
    expect(batchFormat).toEqual({ headerSize: 12, entryTypes: { delete: 0, put: 1, putExpiring: 2, deleteRange: 3 } })
    expect(getIntoResults).toEqual({ notFound: -1, wouldBlock: -2 })
    expect(nextvEntryHeaderSize).toBe(24)
    expect(Object.isFrozen(batchFormat) && Object.isFrozen(batchFormat.entryTypes) && Object.isFrozen(getIntoResults)).toBe(true)
  })

  it('FlowDBError has a name, a code and an optional cause', () => {
    const cause = new Error('disk')
    const err = new FlowDBError('failed', errorCodes.IO_ERROR, cause)
    expect(err).toBeInstanceOf(Error)
    expect(err.name).toBe('FlowDBError')
    expect(err.code).toBe('FLOWDB_IO_ERROR')
    expect(err.cause).toBe(cause)
    expect('cause' in new FlowDBError('x', errorCodes.BUSY)).toBe(false)
    expect(String(err)).toBe('FlowDBError: failed')
  })

  it('loads by package name through require and import', () => {
    const script = (kind) => kind === 'cjs'
      ? "const f = require('flowdb'); console.log(typeof f.Engine.open, f.errorCodes.LOCKED)"
      : "import { Engine, errorCodes } from 'flowdb'; console.log(typeof Engine.open, errorCodes.LOCKED)"
    const cjs = execFileSync(process.execPath, ['-e', script('cjs')], { cwd: root, encoding: 'utf8' })
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', script('esm')], { cwd: root, encoding: 'utf8' })
    expect(cjs.trim()).toBe('function FLOWDB_LOCKED')
    expect(esm.trim()).toBe('function FLOWDB_LOCKED')
  })
})
