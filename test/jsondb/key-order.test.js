// The native key codec's order (src/doc/key_codec.h) is IndexedDB's: the
// bytewise order of encoded keys, through binding.compareKeys, agrees with
// fake-indexeddb's independent cmp() on random keys chosen to hit the
// codec's edges (-0, infinities, lone surrogates and astral characters,
// U+0000, binary with 0x00/0xFF, prefixes, nested arrays).

import { describe, it, expect } from 'vitest'
import { indexedDB } from 'fake-indexeddb'
import binding from '../../lib/binding.cjs'
import { FlowDBError, errorCodes } from '../../lib/index.mjs'
import { rng } from '../helpers/random.js'

const SEED = 0x5eed12
const PAIRS = 20000

const NUMBERS = [0, -0, 1, -1, 2.5, -2.5, 30, 42, 1000, 0.1, Infinity, -Infinity, Number.MAX_VALUE,
  -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e300]
const UNITS = [0x0000, 0x0001, 0x0061, 0x0062, 0x007f, 0x0080, 0x07ff, 0x0800, 0xd7ff, 0xd800,
  0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfffe, 0xffff]
const BYTES = [0x00, 0x01, 0x61, 0x7f, 0x80, 0xfe, 0xff]

function pick (rand, list) { return list[Math.floor(rand() * list.length)] }

function randomNumber (rand) {
  switch (Math.floor(rand() * 4)) {
    case 0: return pick(rand, NUMBERS)
    case 1: return Math.floor(rand() * 21) - 10
    case 2: {
      const view = new DataView(new ArrayBuffer(8))
      view.setUint32(0, Math.floor(rand() * 2 ** 32))
      view.setUint32(4, Math.floor(rand() * 2 ** 32))
      const v = view.getFloat64(0)
      return Number.isNaN(v) ? 7 : v
    }
    default: return (Math.floor(rand() * 2000001) - 1000000) / 64
  }
}

function randomString (rand) {
  const units = []
  const n = Math.floor(rand() * 6)
  for (let i = 0; i < n; i++) {
    const r = rand()
    if (r < 0.2) {
      units.push(0xd800 + Math.floor(rand() * 0x400), 0xdc00 + Math.floor(rand() * 0x400))
    } else if (r < 0.4) {
      units.push(Math.floor(rand() * 0x10000))
    } else {
      units.push(pick(rand, UNITS))
    }
  }
  return String.fromCharCode(...units)
}

// At least one byte: fake-indexeddb takes an empty view for a detached
// buffer and refuses it (an empty binary key is valid; the C++ tests cover it).
function randomBinary (rand) {
  const n = 1 + Math.floor(rand() * 5)
  const bytes = Uint8Array.from({ length: n }, () => rand() < 0.3 ? Math.floor(rand() * 256) : pick(rand, BYTES))
  return rand() < 0.5 ? bytes : bytes.buffer
}

function randomKey (rand, depth = 0) {
  switch (Math.floor(rand() * (depth < 3 ? 5 : 4))) {
    case 0: return randomNumber(rand)
    case 1: return new Date(Math.max(-8.64e15, Math.min(8.64e15, Math.round(randomNumber(rand)))))
    case 2: return randomString(rand)
    case 3: return randomBinary(rand)
    default: return Array.from({ length: Math.floor(rand() * 4) }, () => randomKey(rand, depth + 1))
  }
}

// A key near k (equal, a prefix or extension, one element changed), so that
// pairs often share long prefixes.
function mutate (rand, k) {
  if (typeof k === 'string') {
    return k.length > 0 && rand() < 0.5 ? k.slice(0, -1) : k + String.fromCharCode(pick(rand, UNITS))
  }
  if (Array.isArray(k)) {
    const m = k.slice()
    if (m.length > 0 && rand() < 0.5) {
      const i = Math.floor(rand() * m.length)
      m[i] = rand() < 0.5 ? mutate(rand, m[i]) : randomKey(rand, 2)
    } else if (m.length > 0 && rand() < 0.5) {
      m.pop()
    } else {
      m.push(randomKey(rand, 2))
    }
    return m
  }
  if (k instanceof Uint8Array || k instanceof ArrayBuffer) {
    const bytes = new Uint8Array(k instanceof ArrayBuffer ? k : k.buffer.slice(k.byteOffset, k.byteOffset + k.byteLength))
    const out = rand() < 0.5 && bytes.length > 1 ? bytes.slice(0, -1) : Uint8Array.from([...bytes, pick(rand, BYTES)])
    return out
  }
  if (k instanceof Date) return new Date(Math.min(8.64e15, k.getTime() + (rand() < 0.5 ? 0 : 1)))
  return rand() < 0.5 ? k : k + (rand() < 0.5 ? 1 : -1)
}

describe('key order of the native codec', () => {
  it(`agrees with fake-indexeddb cmp() on ${PAIRS} random pairs (seed ${SEED})`, () => {
    const rand = rng(SEED)
    for (let i = 0; i < PAIRS; i++) {
      const a = randomKey(rand)
      const b = rand() < 0.5 ? mutate(rand, a) : randomKey(rand)
      const want = indexedDB.cmp(a, b)
      const got = binding.compareKeys(a, b)
      if (got !== want) {
        expect({ pair: i, a, b, got }).toEqual({ pair: i, a, b, got: want })
      }
      expect(binding.compareKeys(b, a)).toBe(want === 0 ? 0 : -want)
    }
  })

  it('orders the spec examples', () => {
    const cmp = binding.compareKeys
    expect(cmp(42, '42')).toBe(-1)
    expect(cmp(30, 30.0)).toBe(0)
    expect(cmp(-0, 0)).toBe(0)
    expect(cmp(2.5, 1000)).toBe(-1)
    expect(cmp('\uffff', '\u{10000}')).toBe(1)
    expect(cmp('\ud800', '\udc00')).toBe(-1)
    expect(cmp('ab', 'abc')).toBe(-1)
    expect(cmp('a', 'a\u0000')).toBe(-1)
    expect(cmp(new Date(5), 1e300)).toBe(1)
    expect(cmp(new Uint8Array([0xff]), 'zzz')).toBe(1)
    expect(cmp(new Uint8Array([0, 0]), new Uint8Array([0, 0xff]))).toBe(-1)
    expect(cmp([], new Uint8Array([0xff, 0xff]))).toBe(1)
    expect(cmp([1], [1, -Infinity])).toBe(-1)
    expect(cmp([[1, 'a']], [[1, 'a']])).toBe(0)
  })

  it('refuses what is not a key, as cmp() does', () => {
    for (const bad of [NaN, new Date(NaN), null, undefined, {}, true, [1, NaN], [{}]]) {
      expect(() => indexedDB.cmp(bad, 1)).toThrow()
      let err
      try { binding.compareKeys(bad, 1) } catch (e) { err = e }
      expect(err).toBeInstanceOf(FlowDBError)
      expect(err.code).toBe(errorCodes.INVALID_KEY)
      err = undefined
      try { binding.compareKeys(1, bad) } catch (e) { err = e }
      expect(err?.code).toBe(errorCodes.INVALID_KEY)
    }
  })
})
