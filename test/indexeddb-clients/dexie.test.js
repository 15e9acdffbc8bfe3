// Dexie workload on each IndexedDB provider: a schema upgrade that adds an
// index, a compound and a multiEntry index and a store with data migrated in
// the upgrade, then where-queries, modify, bulk operations, transactions
// that roll back, counts, and the data after reopening. Every expected
// result is computed from a plain JS model of the table.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Dexie from 'dexie'
import { providers, title, people, byIndex, cmpKey, CITIES } from './providers.js'

const N = 400

for (const provider of providers) {
  describe.skipIf(!provider.available)(`Dexie on ${title(provider)}`, () => {
    let env, db
    let model // id -> record, the table as it must be
    let notesModel
    const name = 'dexie-workload'
    const all = () => [...model.values()].sort((a, b) => a.id - b.id)
    const open = (idb) => {
      const d = new Dexie(name, { indexedDB: idb.indexedDB, IDBKeyRange: idb.IDBKeyRange })
      d.version(1).stores({ friends: '++id, name, age' })
      d.version(2).stores({ friends: '++id, name, age, city, [city+age], *tags', notes: '++nid, friendId' })
        .upgrade(async (tx) => {
          await tx.table('friends').toCollection().modify((f) => { f.nameLower = f.name.toLowerCase() })
          const vips = await tx.table('friends').where('tags').equals('vip').toArray()
          await tx.table('notes').bulkAdd(vips.map((f) => ({ friendId: f.id, text: `vip since ${f.age}` })))
        })
      return d
    }

    beforeAll(async () => {
      env = await provider.make()
      // Version 1: the original schema and data.
      const v1 = new Dexie(name, { indexedDB: env.indexedDB, IDBKeyRange: env.IDBKeyRange })
      v1.version(1).stores({ friends: '++id, name, age' })
      const docs = people(N)
      await v1.friends.bulkAdd(docs)
      expect(await v1.friends.count()).toBe(N)
      v1.close()
      model = new Map(docs.map((d) => [d.id, { ...d, nameLower: d.name.toLowerCase() }]))
      notesModel = docs.filter((d) => d.tags.includes('vip')).map((d, i) => ({ nid: i + 1, friendId: d.id, text: `vip since ${d.age}` }))
      db = open(env)
      await db.open()
    })

    afterAll(async () => {
      db?.close()
      await env?.cleanup()
    })

    it('upgrades to version 2, migrating data into the new field and the new store', async () => {
      expect(db.verno).toBe(2)
      expect(db.tables.map((t) => t.name).sort()).toEqual(['friends', 'notes'])
      expect(await db.friends.toArray()).toEqual(all())
      expect(notesModel.length).toBeGreaterThan(10)
      expect(await db.notes.toArray()).toEqual(notesModel)
      expect(await db.notes.where('friendId').equals(notesModel[3].friendId).toArray()).toEqual([notesModel[3]])
    })

    it('answers equals, between, above, below and anyOf through indexes', async () => {
      for (const city of CITIES) {
        expect(await db.friends.where('city').equals(city).toArray()).toEqual(all().filter((f) => f.city === city))
      }
      const age = (f) => f.age
      expect(await db.friends.where('age').between(30, 40).toArray()).toEqual(byIndex(all().filter((f) => f.age >= 30 && f.age < 40), age))
      expect(await db.friends.where('age').between(30, 40, true, true).toArray()).toEqual(byIndex(all().filter((f) => f.age >= 30 && f.age <= 40), age))
      expect(await db.friends.where('age').above(70).toArray()).toEqual(byIndex(all().filter((f) => f.age > 70), age))
      expect(await db.friends.where('age').belowOrEqual(20).toArray()).toEqual(byIndex(all().filter((f) => f.age <= 20), age))
      const names = [all()[5].name, all()[50].name, 'Nobody X.']
      expect(await db.friends.where('name').anyOf(names).toArray()).toEqual(byIndex(all().filter((f) => names.includes(f.name)), (f) => f.name))
      expect(await db.friends.where('age').noneOf([30, 31]).count()).toBe(all().filter((f) => f.age !== 30 && f.age !== 31).length)
    })

    it('answers startsWith, reverse, limit, offset and orderBy', async () => {
      const name = (f) => f.name
      const em = byIndex(all().filter((f) => f.name.startsWith('Em')), name)
      expect(em.length).toBeGreaterThan(0)
      expect(await db.friends.where('name').startsWith('Em').toArray()).toEqual(em)
      expect(await db.friends.where('name').startsWithIgnoreCase('em').primaryKeys()).toEqual(em.map((f) => f.id))
      const old = byIndex(all().filter((f) => f.age > 50), (f) => f.age).reverse()
      expect(await db.friends.where('age').above(50).reverse().limit(10).toArray()).toEqual(old.slice(0, 10))
      const byAge = byIndex(all(), (f) => f.age)
      expect(await db.friends.orderBy('age').offset(20).limit(15).toArray()).toEqual(byAge.slice(20, 35))
      expect(await db.friends.orderBy('age').reverse().offset(5).limit(5).primaryKeys()).toEqual(byAge.reverse().slice(5, 10).map((f) => f.id))
      expect(await db.friends.orderBy('name').uniqueKeys()).toEqual([...new Set(all().map(name))].sort())
      expect(await db.friends.where('age').between(20, 60).filter((f) => f.score > 50).count())
        .toBe(all().filter((f) => f.age >= 20 && f.age < 60 && f.score > 50).length)
    })

    it('queries the compound [city+age] and the multiEntry tags index', async () => {
      const cityAge = (f) => [f.city, f.age]
      expect(await db.friends.where('[city+age]').between(['Oslo', 30], ['Oslo', 50]).toArray())
        .toEqual(byIndex(all().filter((f) => f.city === 'Oslo' && f.age >= 30 && f.age < 50), cityAge))
      expect(await db.friends.where({ city: 'Lima', age: all().find((f) => f.city === 'Lima').age }).toArray())
        .toEqual(all().filter((f) => f.city === 'Lima' && f.age === all().find((g) => g.city === 'Lima').age))
      expect(await db.friends.where('tags').equals('vip').toArray()).toEqual(all().filter((f) => f.tags.includes('vip')))
      // anyOf over a multiEntry index: index order (tag, id), each record once with distinct().
      const entries = []
      for (const f of all()) for (const t of f.tags) if (t === 'red' || t === 'blue') entries.push([t, f])
      entries.sort((a, b) => cmpKey(a[0], b[0]) || a[1].id - b[1].id)
      const seen = new Set()
      const distinct = entries.filter(([, f]) => !seen.has(f.id) && seen.add(f.id)).map(([, f]) => f)
      expect(await db.friends.where('tags').anyOf(['red', 'blue']).distinct().toArray()).toEqual(distinct)
      expect(await db.friends.where('tags').anyOf(['red', 'blue']).count()).toBe(entries.length)
      expect(await db.friends.orderBy('tags').uniqueKeys()).toEqual([...new Set(all().flatMap((f) => f.tags))].sort())
    })

    it('modifies the records a query selects', async () => {
      const young = all().filter((f) => f.age < 25)
      expect(young.length).toBeGreaterThan(0)
      const changed = await db.friends.where('age').below(25).modify((f) => { f.age += 1; f.young = true })
      expect(changed).toBe(young.length)
      for (const f of young) model.set(f.id, { ...f, age: f.age + 1, young: true })
      expect(await db.friends.toArray()).toEqual(all())
      const deleted = await db.friends.where('city').equals('Cork').and((f) => f.score < 20).delete()
      const gone = all().filter((f) => f.city === 'Cork' && f.score < 20)
      expect(deleted).toBe(gone.length)
      for (const f of gone) model.delete(f.id)
      expect(await db.friends.count()).toBe(model.size)
    })

    it('runs bulkPut, bulkGet, bulkDelete and auto-increments new keys', async () => {
      const maxId = Math.max(...model.keys())
      const updates = all().slice(0, 30).map((f) => ({ ...f, score: -f.score }))
      const fresh = [{ id: maxId + 1, name: 'Zed A.', nameLower: 'zed a.', age: 33, city: 'Nice', tags: ['vip'], score: 1 }]
      await db.friends.bulkPut([...updates, ...fresh])
      for (const f of [...updates, ...fresh]) model.set(f.id, f)
      const autoId = await db.friends.add({ name: 'Auto B.', nameLower: 'auto b.', age: 44, city: 'Bern', tags: [], score: 2 })
      expect(autoId).toBe(maxId + 2)
      model.set(autoId, { id: autoId, name: 'Auto B.', nameLower: 'auto b.', age: 44, city: 'Bern', tags: [], score: 2 })
      const ask = [1, 2, maxId + 1, maxId + 100, autoId, 17]
      expect(await db.friends.bulkGet(ask)).toEqual(ask.map((id) => model.get(id)))
      const doomed = all().filter((f) => f.id % 7 === 0).map((f) => f.id)
      await db.friends.bulkDelete(doomed)
      for (const id of doomed) model.delete(id)
      expect(await db.friends.toArray()).toEqual(all())
      expect(await db.friends.where('tags').equals('vip').count()).toBe(all().filter((f) => f.tags.includes('vip')).length)
    })

    it('rolls a transaction back when its callback throws or a write fails', async () => {
      const before = all()
      const notesBefore = await db.notes.toArray()
      await expect(db.transaction('rw', db.friends, db.notes, async () => {
        await db.friends.put({ ...before[0], age: 999 })
        await db.friends.delete(before[1].id)
        await db.notes.add({ friendId: before[0].id, text: 'never' })
        expect(await db.friends.get(before[0].id)).toMatchObject({ age: 999 })
        throw new Error('boom')
      })).rejects.toThrow('boom')
      expect(await db.friends.toArray()).toEqual(before)
      expect(await db.notes.toArray()).toEqual(notesBefore)
      // A key that already exists: add() fails with ConstraintError and the whole transaction aborts.
      const err = await db.transaction('rw', db.friends, async () => {
        await db.friends.update(before[2].id, { city: 'Nowhere' })
        await db.friends.add({ ...before[3] })
      }).catch((e) => e)
      expect(err?.name).toBe('ConstraintError')
      expect(await db.friends.toArray()).toEqual(before)
      expect(await db.friends.where('city').equals('Nowhere').count()).toBe(0)
    })

    it('counts by store and by index', async () => {
      expect(await db.friends.count()).toBe(model.size)
      for (const city of CITIES) expect(await db.friends.where('city').equals(city).count()).toBe(all().filter((f) => f.city === city).length)
      expect(await db.friends.where('age').between(40, 50, true, true).count()).toBe(all().filter((f) => f.age >= 40 && f.age <= 50).length)
      expect(await db.notes.count()).toBe(notesModel.length)
    })

    it('finds the same data and schema after the database is reopened', async () => {
      db.close()
      const again = await env.reopen()
      db = open(again)
      await db.open()
      expect(db.verno).toBe(2)
      expect(await db.friends.toArray()).toEqual(all())
      expect(await db.friends.where('[city+age]').between(['Bern', 0], ['Bern', 200]).primaryKeys())
        .toEqual(byIndex(all().filter((f) => f.city === 'Bern'), (f) => f.age).map((f) => f.id))
      expect(await db.notes.toArray()).toEqual(notesModel)
    })
  })
}
