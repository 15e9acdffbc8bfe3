// The native putValues call the IndexedDB layer sends a task's writes with:
// several opaque-value puts in one trip, each succeeding or failing alone.

import { describe, it, expect } from 'vitest'
import { createRequire } from 'node:module'
import { serialize } from 'node:v8'
import { idb, done, finished, open, memoryFactory } from './helpers.js'

const require = createRequire(import.meta.url)
const binding = require('../../lib/binding.cjs')
const { resolveOpenOptions, nativeOpenOptions } = require('../../lib/options.cjs')
const { errorCodes } = binding.constants

describe('native putValues', () => {
  it('writes each put on its own and reports the failures in place', async () => {
    const root = await binding.openJsonDB('', nativeOpenOptions(resolveOpenOptions({ inMemory: true })))
    const db = root.database('x')
    await db.setVersion(1)
    await db.createObjectStore('s', null, false, true)
    await db.createIndex('s', 'u', 'u', true, false)
    const t = db.begin(['s'], false)
    const errors = await t.putValues([
      ['s', serialize(1), 1, [['u', ['a']]], false],
      ['s', serialize(2), 2, [['u', ['a']]], false], // unique index clash
      ['s', serialize(3), 1, [], true], // add of an existing key
      ['s', serialize(4), 4, [], false]
    ])
    expect(errors.map((e) => e && e.code)).toEqual([null, errorCodes.CONSTRAINT, errorCodes.CONSTRAINT, null])
    await t.commit()
    expect(Array.from(await db.getAllKeys('s', null, null, -1, 'next'))).toEqual([1, 4])
    const t2 = db.begin(['s'], false)
    expect(() => t2.putValues([])).toThrow(TypeError)
    expect(() => t2.putValues([['s', serialize(1), 1, []]])).toThrow(TypeError)
    expect(() => t2.putValues([['s', 'not bytes', 1, [], false]])).toThrow(TypeError)
    expect(() => t2.putValues([['s', serialize(1), NaN, [], false]])).toThrow(expect.objectContaining({ code: errorCodes.INVALID_KEY }))
    t2.abort()
    await root.close()
  })

  it('keeps IndexedDB requests of one task independent when sent together', async () => {
    const factory = memoryFactory()
    const db = await open(factory, 'db', 1, (db) => db.createObjectStore('s', { keyPath: 'id' }).createIndex('u', 'u', { unique: true }))
    const tx = db.transaction('s', 'readwrite')
    const s = tx.objectStore('s')
    const results = []
    for (const v of [{ id: 1, u: 'a' }, { id: 2, u: 'a' }, { id: 3, u: 'b' }]) {
      const r = s.add(v)
      r.onsuccess = () => results.push(['ok', r.result])
      r.onerror = (e) => { e.preventDefault(); results.push([r.error.name]) }
    }
    s.get(3).onsuccess = (e) => results.push(['get', e.target.result.u])
    await finished(tx)
    expect(results).toEqual([['ok', 1], ['ConstraintError'], ['ok', 3], ['get', 'b']])
    expect(await done(db.transaction('s').objectStore('s').getAllKeys())).toEqual([1, 3])
    db.close()
    void idb
  })
})
