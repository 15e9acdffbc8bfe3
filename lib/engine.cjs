'use strict'

// Engine: the JS face of one open FlowDB database. It validates arguments
// and options, applies defaults, encodes writes and decodes reads; its
// Lifecycle (lifecycle.cjs) counts the operations in flight and the open
// scans, so that close() can end the scans and wait for the operations.

const path = require('node:path')
const binding = require('./binding.cjs')
const validate = require('./validate.cjs')
const encoding = require('./encoding.cjs')
const { Scan } = require('./scan.cjs')
const { ChangeFeed } = require('./changes.cjs')
const { Lifecycle } = require('./lifecycle.cjs')
const { Snapshot, kConstruct: kSnapshot } = require('./snapshot.cjs')
const { OPEN_OPTIONS, resolveOpenOptions, nativeOpenOptions } = require('./options.cjs')
const { statsWithRatios, prometheusText } = require('./metrics.cjs')
const { tighter, keyBound, tsBounds, scanLimit } = require('./range.cjs')

const { maxKeySize, maxValueSize, getIntoResults, compression } = binding.constants

const GET_OPTIONS = new Set(['valueEncoding', 'snapshot'])
const GET_LATEST_OPTIONS = new Set(['keyEncoding', 'valueEncoding', 'snapshot'])
const PATCH_OPTIONS = new Set(['value', 'ttl', 'expireAt', 'valueEncoding'])
const PUT_OPTIONS = new Set(['expireAt', 'ttl', 'valueEncoding'])
const WRITE_BATCH_OPTIONS = new Set(['valueEncoding'])
const CHANGES_OPTIONS = new Set(['since', 'keyEncoding', 'valueEncoding'])
const SCAN_OPTIONS = new Set(['prefix', 'gt', 'gte', 'lt', 'lte', 'ts', 'reverse', 'limit', 'keyEncoding', 'valueEncoding', 'snapshot'])

function batchLabel (i, field) {
  return field === null ? `records[${i}]` : `records[${i}].${field}`
}

function putLabel (i, field) {
  return field === 'key' || field === 'ts' || field === 'value' ? field : `options.${field}`
}

function deleteLabel (i, field) {
  return field === 'key' ? 'key' : 'ts'
}

function deleteBatchLabel (i, field) {
  return field === 'key' ? `pairs[${i}][0]` : `pairs[${i}][1]`
}

function encodingOption (given, name, choices, fallback, where) {
  const value = given[name]
  return value === undefined ? fallback : validate.oneOf(value, `${where}.${name}`, choices)
}

const kConstruct = Symbol('flowdb.engine.construct')

// Native getInto/getLatestInto results that are not byte counts.
const INTO_NOT_FOUND = getIntoResults.notFound
const INTO_WOULD_BLOCK = getIntoResults.wouldBlock
// Values up to this size come back through the shared buffer.
const SHARED_BUFFER_SIZE = 64 * 1024

class Engine {
  #native
  // State, operations in flight and open scans; also the owner handed to
  // scans and snapshots.
  #life = new Lifecycle('engine')
  #bigint
  #keyEncoding
  #valueEncoding
  #limits // for encodeBatch: sizes and the ttl basis
  // Sync reads copy their result into this JS-owned buffer instead of
  // allocating one ArrayBuffer per read; the result is copied out of it.
  #shared = Buffer.alloc(SHARED_BUFFER_SIZE)

  /**
   * Opens (creating if allowed) a database. See index.d.ts for the options.
   */
  static async open (options) {
    const resolved = resolveOpenOptions(options)
    const native = await binding.open(resolved.path, nativeOpenOptions(resolved))
    return new Engine(kConstruct, native, resolved)
  }

  /**
   * Salvages a damaged database that is not open: keeps every SSTable that
   * reads whole, rewrites the readable part of a damaged one, turns the
   * readable WAL records into SSTables, writes a new MANIFEST and moves what
   * it replaced or could not read to `lost/` inside the directory. Resolves
   * to a report of what was kept and dropped. See index.d.ts.
   */
  static async repair (options) {
    if (options === undefined) throw new TypeError('Engine.repair() needs an options object with a path')
    const given = validate.optionsObject(options, 'options')
    const names = ['path', 'blockSize', 'blockRestartInterval', 'bloomBitsPerKey', 'compression']
    validate.checkKnownKeys(given, new Set(names), 'Engine.repair() options')
    if (given.path === undefined) throw new TypeError('options.path is required')
    validate.string(given.path, 'options.path')
    if (given.path === '') throw new TypeError('options.path must be a non-empty string')
    const resolved = {}
    for (const name of names.slice(1)) {
      const spec = OPEN_OPTIONS[name]
      const value = given[name]
      if (value === undefined) {
        resolved[name] = spec.default
      } else if (spec.choices) {
        validate.oneOf(value, `options.${name}`, spec.choices)
        resolved[name] = value
      } else {
        validate.integer(value, `options.${name}`, spec.range[0], spec.range[1])
        resolved[name] = value
      }
    }
    resolved.compression = compression[resolved.compression]
    return binding.repair(path.resolve(given.path), resolved)
  }

  constructor (token, native, options) {
    if (token !== kConstruct) throw new TypeError('Use Engine.open(options) to open a database')
    this.#native = native
    native.setSharedBuffer(this.#shared)
    this.#bigint = options.timestampType === 'bigint'
    this.#keyEncoding = options.keyEncoding
    this.#valueEncoding = options.valueEncoding
    this.#limits = Object.freeze({ maxKeySize, maxValueSize, ttlFromTs: options.ttlBasis === 'ts' })
  }

  /** 'open' | 'closing' | 'closed' */
  get status () {
    return this.#life.status
  }

  // --- writes ---------------------------------------------------------------

  async writeBatch (records, options) {
    this.#life.checkOpen('writeBatch')
    if (!Array.isArray(records)) throw new TypeError(`records must be an array, got ${validate.describe(records)}`)
    const json = this.#jsonWrites(options, WRITE_BATCH_OPTIONS, 'writeBatch')
    if (records.length === 0) return
    await this.#write(encoding.encodeBatch(records, json, batchLabel, this.#limits))
  }

  async put (key, ts, value, options) {
    this.#life.checkOpen('put')
    const json = this.#jsonWrites(options, PUT_OPTIONS, 'put')
    const record = { key, ts, value, expireAt: undefined, ttl: undefined }
    if (options !== undefined) {
      record.expireAt = options.expireAt
      record.ttl = options.ttl
    }
    await this.#write(encoding.encodeBatch([record], json, putLabel, this.#limits))
  }

  async del (key, ts) {
    this.#life.checkOpen('del')
    await this.#write(encoding.encodeBatch([{ type: 'del', key, ts }], false, deleteLabel, this.#limits))
  }

  async deleteBatch (pairs) {
    this.#life.checkOpen('deleteBatch')
    if (!Array.isArray(pairs)) throw new TypeError(`pairs must be an array of [key, ts], got ${validate.describe(pairs)}`)
    if (pairs.length === 0) return
    const records = new Array(pairs.length)
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i]
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new TypeError(`pairs[${i}] must be a [key, ts] array, got ${validate.describe(pair)}`)
      }
      records[i] = { type: 'del', key: pair[0], ts: pair[1] }
    }
    await this.#write(encoding.encodeBatch(records, false, deleteBatchLabel, this.#limits))
  }

  /**
   * Deletes every version (all ts) of every key in [start, end). Writes
   * made after it are visible. start > end is a RangeError; start == end
   * deletes nothing.
   */
  async deleteRange (start, end) {
    this.#life.checkOpen('deleteRange')
    const a = encoding.keyToBytes(validate.key(start, 'start', maxKeySize))
    const b = encoding.keyToBytes(validate.key(end, 'end', maxKeySize))
    const cmp = Buffer.compare(a, b)
    if (cmp > 0) throw new RangeError('deleteRange: start must not sort after end')
    if (cmp === 0) return
    this.#life.begin()
    try {
      await this.#native.deleteRange(a, b)
    } finally {
      this.#life.settled()
    }
  }

  /**
   * Atomically reads the record (key, ts), changes its value and/or expiry,
   * and writes it back; no other write can come in between. Resolves to the
   * new record; rejects with FLOWDB_NOT_FOUND if the record is absent,
   * deleted or expired.
   */
  async patchRecord (key, ts, changes) {
    this.#life.checkOpen('patchRecord')
    validate.key(key, 'key', maxKeySize)
    validate.int64(ts, 'ts')
    const c = validate.optionsObject(changes, 'changes')
    validate.checkKnownKeys(c, PATCH_OPTIONS, 'patchRecord() changes')
    const valueEncoding = encodingOption(c, 'valueEncoding', encoding.VALUE_ENCODINGS, this.#valueEncoding, 'changes')
    if (c.expireAt !== undefined && c.ttl !== undefined) {
      throw new TypeError('changes.expireAt and changes.ttl cannot both be given')
    }
    let value
    if (c.value !== undefined) {
      value = encoding.encodeValue(c.value, valueEncoding === 'json', 'changes.value')
      if (typeof value === 'string') value = Buffer.from(value, 'utf8')
      if (value.length > maxValueSize) {
        throw new RangeError(`changes.value must be at most ${maxValueSize} bytes, got ${value.length} bytes`)
      }
    }
    const expireAt = c.expireAt === undefined && c.ttl === undefined
      ? undefined
      : encoding.expiryOf(c.expireAt, c.ttl, ts, this.#limits.ttlFromTs, Date.now() * 1000,
        'changes.expireAt', 'changes.ttl')
    this.#life.begin()
    let found
    try {
      found = await this.#native.patch(key, ts, value, expireAt)
    } finally {
      this.#life.settled()
    }
    return this.#latestRecord(key, found, this.#keyEncoding, valueEncoding)
  }

  // --- point reads ----------------------------------------------------------

  // Point reads first try memory (memtables, cached blocks) on this thread:
  // that costs less than a trip to a worker thread, which only a read that
  // needs file I/O pays (native getInto returns INTO_WOULD_BLOCK then).

  async get (key, ts, options) {
    this.#life.checkOpen('get')
    validate.key(key, 'key', maxKeySize)
    validate.int64(ts, 'ts')
    const valueEncoding = this.#readValueEncoding(options, GET_OPTIONS, 'get')
    const snap = this.#snapshotOption(options)
    const r = this.#native.getInto(key, ts, true, snap)
    if (r !== INTO_WOULD_BLOCK) return this.#valueFromInto(r, valueEncoding)
    this.#life.begin()
    let buf
    try {
      buf = await this.#native.get(key, ts, snap)
    } finally {
      this.#life.settled()
    }
    return buf === undefined ? undefined : encoding.decodeValue(buf, valueEncoding)
  }

  getSync (key, ts, options) {
    this.#life.checkOpen('getSync')
    validate.key(key, 'key', maxKeySize)
    validate.int64(ts, 'ts')
    const valueEncoding = this.#readValueEncoding(options, GET_OPTIONS, 'getSync')
    return this.#valueFromInto(this.#native.getInto(key, ts, false, this.#snapshotOption(options)), valueEncoding)
  }

  async getLatest (key, options) {
    this.#life.checkOpen('getLatest')
    validate.key(key, 'key', maxKeySize)
    const [keyEncoding, valueEncoding] = this.#readEncodings(options, 'getLatest')
    const snap = this.#snapshotOption(options)
    const r = this.#native.getLatestInto(key, true, snap)
    if (r !== INTO_WOULD_BLOCK) return this.#latestFromInto(key, r, keyEncoding, valueEncoding)
    this.#life.begin()
    let found
    try {
      found = await this.#native.getLatest(key, snap)
    } finally {
      this.#life.settled()
    }
    return found === undefined ? undefined : this.#latestRecord(key, found, keyEncoding, valueEncoding)
  }

  getLatestSync (key, options) {
    this.#life.checkOpen('getLatestSync')
    validate.key(key, 'key', maxKeySize)
    const [keyEncoding, valueEncoding] = this.#readEncodings(options, 'getLatestSync')
    return this.#latestFromInto(key, this.#native.getLatestInto(key, false, this.#snapshotOption(options)), keyEncoding, valueEncoding)
  }

  // r: what getInto returned (a length in the shared buffer, a Buffer, or
  // INTO_NOT_FOUND).
  #valueFromInto (r, valueEncoding) {
    if (r === INTO_NOT_FOUND) return undefined
    if (typeof r !== 'number') return encoding.decodeValue(r, valueEncoding)
    return encoding.decodeValueAt(this.#shared, 0, r, valueEncoding)
  }

  // r: what getLatestInto returned; the record is ts | expireAt | value.
  #latestFromInto (key, r, keyEncoding, valueEncoding) {
    if (r === INTO_NOT_FOUND) return undefined
    const buf = typeof r === 'number' ? this.#shared : r
    const end = typeof r === 'number' ? r : r.length
    return {
      key: encoding.decodeKeyArgument(key, keyEncoding),
      ts: encoding.readInt64(buf, 0, this.#bigint),
      value: encoding.decodeValueAt(buf, 16, end, valueEncoding),
      expireAt: encoding.readExpireAt(buf, 8, this.#bigint)
    }
  }

  // --- scans ----------------------------------------------------------------

  scan (range) {
    this.#life.checkOpen('scan')
    const r = validate.optionsObject(range, 'range')
    if (range !== undefined) validate.checkKnownKeys(r, SCAN_OPTIONS, 'scan() range')

    let lower = keyBound(r, 'gt', 'gte')
    let upper = keyBound(r, 'lt', 'lte')
    if (r.prefix !== undefined) {
      const prefix = encoding.keyToBytes(validate.key(r.prefix, 'range.prefix', maxKeySize))
      const next = encoding.prefixUpperBound(prefix)
      lower = tighter(lower, { bytes: prefix, inclusive: true }, 1)
      upper = tighter(upper, next === null ? null : { bytes: next, inclusive: false }, -1)
    }
    const [tsMin, tsMax] = tsBounds(r.ts)
    const reverse = r.reverse === undefined ? false : validate.boolean(r.reverse, 'range.reverse')
    const limit = scanLimit(r.limit)
    const keyEncoding = encodingOption(r, 'keyEncoding', encoding.KEY_ENCODINGS, this.#keyEncoding, 'range')
    const valueEncoding = encodingOption(r, 'valueEncoding', encoding.VALUE_ENCODINGS, this.#valueEncoding, 'range')

    let empty = limit === 0 || tsMin > tsMax
    if (lower !== null && upper !== null) {
      const cmp = Buffer.compare(lower.bytes, upper.bytes)
      if (cmp > 0 || (cmp === 0 && !(lower.inclusive && upper.inclusive))) empty = true
    }
    const native = empty
      ? null
      : this.#native.iterator({
        lower: lower === null ? undefined : lower.bytes,
        lowerInclusive: lower === null ? true : lower.inclusive,
        upper: upper === null ? undefined : upper.bytes,
        upperInclusive: upper === null ? true : upper.inclusive,
        tsMin,
        tsMax,
        reverse,
        snapshot: this.#snapshotOption(r, 'range')
      })
    return new Scan(this.#life, native, limit, keyEncoding, valueEncoding, this.#bigint)
  }

  // --- maintenance and lifecycle --------------------------------------------

  /**
   * Pins the current state for reads given { snapshot }. Release it when
   * done; compaction keeps what it can see until then.
   */
  snapshot () {
    this.#life.checkOpen('snapshot')
    const [handle, sequence] = this.#native.snapshotCreate()
    return new Snapshot(kSnapshot, this.#native, handle, sequence, this.#life)
  }

  async flush () {
    this.#life.checkOpen('flush')
    await this.#life.track(this.#native.flush())
  }

  /**
   * Makes the engine writable again after a write-path I/O error (such as
   * FLOWDB_NO_SPACE) turned it read-only, once the cause is gone: starts a
   * new manifest if one failed, a new WAL segment, and flushes every
   * memtable. Resolves when writes are accepted again; rejects with the
   * error, the engine still read-only, if that work fails. Resolves at once
   * if the engine is not read-only.
   */
  async resume () {
    this.#life.checkOpen('resume')
    await this.#life.track(this.#native.resume())
  }

  /**
   * Flushes the memtable and merges every SSTable into one, dropping
   * overwritten, deleted and expired records that no snapshot can see.
   */
  async compact () {
    this.#life.checkOpen('compact')
    await this.#life.track(this.#native.compact())
  }

  /**
   * Deletes the SSTables whose records have all expired (when no older
   * SSTable holds versions they hide). Resolves to { files, records }
   * dropped. The background thread also does this about once a second.
   */
  async gc () {
    this.#life.checkOpen('gc')
    return this.#life.track(this.#native.gc())
  }

  /**
   * Reads every live SSTable whole and the unflushed WAL segments, checking
   * every checksum and each SSTable against the MANIFEST. Resolves to a
   * report; damage is listed in report.problems, not thrown.
   */
  async verify () {
    this.#life.checkOpen('verify')
    return this.#life.track(this.#native.verify())
  }

  /**
   * The batches committed after sequence number `since`, in order, as an
   * async iterable that waits for new commits once caught up (see
   * index.d.ts). The feed opens on the first next().
   */
  changes (options) {
    this.#life.checkOpen('changes')
    if (options === undefined) throw new TypeError('changes() needs an options object with since (a sequence number)')
    const o = validate.optionsObject(options, 'changes() options')
    validate.checkKnownKeys(o, CHANGES_OPTIONS, 'changes() options')
    if (o.since === undefined) throw new TypeError('changes() options.since is required: the last sequence number already consumed (0 for everything kept)')
    const since = validate.integer(o.since, 'options.since', 0, Number.MAX_SAFE_INTEGER)
    const keyEncoding = encodingOption(o, 'keyEncoding', encoding.KEY_ENCODINGS, this.#keyEncoding, 'options')
    const valueEncoding = encodingOption(o, 'valueEncoding', encoding.VALUE_ENCODINGS, this.#valueEncoding, 'options')
    return new ChangeFeed(this.#life, () => this.#native.changeFeed(since), keyEncoding, valueEncoding, this.#bigint)
  }

  /**
   * Writes a consistent copy of the database into `dir` while writes go on
   * (an online backup; see index.d.ts). Resolves to { sequence }, the last
   * sequence number the copy holds.
   */
  async checkpoint (dir) {
    this.#life.checkOpen('checkpoint')
    const target = validate.directory(dir, 'checkpoint() dir')
    return this.#life.track(this.#native.checkpoint(target))
  }

  stats () {
    this.#life.checkOpen('stats')
    return statsWithRatios(this.#native.stats())
  }

  /** stats() in the Prometheus text exposition format (version 0.0.4). */
  metrics () {
    return prometheusText(this.stats())
  }

  // Ends open scans, waits for operations in flight, then closes the
  // database. Idempotent: every call returns the same Promise.
  close () {
    return this.#life.close(() => this.#closeNative())
  }

  [Symbol.asyncDispose] () {
    return this.close()
  }

  async #closeNative () {
    try {
      await this.#native.close()
    } finally {
      this.#native = null
    }
  }

  // --- internals ------------------------------------------------------------

  // The native snapshot of a read's options (undefined = latest).
  #snapshotOption (options, where = 'options') {
    if (options === undefined || options === null || options.snapshot === undefined) return undefined
    return Snapshot.handleOf(options.snapshot, `${where}.snapshot`)
  }

  async #write (batch) {
    this.#life.begin()
    try {
      await this.#native.write(batch)
    } finally {
      this.#life.settled()
    }
  }

  // Whether a write encodes its values as JSON: the call's valueEncoding if
  // given, else the engine's.
  #jsonWrites (options, known, method) {
    if (options === undefined) return this.#valueEncoding === 'json'
    const given = validate.optionsObject(options, 'options')
    validate.checkKnownKeys(given, known, `${method}() options`)
    return encodingOption(given, 'valueEncoding', encoding.VALUE_ENCODINGS, this.#valueEncoding, 'options') === 'json'
  }

  #readValueEncoding (options, known, method) {
    if (options === undefined) return this.#valueEncoding
    const given = validate.optionsObject(options, 'options')
    validate.checkKnownKeys(given, known, `${method}() options`)
    return encodingOption(given, 'valueEncoding', encoding.VALUE_ENCODINGS, this.#valueEncoding, 'options')
  }

  // [keyEncoding, valueEncoding] of a getLatest call.
  #readEncodings (options, method) {
    if (options === undefined) return [this.#keyEncoding, this.#valueEncoding]
    const given = validate.optionsObject(options, 'options')
    validate.checkKnownKeys(given, GET_LATEST_OPTIONS, `${method}() options`)
    return [
      encodingOption(given, 'keyEncoding', encoding.KEY_ENCODINGS, this.#keyEncoding, 'options'),
      encodingOption(given, 'valueEncoding', encoding.VALUE_ENCODINGS, this.#valueEncoding, 'options')
    ]
  }

  #latestRecord (key, [ts, value, expireAt], keyEncoding, valueEncoding) {
    return {
      key: encoding.decodeKeyArgument(key, keyEncoding),
      ts: encoding.toTimestamp(ts, this.#bigint),
      value: encoding.decodeValue(value, valueEncoding),
      expireAt: expireAt === null ? null : encoding.toTimestamp(expireAt, this.#bigint)
    }
  }
}

module.exports = { Engine }
