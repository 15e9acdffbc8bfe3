// The native JsonDB, DocTransaction and DocCursor objects re-check every
// argument: random calls with values of every wrong type throw or reject,
// and never crash the process (lib/ validates first; this covers callers
// that bypass it).

import { it, expect } from 'vitest'
import { createRequire } from 'node:module'
import { rng } from '../helpers/random.js'

const require = createRequire(import.meta.url)
const binding = require('../../lib/binding.cjs')
const { resolveOpenOptions, nativeOpenOptions } = require('../../lib/options.cjs')

it('survives random calls with bad arguments', async () => {
  const seed = 7
  const rand = rng(seed)
  const native = await binding.openJsonDB('', nativeOpenOptions(resolveOpenOptions({ inMemory: true })))
  await native.createObjectStore('s', 'id', false)
  await native.createIndex('s', 'i', 'x', false, false)
  const values = [undefined, null, 0, -1, NaN, 1.5, 2 ** 40, 's', 'i', '', '{"id":1}', '[', [], [1, {}], ['{"id":2}', 3], {},
    { lower: 1 }, { lower: 1, lowerOpen: 'x' }, { lower: NaN, lowerOpen: false }, { where: 5 }, { where: [{ path: 1 }] },
    { where: [{ path: 'x', op: 'in', values: 5 }], offset: -1 }, { where: [], orderBy: null, offset: 0, limit: Infinity },
    () => 1, Symbol('x'), 1n, new Uint8Array(2), new Date(NaN), true, 'next', 'prevunique']
  const objects = [native]
  let threw = 0
  for (let i = 0; i < 5000; i++) {
    const target = objects[Math.floor(rand() * objects.length)]
    // checkpoint(dir) would write a copy into a directory named by its argument.
    const names = Object.getOwnPropertyNames(Object.getPrototypeOf(target)).filter((n) => n !== 'constructor' && n !== 'close' && n !== 'checkpoint')
    const method = names[Math.floor(rand() * names.length)]
    const args = Array.from({ length: Math.floor(rand() * 6) }, () => values[Math.floor(rand() * values.length)])
    if (rand() < 0.4 && args.length > 0) args[0] = 's'
    let result
    try {
      result = target[method](...args)
      if (result !== null && typeof result?.then === 'function') result = await result
    } catch (err) {
      expect(err).toBeInstanceOf(Error)
      threw++
      continue
    }
    if (result !== null && typeof result === 'object' && (typeof result.nextv === 'function' || typeof result.commit === 'function')) {
      objects.push(result)
      if (objects.length > 40) objects.splice(1, 20)
    }
  }
  expect(threw).toBeGreaterThan(1000)
  await native.close()
})

// Calls queued on a transaction count as operations in flight: the native
// close() waits for them to settle before it closes the database (it does
// not rely on lib/ having waited first).
it('close waits for calls queued on a transaction', async () => {
  const native = await binding.openJsonDB('', nativeOpenOptions(resolveOpenOptions({ inMemory: true })))
  await native.createObjectStore('s', 'id', false)
  const txn = native.begin(['s'], false)
  const settled = []
  const calls = Array.from({ length: 20 }, (_, i) =>
    txn.put('s', JSON.stringify({ id: i }), undefined, false).then(
      () => settled.push('put'), (err) => settled.push(err.code)))
  const cursor = native.cursor('s', null, null, 'next')
  calls.push(cursor.nextv(10, 1 << 20).then(() => settled.push('nextv'), (err) => settled.push(err.code)))
  await native.close()
  // Every call had settled (done, or refused once close released the
  // transaction) before close resolved.
  expect(settled).toHaveLength(21)
  await Promise.all(calls)
})
