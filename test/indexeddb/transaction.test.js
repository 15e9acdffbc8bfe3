// IDBTransaction: lifecycle (active only in its task and event dispatch,
// microtasks included), auto-commit, commit(), abort reverting data, error
// events with preventDefault, exceptions in handlers, ordering and
// scheduling, and the event path request → transaction → database.

import { describe, it, expect } from 'vitest'
import { idb, done, finished, open, memoryFactory, errorName, tick } from './helpers.js'

async function twoStores () {
  const factory = memoryFactory()
  const db = await open(factory, 'db', 1, (db) => {
    db.createObjectStore('a')
    db.createObjectStore('b', { keyPath: 'id' }).createIndex('u', 'u', { unique: true })
  })
  return { factory, db }
}

describe('transaction lifecycle', () => {
  it('fires request events in order, then complete, and auto-commits', async () => {
    const { db } = await twoStores()
    const tx = db.transaction(['a', 'b'], 'readwrite', { durability: 'relaxed' })
    expect(tx.mode).toBe('readwrite')
    expect(tx.durability).toBe('relaxed')
    expect(Array.from(tx.objectStoreNames)).toEqual(['a', 'b'])
    expect(tx.db).toBe(db)
    const log = []
    const a = tx.objectStore('a')
    expect(tx.objectStore('a')).toBe(a)
    const r1 = a.put('x', 1)
    expect(r1.readyState).toBe('pending')
    expect(() => r1.result).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
    r1.onsuccess = () => log.push('put')
    a.get(1).onsuccess = (e) => log.push('get ' + e.target.result)
    tx.objectStore('b').put({ id: 1 }).onsuccess = () => {
      log.push('b put')
      a.count().onsuccess = (e) => log.push('count ' + e.target.result) // a request placed from a handler
    }
    tx.oncomplete = () => log.push('complete')
    await finished(tx)
    expect(log).toEqual(['put', 'get x', 'b put', 'count 1', 'complete'])
    expect(r1.readyState).toBe('done')
    db.close()
  })

  it('is inactive after its task, active in handlers and their microtasks', async () => {
    const { db } = await twoStores()
    const tx = db.transaction('a', 'readwrite')
    const fin = finished(tx)
    const a = tx.objectStore('a')
    await Promise.resolve()
    a.put(1, 1) // microtask of the creating task: still active
    const seen = []
    await new Promise((resolve) => {
      a.put(2, 2).onsuccess = () => {
        Promise.resolve().then(() => Promise.resolve()).then(() => {
          a.put(3, 3).onsuccess = () => resolve()
          seen.push('microtask ok')
        })
      }
    })
    await tick()
    expect(await errorName(() => a.put(4, 4))).toBe('TransactionInactiveError')
    await fin
    expect(seen).toEqual(['microtask ok'])
    expect(await done(db.transaction('a').objectStore('a').count())).toBe(3)
    expect(await errorName(() => tx.objectStore('a'))).toBe('InvalidStateError')
    db.close()
  })

  it('drops every write on abort() and fires error AbortError at pending requests, then abort', async () => {
    const { db } = await twoStores()
    const setup = db.transaction('a', 'readwrite')
    setup.objectStore('a').put('kept', 1)
    await finished(setup)
    const tx = db.transaction('a', 'readwrite')
    const a = tx.objectStore('a')
    const events = []
    const r = a.put('changed', 1)
    a.put('new', 2)
    r.onerror = (e) => events.push(`request ${e.target.error.name}`)
    tx.onabort = () => events.push('abort ' + tx.error)
    db.onabort = () => events.push('db abort')
    tx.abort()
    expect(await errorName(() => tx.abort())).toBe('InvalidStateError')
    expect(await errorName(() => a.put(1, 3))).toBe('TransactionInactiveError')
    await new Promise((resolve) => { tx.addEventListener('abort', resolve) })
    expect(events).toEqual(['request AbortError', 'abort null', 'db abort'])
    const check = db.transaction('a').objectStore('a')
    expect(await done(check.getAll())).toEqual(['kept'])
    db.close()
  })

  it('aborts on an unhandled ConstraintError, but not when the error event is canceled', async () => {
    const { db } = await twoStores()
    const tx = db.transaction('b', 'readwrite')
    const b = tx.objectStore('b')
    b.put({ id: 1, u: 'x' })
    const clash = b.put({ id: 2, u: 'x' })
    clash.onerror = (e) => e.preventDefault()
    b.put({ id: 3, u: 'y' })
    await finished(tx)
    expect(clash.error.name).toBe('ConstraintError')
    expect(await done(db.transaction('b').objectStore('b').getAllKeys())).toEqual([1, 3])

    const tx2 = db.transaction('b', 'readwrite')
    tx2.objectStore('b').put({ id: 4, u: 'z' })
    tx2.objectStore('b').add({ id: 1, u: 'w' })
    const bubbled = []
    tx2.onerror = (e) => bubbled.push(['tx', e.target.error.name, e.eventPhase])
    db.onerror = (e) => bubbled.push(['db', e.target.error.name])
    expect(await errorName(finished(tx2))).toBe('ConstraintError')
    expect(tx2.error.name).toBe('ConstraintError')
    expect(bubbled).toEqual([['tx', 'ConstraintError', 3], ['db', 'ConstraintError']])
    expect(await done(db.transaction('b').objectStore('b').getAllKeys())).toEqual([1, 3])
    db.close()
  })

  it('runs capture listeners on the database and transaction before the request, and honours stopPropagation', async () => {
    const { db } = await twoStores()
    const tx = db.transaction('a', 'readwrite')
    const r = tx.objectStore('a').add(1, 1)
    tx.objectStore('a').add(1, 1).onerror = (e) => e.preventDefault()
    const path = []
    db.addEventListener('success', (e) => path.push(['db capture', e.eventPhase, e.target === r, e.currentTarget === db]), { capture: true })
    tx.addEventListener('success', () => path.push(['tx capture']), true)
    tx.addEventListener('success', () => path.push(['tx bubble (never: success does not bubble)']))
    r.addEventListener('success', (e) => { path.push(['request', e.eventPhase]); e.stopPropagation() })
    tx.addEventListener('error', (e) => { path.push(['tx capture error']); e.preventDefault(); e.stopPropagation() }, true)
    await finished(tx)
    expect(path.slice(0, 3)).toEqual([['db capture', 1, true, true], ['tx capture'], ['request', 2]])
    expect(path.slice(3)).toEqual([['tx capture error']]) // the request's own listener is not reached
    db.close()
  })

  it('aborts with AbortError when a handler throws', async () => {
    const { db } = await twoStores()
    const reported = []
    const onUncaught = (err) => reported.push(err.message)
    const listeners = process.listeners('uncaughtException')
    process.removeAllListeners('uncaughtException')
    process.on('uncaughtException', onUncaught)
    try {
      const tx = db.transaction('a', 'readwrite')
      tx.objectStore('a').put(1, 1).onsuccess = () => { throw new Error('handler bug') }
      expect(await errorName(finished(tx))).toBe('AbortError')
      await tick()
    } finally {
      process.removeListener('uncaughtException', onUncaught)
      for (const l of listeners) process.on('uncaughtException', l)
    }
    expect(reported).toEqual(['handler bug'])
    expect(await done(db.transaction('a').objectStore('a').count())).toBe(0)
    db.close()
  })

  it('commit() commits before the task ends and refuses new requests', async () => {
    const { db } = await twoStores()
    const tx = db.transaction('a', 'readwrite')
    const a = tx.objectStore('a')
    const r = a.put('v', 1)
    tx.commit()
    expect(await errorName(() => a.put('w', 2))).toBe('TransactionInactiveError')
    expect(await errorName(() => tx.commit())).toBe('InvalidStateError')
    await finished(tx)
    expect(r.result).toBe(1)
    db.close()
  })

  it('runs overlapping readwrite transactions in creation order, readonly ones on their snapshot', async () => {
    const { db } = await twoStores()
    const order = []
    const t1 = db.transaction('a', 'readwrite')
    const t2 = db.transaction('a', 'readwrite')
    const t3 = db.transaction('b', 'readwrite')
    t2.objectStore('a').get(1).onsuccess = (e) => order.push('t2 sees ' + e.target.result)
    t2.objectStore('a').put('t2', 1)
    t1.objectStore('a').put('t1', 1).onsuccess = () => order.push('t1 put')
    t3.objectStore('b').put({ id: 1 }).onsuccess = () => order.push('t3 put')
    t1.oncomplete = () => order.push('t1 complete')
    t2.oncomplete = () => order.push('t2 complete')
    await Promise.all([finished(t1), finished(t2), finished(t3)])
    expect(order.indexOf('t1 complete')).toBeLessThan(order.indexOf('t2 sees t1'))
    expect(order).toContain('t3 put')
    expect(await done(db.transaction('a').objectStore('a').get(1))).toBe('t2')
    db.close()
  })

  it('refuses transactions on a closing connection', async () => {
    const { db } = await twoStores()
    db.close()
    expect(await errorName(() => db.transaction('a'))).toBe('InvalidStateError')
  })
})

describe('task boundaries', () => {
  it('deactivates a transaction made in an event handler before a 0 ms timeout of that handler', async () => {
    const { db } = await twoStores()
    const result = await new Promise((resolve) => {
      const tx = db.transaction('a', 'readwrite')
      tx.objectStore('a').put(1, 1).onsuccess = () => {
        const inner = db.transaction('a')
        const store = inner.objectStore('a')
        setTimeout(() => {
          try {
            store.get(1)
            resolve('active')
          } catch (err) {
            resolve(err.name)
          }
        }, 0)
        const until = Date.now() + 3
        while (Date.now() < until) {} // the timeout is due when this task ends
      }
    })
    expect(result).toBe('TransactionInactiveError')
    db.close()
  })

  it('rethrows an exception of a getter met while converting a key', async () => {
    const { db } = await twoStores()
    const key = [1]
    Object.defineProperty(key, 1, { get () { throw new Error('from getter') }, enumerable: true })
    const store = db.transaction('a').objectStore('a')
    expect(() => store.get(key)).toThrow('from getter')
    expect(() => idb.IDBKeyRange.only(key)).toThrow('from getter')
    db.close()
  })
})

describe('task boundaries while requests keep a transaction busy', () => {
  it('is inactive in a 0 ms timeout of a success handler even while more events are due', async () => {
    const { db } = await twoStores()
    const tx = db.transaction('a')
    const store = tx.objectStore('a')
    let spinning = true
    const spin = () => { if (spinning) store.get(0).onsuccess = spin }
    spin()
    const seen = await new Promise((resolve) => {
      store.get(1).onsuccess = () => {
        setTimeout(() => {
          let state
          try {
            store.get(0).onerror = (e) => e.preventDefault()
            state = 'active'
          } catch (err) {
            state = err.name
          }
          spinning = false
          resolve(state)
        }, 0)
      }
    })
    expect(seen).toBe('TransactionInactiveError')
    await finished(tx)
    db.close()
  })

  it('gives a generated key back when a unique index refuses the write', async () => {
    const factory = memoryFactory()
    const db = await open(factory, 'db', 1, (db) => {
      db.createObjectStore('s', { keyPath: 'id', autoIncrement: true }).createIndex('u', 'u', { unique: true })
    })
    const tx = db.transaction('s', 'readwrite')
    const s = tx.objectStore('s')
    const first = s.add({ u: 'a' })
    const clash = s.add({ u: 'a' })
    clash.onerror = (e) => e.preventDefault()
    const next = s.add({ u: 'b' })
    await finished(tx)
    expect([first.result, clash.error.name, next.result]).toEqual([1, 'ConstraintError', 2])
    db.close()
  })
})
