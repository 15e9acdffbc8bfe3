// idb-keyval workload on each IndexedDB provider: the default store and
// stores made with createStore, get/set/setMany/getMany/update/del/delMany/
// keys/values/entries/clear, structured-clone values, concurrent updates of
// one key, and the data after reopening. idb-keyval opens databases through
// the global `indexedDB`, so each provider's factory is installed as the
// global for its block (and the module is re-imported, since it caches its
// default store).

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { providers, title, installGlobals, cmpKey } from './providers.js'
import { rng } from '../helpers/random.js'

function entriesModel (n) {
  const random = rng(5)
  const out = []
  for (let i = 0; i < n; i++) {
    const key = i % 3 === 0 ? i : i % 3 === 1 ? `k-${String(i).padStart(3, '0')}` : ['pair', i]
    const value = {
      n: Math.floor(random() * 1000),
      at: new Date(Date.UTC(2020, 0, 1 + i)),
      tags: new Set([`t${i % 4}`, `t${i % 5}`]),
      meta: new Map([['i', i]]),
      bytes: new Uint8Array([i & 255, (i >> 8) & 255, 7])
    }
    out.push([key, value])
  }
  return out
}

const sortEntries = (entries) => [...entries].sort((a, b) => cmpKey(a[0], b[0]))

for (const provider of providers) {
  describe.skipIf(!provider.available)(`idb-keyval on ${title(provider)}`, () => {
    let env, restore, kv
    let settings, cache // stores made with createStore
    const model = new Map() // JSON of the key -> [key, value], for the cache store
    const put = (key, value) => model.set(JSON.stringify(key), [key, value])
    const expected = () => sortEntries([...model.values()])

    beforeAll(async () => {
      env = await provider.make()
      restore = installGlobals(env)
      vi.resetModules()
      kv = await import('idb-keyval')
      settings = kv.createStore('kv-settings', 'settings')
      cache = kv.createStore('kv-cache', 'cache')
    })

    afterAll(async () => {
      if (!env) return
      for (const store of [settings, cache]) await store('readonly', (s) => s.transaction.db.close())
      restore()
      await env.cleanup()
    })

    it('stores structured-clone values with setMany and returns them with getMany, keys, values, entries', async () => {
      const data = entriesModel(240)
      await kv.setMany(data, cache)
      for (const [key, value] of data) put(key, value)
      const sample = [data[0][0], data[1][0], data[2][0], 'absent', data[239][0]]
      expect(await kv.getMany(sample, cache)).toEqual(sample.map((k) => model.get(JSON.stringify(k))?.[1]))
      const got = await kv.get(data[7][0], cache)
      expect(got.at).toBeInstanceOf(Date)
      expect(got.tags).toBeInstanceOf(Set)
      expect(got.meta.get('i')).toBe(7)
      expect(got.bytes).toBeInstanceOf(Uint8Array)
      expect(await kv.entries(cache)).toEqual(expected())
      expect(await kv.keys(cache)).toEqual(expected().map(([k]) => k))
      expect(await kv.values(cache)).toEqual(expected().map(([, v]) => v))
    })

    it('updates values read-modify-write, also many at once on one key', async () => {
      await kv.update('counter', (v) => (v ?? 0) + 1, cache)
      await Promise.all(Array.from({ length: 25 }, () => kv.update('counter', (v) => v + 2, cache)))
      put('counter', 51)
      expect(await kv.get('counter', cache)).toBe(51)
      const key = ['pair', 5]
      await kv.update(key, (v) => ({ ...v, n: v.n * 2 }), cache)
      const old = model.get(JSON.stringify(key))[1]
      put(key, { ...old, n: old.n * 2 })
      expect(await kv.get(key, cache)).toEqual(model.get(JSON.stringify(key))[1])
      expect(await kv.entries(cache)).toEqual(expected())
    })

    it('deletes with del and delMany and keeps stores apart', async () => {
      const doomed = expected().filter((_, i) => i % 4 === 1).map(([k]) => k)
      await kv.delMany(doomed, cache)
      for (const k of doomed) model.delete(JSON.stringify(k))
      await kv.del(0, cache)
      model.delete(JSON.stringify(0))
      expect(await kv.entries(cache)).toEqual(expected())
      await kv.set('theme', 'dark', settings)
      expect(await kv.entries(settings)).toEqual([['theme', 'dark']])
      expect(await kv.get('theme', cache)).toBeUndefined()
    })

    it('finds the same entries after the factory is reopened', async () => {
      for (const store of [settings, cache]) await store('readonly', (s) => s.transaction.db.close())
      const again = await env.reopen()
      restore()
      restore = installGlobals(again)
      settings = kv.createStore('kv-settings', 'settings')
      cache = kv.createStore('kv-cache', 'cache')
      expect(await kv.entries(cache)).toEqual(expected())
      expect(await kv.get('theme', settings)).toBe('dark')
      await kv.clear(cache)
      expect(await kv.keys(cache)).toEqual([])
    })

    // Last: idb-keyval keeps its default store's connection open for good, so
    // it is first used on the factory that the reopen above installed.
    it('sets, gets and deletes in the default store', async () => {
      expect(await kv.get('missing')).toBeUndefined()
      await kv.set('hello', { world: [1, 2, 3] })
      await kv.set(42, 'answer')
      expect(await kv.get('hello')).toEqual({ world: [1, 2, 3] })
      expect(await kv.get(42)).toBe('answer')
      expect(await kv.keys()).toEqual([42, 'hello'])
      await kv.del('hello')
      expect(await kv.entries()).toEqual([[42, 'answer']])
      await kv.clear()
      expect(await kv.keys()).toEqual([])
    })
  })
}
