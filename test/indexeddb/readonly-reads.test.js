// Readonly transactions read through the database itself while nothing else
// of the database has events to fire, and through a native transaction of
// their own otherwise; the results are the same either way.

import { describe, it, expect } from 'vitest'
import { createRequire } from 'node:module'
import { done, finished, open, memoryFactory } from './helpers.js'

const { kConn } = createRequire(import.meta.url)('../../lib/indexeddb/database.cjs')

async function filled (name, n) {
  const db = await open(memoryFactory(), name, 1, (db) => {
    db.createObjectStore('s', { keyPath: 'id' }).createIndex('byTag', 'tag')
  })
  const tx = db.transaction('s', 'readwrite')
  for (let i = 0; i < n; i++) tx.objectStore('s').put({ id: i, tag: i % 3 === 0 ? 'a' : 'b' })
  await finished(tx)
  return db
}

describe('IndexedDB readonly transactions', () => {
  it('read every kind of request correctly when alone', async () => {
    const db = await filled('ro-alone', 300)
    const s = db.transaction('s').objectStore('s')
    const got = await Promise.all([
      done(s.get(7)), done(s.get(1000)), done(s.getKey(8)), done(s.count()), done(s.index('byTag').count('a')),
      done(s.index('byTag').getAll('a')), done(s.getAllKeys(null, 3)), done(s.index('byTag').get('b'))
    ])
    expect(got[0]).toEqual({ id: 7, tag: 'b' })
    expect(got[1]).toBeUndefined()
    expect(got[2]).toBe(8)
    expect(got[3]).toBe(300)
    expect(got[4]).toBe(100)
    expect(got[5].map((v) => v.id)).toEqual(Array.from({ length: 100 }, (_, i) => i * 3))
    expect(got[6]).toEqual([0, 1, 2])
    expect(got[7]).toEqual({ id: 1, tag: 'b' })
    const ids = []
    await new Promise((resolve, reject) => {
      const r = db.transaction('s').objectStore('s').index('byTag').openCursor('a', 'prev')
      r.onsuccess = () => {
        if (r.result === null) return resolve()
        ids.push(r.result.value.id)
        r.result.continue()
      }
      r.onerror = () => reject(r.error)
    })
    expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => 297 - i * 3))
  })

  it('answer from the database only while no other transaction has events to fire', async () => {
    const db = await filled('ro-route', 300)
    const native = db[kConn].native
    const direct = []
    for (const m of ['count', 'getAllValues']) {
      const own = native[m]
      Object.defineProperty(native, m, {
        configurable: true,
        value: function (...args) {
          direct.push(m)
          return own.apply(this, args)
        }
      })
    }
    const s = () => db.transaction('s').objectStore('s')
    expect(await done(s().count())).toBe(300)
    expect(direct).toEqual(['count'])
    // With another transaction's cursor event still to fire, the count and
    // getAll go through native transactions: an answer at once could
    // overtake the cursor's, placed before them.
    direct.length = 0
    s().index('byTag').openCursor('b', 'prev')
    const b = s().count()
    const c = s().index('byTag').getAll('a')
    const [counted, all] = await Promise.all([done(b), done(c)])
    expect(counted).toBe(300)
    expect(all).toHaveLength(100)
    expect(direct).toEqual([])
  })

  it('see the same records before and after a later readwrite transaction is placed', async () => {
    const db = await filled('ro-stable', 50)
    const tx = db.transaction('s')
    const s = tx.objectStore('s')
    const counts = []
    const first = s.count()
    first.onsuccess = () => {
      counts.push(first.result)
      // Waits for tx to finish (overlapping scope); its request is placed now.
      const w = db.transaction('s', 'readwrite')
      w.objectStore('s').put({ id: 999, tag: 'a' })
      const second = s.count()
      second.onsuccess = () => {
        counts.push(second.result)
        s.get(999).onsuccess = (e) => counts.push(e.target.result)
      }
    }
    await finished(tx)
    expect(counts).toEqual([50, 50, undefined])
    expect(await done(db.transaction('s').objectStore('s').count())).toBe(51)
  })
})
