// Keys read from a structured clone's serialized bytes must be the keys the
// spec's extraction from the deserialized clone gives, for every value and
// key path, or the reader must decline (UNKNOWN) so the general code runs.

import { describe, it, expect } from 'vitest'
import { createRequire } from 'node:module'
import { done, finished, open, memoryFactory } from './helpers.js'

const require = createRequire(import.meta.url)
const { extractKeyFromBytes, UNKNOWN } = require('../../lib/indexeddb/clone-keys.cjs')
const { serializeValue, cloneOf } = require('../../lib/indexeddb/values.cjs')
const { extractKey, FAILURE, INVALID } = require('../../lib/indexeddb/keys.cjs')

const same = (a, b) => {
  if (a === FAILURE || a === INVALID || b === FAILURE || b === INVALID) return a === b
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime()
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]))
  return Object.is(a, b)
}

const VALUES = [
  { id: 1, name: 'a' },
  { id: -1, name: 'é', nested: { deep: { id: 2 ** 31 } } },
  { id: -0 },
  { id: NaN },
  { id: 1.5, s: '\u{1F600} two-byte', list: [1, 2, , 4], m: new Map([[1, 2]]) }, // eslint-disable-line no-sparse-arrays
  { id: 'x'.repeat(300), skip: [{ a: [] }, { b: { c: 'd' } }], after: 'z' },
  { id: new Date(5), d: new Date(NaN) },
  { id: true, n: null, u: undefined, big: 10n },
  { id: [1, 'a'], nested: { id: { x: 1 } } },
  { shared: { k: 7 }, get getter () { return 3 } },
  { 0: 'index key', 1.5: 'number-like', id: 'after index keys' },
  { ['\u0100wide']: 9, id: 'w' },
  { id: new Uint8Array([1, 2]) },
  { nested: 'a string', id: 3 },
  'just a string',
  [1, 2, 3],
  42,
  null,
  new Date(0)
]
const PATHS = ['id', 'name', 'nested.deep.id', 'nested.id', 'nested.length', 'nested.id.x', 'length', 'id.length',
  'missing', 'n', 'u', 'd', 'list', 'big', 'getter', 'shared.k', 'after', '\u0100wide', '', ['id', 'name'], ['id', 'missing'], ['nested.id', 'id']]

describe('keys from serialized clone bytes', () => {
  it('agree with extraction from the deserialized clone, or decline', () => {
    let answered = 0
    for (const value of VALUES) {
      const serialized = serializeValue(value)
      for (const path of PATHS) {
        const fast = extractKeyFromBytes(serialized.bytes, path)
        if (fast === UNKNOWN) continue
        answered++
        const slow = extractKey(cloneOf(serialized), path)
        expect(same(fast, slow), `${JSON.stringify(path)} of ${String(Object.keys(Object(value)))}`).toBe(true)
      }
    }
    // The plain cases are answered from the bytes.
    expect(answered).toBeGreaterThan(200)
  })

  it('answers the plain cases without the clone', () => {
    const bytes = serializeValue({ a: 1, b: { c: 'x', d: -7, e: 2.5 }, f: 'long'.repeat(100) }).bytes
    expect(extractKeyFromBytes(bytes, 'b.c')).toBe('x')
    expect(extractKeyFromBytes(bytes, 'b.d')).toBe(-7)
    expect(extractKeyFromBytes(bytes, 'b.e')).toBe(2.5)
    expect(extractKeyFromBytes(bytes, 'f.length')).toBe(400)
    expect(extractKeyFromBytes(bytes, 'b')).toBe(INVALID)
    expect(extractKeyFromBytes(bytes, 'b.x')).toBe(FAILURE)
    expect(extractKeyFromBytes(bytes, ['a', 'b.c'])).toEqual([1, 'x'])
    // A wire format version this reader does not know goes to the general code.
    for (const version of [12, 16]) {
      const other = Buffer.from(bytes)
      other[1] = version
      expect(extractKeyFromBytes(other, 'b.c')).toBe(UNKNOWN)
    }
    // Arrays and binary go to the general code.
    expect(extractKeyFromBytes(serializeValue({ a: [1] }).bytes, 'a')).toBe(UNKNOWN)
  })

  it('stores with keys and index keys of the clone taken when the value was given', async () => {
    const factory = memoryFactory()
    const db = await open(factory, 'ck', 1, (db) => {
      const s = db.createObjectStore('s', { keyPath: 'id' })
      s.createIndex('by', 'tag.name')
      s.createIndex('tags', 'tags', { multiEntry: true })
    })
    const tx = db.transaction('s', 'readwrite')
    const s = tx.objectStore('s')
    const v = { id: 1, tag: { name: 'first' }, tags: ['a', 'b', 'a'] }
    s.put(v)
    v.id = 2 // changes after put() are not seen
    v.tag.name = 'second'
    s.put(v)
    await finished(tx)
    const r = db.transaction('s').objectStore('s')
    expect(await done(r.index('by').getAllKeys('first'))).toEqual([1])
    expect(await done(r.index('by').getAllKeys('second'))).toEqual([2])
    expect(await done(r.index('tags').getAllKeys('a'))).toEqual([1, 2])
    db.close()
  })
})
