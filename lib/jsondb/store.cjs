'use strict'

// DocStore and DocIndex: the object store and index API, the same inside and
// outside a transaction. Each checks its arguments and calls its context,
// which is either the native JsonDB (each call its own transaction, run in
// one worker trip) or a native transaction (reads at its snapshot plus its
// own writes); both expose the same native methods:
//
//   put(store, json, key, noOverwrite) → Promise<key>
//   putMany(store, jsons, count) → Promise<key[] | Float64Array> (`count` documents as one
//       string, each JSON text ended by '\n', which JSON text never holds raw)
//   get(store, index, key, range) → Promise<json | undefined>
//   getSync(store, index, key, range) → json | undefined
//   getMemory(store, index, key, range) → json | undefined, or null when
//       the read needs file I/O (then get() runs on a worker)
//   getKey(store, index, key, range) → Promise<key | undefined>
//   getAll(store, index, range, limit, direction) → Promise<json array text>
//   getAllKeys(store, index, range, limit, direction) → Promise<key[] | Float64Array>
//   count(store, index, range) → Promise<number>
//   delete(store, key, range) → Promise<void>
//   clear(store) → Promise<void>
//   query(store, description, kind) → Promise<json array text | number | plan>
//   cursor(store, index, range, direction) → native cursor (see cursor.cjs)
//   queryCursor(store, description) → native cursor over the documents
//
// `index` is an index name or null (the store itself); a point read passes
// `key` and a null range, a range read undefined and a KeyRange (or null for
// every key). Results are JSON text, parsed here once per call.

const validate = require('../validate.cjs')
const { toKey } = require('./key.cjs')
const { KeyRange, toRange } = require('./key-range.cjs')
const { toJson } = require('./json.cjs')
const { name: checkName } = require('./schema.cjs')
const { Query } = require('./query-builder.cjs')
const { openCursor } = require('./cursor.cjs')

const GET_ALL_OPTIONS = new Set(['limit', 'direction'])
const ITERATE_OPTIONS = new Set(['range', 'limit', 'direction'])
const DIRECTIONS = ['next', 'prev', 'nextunique', 'prevunique']
const kConstruct = Symbol('flowdb.docStore.construct')

function getAllOptions (options, method) {
  const o = validate.optionsObject(options, `${method}() options`)
  validate.checkKnownKeys(o, GET_ALL_OPTIONS, `${method}() options`)
  const limit = o.limit === undefined ? -1 : validate.integer(o.limit, `${method}() options.limit`, 0, 2 ** 32 - 1)
  const direction = o.direction === undefined ? 'next' : validate.oneOf(o.direction, `${method}() options.direction`, DIRECTIONS)
  return [limit, direction]
}

// A point read's key, or undefined when `query` is a KeyRange.
function pointKey (query, what) {
  return query instanceof KeyRange ? undefined : toKey(query, what)
}

// Native calls return many keys as an Array, or as a Float64Array when all
// are numbers: users get an Array.
function keyArray (keys) {
  return Array.isArray(keys) ? keys : Array.from(keys)
}

function parse (text) {
  return text === undefined ? undefined : JSON.parse(text)
}

// Shared by DocStore and DocIndex: reads through `ctx` (the transaction or
// database context, see jsondb.cjs), naming `index` (null for the store).
class Reader {
  #ctx
  #store
  #index

  constructor (ctx, store, index) {
    this.#ctx = ctx
    this.#store = store
    this.#index = index
  }

  async get (query) {
    const c = this.#ctx.begin('get')
    try {
      const key = pointKey(query, 'key')
      const range = key === undefined ? query : null
      const fast = c.native.getMemory(this.#store, this.#index, key, range)
      if (fast !== null) return parse(fast)
      return parse(await c.native.get(this.#store, this.#index, key, range))
    } finally {
      c.end()
    }
  }

  getSync (query) {
    const c = this.#ctx.begin('getSync')
    try {
      const key = pointKey(query, 'key')
      return parse(c.native.getSync(this.#store, this.#index, key, key === undefined ? query : null))
    } finally {
      c.end()
    }
  }

  async getKey (query) {
    const c = this.#ctx.begin('getKey')
    try {
      const key = pointKey(query, 'key')
      return await c.native.getKey(this.#store, this.#index, key, key === undefined ? query : null)
    } finally {
      c.end()
    }
  }

  async getAll (query, options) {
    const c = this.#ctx.begin('getAll')
    try {
      const range = toRange(query, 'query', true)
      const [limit, direction] = getAllOptions(options, 'getAll')
      return JSON.parse(await c.native.getAll(this.#store, this.#index, range, limit, direction))
    } finally {
      c.end()
    }
  }

  async getAllKeys (query, options) {
    const c = this.#ctx.begin('getAllKeys')
    try {
      const range = toRange(query, 'query', true)
      const [limit, direction] = getAllOptions(options, 'getAllKeys')
      return keyArray(await c.native.getAllKeys(this.#store, this.#index, range, limit, direction))
    } finally {
      c.end()
    }
  }

  async count (query) {
    const c = this.#ctx.begin('count')
    try {
      return await c.native.count(this.#store, this.#index, toRange(query, 'query', true))
    } finally {
      c.end()
    }
  }

  iterate (options) {
    const c = this.#ctx.begin('iterate')
    try {
      const o = validate.optionsObject(options, 'iterate() options')
      validate.checkKnownKeys(o, ITERATE_OPTIONS, 'iterate() options')
      const range = toRange(o.range, 'iterate() options.range', true)
      const limit = o.limit === undefined ? Infinity : validate.integer(o.limit, 'iterate() options.limit', 0, Number.MAX_SAFE_INTEGER)
      const direction = o.direction === undefined ? 'next' : validate.oneOf(o.direction, 'iterate() options.direction', DIRECTIONS)
      const native = limit === 0 ? null : c.native.cursor(this.#store, this.#index, range, direction)
      return openCursor(c.owner, native, limit, false)
    } finally {
      c.end()
    }
  }
}

/** An index of a store (see index.d.ts DocIndex). */
class DocIndex {
  #reader
  #name

  constructor (token, ctx, store, name) {
    if (token !== kConstruct) throw new TypeError('Use store.index(name) to get an index')
    this.#name = name
    this.#reader = new Reader(ctx, store, name)
  }

  get name () { return this.#name }
  get (query) { return this.#reader.get(query) }
  getSync (query) { return this.#reader.getSync(query) }
  getKey (query) { return this.#reader.getKey(query) }
  getAll (query, options) { return this.#reader.getAll(query, options) }
  getAllKeys (query, options) { return this.#reader.getAllKeys(query, options) }
  count (query) { return this.#reader.count(query) }
  iterate (options) { return this.#reader.iterate(options) }
}

/** An object store (see index.d.ts DocStore). */
class DocStore {
  #ctx
  #name
  #reader

  // ctx: { begin(method, writes) → { native, owner, end() } } — checks
  // that the database (and transaction) is usable and counts the call.
  constructor (token, ctx, name) {
    if (token !== kConstruct) throw new TypeError('Use db.store(name) or tx.store(name) to get a store')
    this.#ctx = ctx
    this.#name = name
    this.#reader = new Reader(ctx, name, null)
  }

  static create (ctx, name) {
    return new DocStore(kConstruct, ctx, checkName(name, 'store name'))
  }

  get name () { return this.#name }

  put (doc, key) { return this.#put('put', doc, key, false) }
  add (doc, key) { return this.#put('add', doc, key, true) }

  async #put (method, doc, key, noOverwrite) {
    const c = this.#ctx.begin(method, true)
    try {
      const json = toJson(doc, 'document')
      const k = key === undefined ? undefined : toKey(key, 'key')
      return await c.native.put(this.#name, json, k, noOverwrite)
    } finally {
      c.end()
    }
  }

  async putMany (docs) {
    const c = this.#ctx.begin('putMany', true)
    try {
      if (!Array.isArray(docs)) throw new TypeError(`putMany() expects an array of documents, got ${validate.describe(docs)}`)
      if (docs.length === 0) return []
      // One string crosses to native code instead of one per document.
      let texts = ''
      for (let i = 0; i < docs.length; i++) texts += toJson(docs[i], 'docs', i) + '\n'
      return keyArray(await c.native.putMany(this.#name, texts, docs.length))
    } finally {
      c.end()
    }
  }

  get (query) { return this.#reader.get(query) }
  getSync (query) { return this.#reader.getSync(query) }
  getKey (query) { return this.#reader.getKey(query) }
  getAll (query, options) { return this.#reader.getAll(query, options) }
  getAllKeys (query, options) { return this.#reader.getAllKeys(query, options) }
  count (query) { return this.#reader.count(query) }
  iterate (options) { return this.#reader.iterate(options) }

  async delete (query) {
    const c = this.#ctx.begin('delete', true)
    try {
      const key = pointKey(query, 'key')
      await c.native.delete(this.#name, key, key === undefined ? query : null)
    } finally {
      c.end()
    }
  }

  async clear () {
    const c = this.#ctx.begin('clear', true)
    try {
      await c.native.clear(this.#name)
    } finally {
      c.end()
    }
  }

  index (name) {
    return new DocIndex(kConstruct, this.#ctx, this.#name, checkName(name, 'index name'))
  }

  query () {
    const ctx = this.#ctx
    const store = this.#name
    const run = async (method, description, kind) => {
      const c = ctx.begin(method)
      try {
        return await c.native.query(store, description, kind)
      } finally {
        c.end()
      }
    }
    return Query.create({
      toArray: async (d) => JSON.parse(await run('toArray', d, QUERY_DOCUMENTS)),
      count: (d) => run('count', d, QUERY_COUNT),
      explain: (d) => run('explain', d, QUERY_EXPLAIN),
      iterate: (d) => {
        const c = ctx.begin('query')
        try {
          return openCursor(c.owner, d.limit === 0 ? null : c.native.queryCursor(store, d), Infinity, true)
        } finally {
          c.end()
        }
      }
    })
  }
}

// What native query() returns.
const QUERY_DOCUMENTS = 0
const QUERY_COUNT = 1
const QUERY_EXPLAIN = 2

module.exports = { DocStore, DocIndex }
