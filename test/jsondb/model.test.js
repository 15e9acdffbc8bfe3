// Randomized model test: JsonDB against a plain-JS model of IndexedDB
// semantics (keys compared with fake-indexeddb's independent cmp()). Random
// schema changes, puts/adds/deletes/clears over stores with unique, compound
// and multiEntry indexes and a key generator, reads, index reads, queries,
// cursors, transactions that commit, abort or conflict, and reopens; after
// each step the results, and regularly the whole content, must match.
//
// CI size by default; FLOWDB_MODEL_OPS=20000 (and FLOWDB_MODEL_SEED=n to
// replay a seed) for a longer run. The seed is printed.

import { describe, it, expect } from 'vitest'
import { cmp, isKey, at, indexKeys } from '../helpers/idb-keys.js'
import { JsonDB, KeyRange, FlowDBError, errorCodes } from '../../lib/index.mjs'
import { rng } from '../helpers/random.js'
import { tempPath } from '../helpers/tmp.js'

const OPS = Number(process.env.FLOWDB_MODEL_OPS ?? 1500)
const SEED = Number(process.env.FLOWDB_MODEL_SEED ?? Math.floor(Math.random() * 2 ** 31))

const keyString = (k) => JSON.stringify(k)
const clone = (v) => JSON.parse(JSON.stringify(v))

function inRange (range, key) {
  if (range === null || range === undefined) return true
  if (range.lower !== undefined) {
    const c = cmp(range.lower, key)
    if (c > 0 || (c === 0 && range.lowerOpen)) return false
  }
  if (range.upper !== undefined) {
    const c = cmp(range.upper, key)
    if (c < 0 || (c === 0 && range.upperOpen)) return false
  }
  return true
}

class Model {
  constructor () {
    this.stores = new Map() // name → { spec, docs: Map<keyString, { key, doc }>, next }
  }

  copy () {
    const m = new Model()
    for (const [name, s] of this.stores) {
      m.stores.set(name, { spec: clone(s.spec), docs: new Map([...s.docs].map(([k, v]) => [k, { key: v.key, doc: clone(v.doc) }])), next: s.next })
    }
    return m
  }

  sorted (store) {
    return [...this.stores.get(store).docs.values()].sort((a, b) => cmp(a.key, b.key))
  }

  entries (store, index) {
    const s = this.stores.get(store)
    const spec = s.spec.indexes.find((i) => i.name === index)
    const out = []
    for (const { key, doc } of s.docs.values()) for (const k of indexKeys(spec, doc)) out.push({ key: k, primaryKey: key, doc })
    return out.sort((a, b) => cmp(a.key, b.key) || cmp(a.primaryKey, b.primaryKey))
  }

  // Applies put/add; returns the key, or an error code (nothing changed).
  put (store, doc, outKey, noOverwrite) {
    const s = this.stores.get(store)
    doc = clone(doc)
    let key
    if (s.spec.keyPath !== null) {
      key = at(doc, s.spec.keyPath)
      if (key === undefined && s.spec.autoIncrement) {
        key = s.next
        doc[s.spec.keyPath] = key
      } else if (!isKey(key)) {
        return errorCodes.INVALID_KEY
      }
    } else {
      key = outKey
      if (key === undefined && s.spec.autoIncrement) key = s.next
      if (!isKey(key)) return errorCodes.INVALID_KEY
    }
    const ks = keyString(key)
    if (noOverwrite && s.docs.has(ks)) return errorCodes.CONSTRAINT
    for (const spec of s.spec.indexes.filter((i) => i.unique)) {
      for (const k of indexKeys(spec, doc)) {
        for (const { key: other, doc: od } of s.docs.values()) {
          if (cmp(other, key) !== 0 && indexKeys(spec, od).some((o) => cmp(o, k) === 0)) return errorCodes.CONSTRAINT
        }
      }
    }
    if (s.spec.autoIncrement && typeof key === 'number' && Math.floor(key) >= s.next) s.next = Math.floor(key) + 1
    s.docs.set(ks, { key, doc })
    return key
  }

  delete (store, range) {
    const s = this.stores.get(store)
    for (const [ks, { key }] of s.docs) if (inRange(range, key)) s.docs.delete(ks)
  }
}

function pick (rand, arr) { return arr[Math.floor(rand() * arr.length)] }
function rint (rand, n) { return Math.floor(rand() * n) }

async function codeOf (p) {
  try {
    return await p
  } catch (err) {
    if (err instanceof FlowDBError) return err.code
    throw err
  }
}

describe('JsonDB against a plain-JS model', () => {
  it(`agrees on ${OPS} random operations (seed ${SEED})`, { timeout: 600_000 }, async () => {
    console.log(`jsondb model test: seed ${SEED}, ${OPS} operations (FLOWDB_MODEL_SEED=${SEED} replays it)`)
    const rand = rng(SEED)
    const path = tempPath()
    let db = await JsonDB.open({ path, syncMode: 'none' })
    let model = new Model()
    const stats = {}
    const count = (op) => { stats[op] = (stats[op] ?? 0) + 1 }

    const schemaA = { name: 'a', keyPath: 'id', autoIncrement: false, indexes: [
      { name: 'tag', keyPath: 'tags', unique: false, multiEntry: true },
      { name: 'pair', keyPath: ['x', 'y'], unique: false, multiEntry: false },
      { name: 'u', keyPath: 'u', unique: true, multiEntry: false }] }
    const schemaB = { name: 'b', keyPath: 'id', autoIncrement: true, indexes: [{ name: 'x', keyPath: 'x', unique: false, multiEntry: false }] }
    await db.applySchema([schemaA, schemaB])
    model.stores.set('a', { spec: clone(schemaA), docs: new Map(), next: 1 })
    model.stores.set('b', { spec: clone(schemaB), docs: new Map(), next: 1 })

    const randomKeyA = () => rand() < 0.7 ? rint(rand, 40) : `k${rint(rand, 10)}`
    const randomDocA = () => {
      const doc = { id: randomKeyA(), x: rint(rand, 4) }
      if (rand() < 0.9) doc.y = pick(rand, ['p', 'q'])
      if (rand() < 0.8) doc.tags = rand() < 0.85 ? Array.from({ length: rint(rand, 4) }, () => pick(rand, ['r', 's', 't', 1, {}])) : 's'
      if (rand() < 0.6) doc.u = rint(rand, 25)
      return doc
    }
    const randomRange = (gen) => {
      const r = rint(rand, 5)
      if (r === 0) return null
      if (r === 1) return KeyRange.only(gen())
      if (r === 2) return KeyRange.lowerBound(gen(), rand() < 0.5)
      if (r === 3) return KeyRange.upperBound(gen(), rand() < 0.5)
      let lo = gen()
      let hi = gen()
      if (cmp(lo, hi) > 0) [lo, hi] = [hi, lo]
      return cmp(lo, hi) === 0 ? KeyRange.only(lo) : KeyRange.bound(lo, hi, rand() < 0.3, rand() < 0.3)
    }

    // A random read or write against `store` (a DocStore of db or of a
    // transaction) and `m`; checks its result. Writes only when `write`.
    const step = async (store, m, write, label) => {
      const name = store.name
      const r = rand()
      if (write && r < 0.35) {
        count('put')
        if (name === 'a') {
          const doc = randomDocA()
          const noOverwrite = rand() < 0.2
          const want = m.put('a', doc, undefined, noOverwrite)
          expect(await codeOf(noOverwrite ? store.add(doc) : store.put(doc)), label).toEqual(want)
        } else if (name === 'b') {
          const doc = { x: rint(rand, 5) }
          if (rand() < 0.2) doc.id = rint(rand, 60)
          expect(await codeOf(store.put(doc)), label).toEqual(m.put('b', doc, undefined, false))
        } else {
          const doc = { x: rint(rand, 3), v: rint(rand, 100) }
          const key = rand() < 0.5 ? rint(rand, 20) : [rint(rand, 3), pick(rand, ['m', 'n'])]
          expect(await codeOf(store.put(doc, key)), label).toEqual(m.put('c', doc, key, false))
        }
      } else if (write && r < 0.45) {
        count('delete')
        const range = rand() < 0.6 ? KeyRange.only(name === 'a' ? randomKeyA() : rint(rand, 40)) : randomRange(() => rint(rand, 40))
        await store.delete(range ?? KeyRange.lowerBound(-Infinity))
        m.delete(name, range)
      } else if (write && r < 0.47) {
        count('clear')
        await store.clear()
        m.delete(name, null)
      } else if (r < 0.6) {
        count('get')
        const key = name === 'a' ? randomKeyA() : rint(rand, 40)
        const hit = m.stores.get(name).docs.get(keyString(key))
        expect(await store.get(key), label).toEqual(hit?.doc)
      } else if (r < 0.72) {
        count('getAll')
        const range = randomRange(() => name === 'a' ? randomKeyA() : rint(rand, 40))
        const direction = pick(rand, ['next', 'prev'])
        const limit = rand() < 0.5 ? undefined : rint(rand, 6)
        let want = m.sorted(name).filter((e) => inRange(range, e.key))
        if (direction === 'prev') want.reverse()
        if (limit !== undefined) want = want.slice(0, limit)
        if (rand() < 0.5) {
          expect(await store.getAll(range, { direction, limit }), label).toEqual(want.map((e) => e.doc))
        } else {
          expect(await store.getAllKeys(range, { direction, limit }), label).toEqual(want.map((e) => e.key))
        }
        expect(await store.count(range), label).toBe(m.sorted(name).filter((e) => inRange(range, e.key)).length)
      } else if (r < 0.84 && name === 'a') {
        count('index')
        const which = pick(rand, ['tag', 'pair', 'u'])
        const gen = which === 'tag' ? () => pick(rand, ['r', 's', 't', 1]) : which === 'u' ? () => rint(rand, 25) : () => [rint(rand, 4), pick(rand, ['p', 'q'])]
        const range = randomRange(gen)
        const entries = m.entries('a', which).filter((e) => inRange(range, e.key))
        const index = store.index(which)
        const kind = rint(rand, 4)
        if (kind === 0) expect(await index.getAllKeys(range), label).toEqual(entries.map((e) => e.primaryKey))
        if (kind === 1) expect(await index.count(range), label).toBe(entries.length)
        if (kind === 2) expect(await index.get(range ?? KeyRange.lowerBound(-Infinity)), label).toEqual(entries[0]?.doc)
        if (kind === 3) {
          const direction = pick(rand, ['next', 'prev', 'nextunique', 'prevunique'])
          let want = entries
          if (direction.startsWith('prev')) want = want.slice().reverse()
          if (direction.endsWith('unique')) {
            const firstOfKey = new Map()
            for (const e of entries) if (!firstOfKey.has(keyString(e.key))) firstOfKey.set(keyString(e.key), e)
            want = want.filter((e) => firstOfKey.get(keyString(e.key)) === e)
          }
          const got = []
          for await (const rec of index.iterate({ range, direction })) got.push([rec.key, rec.primaryKey])
          expect(got, label).toEqual(want.map((e) => [e.key, e.primaryKey]))
        }
      } else if (r < 0.93 && name === 'a') {
        count('query')
        const x = rint(rand, 4)
        let q = store.query().whereEq('x', x)
        let want = m.sorted('a').filter((e) => e.doc.x === x)
        if (rand() < 0.5) {
          const ys = rand() < 0.5 ? ['p'] : ['p', 'q']
          q = q.whereIn('y', ys)
          want = want.filter((e) => ys.includes(e.doc.y))
        }
        if (rand() < 0.5) {
          const limit = rint(rand, 5)
          q = q.orderBy('id', 'desc').limit(limit)
          want = want.slice().reverse().slice(0, limit)
          expect(await q.toArray(), label).toEqual(want.map((e) => e.doc))
        } else {
          const byKey = (p, o) => cmp(p.id, o.id)
          expect((await q.toArray()).sort(byKey), label).toEqual(want.map((e) => e.doc))
        }
        expect(await q.count(), label).toBe(want.length)
      } else {
        count('iterate')
        const direction = pick(rand, ['next', 'prev'])
        const limit = rand() < 0.5 ? undefined : rint(rand, 10)
        let want = m.sorted(name)
        if (direction === 'prev') want.reverse()
        if (limit !== undefined) want = want.slice(0, limit)
        const got = []
        for await (const rec of store.iterate({ direction, limit })) got.push([rec.primaryKey, rec.value])
        expect(got, label).toEqual(want.map((e) => [e.key, e.doc]))
      }
    }

    const compareAll = async (label) => {
      expect(db.objectStoreNames, label).toEqual([...model.stores.keys()].sort())
      for (const name of model.stores.keys()) {
        expect(await db.store(name).getAll(), `${label}: store ${name}`).toEqual(model.sorted(name).map((e) => e.doc))
        for (const spec of model.stores.get(name).spec.indexes) {
          expect(await db.store(name).index(spec.name).getAllKeys(), `${label}: index ${name}.${spec.name}`)
            .toEqual(model.entries(name, spec.name).map((e) => e.primaryKey))
        }
      }
    }

    for (let op = 0; op < OPS; op++) {
      const label = `seed ${SEED}, op ${op}`
      const r = rand()
      const stores = [...model.stores.keys()]
      if (r < 0.02) {
        count('schema')
        if (model.stores.has('c')) {
          const c = model.stores.get('c')
          if (rand() < 0.3) {
            await db.deleteObjectStore('c')
            model.stores.delete('c')
          } else if (c.spec.indexes.length > 0) {
            await db.deleteIndex('c', 'x')
            c.spec.indexes = []
          } else {
            await db.createIndex('c', 'x', 'x')
            c.spec.indexes = [{ name: 'x', keyPath: 'x', unique: false, multiEntry: false }]
          }
        } else {
          await db.createObjectStore('c')
          model.stores.set('c', { spec: { name: 'c', keyPath: null, autoIncrement: false, indexes: [] }, docs: new Map(), next: 1 })
        }
      } else if (r < 0.025) {
        count('reopen')
        await db.close()
        db = await JsonDB.open({ path, syncMode: 'none' })
        await compareAll(`${label} after reopen`)
      } else if (r < 0.1) {
        count('transaction')
        const tx = db.transaction(stores, 'readwrite')
        const m = model.copy()
        const n = 1 + rint(rand, 4)
        for (let i = 0; i < n; i++) await step(tx.store(pick(rand, stores)), m, true, `${label} in transaction`)
        if (rand() < 0.3) {
          count('abort')
          tx.abort()
        } else {
          await tx.commit()
          model = m
        }
      } else if (r < 0.12) {
        count('conflict')
        // Two transactions read the same document; the first to commit a
        // write wins, the second conflicts and changes nothing.
        const t1 = db.transaction('a', 'readwrite')
        const t2 = db.transaction('a', 'readwrite')
        const key = randomKeyA()
        await t1.store('a').get(key)
        await t2.store('a').get(key)
        const doc1 = { id: key, x: rint(rand, 4), y: 'p' }
        const doc2 = { id: key, x: rint(rand, 4), y: 'q' }
        const m = model.copy()
        const want1 = m.put('a', doc1, undefined, false)
        expect(await codeOf(t1.store('a').put(doc1)), label).toEqual(want1)
        await t2.store('a').put(doc2).catch(() => {})
        await t1.commit()
        expect(await codeOf(t2.commit()), label).toBe(errorCodes.CONFLICT)
        model = m
      } else {
        await step(db.store(pick(rand, stores)), model, true, label)
      }
      if (op % 250 === 249) await compareAll(label)
    }
    await compareAll(`seed ${SEED}, end`)
    await db.close()
    db = await JsonDB.open({ path })
    await compareAll(`seed ${SEED}, final reopen`)
    await db.close()
    console.log('jsondb model test operations:', JSON.stringify(stats))
  })
})
