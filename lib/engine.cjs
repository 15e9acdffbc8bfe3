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
const { Lifecycle } = require('./lifecycle.cjs')
const { Snapshot, kConstruct: kSnapshot } = require('./snapshot.cjs')

const { syncModes, compression, maxKeySize, maxValueSize } = binding.constants
const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB
const MAX_INTERVAL_MS = 2 ** 31 - 1

// Every option of Engine.open: its default and its check. Integer options
// give [min, max]; sizes are bytes.
const OPEN_OPTIONS = {
  path: { default: undefined },
  inMemory: { default: false, check: validate.boolean },
  createIfMissing: { default: true, check: validate.boolean },
  errorIfExists: { default: false, check: validate.boolean },
  syncMode: { default: 'always', choices: Object.keys(syncModes) },
  syncIntervalMs: { default: 100, range: [1, MAX_INTERVAL_MS] },
  memtableSize: { default: 64 * MiB, range: [64 * KiB, 4 * GiB] },
  maxFrozenMemtables: { default: 2, range: [1, 64] },
  blockSize: { default: 16 * KiB, range: [256, 16 * MiB] },
  blockRestartInterval: { default: 16, range: [1, 1024] },
  bloomBitsPerKey: { default: 10, range: [0, 64] },
  compression: { default: 'lz4', choices: Object.keys(compression) },
  blockCacheSize: { default: 64 * MiB, range: [0, 1024 * GiB] },
  maxOpenFiles: { default: 1000, range: [16, 1000000] },
  defaultTtl: { default: 0 },
  ttlBasis: { default: 'write', choices: ['write', 'ts'] },
  flushIntervalMs: { default: 0, range: [0, MAX_INTERVAL_MS] },
  compactionTrigger: { default: 4, check: compactionTrigger },
  compactionSizeRatio: { default: 1, range: [0, 10000] },
  maxSpaceAmplification: { default: 200, range: [0, 100000] },
  timestampType: { default: 'number', choices: ['number', 'bigint'] },
  keyEncoding: { default: 'utf8', choices: encoding.KEY_ENCODINGS },
  valueEncoding: { default: 'buffer', choices: encoding.VALUE_ENCODINGS }
}
const OPEN_OPTION_NAMES = new Set(Object.keys(OPEN_OPTIONS))

function compactionTrigger (value, label) {
  validate.integer(value, label, 0, 1024)
  if (value === 1) throw new RangeError(`${label} must be 0 (automatic compaction off) or at least 2, got 1`)
}

const GET_OPTIONS = new Set(['valueEncoding', 'snapshot'])
const GET_LATEST_OPTIONS = new Set(['keyEncoding', 'valueEncoding', 'snapshot'])
const PATCH_OPTIONS = new Set(['value', 'ttl', 'expireAt', 'valueEncoding'])
const PUT_OPTIONS = new Set(['expireAt', 'ttl', 'valueEncoding'])
const WRITE_BATCH_OPTIONS = new Set(['valueEncoding'])
const SCAN_OPTIONS = new Set(['prefix', 'gt', 'gte', 'lt', 'lte', 'ts', 'reverse', 'limit', 'keyEncoding', 'valueEncoding', 'snapshot'])
const TS_RANGE_OPTIONS = new Set(['gt', 'gte', 'lt', 'lte'])

// Returns the complete, checked option set, in the shape the engine keeps.
function resolveOpenOptions (options, where = 'Engine.open()') {
  if (options === undefined) throw new TypeError(`${where} needs an options object with a path (or inMemory: true)`)
  const given = validate.optionsObject(options, 'options')
  validate.checkKnownKeys(given, OPEN_OPTION_NAMES, `${where} options`)
  const resolved = {}
  for (const [name, spec] of Object.entries(OPEN_OPTIONS)) {
    const value = given[name]
    if (value === undefined) {
      resolved[name] = spec.default
      continue
    }
    const label = `options.${name}`
    if (spec.check) spec.check(value, label)
    else if (spec.choices) validate.oneOf(value, label, spec.choices)
    else if (spec.range) validate.integer(value, label, spec.range[0], spec.range[1])
    resolved[name] = value
  }
  if (given.defaultTtl !== undefined) {
    validate.duration(given.defaultTtl, 'options.defaultTtl', true, encoding.MAX_TTL_MS)
  }
  if (resolved.inMemory) {
    if (given.path !== undefined) throw new TypeError('options.path cannot be combined with inMemory: true')
    resolved.path = ''
  } else {
    if (given.path === undefined) throw new TypeError('options.path is required (or set inMemory: true)')
    validate.string(given.path, 'options.path')
    if (given.path === '') throw new TypeError('options.path must be a non-empty string')
    resolved.path = path.resolve(given.path)
  }
  return resolved
}

// The options object binding.open() expects: every field present, in
// native units.
function nativeOpenOptions (o) {
  return {
    inMemory: o.inMemory,
    createIfMissing: o.createIfMissing,
    errorIfExists: o.errorIfExists,
    syncMode: syncModes[o.syncMode],
    syncIntervalMs: o.syncIntervalMs,
    memtableSize: o.memtableSize,
    maxFrozenMemtables: o.maxFrozenMemtables,
    blockSize: o.blockSize,
    blockRestartInterval: o.blockRestartInterval,
    bloomBitsPerKey: o.bloomBitsPerKey,
    compression: compression[o.compression],
    blockCacheSize: o.blockCacheSize,
    maxOpenFiles: o.maxOpenFiles,
    defaultTtlUs: Math.round(o.defaultTtl * 1000),
    ttlBasis: o.ttlBasis === 'ts' ? 1 : 0,
    flushIntervalMs: o.flushIntervalMs,
    compactionTrigger: o.compactionTrigger,
    compactionSizeRatio: o.compactionSizeRatio,
    maxSpaceAmplification: o.maxSpaceAmplification
  }
}

// Adds the derived ratios to the native counters.
function statsWithRatios (st) {
  const lookups = st.blockCacheHits + st.blockCacheMisses
  st.blockCacheHitRate = lookups === 0 ? 0 : st.blockCacheHits / lookups
  // Bytes the engine wrote to SSTables (flushes and compactions) per byte
  // accepted from writes; WAL bytes equal the accepted bytes and are left out.
  st.writeAmplification = st.bytesWritten === 0 ? 0 : (st.flushBytes + st.compactionBytesWritten) / st.bytesWritten
  // SSTables searched per point read that reached the SSTables.
  st.readAmplification = st.gets === 0 ? 0 : st.getSstProbes / st.gets
  // Bytes on disk per byte of the largest (oldest) SSTable: the size-tiered
  // estimate of space amplification (1 after a full compaction).
  st.spaceAmplification = st.largestSstableBytes === 0 ? 0 : st.sstableBytes / st.largestSstableBytes
  return st
}

// Metric name, help, type and how to read it from stats().
const METRICS = [
  ['records_written_total', 'Records accepted by writes.', 'counter', (s) => s.recordsWritten],
  ['bytes_written_total', 'Encoded batch bytes accepted by writes.', 'counter', (s) => s.bytesWritten],
  ['wal_syncs_total', 'WAL fsyncs.', 'counter', (s) => s.walSyncs],
  ['write_groups_total', 'Group commits.', 'counter', (s) => s.writeGroups],
  ['flushes_total', 'Memtables flushed to SSTables.', 'counter', (s) => s.flushes],
  ['flush_bytes_total', 'SSTable bytes written by flushes.', 'counter', (s) => s.flushBytes],
  ['compactions_total', 'Compactions run.', 'counter', (s) => s.compactions],
  ['compaction_read_bytes_total', 'SSTable bytes read by compactions.', 'counter', (s) => s.compactionBytesRead],
  ['compaction_written_bytes_total', 'SSTable bytes written by compactions.', 'counter', (s) => s.compactionBytesWritten],
  ['compaction_dropped_records_total', 'Overwritten, deleted or expired records dropped by compactions.', 'counter', (s) => s.compactionRecordsDropped],
  ['gc_runs_total', 'Expired-file collections that dropped a file.', 'counter', (s) => s.gcRuns],
  ['gc_files_total', 'SSTables dropped whole because every record expired.', 'counter', (s) => s.gcFiles],
  ['gc_records_total', 'Records in SSTables dropped whole.', 'counter', (s) => s.gcRecords],
  ['write_stalls_total', 'Writes that waited for a flush.', 'counter', (s) => s.stalls],
  ['write_stall_seconds_total', 'Time writers waited for flushes.', 'counter', (s) => s.stallMicros / 1e6],
  ['point_reads_total', 'Point reads served.', 'counter', (s) => s.gets],
  ['block_cache_hits_total', 'Block cache hits.', 'counter', (s) => s.blockCacheHits],
  ['block_cache_misses_total', 'Block cache misses.', 'counter', (s) => s.blockCacheMisses],
  ['memtable_bytes', 'Bytes in the active and frozen memtables.', 'gauge', (s) => s.memtableBytes],
  ['frozen_memtables', 'Memtables waiting to be flushed.', 'gauge', (s) => s.frozenMemtables],
  ['sstables', 'Live SSTables.', 'gauge', (s) => s.sstables],
  ['sstable_bytes', 'Bytes in live SSTables.', 'gauge', (s) => s.sstableBytes],
  ['block_cache_bytes', 'Bytes held by the block cache.', 'gauge', (s) => s.blockCacheBytes],
  ['block_cache_hit_ratio', 'Block cache hits per lookup.', 'gauge', (s) => s.blockCacheHitRate],
  ['range_deletions', 'Live range tombstones.', 'gauge', (s) => s.rangeDeletions],
  ['snapshots', 'Open snapshots.', 'gauge', (s) => s.snapshots],
  ['open_table_readers', 'Open SSTable readers.', 'gauge', (s) => s.tableReaders],
  ['write_amplification', 'SSTable bytes written per byte accepted.', 'gauge', (s) => s.writeAmplification],
  ['read_amplification', 'SSTables searched per point read.', 'gauge', (s) => s.readAmplification],
  ['space_amplification', 'SSTable bytes per byte of the largest SSTable.', 'gauge', (s) => s.spaceAmplification],
  ['last_sequence', 'Sequence number of the newest write.', 'gauge', (s) => s.lastSequence]
]
const LATENCIES = [
  ['write_latency_seconds', 'Write latency, including queueing and WAL sync.', 'writeLatency'],
  ['read_latency_seconds', 'Point read latency (get, getLatest).', 'readLatency'],
  ['flush_duration_seconds', 'Duration of one memtable flush.', 'flushLatency'],
  ['compaction_duration_seconds', 'Duration of one compaction.', 'compactionLatency']
]

function prometheusText (st) {
  const lines = []
  for (const [name, help, type, get] of METRICS) {
    lines.push(`# HELP flowdb_${name} ${help}`, `# TYPE flowdb_${name} ${type}`, `flowdb_${name} ${get(st)}`)
  }
  for (const [name, help, field] of LATENCIES) {
    const l = st[field]
    lines.push(`# HELP flowdb_${name} ${help}`, `# TYPE flowdb_${name} summary`)
    for (const [q, v] of [['0.5', l.p50], ['0.9', l.p90], ['0.99', l.p99]]) {
      lines.push(`flowdb_${name}{quantile="${q}"} ${v / 1e6}`)
    }
    lines.push(`flowdb_${name}_sum ${l.sum / 1e6}`, `flowdb_${name}_count ${l.count}`)
  }
  return lines.join('\n') + '\n'
}

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

// The tighter of two key bounds ({ bytes, inclusive }, null = unbounded);
// `sign` is 1 for lower bounds, -1 for upper bounds.
function tighter (a, b, sign) {
  if (a === null) return b
  if (b === null) return a
  const cmp = Buffer.compare(a.bytes, b.bytes) * sign
  if (cmp !== 0) return cmp > 0 ? a : b
  return a.inclusive ? b : a
}

function keyBound (range, exclusiveName, inclusiveName) {
  const exclusive = range[exclusiveName]
  const inclusive = range[inclusiveName]
  if (exclusive !== undefined && inclusive !== undefined) {
    throw new TypeError(`range.${exclusiveName} and range.${inclusiveName} cannot both be given`)
  }
  if (exclusive !== undefined) {
    return { bytes: encoding.keyToBytes(validate.key(exclusive, `range.${exclusiveName}`, maxKeySize)), inclusive: false }
  }
  if (inclusive !== undefined) {
    return { bytes: encoding.keyToBytes(validate.key(inclusive, `range.${inclusiveName}`, maxKeySize)), inclusive: true }
  }
  return null
}

// [tsMin, tsMax] as inclusive bigints; tsMin > tsMax means empty.
function tsBounds (ts) {
  if (ts === undefined) return [validate.INT64_MIN, validate.INT64_MAX]
  const t = validate.optionsObject(ts, 'range.ts')
  validate.checkKnownKeys(t, TS_RANGE_OPTIONS, 'range.ts')
  for (const [ex, inc] of [['gt', 'gte'], ['lt', 'lte']]) {
    if (t[ex] !== undefined && t[inc] !== undefined) {
      throw new TypeError(`range.ts.${ex} and range.ts.${inc} cannot both be given`)
    }
  }
  const bound = (name) => encoding.toBigInt(validate.int64(t[name], `range.ts.${name}`))
  let min = validate.INT64_MIN
  let max = validate.INT64_MAX
  if (t.gte !== undefined) min = bound('gte')
  if (t.gt !== undefined) min = bound('gt') + 1n
  if (t.lte !== undefined) max = bound('lte')
  if (t.lt !== undefined) max = bound('lt') - 1n
  return [min, max]
}

function scanLimit (limit) {
  if (limit === undefined || limit === Infinity || limit === -1) return Infinity
  return validate.integer(limit, 'range.limit', -1, Number.MAX_SAFE_INTEGER)
}

const kConstruct = Symbol('flowdb.engine.construct')

// Native getInto/getLatestInto results that are not byte counts.
const INTO_NOT_FOUND = -1
const INTO_WOULD_BLOCK = -2
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

module.exports = { Engine, resolveOpenOptions, nativeOpenOptions }
