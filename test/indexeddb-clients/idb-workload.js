// idb (Jake Archibald's promise wrapper) workload on one IndexedDB provider:
// a version-2 upgrade that adds indexes (compound and multiEntry) and a store
// filled while migrating the records with a cursor, then index reads,
// cursors in every direction (`for await`, index iterate, advance, continue
// to a key, update and delete through a cursor), transactions that roll back
// and the data after reopening. Expected results come from a plain JS model.
// idb remembers the IDB* classes it first sees (for its instanceof checks), so
// each provider runs in a test file of its own (idb-*.test.js), which vitest
// runs in a fresh module graph.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDB, deleteDB } from 'idb'
import { title, installGlobals, byIndex, cmpKey } from './providers.js'
import { rng } from '../helpers/random.js'

const N = 300
const AUTHORS = ['Austen', 'Borges', 'Calvino', 'Dickens', 'Eco', 'Fontane', 'Grass', 'Hesse', 'Ibsen']
const GENRES = ['novel', 'poetry', 'essay', 'drama', 'satire']

function books () {
  const random = rng(11)
  const out = []
  for (let i = 1; i <= N; i++) {
    const genres = [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => GENRES[Math.floor(random() * GENRES.length)]))]
    out.push({ isbn: `isbn-${String(i).padStart(4, '0')}`, title: `Book ${i}`, author: AUTHORS[Math.floor(random() * AUTHORS.length)], year: 1900 + Math.floor(random() * 120), genres, pages: 80 + Math.floor(random() * 700) })
  }
  return out
}

const NAME = 'idb-workload'

async function upgrade (db, oldVersion, newVersion, tx) {
  if (oldVersion < 1) {
    db.createObjectStore('books', { keyPath: 'isbn' }).createIndex('author', 'author')
  }
  if (oldVersion < 2 && newVersion >= 2) {
    const store = tx.objectStore('books')
    store.createIndex('byYear', 'year')
    store.createIndex('authorYear', ['author', 'year'])
    store.createIndex('genres', 'genres', { multiEntry: true })
    const loans = db.createObjectStore('loans', { keyPath: 'id', autoIncrement: true })
    loans.createIndex('isbn', 'isbn', { unique: true })
    for (let cursor = await store.openCursor(); cursor; cursor = await cursor.continue()) {
      const book = cursor.value
      await cursor.update({ ...book, decade: book.year - (book.year % 10) })
      if (book.pages > 600) await loans.add({ isbn: book.isbn, borrower: `reader of ${book.author}` })
    }
  }
}

/** Defines the idb workload's tests on `provider` (an entry of providers.js). */
export function idbWorkload (provider) {
  describe.skipIf(!provider.available)(`idb on ${title(provider)}`, () => {
    let env, db, restore
    let model // isbn -> book
    let loansModel
    const all = () => [...model.values()].sort((a, b) => cmpKey(a.isbn, b.isbn))
    const isbn = (b) => b.isbn

    beforeAll(async () => {
      env = await provider.make()
      restore = installGlobals(env)
      const v1 = await openDB(NAME, 1, { upgrade })
      const tx = v1.transaction('books', 'readwrite')
      await Promise.all([...books().map((b) => tx.store.add(b)), tx.done])
      expect(await v1.count('books')).toBe(N)
      v1.close()
      model = new Map(books().map((b) => [b.isbn, { ...b, decade: b.year - (b.year % 10) }]))
      loansModel = books().filter((b) => b.pages > 600).map((b, i) => ({ id: i + 1, isbn: b.isbn, borrower: `reader of ${b.author}` }))
      db = await openDB(NAME, 2, { upgrade })
    })

    afterAll(async () => {
      db?.close()
      if (env) {
        await deleteDB(NAME)
        restore()
        await env.cleanup()
      }
    })

    it('upgrades to version 2 with new indexes and data migrated by a cursor', async () => {
      expect(db.version).toBe(2)
      expect([...db.objectStoreNames]).toEqual(['books', 'loans'])
      expect([...db.transaction('books').store.indexNames]).toEqual(['author', 'authorYear', 'byYear', 'genres'])
      expect(await db.getAll('books')).toEqual(all())
      expect(loansModel.length).toBeGreaterThan(20)
      expect(await db.getAll('loans')).toEqual(loansModel)
      expect(await db.getFromIndex('loans', 'isbn', loansModel[4].isbn)).toEqual(loansModel[4])
    })

    it('reads through indexes: getAll, getAllKeys, count, get with ranges and limits', async () => {
      for (const author of AUTHORS) {
        expect(await db.getAllFromIndex('books', 'author', author)).toEqual(all().filter((b) => b.author === author))
        expect(await db.countFromIndex('books', 'author', author)).toBe(all().filter((b) => b.author === author).length)
      }
      expect(await db.getAll('books', IDBKeyRange.bound('isbn-0100', 'isbn-0200'), 10)).toEqual(all().filter((b) => b.isbn >= 'isbn-0100').slice(0, 10))
      const year = (b) => b.year
      expect(await db.getAllKeysFromIndex('books', 'byYear', IDBKeyRange.lowerBound(2000, true)))
        .toEqual(byIndex(all().filter((b) => b.year > 2000), year, isbn).map(isbn))
      expect(await db.getAllFromIndex('books', 'authorYear', IDBKeyRange.bound(['Eco', 1950], ['Eco', 1990])))
        .toEqual(byIndex(all().filter((b) => b.author === 'Eco' && b.year >= 1950 && b.year <= 1990), year, isbn))
      for (const genre of GENRES) {
        expect(await db.getAllKeysFromIndex('books', 'genres', genre)).toEqual(all().filter((b) => b.genres.includes(genre)).map(isbn))
      }
      expect(await db.countFromIndex('books', 'genres')).toBe(all().reduce((n, b) => n + b.genres.length, 0))
      const first = byIndex(all().filter((b) => b.year === all()[9].year), year, isbn)[0]
      expect(await db.getFromIndex('books', 'byYear', all()[9].year)).toEqual(first)
      expect(await db.getKey('books', IDBKeyRange.lowerBound('isbn-0150', true))).toBe('isbn-0151')
      expect(await db.get('books', 'isbn-9999')).toBeUndefined()
    })

    it('walks cursors: for await over the store, index iterate, prev, nextunique, advance, continue(key)', async () => {
      const tx = db.transaction('books')
      const seen = []
      for await (const cursor of tx.store) seen.push(cursor.value)
      expect(seen).toEqual(all())

      const range = IDBKeyRange.bound(['Hesse', 1920], ['Hesse', 2000], false, true)
      const hesse = []
      for await (const cursor of tx.store.index('authorYear').iterate(range)) hesse.push([cursor.key, cursor.primaryKey])
      expect(hesse).toEqual(byIndex(all().filter((b) => b.author === 'Hesse' && b.year >= 1920 && b.year < 2000), (b) => b.year, isbn).map((b) => [['Hesse', b.year], b.isbn]))

      const prev = []
      for (let c = await tx.store.index('byYear').openCursor(null, 'prev'); c; c = await c.continue()) prev.push(c.primaryKey)
      // 'prev' visits index keys descending and, within a key, primary keys descending.
      expect(prev).toEqual(byIndex(all(), (b) => b.year, isbn).reverse().map(isbn))

      const unique = []
      for (let c = await tx.store.index('author').openKeyCursor(null, 'nextunique'); c; c = await c.continue()) unique.push([c.key, c.primaryKey])
      expect(unique).toEqual([...AUTHORS].sort().map((a) => [a, all().find((b) => b.author === a).isbn]))

      const every10 = []
      let c = await tx.store.openCursor()
      while (c) { every10.push(c.key); c = await c.advance(10) }
      expect(every10).toEqual(all().filter((_, i) => i % 10 === 0).map(isbn))

      c = await tx.store.openCursor()
      c = await c.continue('isbn-0250')
      expect(c.value).toEqual(model.get('isbn-0250'))
      const poetryPrev = []
      for await (const g of tx.store.index('genres').iterate('poetry', 'prev')) poetryPrev.push(g.primaryKey)
      expect(poetryPrev).toEqual(all().filter((b) => b.genres.includes('poetry')).map(isbn).reverse())
      await tx.done
    })

    it('updates and deletes through a cursor on an index', async () => {
      const tx = db.transaction('books', 'readwrite')
      for await (const cursor of tx.store.index('byYear').iterate(IDBKeyRange.upperBound(1930))) {
        if (cursor.value.pages < 200) await cursor.delete()
        else await cursor.update({ ...cursor.value, pages: cursor.value.pages + 1 })
      }
      await tx.done
      for (const b of all()) {
        if (b.year > 1930) continue
        if (b.pages < 200) model.delete(b.isbn)
        else model.set(b.isbn, { ...b, pages: b.pages + 1 })
      }
      expect(model.size).toBeLessThan(N)
      expect(await db.getAll('books')).toEqual(all())
      expect(await db.countFromIndex('books', 'genres', 'drama')).toBe(all().filter((b) => b.genres.includes('drama')).length)
    })

    it('rolls back a transaction on a failed add and on abort(); a unique index rejects a duplicate', async () => {
      const before = all()
      const loansBefore = await db.getAll('loans')
      const tx = db.transaction(['books', 'loans'], 'readwrite')
      const writes = [
        tx.objectStore('books').put({ ...before[0], title: 'changed' }),
        tx.objectStore('books').delete(before[1].isbn),
        tx.objectStore('loans').add({ isbn: 'isbn-new', borrower: 'x' }),
        tx.objectStore('books').add({ ...before[2] }) // exists: ConstraintError
      ]
      const outcomes = await Promise.allSettled([...writes, tx.done])
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected'])
      expect(outcomes[3].reason.name).toBe('ConstraintError')
      expect(await db.getAll('books')).toEqual(before)
      expect(await db.getAll('loans')).toEqual(loansBefore)

      const tx2 = db.transaction('loans', 'readwrite')
      // abort() after a successful write: the write is undone.
      await tx2.store.add({ isbn: 'isbn-fresh', borrower: 'y' })
      tx2.abort()
      const done = await tx2.done.catch((e) => e)
      expect(done?.name).toBe('AbortError')
      expect(await db.getAll('loans')).toEqual(loansBefore)
      const dup = await db.add('loans', { isbn: loansBefore[0].isbn, borrower: 'z' }).catch((e) => e)
      expect(dup?.name).toBe('ConstraintError')
      expect(await db.count('loans')).toBe(loansBefore.length)
    })

    it('keeps the data and schema when the database is reopened', async () => {
      db.close()
      const again = await env.reopen()
      restore()
      restore = installGlobals(again)
      db = await openDB(NAME, 2, { upgrade })
      expect(await db.getAll('books')).toEqual(all())
      expect(await db.getAllKeysFromIndex('books', 'genres', 'essay')).toEqual(all().filter((b) => b.genres.includes('essay')).map(isbn))
      // The key generator continues after the highest key it issued.
      const id = await db.add('loans', { isbn: 'isbn-after-reopen', borrower: 'w' })
      expect(id).toBe(loansModel.length + 1)
    })
  })
}
