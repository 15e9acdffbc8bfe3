// Keys and key ranges in JS: the IndexedDB "convert a value to a key" rules,
// the key order (checked against fake-indexeddb's independent cmp()), and
// KeyRange's validation and includes().

import { describe, it, expect } from 'vitest'
import { indexedDB, IDBKeyRange } from 'fake-indexeddb'
import { KeyRange, FlowDBError, errorCodes } from '../../lib/index.mjs'
import keyModule from '../../lib/jsondb/key.cjs'
import { rng } from '../helpers/random.js'

const { toKey, isKey, compareKeys } = keyModule

function expectInvalidKey (fn) {
  let err
  try { fn() } catch (e) { err = e }
  expect(err).toBeInstanceOf(FlowDBError)
  expect(err.code).toBe(errorCodes.INVALID_KEY)
}

describe('valid keys', () => {
  it('accepts numbers, Dates, strings, binary and arrays of keys', () => {
    for (const k of [0, -0, 1.5, -Infinity, Infinity, new Date(0), '', 'x\u0000y', '\ud800',
      new ArrayBuffer(2), new Uint8Array([1]), new DataView(new ArrayBuffer(1)), Buffer.from('a'),
      [], [1, 'a', [new Date(5)]]]) {
      expect(isKey(k)).toBe(true)
    }
  })

  it('refuses NaN, invalid Dates, objects, booleans, null, undefined, holes and cycles', () => {
    const cyclic = [1]
    cyclic.push(cyclic)
    // eslint-disable-next-line no-sparse-arrays
    const holey = [1, , 3]
    for (const k of [NaN, new Date(NaN), {}, true, null, undefined, Symbol('s'), 1n, () => 1,
      holey, cyclic, [1, {}], [NaN], new Map(), /re/]) {
      expect(isKey(k)).toBe(false)
      expectInvalidKey(() => toKey(k, 'key'))
    }
  })

  it('accepts the same array twice when it is not a cycle', () => {
    const a = [1]
    expect(isKey([a, a])).toBe(true)
  })

  it('copies when asked: later changes to the value do not change the key', () => {
    const bytes = new Uint8Array([1, 2])
    const arr = ['a', bytes]
    const copy = toKey(arr, 'key', true)
    bytes[0] = 9
    arr[0] = 'b'
    expect(copy[0]).toBe('a')
    expect(new Uint8Array(copy[1])).toEqual(new Uint8Array([1, 2]))
    expect(copy[1]).toBeInstanceOf(ArrayBuffer)
  })
})

function randomKey (rand, depth = 0) {
  const pick = Math.floor(rand() * (depth > 1 ? 4 : 5))
  switch (pick) {
    case 0: return [0, -0, 1, -1, 2.5, 1000, 1e300, -Infinity, Infinity, 30][Math.floor(rand() * 10)]
    case 1: return new Date(Math.floor(rand() * 5) * 1000)
    case 2: return ['', 'a', 'ab', 'b', '\u0000', '\uffff', '\ud83d\ude00', 'é', '\ud800'][Math.floor(rand() * 9)]
    // (fake-indexeddb takes an empty buffer for a detached one: at least one byte)
    case 3: return new Uint8Array(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => [0, 1, 255][Math.floor(rand() * 3)])).buffer
    default: return Array.from({ length: Math.floor(rand() * 3) }, () => randomKey(rand, depth + 1))
  }
}

describe('key order', () => {
  it('agrees with fake-indexeddb cmp() on random keys', () => {
    const seed = 1234
    const rand = rng(seed)
    for (let i = 0; i < 5000; i++) {
      const a = randomKey(rand)
      const b = randomKey(rand)
      expect(Math.sign(compareKeys(a, b)), `seed ${seed}, pair ${i}`).toBe(indexedDB.cmp(a, b))
    }
  })

  it('orders types Number < Date < String < Binary < Array', () => {
    const keys = [[], new ArrayBuffer(0), '', new Date(0), 5]
    keys.sort(compareKeys)
    expect(keys.map((k) => typeof k === 'number' ? 'n' : k instanceof Date ? 'd' : typeof k === 'string' ? 's' : Array.isArray(k) ? 'a' : 'b')).toEqual(['n', 'd', 's', 'b', 'a'])
    expect(compareKeys(42, '42')).toBeLessThan(0)
    expect(compareKeys(-0, 0)).toBe(0)
    expect(compareKeys(new ArrayBuffer(0), new Uint8Array([0]))).toBeLessThan(0)
    expect(compareKeys([1], [1, 'x'])).toBeLessThan(0)
    expect(compareKeys('\uffff', '\ud83d\ude00')).toBeGreaterThan(0) // UTF-16 code units
  })
})

describe('KeyRange', () => {
  it('only/bound/lowerBound/upperBound carry their bounds as IDBKeyRange does', () => {
    for (const [ours, theirs] of [
      [KeyRange.only(3), IDBKeyRange.only(3)],
      [KeyRange.bound(1, 'a', true), IDBKeyRange.bound(1, 'a', true)],
      [KeyRange.bound(1, 2, false, true), IDBKeyRange.bound(1, 2, false, true)],
      [KeyRange.lowerBound('m'), IDBKeyRange.lowerBound('m')],
      [KeyRange.lowerBound('m', true), IDBKeyRange.lowerBound('m', true)],
      [KeyRange.upperBound([1, 2], true), IDBKeyRange.upperBound([1, 2], true)]
    ]) {
      expect(ours.lower).toEqual(theirs.lower)
      expect(ours.upper).toEqual(theirs.upper)
      expect(ours.lowerOpen).toBe(theirs.lowerOpen)
      expect(ours.upperOpen).toBe(theirs.upperOpen)
      for (const k of [0, 1, 2, 3, 'a', 'm', 'z', [1], [1, 2], [1, 3]]) {
        expect(ours.includes(k), `${k}`).toBe(theirs.includes(k))
      }
    }
  })

  it('refuses invalid bounds and empty ranges with FLOWDB_INVALID_KEY', () => {
    expectInvalidKey(() => KeyRange.only(undefined))
    expectInvalidKey(() => KeyRange.only({}))
    expectInvalidKey(() => KeyRange.bound(2, 1))
    expectInvalidKey(() => KeyRange.bound('a', 1))
    expectInvalidKey(() => KeyRange.bound(1, 1, true))
    expectInvalidKey(() => KeyRange.bound(1, 1, false, true))
    expectInvalidKey(() => KeyRange.lowerBound(NaN))
    expectInvalidKey(() => KeyRange.upperBound(null))
    expectInvalidKey(() => KeyRange.only(1).includes({}))
    expect(KeyRange.bound(1, 1).includes(1)).toBe(true)
  })

  it('refuses non-boolean open flags and direct construction with TypeError', () => {
    expect(() => KeyRange.bound(1, 2, 'yes')).toThrow(TypeError)
    expect(() => KeyRange.lowerBound(1, 1)).toThrow(TypeError)
    expect(() => new KeyRange()).toThrow(TypeError)
  })

  it('keeps copies of its bounds and is frozen', () => {
    const arr = [1, 2]
    const r = KeyRange.only(arr)
    arr.push(3)
    expect(r.lower).toEqual([1, 2])
    expect(Object.isFrozen(r)).toBe(true)
  })
})
