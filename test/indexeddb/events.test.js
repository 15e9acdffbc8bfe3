// Requests and transactions are EventTargets with their own listener lists
// (they are built without Node's EventTarget constructor): listeners with
// once, capture and signal, handler attributes, and events dispatched by
// script, along the request → transaction → database path.

import { describe, it, expect } from 'vitest'
import { idb, done, finished, open, memoryFactory } from './helpers.js'

describe('IndexedDB event targets', () => {
  it('requests and transactions take listeners and dispatch script events along their path', async () => {
    const db = await open(memoryFactory(), 'ev', 1, (db) => db.createObjectStore('s'))
    const tx = db.transaction('s', 'readwrite')
    const req = tx.objectStore('s').put('v', 1)
    expect(req).toBeInstanceOf(EventTarget)
    expect(tx).toBeInstanceOf(EventTarget)
    expect(req).toBeInstanceOf(idb.IDBRequest)

    const seen = []
    const controller = new AbortController()
    req.addEventListener('ping', () => seen.push('removed by signal'), { signal: controller.signal })
    controller.abort()
    req.addEventListener('ping', (e) => seen.push(`once ${e.eventPhase}`), { once: true })
    db.addEventListener('ping', (e) => seen.push(`db capture ${e.eventPhase}`), { capture: true })
    tx.addEventListener('ping', (e) => seen.push(`tx bubble ${e.currentTarget === tx}`))
    const notCanceled = req.dispatchEvent(new Event('ping', { bubbles: true, cancelable: true }))
    expect(notCanceled).toBe(true)
    req.dispatchEvent(new Event('ping'))
    expect(seen).toEqual(['db capture 1', 'once 2', 'tx bubble true', 'db capture 1'])

    const order = []
    req.addEventListener('success', () => order.push('listener'))
    req.onsuccess = () => order.push('handler')
    req.addEventListener('success', () => order.push('listener 2'))
    await finished(tx)
    expect(order).toEqual(['listener', 'handler', 'listener 2'])
    expect(await done(db.transaction('s').objectStore('s').get(1))).toBe('v')
    db.close()
  })
})
