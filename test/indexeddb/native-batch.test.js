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

  it('sends a long run of writes in several calls, each request still on its own', async () => {
    const factory = memoryFactory()
    const db = await open(factory, 'db', 1, (db) => db.createObjectStore('s', { keyPath: 'id' }).createIndex('u', 'u', { unique: true }))
    const tx = db.transaction('s', 'readwrite')
    const s = tx.objectStore('s')
    const n = 1500 // several native putValues calls
    const outcome = new Array(n)
    let order = 0
    const seen = []
    for (let i = 0; i < n; i++) {
      // Writes 700 and 1400 clash with 699 and 1399 on the unique index.
      const u = i === 700 || i === 1400 ? `u${i - 1}` : `u${i}`
      const r = s.add({ id: i, u, pad: 'x'.repeat(i % 50) })
      r.onsuccess = () => { outcome[i] = r.result; seen.push(order++ === i) }
      r.onerror = (e) => { e.preventDefault(); outcome[i] = r.error.name; seen.push(order++ === i) }
    }
    await finished(tx)
    expect(seen.length).toBe(n)
    expect(seen.every(Boolean)).toBe(true) // events in request order
    expect(outcome[700]).toBe('ConstraintError')
    expect(outcome[1400]).toBe('ConstraintError')
    expect(outcome.filter((x) => x === 'ConstraintError').length).toBe(2)
    expect(outcome.every((x, i) => x === 'ConstraintError' || x === i)).toBe(true) // results are the keys
    const r = db.transaction('s').objectStore('s')
    expect(await done(r.count())).toBe(n - 2)
    const v = await done(r.get(1499))
    expect(v).toEqual({ id: 1499, u: 'u1499', pad: 'x'.repeat(1499 % 50) })
    expect(await done(r.index('u').getKey('u699'))).toBe(699)
    db.close()
  })
})
