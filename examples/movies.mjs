#!/usr/bin/env node
// JsonDB on real data: 3,201 films from vega-datasets' movies.json (title,
// release date, genre, director, IMDB and Rotten Tomatoes ratings, grosses,
// budget). Each film becomes one JSON document in the object store 'movies'
// with four indexes:
//
//   bySlug        unique      'slug' ("Title (year)")
//   byGenreYear   compound    ['genre', 'year']
//   byWord        multiEntry  'words' (the lower-cased words of the title)
//   byRating                  'imdb.rating'
//
// It loads them in one transaction, answers questions through indexes,
// ranges with order and limit, moves documents between stores in a
// transaction, reopens the database, and checks every answer against a
// plain-JS computation over the same array; it prints "verified" or exits
// with status 1.
//
//   node examples/movies.mjs [--path DIR] [--sync-mode always|interval|none]

import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JsonDB, KeyRange, versions } from '../lib/index.mjs'

const { values: args } = parseArgs({
  options: {
    path: { type: 'string' },
    'sync-mode': { type: 'string', default: 'always' }
  }
})

const DATA = fileURLToPath(new URL('../data/movies.json', import.meta.resolve('vega-datasets')))

let failures = 0
function check (what, ok) {
  if (!ok) {
    failures++
    console.log(`  MISMATCH: ${what}`)
  }
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)

function rate (count, ms) {
  return `${Math.round(count / (ms / 1000)).toLocaleString('en-US')}/s`
}

// The source's fields, renamed to identifiers (key paths are dotted
// identifiers), with the year and the title words derived.
function toDocument (m, i) {
  const title = String(m.Title)
  const year = new Date(m['Release Date']).getFullYear()
  const doc = {
    id: i + 1,
    title,
    slug: `${title} (${year})`,
    year,
    words: [...new Set(title.toLowerCase().split(/[^\p{L}\p{N}']+/u).filter((w) => w.length > 0))],
    imdb: { rating: m['IMDB Rating'], votes: m['IMDB Votes'] },
    rottenTomatoes: m['Rotten Tomatoes Rating'],
    gross: { us: m['US Gross'], worldwide: m['Worldwide Gross'] },
    budget: m['Production Budget'],
    director: m.Director
  }
  // A missing genre leaves the document out of byGenreYear (IndexedDB's rule
  // for a key path that yields no key): store it as absent, not null.
  if (m['Major Genre'] !== null) doc.genre = m['Major Genre']
  return doc
}

const source = JSON.parse(readFileSync(DATA, 'utf8'))
const movies = source.map(toDocument)
const dir = args.path ?? mkdtempSync(join(tmpdir(), 'flowdb-movies-'))
const path = join(dir, 'movies-db')
const options = { path, syncMode: args['sync-mode'] }

console.log(`FlowDB ${versions.flowdb} (simdjson ${versions.simdjson}) — movies example (JsonDB)`)
let db = await JsonDB.open(options)
try {
  await db.applySchema([
    {
      name: 'movies',
      keyPath: 'id',
      indexes: [
        { name: 'bySlug', keyPath: 'slug', unique: true },
        { name: 'byGenreYear', keyPath: ['genre', 'year'] },
        { name: 'byWord', keyPath: 'words', multiEntry: true },
        { name: 'byRating', keyPath: 'imdb.rating' }
      ]
    },
    { name: 'watchlist', keyPath: 'id' }
  ])

  let t0 = performance.now()
  await db.transaction('movies', 'readwrite', async (tx) => {
    await tx.store('movies').putMany(movies)
  })
  const loadMs = performance.now() - t0
  console.log(`loaded ${movies.length.toLocaleString('en-US')} movies with 4 indexes in one transaction in ${loadMs.toFixed(1)} ms (${rate(movies.length, loadMs)}, syncMode '${options.syncMode}')`)

  const store = db.store('movies')

  // 1. One film by its unique slug.
  t0 = performance.now()
  const titanic = await store.index('bySlug').get('Titanic (1997)')
  console.log(`Titanic (1997): directed by ${titanic?.director}, IMDB ${titanic?.imdb.rating}, worldwide gross $${titanic?.gross.worldwide?.toLocaleString('en-US')} (${(performance.now() - t0).toFixed(2)} ms)`)
  check('Titanic by slug', same(titanic, movies.find((m) => m.slug === 'Titanic (1997)')))

  // 2. Dramas of the 1990s: an equality and a range on the compound index.
  const dramas = await store.index('byGenreYear').getAll(KeyRange.bound(['Drama', 1990], ['Drama', 1999]))
  const dramasJs = movies.filter((m) => m.genre === 'Drama' && m.year >= 1990 && m.year <= 1999)
    .sort((a, b) => a.year - b.year || a.id - b.id)
  console.log(`dramas released 1990-1999: ${dramas.length}`)
  check('dramas of the 1990s', same(dramas, dramasJs))
  const dramaCount = await store.query().whereEq('genre', 'Drama').whereRange('year', { gte: 1990, lte: 1999 }).count()
  check('dramas of the 1990s (query count)', dramaCount === dramasJs.length)

  // 3. The ten best-rated films with at least 50,000 votes: a range on
  // byRating, in descending order, a residual filter on votes, a limit.
  t0 = performance.now()
  const top = await store.query()
    .whereRange('imdb.rating', { gte: 8 })
    .whereRange('imdb.votes', { gte: 50000 })
    .orderBy('imdb.rating', 'desc')
    .limit(10)
    .toArray()
  const topMs = performance.now() - t0
  const topJs = movies.filter((m) => m.imdb.rating >= 8 && m.imdb.votes >= 50000)
    .sort((a, b) => b.imdb.rating - a.imdb.rating || b.id - a.id).slice(0, 10)
  console.log(`top 10 by IMDB rating (≥ 50,000 votes), ${topMs.toFixed(2)} ms:`)
  for (const m of top) console.log(`  ${m.imdb.rating.toFixed(1)}  ${m.slug}`)
  check('top 10 ratings', same(top.map((m) => m.imdb.rating), topJs.map((m) => m.imdb.rating)))
  check('top 10 pass the filters', top.every((m) => m.imdb.votes >= 50000 && m.imdb.rating >= 8))

  // 4. Films with "love" in the title, through the multiEntry index.
  const love = await store.index('byWord').getAll('love')
  const loveJs = movies.filter((m) => m.words.includes('love'))
  console.log(`titles with the word "love": ${love.length} (e.g. ${love.slice(0, 3).map((m) => m.slug).join('; ')})`)
  check('love titles', same(love, loveJs))

  // 5. Directors: the most prolific, counted from a full scan with a cursor.
  const byDirector = new Map()
  for await (const { value } of store.iterate()) {
    if (value.director) byDirector.set(value.director, (byDirector.get(value.director) ?? 0) + 1)
  }
  const [director, films] = [...byDirector].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]
  const spielbergJs = movies.filter((m) => m.director === director).length
  console.log(`most films in the data: ${director} (${films})`)
  check('director count', films === spielbergJs)

  // 6. Queries per second on a hot index query.
  t0 = performance.now()
  let n = 0
  while (performance.now() - t0 < 300) {
    await store.index('byGenreYear').count(KeyRange.bound(['Comedy', 2000], ['Comedy', 2009]))
    n++
  }
  console.log(`index range count: ${rate(n, performance.now() - t0)}`)

  // 7. A transaction that moves the top 10 from 'movies' to 'watchlist':
  // both stores change together or not at all.
  await db.transaction(['movies', 'watchlist'], 'readwrite', async (tx) => {
    for (const m of top) {
      await tx.store('watchlist').add(m)
      await tx.store('movies').delete(m.id)
    }
  })
  check('moved to the watchlist', await db.store('watchlist').count() === 10)
  check('removed from movies', await store.count() === movies.length - 10)
  check('index no longer finds a moved film', (await store.index('bySlug').get(top[0].slug)) === undefined)
  // A move that fails half way (a duplicate in the watchlist) changes nothing.
  const failed = await db.transaction(['movies', 'watchlist'], 'readwrite', async (tx) => {
    const next = await tx.store('movies').index('byRating').getAll(KeyRange.lowerBound(8.5), { direction: 'prev', limit: 1 })
    await tx.store('movies').delete(next[0].id)
    await tx.store('watchlist').add(top[0]) // already there: FLOWDB_CONSTRAINT
  }).then(() => null, (err) => err.code)
  console.log(`a move that hits a duplicate is rolled back: ${failed}`)
  check('failed move rolled back', failed === 'FLOWDB_CONSTRAINT' && await store.count() === movies.length - 10)

  // 8. Reopen: everything is still there.
  await db.close()
  t0 = performance.now()
  db = await JsonDB.open(options)
  console.log(`reopened in ${(performance.now() - t0).toFixed(1)} ms: stores ${db.objectStoreNames.join(', ')}`)
  check('movies after reopen', await db.store('movies').count() === movies.length - 10)
  check('watchlist after reopen', same(await db.store('watchlist').getAll(), top.slice().sort((a, b) => a.id - b.id)))
  check('love titles after reopen', (await db.store('movies').index('byWord').count('love')) === loveJs.length - love.filter((m) => top.some((t) => t.id === m.id)).length)
} finally {
  await db.close()
  if (args.path === undefined) rmSync(dir, { recursive: true, force: true })
}

if (failures > 0) {
  console.log(`${failures} answer(s) did not match the plain-JS computation`)
  process.exit(1)
}
console.log('verified: every answer matches a plain-JS computation over the same data')
