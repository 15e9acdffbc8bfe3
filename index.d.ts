/// <reference types="node" />

// Types for flowdb, an embedded LSM-tree time-series key/value engine.
//
// Units used throughout:
// - `ts` is the caller's own unit. The engine treats it as an opaque signed
//   64-bit integer; by convention it is microseconds since the Unix epoch.
// - `expireAt` is absolute microseconds since the Unix epoch.
// - `ttl` and `defaultTtl` are milliseconds.
// - Sizes are bytes, intervals milliseconds.

/** A key: a string (stored as its UTF-8 bytes) or raw bytes. Keys sort bytewise. */
export type Key = string | Uint8Array

/**
 * A timestamp or other signed 64-bit integer: a safe-integer `number`
 * (|n| ≤ 2^53 - 1) or a `bigint` in [-2^63, 2^63 - 1].
 *
 * A number that is not an integer (1.5, NaN, Infinity) is a `TypeError`; an
 * integer number beyond the safe range, or a bigint beyond int64, a `RangeError`.
 */
export type Int64 = number | bigint

/** A value as written: a string (stored as UTF-8) or raw bytes. */
export type Value = string | Uint8Array

/**
 * How read values are returned:
 * - `'buffer'`: a `Buffer` (a copy the caller owns);
 * - `'utf8'`: the bytes decoded as a UTF-8 string;
 * - `'json'`: the bytes parsed with `JSON.parse`. On writes, `'json'` also
 *   makes values go through `JSON.stringify`, so any JSON-serializable value
 *   can be stored and read back.
 */
export type ValueEncoding = 'buffer' | 'utf8' | 'json'

/** How keys in read results are returned: a UTF-8 `string` or a `Buffer`. */
export type KeyEncoding = 'utf8' | 'buffer'

/** How timestamps are returned by reads. */
export type TimestampType = 'number' | 'bigint'

/** The type a read returns for a value in encoding `E`, or `Default` when `E` is not given. */
export type ValueOf<E extends ValueEncoding | undefined, Default> =
  E extends 'buffer' ? Buffer : E extends 'utf8' ? string : E extends 'json' ? any : Default

/** The type a read returns for a key in encoding `E`, or `Default` when `E` is not given. */
export type KeyOf<E extends KeyEncoding | undefined, Default> =
  E extends 'buffer' ? Buffer : E extends 'utf8' ? string : Default

/** The type of `ts` and `expireAt` in results for a {@link TimestampType}. */
export type TimestampOf<T extends TimestampType> = T extends 'bigint' ? bigint : number | bigint

/**
 * When an acknowledged write is durable:
 * - `'always'`: the WAL is fdatasync'ed before the write's Promise resolves;
 *   an acknowledged write survives a process crash and a power loss.
 * - `'interval'`: the WAL is synced every `syncIntervalMs` in the background;
 *   a process crash loses nothing, a power loss may lose the last interval.
 * - `'none'`: the WAL is never synced (the OS writes it back); a process crash
 *   loses nothing, a power loss may lose what the OS had not yet written.
 */
export type SyncMode = 'always' | 'interval' | 'none'

/**
 * What `Engine.open` does with a damaged WAL. A torn tail of the newest WAL
 * (a write cut short by a crash, never acknowledged) is cut off either way.
 * - `'strict'`: any other damage (a bad record followed by a valid one, a bad
 *   record in an older WAL) rejects the open with a FlowDBError of code
 *   `FLOWDB_CORRUPTION` naming the file and offset.
 * - `'salvage'`: keeps every record that can still be read and skips the
 *   damaged stretches; `stats().walSkippedRegions` / `walSkippedBytes` say
 *   what was skipped. Writes in a skipped stretch are lost.
 */
export type WalRecovery = 'strict' | 'salvage'

/** Compression of SSTable data blocks. */
export type Compression = 'lz4' | 'none'

/** The stable error codes of {@link FlowDBError}. They do not change between minor versions. */
export type ErrorCode =
  | 'FLOWDB_NOT_FOUND'
  | 'FLOWDB_CORRUPTION'
  | 'FLOWDB_IO_ERROR'
  | 'FLOWDB_LOCKED'
  | 'FLOWDB_CLOSED'
  | 'FLOWDB_INVALID_ARGUMENT'
  | 'FLOWDB_BUSY'
  | 'FLOWDB_NOT_SUPPORTED'
  | 'FLOWDB_NO_SPACE'
  | 'FLOWDB_CONFLICT'
  | 'FLOWDB_CONSTRAINT'
  | 'FLOWDB_INVALID_KEY'
  | 'FLOWDB_READ_ONLY'
  | 'FLOWDB_TRANSACTION_INACTIVE'

/** Options of {@link Engine.open}. Unknown option names are a `TypeError`. */
export interface EngineOptions {
  /**
   * Data directory. Required unless `inMemory` is true (and then not allowed).
   * Relative paths resolve against `process.cwd()` at open time.
   */
  path?: string
  /** Keep everything in memory; nothing is written to disk. Default `false`. */
  inMemory?: boolean
  /** Create the directory and a new database if none exists. Default `true`. */
  createIfMissing?: boolean
  /** Fail if a database already exists at `path`. Default `false`. */
  errorIfExists?: boolean
  /** Durability of acknowledged writes; see {@link SyncMode}. Default `'always'`. */
  syncMode?: SyncMode
  /** WAL sync period for `syncMode: 'interval'`, in ms, 1 to 2^31 - 1. Default `100`. */
  syncIntervalMs?: number
  /** What opening does with a damaged WAL; see {@link WalRecovery}. Default `'strict'`. */
  walRecovery?: WalRecovery
  /** Bytes a memtable holds before it is frozen and flushed, 64 KiB to 4 GiB. Default 64 MiB. */
  memtableSize?: number
  /** Writers stall while this many frozen memtables await flushing, 1 to 64. Default `2`. */
  maxFrozenMemtables?: number
  /** Target uncompressed SSTable data block size in bytes, 256 B to 16 MiB. Default 16 KiB. */
  blockSize?: number
  /** Entries between restart points inside a block, 1 to 1024. Default `16`. */
  blockRestartInterval?: number
  /** Bloom filter bits per key in each SSTable, 0 to 64; 0 disables the filter. Default `10`. */
  bloomBitsPerKey?: number
  /** Compression of SSTable data blocks. Default `'lz4'`. */
  compression?: Compression
  /** Capacity of the block cache in bytes (uncompressed blocks), 0 to 1 TiB. Default 64 MiB. */
  blockCacheSize?: number
  /** SSTable readers kept open at once, 16 to 1,000,000. Default `1000`. */
  maxOpenFiles?: number
  /**
   * Time to live, in ms, applied to every write that gives neither `expireAt`
   * nor `ttl`, counted from `ttlBasis`. Fractions of a ms are rounded to µs.
   * 0 means no default expiry. At most 100 years. Default `0`.
   */
  defaultTtl?: number
  /**
   * What `ttl` and `defaultTtl` count from: `'write'` (the default), the
   * wall-clock time of the write; or `'ts'`, the record's own ts, which must
   * then be µs since the epoch (expireAt = ts + ttl; upstream FlowDB's rule).
   */
  ttlBasis?: 'write' | 'ts'
  /** Flush the memtable once it has held data this many ms; 0 flushes on size only. Default `0`. */
  flushIntervalMs?: number
  /**
   * Size-tiered compaction starts once this many SSTables exist: the newest
   * ones are merged while each next one is at most (100 +
   * `compactionSizeRatio`)% of what is merged so far. 0 turns automatic
   * compaction off ({@link Engine.compact} still works); 1 is a RangeError.
   * Default `4`.
   */
  compactionTrigger?: number
  /** Percent; see `compactionTrigger`. 0 to 10000. Default `1`. */
  compactionSizeRatio?: number
  /**
   * Percent: when the SSTables newer than the oldest one hold more than this
   * share of its bytes, everything is merged. 0 to 100000. Default `200`.
   */
  maxSpaceAmplification?: number
  /**
   * Bytes of WAL segments kept for {@link Engine.changes} after their
   * memtable was flushed (the oldest go first beyond it); a feed can resume
   * from any sequence number still in them. 0 to 1 TiB. Default `0`: flushed
   * segments go at once, and a feed reads only unflushed writes (or what an
   * open feed holds).
   */
  walRetentionBytes?: number
  /**
   * Type of `ts` and `expireAt` in read results. With `'number'` (the
   * default) they are numbers, except a stored value outside the safe-integer
   * range, which comes back as a `bigint`. With `'bigint'` they are always bigints.
   */
  timestampType?: TimestampType
  /** Default key encoding of read results. Default `'utf8'`. */
  keyEncoding?: KeyEncoding
  /**
   * Default value encoding of reads, and of writes when `'json'`. Default `'buffer'`.
   * With `'buffer'` or `'utf8'`, writes take a string or a Uint8Array.
   */
  valueEncoding?: ValueEncoding
}

/** A record as returned by reads. */
export interface FlowRecord<K = string, V = Buffer, T = number | bigint> {
  /** The key, in the read's key encoding. */
  key: K
  /** The record's timestamp (see {@link EngineOptions.timestampType}). */
  ts: T
  /** The value, in the read's value encoding. */
  value: V
  /** When the record expires, in µs since the epoch; `null` if it never expires. */
  expireAt: T | null
}

/** A record to write with {@link Engine.writeBatch}; `W` is the value type the write accepts. */
export interface PutRecord<W = Value> {
  /** `'put'` (the default) stores the record; `'del'` deletes `(key, ts)` and ignores the other fields. */
  type?: 'put'
  /** The record's key, at most 64 KiB. */
  key: Key
  /** The record's timestamp. */
  ts: Int64
  /** A string or a Uint8Array; any JSON-serializable value when the write's valueEncoding is `'json'`. */
  value: W
  /**
   * Absolute expiry in µs since the epoch; the record is invisible from then
   * on. A time in the past makes it invisible at once. `Infinity` means never,
   * overriding `defaultTtl`. Cannot be combined with `ttl`.
   */
  expireAt?: Int64
  /** Time to live in ms from now (the write's wall-clock time), > 0. Cannot be combined with `expireAt`. */
  ttl?: number
}

/** A deletion inside {@link Engine.writeBatch}. */
export interface DeleteRecord {
  /** Marks the entry as a deletion. */
  type: 'del'
  /** The key of the record to delete. */
  key: Key
  /** The timestamp of the record to delete; other versions of the key stay. */
  ts: Int64
}

/** Options of {@link Engine.put}. */
export interface PutOptions {
  /** Absolute expiry in µs since the epoch (`Infinity` = never, overriding `defaultTtl`). */
  expireAt?: Int64
  /** Time to live in ms from now, > 0. Cannot be combined with `expireAt`. */
  ttl?: number
  /** `'json'` stores `JSON.stringify(value)`. Defaults to the engine's valueEncoding. */
  valueEncoding?: ValueEncoding
}

/** Options of {@link Engine.writeBatch}. */
export interface WriteBatchOptions {
  /** `'json'` stores `JSON.stringify(value)` for every record. Defaults to the engine's valueEncoding. */
  valueEncoding?: ValueEncoding
}

/** Options of {@link Engine.get} and {@link Engine.getSync}. */
export interface GetOptions {
  /** Overrides the engine's valueEncoding for this read. */
  valueEncoding?: ValueEncoding
  /** Read as of this snapshot instead of the latest state. */
  snapshot?: Snapshot
}

/**
 * A consistent view of an engine as of {@link Engine.snapshot}: reads given
 * `{ snapshot }` see exactly the writes acknowledged before it, whatever is
 * written, deleted, flushed or compacted later. Compaction keeps the versions
 * it can see until it is released, so release it when done (`release()`,
 * `using`, or as a last resort the garbage collector). Closing the engine
 * releases it. Using a released snapshot, or one of another engine, throws
 * a FlowDBError `FLOWDB_INVALID_ARGUMENT`.
 */
export interface Snapshot extends Disposable {
  /** Sequence number of the newest write the snapshot sees. */
  readonly sequence: number
  /** True once released (or once its engine closed). */
  readonly released: boolean
  /** Releases the snapshot. Idempotent. */
  release(): void
  /** Same as {@link Snapshot.release}, for `using`. */
  [Symbol.dispose](): void
}

/** What {@link Engine.patchRecord} changes. At least one field is usual; none rewrites the record as is. */
export interface PatchChanges<W = Value> {
  /** The new value. */
  value?: W
  /** New time to live in ms, counted from `ttlBasis` (now, or the record's ts). */
  ttl?: number
  /** New absolute expiry in µs since the epoch; `Infinity` = never. Not with `ttl`. */
  expireAt?: Int64
  /** Encoding of `value` and of the returned record's value. */
  valueEncoding?: ValueEncoding
}

/** Latency percentiles of one operation, in µs (exact below 64 µs, within 3.2% above). */
export interface LatencySummary {
  count: number
  /** Sum of all samples, µs. */
  sum: number
  p50: number
  p90: number
  p99: number
  max: number
}

/** Options of {@link Engine.getLatest} and {@link Engine.getLatestSync}. */
export interface GetLatestOptions {
  /** Overrides the engine's keyEncoding for the returned record. */
  keyEncoding?: KeyEncoding
  /** Overrides the engine's valueEncoding for the returned record. */
  valueEncoding?: ValueEncoding
  /** Read as of this snapshot instead of the latest state. */
  snapshot?: Snapshot
}

/** Bounds on `ts` in a scan. `gt`/`gte` and `lt`/`lte` are mutually exclusive pairs. */
export interface TimestampRange {
  /** Only records with ts greater than this. */
  gt?: Int64
  /** Only records with ts greater than or equal to this. */
  gte?: Int64
  /** Only records with ts less than this. */
  lt?: Int64
  /** Only records with ts less than or equal to this. */
  lte?: Int64
}

/**
 * What {@link Engine.scan} reads. Without bounds it reads every live record.
 *
 * `prefix` may be combined with `gt`/`gte`/`lt`/`lte`: the scan reads the
 * intersection (keys that start with `prefix` and are within the bounds).
 * `gt` with `gte`, or `lt` with `lte`, is a `TypeError`.
 */
export interface ScanRange {
  /** Only keys that start with these bytes. */
  prefix?: Key
  /** Keys greater than this. */
  gt?: Key
  /** Keys greater than or equal to this. */
  gte?: Key
  /** Keys less than this. */
  lt?: Key
  /** Keys less than or equal to this. */
  lte?: Key
  /** Only records whose ts is within these bounds. */
  ts?: TimestampRange
  /** Walk from the largest (key, ts) to the smallest. Default `false`. */
  reverse?: boolean
  /** Stop after this many records; `-1`, `Infinity` or absent means no limit. */
  limit?: number
  /** Overrides the engine's keyEncoding for this scan. */
  keyEncoding?: KeyEncoding
  /** Overrides the engine's valueEncoding for this scan. */
  valueEncoding?: ValueEncoding
  /** Read as of this snapshot instead of a snapshot taken when the scan starts. */
  snapshot?: Snapshot
}

/**
 * The records of a scan, in key then ts order (reversed with `reverse`),
 * read from a snapshot taken when {@link Engine.scan} was called.
 *
 * Iterate it once with `for await`; leaving the loop early (`break`, `return`,
 * an exception) closes it. A scan left unfinished should be closed with
 * {@link Scan.close} (or `await using`); an abandoned one is released when it
 * is garbage-collected. `engine.close()` ends open scans: a later read from
 * such a scan rejects with `FLOWDB_CLOSED`.
 */
export interface Scan<R = FlowRecord> extends AsyncIterableIterator<R>, AsyncDisposable {
  /** The next record. Calls are served in order even when not awaited one by one. */
  next(): Promise<IteratorResult<R, undefined>>
  /** Closes the scan and reports the end of iteration. */
  return(): Promise<IteratorReturnResult<undefined>>
  /** Reads every remaining record (up to `limit`) into an array, then closes the scan. */
  all(): Promise<R[]>
  /**
   * Releases the native iterator. Idempotent; resolves once a read in flight
   * has settled. After it, `next()` reports the end of iteration.
   */
  close(): Promise<void>
  /** Same as {@link Scan.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>
}

/** Counters describing an open engine, all numbers. Sizes are bytes. */
export interface EngineStats {
  /** Sequence number of the newest committed write. */
  lastSequence: number
  /** Records (puts and deletes) written since open. */
  recordsWritten: number
  /** Encoded write-batch bytes accepted since open. */
  bytesWritten: number
  /** WAL fsyncs since open. */
  walSyncs: number
  /** Group commits since open (concurrent batches share one WAL write). */
  writeGroups: number
  /** Memtables flushed to SSTables since open. */
  flushes: number
  /** Total µs writers waited for flushes (backpressure). */
  stallMicros: number
  /** Bytes in the active and frozen memtables. */
  memtableBytes: number
  /** Frozen memtables waiting to be flushed. */
  frozenMemtables: number
  /** Live SSTables. */
  sstables: number
  /** Total size of the live SSTables. */
  sstableBytes: number
  /** Block cache hits since open. */
  blockCacheHits: number
  /** Block cache misses since open. */
  blockCacheMisses: number
  /** Bytes held by the block cache. */
  blockCacheBytes: number
  /** SSTable reads the bloom filters avoided. */
  bloomUseful: number
  /** Writes that waited for a flush (backpressure), since open. */
  stalls: number
  /** SSTable bytes written by flushes since open. */
  flushBytes: number
  /** Compactions since open. */
  compactions: number
  /** SSTable bytes read / written by compactions since open. */
  compactionBytesRead: number
  compactionBytesWritten: number
  /** Overwritten, deleted or expired records compactions dropped. */
  compactionRecordsDropped: number
  /** gc passes that dropped files, SSTables dropped whole, and the records in them. */
  gcRuns: number
  gcFiles: number
  gcRecords: number
  /**
   * Damaged WAL stretches the open skipped with `walRecovery: 'salvage'`, and
   * their bytes; 0 otherwise.
   */
  walSkippedRegions: number
  walSkippedBytes: number
  /** Live range tombstones (memtables and SSTables). */
  rangeDeletions: number
  /** Open snapshots. */
  snapshots: number
  /** Open SSTable readers (at most `maxOpenFiles`). */
  tableReaders: number
  /** Point reads served, and SSTables they searched. */
  gets: number
  getSstProbes: number
  /** Size of the largest (oldest) SSTable. */
  largestSstableBytes: number
  /** blockCacheHits / (hits + misses); 0 before any lookup. */
  blockCacheHitRate: number
  /** SSTable bytes written (flushes + compactions) per byte accepted by writes. */
  writeAmplification: number
  /** SSTables searched per point read. */
  readAmplification: number
  /** sstableBytes / largestSstableBytes: the size-tiered estimate (1 after a full compaction). */
  spaceAmplification: number
  /** Latencies, µs: writes (with queueing and WAL sync), point reads, flushes, compactions. */
  writeLatency: LatencySummary
  readLatency: LatencySummary
  flushLatency: LatencySummary
  compactionLatency: LatencySummary
}

/** One damaged piece of a database file, found by verify() or dropped by repair(). */
export interface FileProblem {
  /** Relative to the database directory, e.g. `'sst/000012.sst'`, `'wal/000031.log'`. */
  file: string
  /** Byte offset of the damage in the file; 0 when unknown or the whole file. */
  offset: number
  message: string
}

/** What {@link Engine.verify} read and found. */
/** What {@link Engine.changes} reads. */
export interface ChangesOptions {
  /**
   * The sequence number of the last change already consumed (exclusive):
   * the first batch delivered is the first whose `seq` is greater. `0` for
   * everything the WAL still holds; the `seq` of the last batch processed to
   * resume; `engine.stats().lastSequence` for new writes only; a
   * checkpoint's `sequence` for what came after that backup. A safe integer
   * ≥ 0 (TypeError/RangeError otherwise).
   */
  since: number
  /** Overrides the engine's keyEncoding for keys and range bounds. */
  keyEncoding?: KeyEncoding
  /** Overrides the engine's valueEncoding for values. */
  valueEncoding?: ValueEncoding
}

/**
 * One committed batch of {@link Engine.changes}: the writes one WAL record
 * holds, applied atomically. Writes that group commit joined arrive as one
 * batch; every entry carries its own sequence number, so the order of puts,
 * deletes and range deletes within a batch is known.
 */
export interface ChangeBatch<K = string, V = Buffer, T = number | bigint> {
  /** The sequence number of the batch's last entry: store it to resume with `since`. */
  seq: number
  /** The sequence number of its first entry (entries number consecutively). */
  firstSeq: number
  /** Puts, as reads return records, each with its sequence number. */
  records: Array<FlowRecord<K, V, T> & { seq: number }>
  /** Point deletes of `(key, ts)`. */
  deletes: Array<{ key: K, ts: T, seq: number }>
  /** Range deletes of every version of the keys in `[start, end)`. */
  rangeDeletes: Array<{ start: K, end: K, seq: number }>
}

/**
 * The committed batches of an engine in sequence order (see
 * {@link Engine.changes}). Iterate it with `for await`; `break` (or
 * `return()`) releases it.
 */
export interface ChangeFeed<B> extends AsyncIterableIterator<B> {
  /** Ends the feed and releases the WAL segments it held. */
  return(): Promise<IteratorReturnResult<undefined>>
}

/** What {@link Engine.checkpoint} and {@link JsonDB.checkpoint} resolve to. */
export interface CheckpointResult {
  /** The sequence number of the last write the copy holds. */
  sequence: number
}

export interface VerifyReport {
  /** True when nothing is wrong (`problems` is empty). */
  ok: boolean
  /** Live SSTables read, their bytes, data blocks checked and entries read. */
  sstables: number
  sstableBytes: number
  dataBlocks: number
  entries: number
  /** WAL segments and records (write batches) read. */
  walSegments: number
  walRecords: number
  problems: FileProblem[]
}

/** Options of {@link Engine.repair}: the directory, and how to write the SSTables it rebuilds (defaults as for open). */
export interface RepairOptions {
  path: string
  blockSize?: number
  blockRestartInterval?: number
  bloomBitsPerKey?: number
  compression?: 'none' | 'lz4'
}

/** What {@link Engine.repair} kept and dropped. */
export interface RepairReport {
  /** SSTables kept as they were, rewritten with their readable entries, or dropped. */
  sstablesKept: number
  sstablesSalvaged: number
  sstablesDropped: number
  /** WAL segments read; records recovered into SSTables; damaged stretches (one or more records each) and their bytes skipped. */
  walSegments: number
  walRecords: number
  walRecordsDropped: number
  walBytesDropped: number
  /** Entries copied out of partly readable SSTables. */
  entriesSalvaged: number
  /** The last sequence number of the repaired database. */
  lastSequence: number
  /** Every piece that could not be kept, and why. */
  dropped: FileProblem[]
  /** Files moved to `lost/` (relative paths). */
  movedToLost: string[]
}

/**
 * An open FlowDB database. A record is identified by `(key, ts)`; writing the
 * same `(key, ts)` again overwrites it.
 *
 * Argument mistakes throw (sync methods) or reject (async methods) with a
 * `TypeError` or `RangeError` naming the field; engine failures are
 * {@link FlowDBError}s. Every method called after {@link Engine.close} has
 * begun throws or rejects with code `FLOWDB_CLOSED`.
 *
 * Type parameters follow the options given to {@link Engine.open}:
 * - `V`: values returned by reads (`Buffer`, `string` or `any` for JSON);
 * - `K`: keys in returned records (`string` or `Buffer`);
 * - `T`: `ts` and `expireAt` in returned records;
 * - `W`: values accepted by writes (`string | Uint8Array`, or anything for JSON).
 */
export declare class Engine<V = Buffer, K = string, T = number | bigint, W = Value> implements AsyncDisposable {
  private constructor()

  /**
   * Opens a database, creating it if allowed.
   *
   * Rejects with a `TypeError`/`RangeError` for bad options (an unknown
   * option name is a `TypeError` too), and with a {@link FlowDBError}:
   * `FLOWDB_LOCKED` if the directory is open in this or another process,
   * `FLOWDB_CORRUPTION` (naming the file and offset) if a file is damaged,
   * `FLOWDB_IO_ERROR` for a failing file system.
   */
  static open<
    VE extends ValueEncoding = 'buffer',
    KE extends KeyEncoding = 'utf8',
    TT extends TimestampType = 'number'
  >(
    options: EngineOptions & { valueEncoding?: VE, keyEncoding?: KE, timestampType?: TT }
  ): Promise<Engine<ValueOf<VE, Buffer>, KeyOf<KE, string>, TimestampOf<TT>, VE extends 'json' ? unknown : Value>>

  /**
   * Salvages a damaged database that is not open (modelled on LevelDB's
   * RepairDB): every SSTable that reads whole is kept; a damaged one is
   * rewritten with the entries before its first bad block (or dropped if it
   * cannot be opened); the readable records of every WAL segment become
   * new SSTables (damaged records are skipped and counted); a new MANIFEST
   * names exactly what was kept; a damaged OPTIONS file is rewritten. What
   * was replaced or unreadable is moved to `lost/` inside the directory,
   * never deleted. Data from a dropped piece is gone, and older versions of
   * records it overwrote or deleted may show again. Open the database
   * afterwards as usual.
   *
   * Rejects with a `TypeError`/`RangeError` for bad options, `FLOWDB_LOCKED`
   * if the database is open, `FLOWDB_IO_ERROR` if files cannot be read or
   * written.
   */
  static repair(options: RepairOptions): Promise<RepairReport>

  /** `'open'`, `'closing'` once {@link Engine.close} was called, `'closed'` when it has finished. */
  readonly status: 'open' | 'closing' | 'closed'

  /**
   * Writes records atomically: after a crash either all of them are present
   * or none. Resolves once the batch is durable as `syncMode` defines. An
   * empty array resolves at once. Records may also be deletions
   * (`{ type: 'del', key, ts }`).
   *
   * Rejects with a TypeError / RangeError for a malformed record (the message
   * names `records[i].field`), a RangeError for a key over 64 KiB or a value
   * over 256 MiB.
   */
  writeBatch(records: ReadonlyArray<PutRecord<unknown> | DeleteRecord>, options: WriteBatchOptions & { valueEncoding: 'json' }): Promise<void>
  writeBatch(records: ReadonlyArray<PutRecord<W> | DeleteRecord>, options?: WriteBatchOptions): Promise<void>

  /** Writes one record `(key, ts) → value`. See {@link Engine.writeBatch}. */
  put(key: Key, ts: Int64, value: unknown, options: PutOptions & { valueEncoding: 'json' }): Promise<void>
  put(key: Key, ts: Int64, value: W, options?: PutOptions): Promise<void>

  /** Deletes the record `(key, ts)`, if any. Other versions of `key` are untouched. */
  del(key: Key, ts: Int64): Promise<void>

  /** Deletes several `(key, ts)` records atomically. An empty array resolves at once. */
  deleteBatch(pairs: ReadonlyArray<readonly [Key, Int64]>): Promise<void>

  /**
   * The value of `(key, ts)`, or `undefined` if there is no live record
   * (never written, deleted or expired), in the engine's or the call's
   * valueEncoding.
   */
  get<VE extends ValueEncoding | undefined = undefined>(
    key: Key, ts: Int64, options?: GetOptions & { valueEncoding?: VE }
  ): Promise<ValueOf<VE, V> | undefined>

  /**
   * The synchronous form of {@link Engine.get}: cheaper when the record is in
   * memory, but it blocks the event loop while a block is read from disk.
   */
  getSync<VE extends ValueEncoding | undefined = undefined>(
    key: Key, ts: Int64, options?: GetOptions & { valueEncoding?: VE }
  ): ValueOf<VE, V> | undefined

  /** The live record of `key` with the largest ts, or `undefined` if `key` has none. */
  getLatest<KE extends KeyEncoding | undefined = undefined, VE extends ValueEncoding | undefined = undefined>(
    key: Key, options?: GetLatestOptions & { keyEncoding?: KE, valueEncoding?: VE }
  ): Promise<FlowRecord<KeyOf<KE, K>, ValueOf<VE, V>, T> | undefined>

  /** The synchronous form of {@link Engine.getLatest}. */
  getLatestSync<KE extends KeyEncoding | undefined = undefined, VE extends ValueEncoding | undefined = undefined>(
    key: Key, options?: GetLatestOptions & { keyEncoding?: KE, valueEncoding?: VE }
  ): FlowRecord<KeyOf<KE, K>, ValueOf<VE, V>, T> | undefined

  /**
   * Reads live records within `range` (key bounds, prefix, ts bounds), in key
   * then ts order, from a snapshot taken now. Returns at once; records are
   * fetched as the scan is iterated.
   *
   * Throws (synchronously) a TypeError / RangeError for a bad range, and a
   * FlowDBError `FLOWDB_CLOSED` after close.
   */
  scan<KE extends KeyEncoding | undefined = undefined, VE extends ValueEncoding | undefined = undefined>(
    range?: ScanRange & { keyEncoding?: KE, valueEncoding?: VE }
  ): Scan<FlowRecord<KeyOf<KE, K>, ValueOf<VE, V>, T>>

  /**
   * The batches committed after `options.since`, in sequence order, read
   * from the WAL: an async iterable that, once caught up, waits for the next
   * commit (no polling) and reads only as fast as the consumer pulls. Flushed
   * WAL segments are kept for it within {@link EngineOptions.walRetentionBytes}
   * (and while an open feed still needs them). Returns at once; the first
   * `next()` opens the feed.
   *
   * Throws a TypeError/RangeError for bad options and `FLOWDB_CLOSED` after
   * close. `next()` rejects with `FLOWDB_SEQUENCE_GONE` when a change after
   * `since` was in a WAL segment already deleted (resume from a checkpoint
   * instead, or raise walRetentionBytes), `FLOWDB_INVALID_ARGUMENT` when
   * `since` is after the engine's last sequence number, and `FLOWDB_CLOSED`
   * once the engine closes, also while waiting. A feed waiting for a commit
   * keeps the process alive, as a listening socket does, until a commit,
   * `break`/`return()` or `engine.close()`.
   */
  changes<KE extends KeyEncoding | undefined = undefined, VE extends ValueEncoding | undefined = undefined>(
    options: ChangesOptions & { keyEncoding?: KE, valueEncoding?: VE }
  ): ChangeFeed<ChangeBatch<KeyOf<KE, K>, ValueOf<VE, V>, T>>

  /**
   * Deletes every version (all ts) of every key in `[start, end)` written
   * before the call; later writes are visible. One range tombstone, however
   * many records it covers. `start` after `end` is a RangeError; equal
   * bounds delete nothing.
   */
  deleteRange(start: Key, end: Key): Promise<void>

  /**
   * Atomically reads the live record `(key, ts)`, replaces its value and/or
   * expiry, and writes it back: no other write comes in between. Resolves to
   * the new record; rejects with FlowDBError `FLOWDB_NOT_FOUND` if the record
   * is absent, deleted or expired. Without `ttl`/`expireAt` the expiry is kept.
   */
  patchRecord(key: Key, ts: Int64, changes: PatchChanges<W> & { valueEncoding?: 'buffer' | 'utf8' }): Promise<FlowRecord<K, V, T>>
  patchRecord(key: Key, ts: Int64, changes: PatchChanges<unknown> & { valueEncoding: 'json' }): Promise<FlowRecord<K, any, T>>

  /** Pins the current state for reads given `{ snapshot }`. See {@link Snapshot}. */
  snapshot(): Snapshot

  /** Writes the memtable to an SSTable and waits for pending flushes. */
  flush(): Promise<void>

  /**
   * Makes the engine writable again after a write-path I/O error (e.g.
   * `FLOWDB_NO_SPACE`) turned it read-only, once the cause is gone: starts a
   * new manifest if one failed, a new WAL segment, and flushes every
   * memtable. Rejects with the error, the engine still read-only, if that
   * fails; resolves at once if the engine is not read-only.
   */
  resume(): Promise<void>

  /**
   * Flushes, then merges every SSTable into one, dropping overwritten,
   * deleted and expired records that no open snapshot can see. Background
   * compaction does this piecewise on its own (see `compactionTrigger`).
   */
  compact(): Promise<void>

  /**
   * Reads every live SSTable whole (every block checksum, entry order and
   * count, key and sequence ranges and size against the MANIFEST) and every
   * WAL segment not yet flushed (every record checksum and write batch),
   * while the engine stays usable. Damage is reported in
   * `problems`, not thrown; rejects only if the check cannot run
   * (`FLOWDB_CLOSED`, `FLOWDB_IO_ERROR` listing the directory).
   */
  verify(): Promise<VerifyReport>

  /**
   * Writes a consistent copy of the database into directory `dir` (an online
   * backup) while reads and writes go on. The copy holds exactly the writes
   * with sequence numbers up to the resolved `sequence` (every write that
   * resolved before the call, none that was not committed when it took its
   * view), opens with {@link open} as a database of its own, and shares
   * nothing with this one afterwards. SSTables are hard-linked where the file
   * system allows (else copied), the unflushed WAL is copied, and every file
   * is synced before `CURRENT`, written last, makes the copy openable. An
   * in-memory engine is saved to disk this way. `dir` may be an empty
   * existing directory; missing folders above it are created (and synced).
   * Throws a TypeError unless
   * `dir` is a non-empty string; rejects with `FLOWDB_INVALID_ARGUMENT` if
   * `dir` is not empty, with the engine's error if it is read-only, or with
   * `FLOWDB_IO_ERROR`/`FLOWDB_NO_SPACE` after removing what it wrote.
   */
  checkpoint(dir: string): Promise<CheckpointResult>

  /**
   * Deletes the SSTables whose records have all expired, unless an older
   * SSTable holds versions they hide. The background thread does this about
   * once a second. Resolves to what this call dropped.
   */
  gc(): Promise<{ files: number, records: number }>

  /** Engine counters, sizes in bytes, latencies in µs. */
  stats(): EngineStats

  /**
   * {@link Engine.stats} in the Prometheus text exposition format 0.0.4:
   * counters `flowdb_*_total`, gauges, and summaries of latencies in seconds.
   */
  metrics(): string

  /**
   * Closes the database: ends open scans, waits for operations in flight,
   * syncs and releases the directory lock. Idempotent; concurrent calls share
   * one Promise.
   */
  close(): Promise<void>

  /** Same as {@link Engine.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>
}

/**
 * The error class of every engine failure. Argument mistakes are plain
 * `TypeError`/`RangeError` instead and carry no code.
 */
export declare class FlowDBError extends Error {
  constructor(message: string, code: ErrorCode, cause?: unknown)
  /** Always `'FlowDBError'`. */
  readonly name: 'FlowDBError'
  /** A stable code; compare it with {@link errorCodes}, never the message. */
  readonly code: ErrorCode
  /** The underlying error, when there is one. */
  readonly cause?: unknown
}

/** The error codes, defined once by the native engine. */
export declare const errorCodes: Readonly<{
  NOT_FOUND: 'FLOWDB_NOT_FOUND'
  CORRUPTION: 'FLOWDB_CORRUPTION'
  IO_ERROR: 'FLOWDB_IO_ERROR'
  LOCKED: 'FLOWDB_LOCKED'
  CLOSED: 'FLOWDB_CLOSED'
  INVALID_ARGUMENT: 'FLOWDB_INVALID_ARGUMENT'
  BUSY: 'FLOWDB_BUSY'
  NOT_SUPPORTED: 'FLOWDB_NOT_SUPPORTED'
  NO_SPACE: 'FLOWDB_NO_SPACE'
  /** {@link Engine.changes}: a change after `since` was in a WAL segment already deleted. */
  SEQUENCE_GONE: 'FLOWDB_SEQUENCE_GONE'
  /** A transaction lost: something it read was changed by a transaction that committed first. */
  CONFLICT: 'FLOWDB_CONFLICT'
  /** A unique index already holds the key, or add() found the primary key taken. */
  CONSTRAINT: 'FLOWDB_CONSTRAINT'
  /** A value is not a valid key, or a key path yields none. */
  INVALID_KEY: 'FLOWDB_INVALID_KEY'
  /** A write in a read-only transaction. */
  READ_ONLY: 'FLOWDB_READ_ONLY'
  /** A call on a committed or aborted transaction. */
  TRANSACTION_INACTIVE: 'FLOWDB_TRANSACTION_INACTIVE'
}>

/** Versions of this build: the package, the lz4 and simdjson libraries in use, and the on-disk format. */
export declare const versions: Readonly<{
  flowdb: string
  lz4: string
  simdjson: string
  format: number
}>

// --- JsonDB: the document store ---------------------------------------------
//
// Object stores of JSON documents with primary keys, secondary indexes,
// queries and snapshot-isolated transactions, in IndexedDB's key order and
// semantics. Documents cross to native code as JSON text: a value JSON cannot
// carry (undefined at the top, a function, a symbol, a BigInt, a cycle) is a
// TypeError before anything is written; properties whose value is undefined
// are left out and Dates are stored as their ISO strings, as JSON.stringify
// does.

/**
 * A key of the document store, as IndexedDB defines one: a number (not
 * NaN), a Date with a valid time, a string, binary (an ArrayBuffer or a view
 * of one) or an array of keys (no holes, no cycles). Keys sort as IndexedDB's
 * `cmp()`: Number < Date < String < Binary < Array; strings by UTF-16 code
 * units; arrays element by element. `42` and `'42'` are different keys,
 * `30` and `30.0` the same. Anything else is rejected with
 * `FLOWDB_INVALID_KEY`.
 */
export type DocKey = number | string | Date | ArrayBuffer | ArrayBufferView | DocKey[]

/** A key as reads return it: binary keys come back as ArrayBuffers. */
export type DocKeyResult<K> =
  K extends ArrayBufferView ? ArrayBuffer
    : K extends readonly (infer E)[] ? DocKeyResult<E>[]
      : K

/** An IndexedDB key path: '' (the document itself), dotted identifiers ('a.b.c'), or an array of those (a compound key). */
export type KeyPath = string | string[]

declare const kStoreType: unique symbol

/**
 * Declares, in a {@link JsonDB} schema map, the primary key type and the
 * index names of a store beside its document type:
 * `JsonDB<{ users: StoreType<User, number, 'byEmail' | 'byAge'> }>`.
 * A store whose entry is a plain document type has keys of any
 * {@link DocKey} type and indexes of any name.
 */
export interface StoreType<Doc, K extends DocKey = DocKey, Indexes extends string = string> {
  /** Type-level only; no such property exists at run time. */
  readonly [kStoreType]: { doc: Doc, key: K, indexes: Indexes }
}

/** The document type of a schema map entry. */
export type DocOf<T> = T extends StoreType<infer D, any, any> ? D : T
/** The primary key type of a schema map entry. */
export type KeyOfStore<T> = T extends StoreType<any, infer K, any> ? K : DocKey
/** The index names of a schema map entry. */
export type IndexNameOf<T> = T extends StoreType<any, any, infer I> ? I : string

type PrevDepth = [never, 0, 1, 2, 3, 4]

/**
 * The dotted paths into a document type, to four levels ('' is the
 * document itself); `string` when the type is `any` or `unknown`.
 */
export type DocPath<T, Depth extends number = 4> =
  0 extends (1 & T) ? string
    : unknown extends T ? string
      : [Depth] extends [never] ? never
          : T extends readonly any[] ? never
            : T extends Date ? never
              : T extends object
                ? { [P in keyof T & string]: P | (NonNullable<T[P]> extends object ? `${P}.${DocPath<NonNullable<T[P]>, PrevDepth[Depth]>}` : never) }[keyof T & string]
                : never

/** A KeyRange or a single key (the range holding only that key). */
export type KeyQuery<K extends DocKey = DocKey> = KeyRange<K> | K

/**
 * An interval of keys, as IndexedDB's IDBKeyRange. Bounds are copies of the
 * keys given. Invalid bounds, a lower bound above the upper bound, or equal
 * bounds with an open end are rejected with `FLOWDB_INVALID_KEY`; an open
 * flag that is not a boolean is a TypeError.
 */
export declare class KeyRange<K extends DocKey = DocKey> {
  private constructor()
  /** The lower bound, or undefined when the range has none. */
  readonly lower: DocKeyResult<K> | undefined
  /** The upper bound, or undefined when the range has none. */
  readonly upper: DocKeyResult<K> | undefined
  /** True when the lower bound itself is excluded (always true without a lower bound). */
  readonly lowerOpen: boolean
  /** True when the upper bound itself is excluded (always true without an upper bound). */
  readonly upperOpen: boolean
  /** The range holding exactly `key`. */
  static only<K extends DocKey>(key: K): KeyRange<K>
  /** Keys from `lower` to `upper`; each end is included unless its open flag is true. */
  static bound<K extends DocKey>(lower: K, upper: K, lowerOpen?: boolean, upperOpen?: boolean): KeyRange<K>
  /** Keys from `lower` up (excluding `lower` when `open`). */
  static lowerBound<K extends DocKey>(lower: K, open?: boolean): KeyRange<K>
  /** Keys up to `upper` (excluding `upper` when `open`). */
  static upperBound<K extends DocKey>(upper: K, open?: boolean): KeyRange<K>
  /** Whether `key` lies in the range; `FLOWDB_INVALID_KEY` when it is not a key. */
  includes(key: DocKey): boolean
}

/** Options of {@link JsonDB.createObjectStore}. */
export interface ObjectStoreOptions {
  /**
   * Where the primary key is in each document; without one, keys are given
   * to `put(doc, key)` or generated. A document whose key path yields no
   * valid key is rejected with `FLOWDB_INVALID_KEY` (unless the key is
   * generated, then it is written into the document at this path).
   */
  keyPath?: KeyPath | null
  /**
   * Generate keys 1, 2, 3… when none is given (IndexedDB's key generator:
   * an explicit numeric key raises it; transactional; kept across reopens).
   * Not allowed with a '' or compound key path.
   */
  autoIncrement?: boolean
}

/** Options of {@link JsonDB.createIndex}. */
export interface IndexOptions {
  /** No two documents may have the same index key (`FLOWDB_CONSTRAINT` otherwise). */
  unique?: boolean
  /**
   * An array at the key path gives one index entry per distinct valid
   * element (invalid elements skipped). Not allowed with a compound key path.
   */
  multiEntry?: boolean
}

/** An index as {@link JsonDB.schema} describes it and `applySchema` declares it. */
export interface IndexSchema {
  name: string
  keyPath: KeyPath
  unique?: boolean
  multiEntry?: boolean
}

/** An object store as {@link JsonDB.schema} describes it and `applySchema` declares it. */
export interface ObjectStoreSchema {
  name: string
  keyPath?: KeyPath | null
  autoIncrement?: boolean
  indexes?: IndexSchema[]
}

/** What {@link JsonDB.applySchema} changed (names; indexes as `store.index`). Empty arrays when nothing changed. */
export interface SchemaChanges {
  createdStores: string[]
  deletedStores: string[]
  createdIndexes: string[]
  deletedIndexes: string[]
}

/** Cursor directions: key order ('next') or reverse ('prev'); the *unique forms visit each index key once. */
export type CursorDirection = 'next' | 'prev' | 'nextunique' | 'prevunique'

/** Options of `getAll`/`getAllKeys`. */
export interface GetAllOptions {
  /** At most this many results (a non-negative integer; default all). */
  limit?: number
  /** 'next' (default) or 'prev'; the unique forms apply to indexes. */
  direction?: CursorDirection
}

/** Options of `iterate`. */
export interface IterateOptions<K extends DocKey = DocKey> extends GetAllOptions {
  /** Only records whose key (index key, on an index) lies here. */
  range?: KeyQuery<K>
}

/** One record of a cursor: its key (the index key on an index), its primary key and its document. */
export interface CursorRecord<Doc, PK, K = PK> {
  key: DocKeyResult<K>
  primaryKey: DocKeyResult<PK>
  value: Doc
}

/** The async iterable `iterate()` returns; records are fetched in chunks. */
export interface DocCursor<R> extends AsyncIterableIterator<R> {
  /** Stops the cursor and releases what it holds. Idempotent. */
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** Bounds of {@link Query.whereRange}: at least one; not both of gt/gte or lt/lte. */
export interface RangeBounds {
  gt?: DocKey
  gte?: DocKey
  lt?: DocKey
  lte?: DocKey
}

/** A key range of a {@link QueryPlan}: bounds are keys, or the encoded bytes (a Buffer) of a compound-key prefix. */
export interface PlanRange {
  lower?: DocKey | Buffer
  upper?: DocKey | Buffer
  lowerOpen: boolean
  upperOpen: boolean
}

/** The plan {@link Query.explain} reports. */
export interface QueryPlan {
  /** The store queried. */
  store: string
  /** The index used, or null for the store's primary key order. */
  index: string | null
  /** The key path(s) the chosen index covers ([] for the primary key). */
  keyPath: string[]
  /** The key ranges scanned, in order (several for `whereIn`). */
  ranges: PlanRange[]
  /** The paths of the predicates checked on each document rather than by the index. */
  residual: string[]
  /** True when results are sorted after the scan (the index order does not give `orderBy`). */
  sort: boolean
  /** The direction the index is walked. */
  direction: 'next' | 'prev'
  /** False when a count is answered from index keys alone. */
  readsDocuments: boolean
  /** True when the scan stops as soon as offset + limit results are found. */
  earlyStop: boolean
}

/**
 * A query over one store, built by chaining (each method returns a new
 * Query; a Query is immutable). Values are keys (`FLOWDB_INVALID_KEY`
 * otherwise) and match documents as IndexedDB keys compare: `30` matches
 * `30.0`, never `'30'`. The planner uses an index whose key path gives an
 * equality prefix and at most one range; other predicates are checked per
 * document in native code. Offset and limit apply after filtering and
 * ordering.
 */
export interface Query<Doc> extends AsyncIterable<Doc> {
  /** Documents whose value at `path` equals `value`. */
  whereEq(path: DocPath<Doc>, value: DocKey): Query<Doc>
  /** Documents whose value at `path` lies within `bounds`. */
  whereRange(path: DocPath<Doc>, bounds: RangeBounds): Query<Doc>
  /** Documents whose value at `path` equals one of `values`. */
  whereIn(path: DocPath<Doc>, values: DocKey[]): Query<Doc>
  /** Orders results by the value at `path` (documents without a valid key there sort last, ascending); once per query. */
  orderBy(path: DocPath<Doc>, direction?: 'asc' | 'desc'): Query<Doc>
  /** Skips the first `n` results. */
  offset(n: number): Query<Doc>
  /** Returns at most `n` results. */
  limit(n: number): Query<Doc>
  /** Resolves to every result, in order. */
  toArray(): Promise<Doc[]>
  /** Resolves to the number of results (offset and limit applied). */
  count(): Promise<number>
  /** Resolves to the first result, or undefined. */
  first(): Promise<Doc | undefined>
  /** Resolves to the plan the query would run with. */
  explain(): Promise<QueryPlan>
}

/**
 * Reads of an index (documents found by their index key). On a multiEntry
 * index, each element of the indexed array is a key.
 */
export interface DocIndex<Doc, PK extends DocKey> {
  /** The index name. */
  readonly name: string
  /** The first document whose index key lies in `query`, or undefined. */
  get(query: KeyQuery): Promise<Doc | undefined>
  /** {@link DocIndex.get} on the calling thread (reading files there when memory does not hold the document). */
  getSync(query: KeyQuery): Doc | undefined
  /** The primary key of the first document whose index key lies in `query`. */
  getKey(query: KeyQuery): Promise<DocKeyResult<PK> | undefined>
  /** The documents whose index key lies in `query` (all when undefined), in index order. */
  getAll(query?: KeyQuery | null, options?: GetAllOptions): Promise<Doc[]>
  /** Their primary keys. */
  getAllKeys(query?: KeyQuery | null, options?: GetAllOptions): Promise<Array<DocKeyResult<PK>>>
  /** How many index entries lie in `query`. */
  count(query?: KeyQuery | null): Promise<number>
  /** The index entries in `options.range`, in chunks: `key` is the index key. */
  iterate(options?: IterateOptions): DocCursor<CursorRecord<Doc, PK, DocKey>>
}

/**
 * One object store, outside a transaction (each call is its own
 * transaction) or inside one (`tx.store(name)`: reads see the transaction's
 * snapshot and its own writes). Unknown stores reject with
 * `FLOWDB_NOT_FOUND`.
 */
export interface DocStore<Doc, PK extends DocKey = DocKey, Indexes extends string = string> {
  /** The store name. */
  readonly name: string
  /**
   * Writes `doc` (replacing a document with the same key) and resolves to
   * its primary key. `key` is given only to stores without a key path.
   * `FLOWDB_CONSTRAINT` if a unique index already holds one of its index
   * keys for another document; `FLOWDB_INVALID_KEY` if no key can be found
   * or generated.
   */
  put(doc: Doc, key?: PK): Promise<DocKeyResult<PK>>
  /** As {@link DocStore.put}, but `FLOWDB_CONSTRAINT` if the key already exists. */
  add(doc: Doc, key?: PK): Promise<DocKeyResult<PK>>
  /** Puts every document in one atomic batch; resolves to their keys in order. */
  putMany(docs: Doc[]): Promise<Array<DocKeyResult<PK>>>
  /** The first document in `query`, or undefined. */
  get(query: KeyQuery<PK>): Promise<Doc | undefined>
  /**
   * {@link DocStore.get} on the calling thread (reading files there when
   * memory does not hold the document). In a transaction, `FLOWDB_BUSY`
   * while other calls of the transaction are in flight.
   */
  getSync(query: KeyQuery<PK>): Doc | undefined
  /** The first key in `query`, or undefined. */
  getKey(query: KeyQuery<PK>): Promise<DocKeyResult<PK> | undefined>
  /** The documents in `query` (all when undefined), in key order. */
  getAll(query?: KeyQuery<PK> | null, options?: GetAllOptions): Promise<Doc[]>
  /** The keys in `query` (all when undefined), in key order. */
  getAllKeys(query?: KeyQuery<PK> | null, options?: GetAllOptions): Promise<Array<DocKeyResult<PK>>>
  /** How many documents lie in `query` (all when undefined). */
  count(query?: KeyQuery<PK> | null): Promise<number>
  /** Deletes the document with this key, or every document in the range. */
  delete(query: KeyQuery<PK>): Promise<void>
  /** Deletes every document of the store. */
  clear(): Promise<void>
  /** The records in `options.range`, fetched in chunks. */
  iterate(options?: IterateOptions<PK>): DocCursor<CursorRecord<Doc, PK>>
  /** An index of this store; `FLOWDB_NOT_FOUND` when used if it does not exist. */
  index(name: Indexes): DocIndex<Doc, PK>
  /** A new query over this store. */
  query(): Query<Doc>
}

/** 'readonly' transactions never conflict; 'readwrite' ones validate at commit. */
export type TransactionMode = 'readonly' | 'readwrite'

/**
 * A snapshot-isolated, optimistic transaction over a set of stores. Reads
 * see the database as of the transaction's start plus its own writes;
 * commit() applies every write as one atomic batch, or rejects with
 * `FLOWDB_CONFLICT` if something it read (a key, or a range a query,
 * cursor or count covered) was changed by a transaction that committed
 * since it started. Writes in a 'readonly' transaction reject with
 * `FLOWDB_READ_ONLY`; calls after commit or abort with
 * `FLOWDB_TRANSACTION_INACTIVE`; a store outside the scope with
 * `FLOWDB_NOT_FOUND`.
 */
export interface Transaction<Schema extends Record<string, any> = Record<string, any>> {
  /** 'readonly' or 'readwrite'. */
  readonly mode: TransactionMode
  /** The stores in scope. */
  readonly objectStoreNames: readonly string[]
  /** 'active', 'committed' or 'aborted'. */
  readonly state: 'active' | 'committed' | 'aborted'
  /** A store in the transaction's scope. */
  store<S extends keyof Schema & string>(name: S): DocStore<DocOf<Schema[S]>, KeyOfStore<Schema[S]>, IndexNameOf<Schema[S]>>
  /** Validates and applies the writes; rejects with `FLOWDB_CONFLICT` (nothing applied) on a conflict. */
  commit(): Promise<void>
  /** Drops the writes. Idempotent; a no-op after commit. */
  abort(): void
}

/** Options of {@link JsonDB.transaction} with a function. */
export interface TransactionOptions {
  /** Reruns the function on `FLOWDB_CONFLICT` up to this many times (default 0). */
  retries?: number
}

/** Options of {@link JsonDB.open}: where the data lives and the engine options (`syncMode` and the rest). */
export type JsonDBOptions = Omit<EngineOptions, 'keyEncoding' | 'valueEncoding' | 'timestampType' | 'defaultTtl' | 'ttlBasis'>

/**
 * A document database, typed by a map of store name → document type (or
 * {@link StoreType} for the key type and index names too):
 *
 * ```ts
 * const db = await JsonDB.open<{ users: StoreType<User, number, 'byEmail'> }>({ path: 'data' })
 * const u = await db.store('users').index('byEmail').get('ada@example.com')
 * ```
 *
 * Writes, queries and cursors run on worker threads and return Promises.
 * After close() every call rejects with `FLOWDB_CLOSED`.
 */
export declare class JsonDB<Schema extends Record<string, any> = Record<string, any>> {
  private constructor()

  /** Opens (creating if allowed) a document database in a directory, or in memory. */
  static open<Schema extends Record<string, any> = Record<string, any>>(options: JsonDBOptions): Promise<JsonDB<Schema>>

  /** 'open' | 'closing' | 'closed' */
  readonly status: 'open' | 'closing' | 'closed'

  /** The names of the object stores, sorted. */
  readonly objectStoreNames: string[]

  /** The stores and their indexes as kept in the catalog. */
  schema(): ObjectStoreSchema[]

  /** Creates an object store; `FLOWDB_CONSTRAINT` if one of that name exists. */
  createObjectStore(name: keyof Schema & string, options?: ObjectStoreOptions): Promise<void>
  /** Deletes an object store, its documents and its indexes; `FLOWDB_NOT_FOUND` if none of that name exists. */
  deleteObjectStore(name: keyof Schema & string): Promise<void>
  /**
   * Creates an index and fills it from the store's documents in one atomic
   * batch. `FLOWDB_CONSTRAINT` if the name is taken, or if `unique` and
   * existing documents break it (then nothing is created).
   */
  createIndex<S extends keyof Schema & string>(store: S, name: IndexNameOf<Schema[S]>, keyPath: KeyPath, options?: IndexOptions): Promise<void>
  /** Deletes an index; `FLOWDB_NOT_FOUND` if it does not exist. */
  deleteIndex<S extends keyof Schema & string>(store: S, name: IndexNameOf<Schema[S]>): Promise<void>
  /**
   * Makes the catalog match the declared stores in one atomic step: creates
   * missing stores and indexes (backfilling them), deletes indexes of
   * declared stores that are not declared. Stores not declared are left
   * alone. Idempotent. A declaration that redefines an existing store's key
   * path or autoIncrement, or an index's key path or flags, is refused with
   * `FLOWDB_INVALID_ARGUMENT` and nothing changes.
   */
  applySchema(stores: ObjectStoreSchema[]): Promise<SchemaChanges>

  /** A store, for calls that are each their own transaction. */
  store<S extends keyof Schema & string>(name: S): DocStore<DocOf<Schema[S]>, KeyOfStore<Schema[S]>, IndexNameOf<Schema[S]>>

  /** Starts a transaction over `stores`; commit or abort it. */
  transaction<S extends keyof Schema & string>(stores: S | S[], mode?: TransactionMode): Transaction<Pick<Schema, S>>
  /**
   * Runs `fn` in a transaction that commits when `fn` resolves (resolving
   * to its result) and aborts when it throws (rejecting with its error).
   * On `FLOWDB_CONFLICT` the function reruns in a new transaction, up to
   * `options.retries` times.
   */
  transaction<S extends keyof Schema & string, R>(stores: S | S[], mode: TransactionMode,
    fn: (tx: Transaction<Pick<Schema, S>>) => Promise<R> | R, options?: TransactionOptions): Promise<R>

  /**
   * Writes a consistent copy of the whole directory (every store, index and
   * named database) into `dir` while transactions go on; it opens as a
   * JsonDB. Same contract and errors as {@link Engine.checkpoint}.
   */
  checkpoint(dir: string): Promise<CheckpointResult>

  /**
   * Closes the database. Calls made before it finish first (a cursor read or
   * a commit already requested is answered); then open cursors and
   * transactions are ended (a transaction not committed is aborted) and
   * later calls fail with `FLOWDB_CLOSED`. Idempotent.
   */
  close(): Promise<void>
  /** Same as {@link JsonDB.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>
}
