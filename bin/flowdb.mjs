#!/usr/bin/env node
// flowdb: the command line of FlowDB, on a data directory no process has
// open. `flowdb --help` and `flowdb help COMMAND` describe each command.
//
// Exit codes: 0 success; 1 failure (the message, and a FlowDBError's code,
// on stderr; for `verify`, damage found; for `get`, no such record); 2 bad
// usage. Progress bars go to stderr on a terminal only.

import { createRequire } from 'node:module'
import { once } from 'node:events'
import { createReadStream, createWriteStream, openSync, readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { Command, InvalidArgumentError } from 'commander'
import cliProgress from 'cli-progress'

const require = createRequire(import.meta.url)
const records = require('../lib/cli/records.cjs')

// The library, and with it the native addon, is loaded just before a
// command runs (loadLibrary), so that usage errors and --help stay fast.
let Engine, JsonDB, FlowDBError, versions, binding, OPEN_OPTIONS, resolveOpenOptions, errorCodes

function loadLibrary () {
  ({ Engine, JsonDB, FlowDBError, versions } = require('../lib/index.cjs'))
  binding = require('../lib/binding.cjs');
  ({ OPEN_OPTIONS, resolveOpenOptions } = require('../lib/options.cjs'))
  errorCodes = binding.constants.errorCodes
}

// Records a load batch holds at most, and the most key and value bytes it
// holds before it is written anyway; documents an import batch holds. Each
// batch is one atomic write (one WAL sync with syncMode 'always').
const BATCH_RECORDS = 10_000
const BATCH_BYTES = 4 * 1024 * 1024
const BATCH_DOCUMENTS = 1000
// Output is handed to the stream in pieces of about this many characters.
const OUTPUT_CHUNK = 64 * 1024

/** A mistake in how the command was called: exit code 2. */
class UsageError extends Error {}

/** A failure with a message meant for the user as is: exit code 1. */
class CliError extends Error {}

const RECORD_FORMAT = `
Record lines (NDJSON, one JSON object a line):
  {"key":"sensor/1","ts":1700000000000000,"value":"21.5","expireAt":null}
  {"keyBase64":"AP8=","ts":"9223372036854775807","valueBase64":"AAEC","expireAt":1800000000000000}
  key, value   the bytes as a string when they are valid UTF-8; otherwise
               keyBase64 / valueBase64 (standard base64) in their place
  ts, expireAt integers: a JSON number within ±(2^53 - 1), else a decimal
               string; expireAt is µs since the epoch, null = never expires
Binary keys and values, and every int64, round-trip exactly.`

const DOCUMENT_FORMAT = `
Document lines (NDJSON): a store with a key path has one document a line.
A store without one (out-of-line keys) has {"key": KEY, "value": DOCUMENT}
a line, KEY being a number, a string, an array of keys, {"date": ms},
{"binary": base64} or {"number": "Infinity"|"-Infinity"}.`

// --- helpers ---------------------------------------------------------------

// A commander parser for an int64 option (named `what` in errors): a
// number when safe, else a bigint; InvalidArgumentError (exit 2) otherwise.
function int64Arg (what) {
  return (text) => {
    try {
      const v = records.int64Field(text, what)
      return typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v
    } catch (err) {
      throw new InvalidArgumentError(err.message)
    }
  }
}

// A commander parser for a count (--limit): a non-negative safe integer.
function countArg (text) {
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new InvalidArgumentError('must be a whole number')
  return Number(text)
}

// A key given on the command line: its UTF-8 bytes, or its base64 decoding
// with --base64.
function keyArg (text, base64, what) {
  if (!base64) return Buffer.from(text, 'utf8')
  try {
    return records.base64Field(text, what)
  } catch (err) {
    throw new UsageError(`${what}: ${err.message}`)
  }
}

// n bytes for people: "512 B", "1.5 MiB".
function formatBytes (n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024
    i++
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`
}

// The directory listing of an existing database (binding.inspect: no lock,
// nothing written). Fails clearly when there is no directory or no
// database in it.
function inspectExisting (dir) {
  const info = inspect(dir)
  if (info === null) throw new CliError(`no such directory: ${dir}`)
  if (!info.files.some((f) => f.kind === 'current')) {
    throw new CliError(`${dir} is not a FlowDB database (it has no CURRENT file)`)
  }
  return info
}

// binding.inspect(dir), or null when dir does not exist.
function inspect (dir) {
  try {
    return binding.inspect(resolve(dir))
  } catch (err) {
    if (err instanceof FlowDBError && err.code === errorCodes.NOT_FOUND) return null
    throw err
  }
}

/** The document-store format a directory's OPTIONS records, or null for a plain engine. */
function jsondbFormat (info) {
  return info.options === null ? null : info.options['extra.jsondb.format'] ?? null
}

// Open options that repeat the tuning stored in the directory's OPTIONS, so
// that the open (which rewrites OPTIONS) leaves it as the last real open
// wrote it. Names the open does not take, and stored values this build does
// not accept, are left out.
const NOT_STORED = new Set(['path', 'inMemory', 'createIfMissing', 'errorIfExists', 'timestampType', 'keyEncoding', 'valueEncoding', 'defaultTtl'])
const ENGINE_ONLY = new Set(['defaultTtl', 'ttlBasis'])

function storedOptions (info, forJsonDB) {
  if (info === null || info.options === null) return {}
  const out = {}
  for (const [name, text] of Object.entries(info.options)) {
    if (name === 'defaultTtlUs' && !forJsonDB) {
      out.defaultTtl = Number(text) / 1000
      continue
    }
    const spec = OPEN_OPTIONS[name]
    if (spec === undefined || NOT_STORED.has(name) || (forJsonDB && ENGINE_ONLY.has(name))) continue
    out[name] = spec.choices ? text : Number(text)
  }
  for (const name of Object.keys(out)) {
    try {
      resolveOpenOptions({ path: '.', [name]: out[name] })
    } catch {
      delete out[name]
    }
  }
  return out
}

// Opens the engine in an existing directory, keys and values as Buffers.
async function openEngine (dir, info) {
  return Engine.open({
    ...storedOptions(info, false),
    path: dir,
    createIfMissing: false,
    keyEncoding: 'buffer',
    valueEncoding: 'buffer'
  })
}

// Opens the document store in an existing JsonDB directory.
async function openJsonDB (dir) {
  const info = inspectExisting(dir)
  if (jsondbFormat(info) === null) {
    throw new CliError(`${dir} is not a JsonDB database (its OPTIONS file names no document format)`)
  }
  return JsonDB.open({ ...storedOptions(info, true), path: dir, createIfMissing: false })
}

// A directory `load` or `import` may write into: an existing database, or
// an empty or missing directory (the open creates it, with its parents, and
// syncs each new entry). Returns the listing, or null for a new database.
function prepareTarget (dir) {
  const info = inspect(dir)
  if (info === null) return null
  if (info.files.length === 0) return null
  if (!info.files.some((f) => f.kind === 'current')) {
    throw new CliError(`${dir} is not empty and is not a FlowDB database (it has no CURRENT file)`)
  }
  return info
}

// Runs fn(handle) and closes the handle however fn ends.
async function using (handle, fn) {
  try {
    return await fn(handle)
  } finally {
    await handle.close()
  }
}

// Lines to a stream, in pieces, waiting when the stream is full.
class LineWriter {
  #stream
  #pending = ''
  #ownsStream

  // file: a path (created or truncated now, so that a bad path fails before
  // any work), or undefined for stdout.
  constructor (file) {
    this.#ownsStream = file !== undefined
    if (file === undefined) {
      this.#stream = process.stdout
      return
    }
    let fd
    try {
      fd = openSync(file, 'w')
    } catch (err) {
      throw new CliError(`--out ${file}: ${err.message}`)
    }
    this.#stream = createWriteStream(null, { fd })
    this.#stream.on('error', () => {}) // surfaced by #flush() and end()
  }

  async line (text) {
    this.#pending += text + '\n'
    if (this.#pending.length >= OUTPUT_CHUNK) await this.#flush()
  }

  async #flush () {
    const chunk = this.#pending
    this.#pending = ''
    if (chunk === '') return
    if (this.#stream.errored) throw this.#stream.errored
    // once() rejects if the stream fails while we wait.
    if (!this.#stream.write(chunk)) await once(this.#stream, 'drain')
  }

  async end () {
    await this.#flush()
    if (this.#ownsStream) {
      if (this.#stream.errored) throw this.#stream.errored
      this.#stream.end()
      await once(this.#stream, 'finish')
    }
  }
}

// The input of --in FILE or of stdin: its size (null when unknown), lines()
// to iterate over its lines, and a count of the bytes read for progress.
// The file is opened by lines(), called when the caller is ready to consume
// (a line read before the loop runs would be lost).
function lineSource (file) {
  if (file === undefined && process.stdin.isTTY) {
    throw new UsageError('no input: give --in FILE or pipe NDJSON into stdin')
  }
  let total = null
  if (file !== undefined) {
    try {
      total = statSync(file).size
    } catch (err) {
      throw new CliError(`--in ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`)
    }
  }
  let stream = null
  return {
    total,
    lines () {
      stream = file === undefined ? process.stdin : createReadStream(file)
      return createInterface({ input: stream, crlfDelay: Infinity })
    },
    bytesRead: () => stream === null ? 0 : stream.bytesRead
  }
}

// A progress bar on stderr when it is a terminal, nothing otherwise.
// total: the end value (bytes or items), or null when unknown (a counter).
function progress (label, total, unit) {
  if (!process.stderr.isTTY) return { update () {}, stop () {} }
  const format = total === null
    ? `${label} {count} ${unit} | {duration_formatted}`
    : `${label} |{bar}| {percentage}% | {count} ${unit} | {duration_formatted}`
  const bar = new cliProgress.SingleBar({ format, stream: process.stderr, clearOnComplete: true, hideCursor: true }, cliProgress.Presets.shades_classic)
  bar.start(total === null ? 1 : Math.max(total, 1), 0, { count: 0 })
  return {
    update (value, count) { bar.update(total === null ? 0 : value, { count }) },
    stop () { bar.stop() }
  }
}

// Prints a command's result: JSON with --json, else the text lines.
function report (json, data, lines, stream = process.stdout) {
  stream.write(json ? JSON.stringify(data) + '\n' : lines().join('\n') + '\n')
}

// The summary of a command whose stdout may carry its data: stdout when
// the data goes to a file, else stderr.
function summaryStream (out) {
  return out === undefined ? process.stderr : process.stdout
}

// --- commands --------------------------------------------------------------

// info DIR: the directory listing by kind, the stored options and format
// version, and the last sequence number (from an open).
async function infoCommand (dir, opts) {
  const info = inspectExisting(dir)
  const byKind = {}
  let totalBytes = 0
  for (const f of info.files) {
    const k = byKind[f.kind] ?? (byKind[f.kind] = { files: 0, bytes: 0 })
    k.files++
    k.bytes += f.size
    totalBytes += f.size
  }
  let lastSequence = null
  let openError = null
  try {
    lastSequence = await using(await openEngine(dir, info), async (e) => e.stats().lastSequence)
  } catch (err) {
    if (!(err instanceof FlowDBError)) throw err
    openError = { code: err.code, message: err.message }
  }
  const stored = info.options
  const data = {
    path: resolve(dir),
    kind: jsondbFormat(info) === null ? 'engine' : 'jsondb',
    jsondbFormat: jsondbFormat(info),
    formatVersion: stored === null ? null : Number(stored.format_version),
    buildFormatVersion: versions.format,
    lastSequence,
    totalBytes,
    byKind,
    files: info.files,
    options: stored,
    optionsError: info.optionsError === null ? null : { code: info.optionsError.code, message: info.optionsError.message },
    openError
  }
  report(opts.json, data, () => {
    const out = [
      `path            ${data.path}`,
      `kind            ${data.kind === 'jsondb' ? `JsonDB (document format ${data.jsondbFormat})` : 'engine'}`,
      `format version  ${data.formatVersion ?? 'unknown'} (this build writes ${data.buildFormatVersion})`,
      `last sequence   ${lastSequence ?? `unknown (the open failed: ${openError.code}: ${openError.message})`}`,
      `files           ${info.files.length}, ${formatBytes(totalBytes)}`
    ]
    for (const [kind, k] of Object.entries(byKind).sort()) {
      out.push(`  ${kind.padEnd(14)}${String(k.files).padStart(4)} ${k.files === 1 ? 'file ' : 'files'} ${formatBytes(k.bytes).padStart(11)}`)
    }
    if (stored !== null) {
      out.push('options (as stored in OPTIONS by the last open)')
      for (const [name, value] of Object.entries(stored)) out.push(`  ${name} = ${value}`)
    } else {
      out.push(`options         ${info.optionsError === null ? 'none stored' : `unreadable: ${info.optionsError.code}: ${info.optionsError.message}`}`)
    }
    return out
  })
  if (openError !== null) process.exitCode = 1
}

// stats DIR: engine.stats() of the database.
async function statsCommand (dir, opts) {
  const info = inspectExisting(dir)
  const stats = await using(await openEngine(dir, info), async (e) => e.stats())
  report(opts.json, stats, () => {
    const out = []
    for (const [name, v] of Object.entries(stats)) {
      if (typeof v === 'object' && v !== null) {
        out.push(`${name.padEnd(26)}${Object.entries(v).map(([k, x]) => `${k} ${x}`).join(', ')}`)
      } else {
        out.push(`${name.padEnd(26)}${Number.isInteger(v) ? v : v.toFixed(3)}`)
      }
    }
    return out
  })
}

// verify DIR: engine.verify(); exit code 1 when anything is damaged,
// including a database too damaged to open.
async function verifyCommand (dir, opts) {
  const info = inspectExisting(dir)
  let result
  try {
    result = await using(await openEngine(dir, info), async (e) => {
      const r = await e.verify()
      const { walSkippedRegions, walSkippedBytes } = e.stats()
      if (walSkippedRegions > 0) {
        r.problems.push({
          file: 'wal',
          offset: 0,
          message: `the open skipped ${walSkippedRegions} damaged WAL stretch(es), ${walSkippedBytes} bytes (walRecovery: 'salvage' is stored in OPTIONS)`
        })
        r.ok = false
      }
      return r
    })
  } catch (err) {
    // A database too damaged to open is a verify result, not a failure of
    // the command.
    if (!(err instanceof FlowDBError) || err.code !== errorCodes.CORRUPTION) throw err
    result = { ok: false, openError: { code: err.code, message: err.message }, problems: [{ file: '', offset: 0, message: `the database does not open: ${err.message}` }] }
  }
  report(opts.json, result, () => {
    if (result.ok) {
      return [`clean: ${result.sstables} SSTables (${formatBytes(result.sstableBytes)}, ${result.dataBlocks} data blocks, ${result.entries} entries), ${result.walSegments} WAL segments (${result.walRecords} records)`]
    }
    return [`damaged: ${result.problems.length} problem(s)`,
      ...result.problems.map((p) => `  ${p.file === '' ? '' : `${p.file}${p.offset > 0 ? ` at offset ${p.offset}` : ''}: `}${p.message}`),
      `flowdb repair ${dir} (Engine.repair) salvages what can still be read (see the README).`]
  })
  if (!result.ok) process.exitCode = 1
}

// repair DIR: Engine.repair() with the SSTable options stored in OPTIONS
// (when it reads), for a database that does not open or read; what it
// replaces or cannot read is moved to lost/ inside DIR.
async function repairCommand (dir, opts) {
  const info = inspectExisting(dir)
  const stored = storedOptions(info, false)
  const tableOptions = {}
  for (const name of ['blockSize', 'blockRestartInterval', 'bloomBitsPerKey', 'compression']) {
    if (stored[name] !== undefined) tableOptions[name] = stored[name]
  }
  const result = await Engine.repair({ ...tableOptions, path: dir })
  report(opts.json, result, () => [
    `repaired at sequence ${result.lastSequence}: SSTables ${result.sstablesKept} kept, ${result.sstablesSalvaged} salvaged (${result.entriesSalvaged} entries), ${result.sstablesDropped} dropped; ` +
      `WAL ${result.walSegments} segments, ${result.walRecords} records recovered, ${result.walRecordsDropped} dropped (${formatBytes(result.walBytesDropped)})`,
    ...result.dropped.map((p) => `  dropped ${p.file}${p.offset > 0 ? ` at offset ${p.offset}` : ''}: ${p.message}`),
    ...(result.movedToLost.length > 0 ? [`moved to lost/: ${result.movedToLost.join(', ')}`] : [])
  ])
}

// dump DIR: every live record as an NDJSON line (records.cjs), streamed.
async function dumpCommand (dir, opts) {
  const info = inspectExisting(dir)
  const out = new LineWriter(opts.out)
  const bar = progress('dump', null, 'records')
  let count = 0
  try {
    await using(await openEngine(dir, info), async (e) => {
      for await (const r of e.scan()) {
        await out.line(records.recordToLine(r))
        if (++count % 1000 === 0) bar.update(0, count)
      }
    })
    await out.end()
  } finally {
    bar.stop()
  }
  report(opts.json, { records: count, out: opts.out ?? null }, () => [`dumped ${count} records${opts.out === undefined ? '' : ` to ${opts.out}`}`], summaryStream(opts.out))
}

// load DIR: NDJSON records written in atomic batches; creates the database
// if needed. A bad line stops the load, naming it.
async function loadCommand (dir, opts) {
  const source = lineSource(opts.in)
  const info = prepareTarget(dir)
  const engine = await Engine.open({ ...storedOptions(info, false), path: dir })
  const bar = progress('load', source.total, 'records')
  let count = 0
  let lineNo = 0
  try {
    await using(engine, async (e) => {
      let batch = []
      let bytes = 0
      let first = 1 // line number of batch[0]
      const write = async () => {
        try {
          await e.writeBatch(batch)
        } catch (err) {
          throw new CliError(`lines ${first}-${lineNo}: ${err instanceof FlowDBError ? `${err.code}: ` : ''}${err.message} (the ${count} records before them were loaded)`)
        }
        count += batch.length
        batch = []
        bytes = 0
        bar.update(source.bytesRead(), count)
      }
      for await (const line of source.lines()) {
        lineNo++
        if (line.trim() === '') continue
        if (batch.length === 0) first = lineNo
        let r
        try {
          r = records.lineToRecord(line)
        } catch (err) {
          throw new CliError(`line ${lineNo}: ${err.message} (the ${count} records before the batch holding it were loaded)`)
        }
        batch.push(r)
        bytes += r.key.length + r.value.length
        if (batch.length >= BATCH_RECORDS || bytes >= BATCH_BYTES) await write()
      }
      if (batch.length > 0) await write()
    })
  } finally {
    bar.stop()
  }
  report(opts.json, { records: count }, () => [`loaded ${count} records into ${dir}`])
}

// get DIR KEY: the newest live version of KEY, or the one at --ts.
async function getCommand (dir, key, opts) {
  const k = keyArg(key, opts.base64, 'KEY')
  const info = inspectExisting(dir)
  const record = await using(await openEngine(dir, info), async (e) => {
    if (opts.ts === undefined) return e.getLatest(k)
    // A one-record scan, which returns the expiry too.
    const found = await e.scan({ gte: k, lte: k, ts: { gte: opts.ts, lte: opts.ts }, limit: 1 }).all()
    return found[0]
  })
  if (record === undefined) {
    throw new CliError(`no live record for key ${JSON.stringify(key)}${opts.ts === undefined ? '' : ` at ts ${opts.ts}`}`)
  }
  if (opts.json) process.stdout.write(records.recordToLine(record) + '\n')
  else process.stdout.write(record.value)
}

// scan DIR: the records in the given key and ts bounds, as NDJSON.
async function scanCommand (dir, opts) {
  const range = {}
  if (opts.prefix !== undefined) range.prefix = keyArg(opts.prefix, opts.base64, '--prefix')
  if (opts.start !== undefined) range.gte = keyArg(opts.start, opts.base64, '--start')
  if (opts.end !== undefined) range.lt = keyArg(opts.end, opts.base64, '--end')
  if (opts.tsMin !== undefined || opts.tsMax !== undefined) range.ts = { gte: opts.tsMin, lte: opts.tsMax }
  if (opts.limit !== undefined) range.limit = opts.limit
  if (opts.reverse) range.reverse = true
  const info = inspectExisting(dir)
  const out = new LineWriter(undefined)
  await using(await openEngine(dir, info), async (e) => {
    for await (const r of e.scan(range)) await out.line(records.recordToLine(r))
  })
  await out.end()
}

// compact DIR: engine.compact(), reporting SSTables and bytes before and after.
async function compactCommand (dir, opts) {
  const info = inspectExisting(dir)
  const data = await using(await openEngine(dir, info), async (e) => {
    const before = e.stats()
    const bar = progress('compact', null, 'SSTables')
    bar.update(0, before.sstables)
    const t0 = performance.now()
    try {
      await e.compact()
    } finally {
      bar.stop()
    }
    const ms = Math.round(performance.now() - t0)
    const after = e.stats()
    return {
      before: { sstables: before.sstables, bytes: before.sstableBytes },
      after: { sstables: after.sstables, bytes: after.sstableBytes },
      recordsDropped: after.compactionRecordsDropped,
      ms
    }
  })
  report(opts.json, data, () => [
    `compacted ${data.before.sstables} SSTables (${formatBytes(data.before.bytes)}) into ${data.after.sstables} (${formatBytes(data.after.bytes)}), ` +
    `dropping ${data.recordsDropped} overwritten, deleted or expired records, in ${data.ms} ms`
  ])
}

// checkpoint DIR TARGET: engine.checkpoint(TARGET), a consistent copy that
// opens on its own (SSTables hard-linked where the file system allows).
// TARGET must be missing or empty; the engine creates (and syncs) its
// missing parent directories.
async function checkpointCommand (dir, target, opts) {
  const info = inspectExisting(dir)
  const t0 = performance.now()
  const { sequence } = await using(await openEngine(dir, info), (e) => e.checkpoint(target))
  const ms = Math.round(performance.now() - t0)
  const copied = inspect(target)
  const bytes = copied.files.reduce((sum, f) => sum + f.size, 0)
  const data = { target: resolve(target), sequence, files: copied.files.length, bytes, ms }
  report(opts.json, data, () => [
    `wrote a checkpoint at sequence ${sequence} to ${data.target}: ${data.files} files, ${formatBytes(bytes)}, in ${ms} ms`
  ])
}

// stores DIR: the schema of a JsonDB with a document count per store.
async function storesCommand (dir, opts) {
  const stores = await using(await openJsonDB(dir), async (db) => {
    const out = []
    for (const s of db.schema()) out.push({ ...s, count: await db.store(s.name).count() })
    return out
  })
  const kp = (p) => p === null ? '(out-of-line keys)' : JSON.stringify(p)
  report(opts.json, stores, () => stores.length === 0
    ? ['no object stores']
    : stores.flatMap((s) => [
      `${s.name}: ${s.count} documents, key path ${kp(s.keyPath)}${s.autoIncrement ? ', autoIncrement' : ''}`,
      ...s.indexes.map((i) => `  index ${i.name}: key path ${kp(i.keyPath)}${i.unique ? ', unique' : ''}${i.multiEntry ? ', multiEntry' : ''}`)
    ]))
}

// The schema entry of `store`, or a CliError listing the stores there are.
function findStore (db, name, dir) {
  const all = db.schema()
  const s = all.find((x) => x.name === name)
  if (s === undefined) {
    throw new CliError(`no object store '${name}' in ${dir} (stores: ${all.map((x) => x.name).join(', ') || 'none'})`)
  }
  return s
}

// export DIR STORE: the documents of STORE as NDJSON, in key order, streamed.
async function exportCommand (dir, store, opts) {
  const out = new LineWriter(opts.out)
  let count = 0
  await using(await openJsonDB(dir), async (db) => {
    const schema = findStore(db, store, dir)
    const s = db.store(store)
    const bar = progress('export', await s.count(), 'documents')
    try {
      for await (const r of s.iterate()) {
        await out.line(schema.keyPath === null
          ? JSON.stringify({ key: records.docKeyToJson(r.primaryKey), value: r.value })
          : JSON.stringify(r.value))
        if (++count % 500 === 0) bar.update(count, count)
      }
    } finally {
      bar.stop()
    }
  })
  await out.end()
  report(opts.json, { store, documents: count, out: opts.out ?? null }, () => [`exported ${count} documents of ${store}${opts.out === undefined ? '' : ` to ${opts.out}`}`], summaryStream(opts.out))
}

// The store declaration for `import --schema FILE`: FILE holds what
// `stores --json` prints (an array of stores) or one store of it.
function schemaFromFile (file, store) {
  let parsed
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new CliError(`--schema ${file}: ${err.message}`)
  }
  const decl = (Array.isArray(parsed) ? parsed : [parsed]).find((s) => s !== null && typeof s === 'object' && s.name === store)
  if (decl === undefined) throw new CliError(`--schema ${file} declares no store '${store}'`)
  return decl
}

// import DIR STORE: NDJSON documents put in batches (putMany, or a
// transaction of puts for out-of-line keys), creating STORE if asked to.
async function importCommand (dir, store, opts) {
  const source = lineSource(opts.in)
  const info = prepareTarget(dir)
  if (info !== null && jsondbFormat(info) === null) {
    throw new CliError(`${dir} is not a JsonDB database (its OPTIONS file names no document format)`)
  }
  const db = await JsonDB.open({ ...storedOptions(info, true), path: dir })
  const bar = progress('import', source.total, 'documents')
  let count = 0
  let lineNo = 0
  try {
    await using(db, async () => {
      let schema = db.schema().find((s) => s.name === store)
      if (schema === undefined) {
        let decl
        if (opts.schema !== undefined) decl = schemaFromFile(opts.schema, store)
        else if (opts.keyPath !== undefined || opts.autoIncrement) decl = { keyPath: opts.keyPath ?? null, autoIncrement: opts.autoIncrement === true, indexes: [] }
        else throw new CliError(`no object store '${store}' in ${dir}: create it with --key-path PATH, --auto-increment or --schema FILE`)
        await db.createObjectStore(store, { keyPath: decl.keyPath, autoIncrement: decl.autoIncrement })
        for (const i of decl.indexes ?? []) await db.createIndex(store, i.name, i.keyPath, { unique: i.unique, multiEntry: i.multiEntry })
        schema = findStore(db, store, dir)
      }
      const inline = schema.keyPath !== null
      let batch = []
      let first = 1
      const write = async () => {
        try {
          if (inline) {
            await db.store(store).putMany(batch)
          } else {
            await db.transaction(store, 'readwrite', async (tx) => {
              const s = tx.store(store)
              for (const { key, value } of batch) await s.put(value, key)
            })
          }
        } catch (err) {
          throw new CliError(`lines ${first}-${lineNo}: ${err instanceof FlowDBError ? `${err.code}: ` : ''}${err.message} (the ${count} documents before them were imported)`)
        }
        count += batch.length
        batch = []
        bar.update(source.bytesRead(), count)
      }
      for await (const line of source.lines()) {
        lineNo++
        if (line.trim() === '') continue
        if (batch.length === 0) first = lineNo
        try {
          const doc = JSON.parse(line)
          if (inline) {
            batch.push(doc)
          } else {
            if (typeof doc !== 'object' || doc === null || !('key' in doc) || !('value' in doc)) {
              throw new TypeError(`store '${store}' has out-of-line keys: each line must be {"key": KEY, "value": DOCUMENT}`)
            }
            batch.push({ key: records.jsonToDocKey(doc.key), value: doc.value })
          }
        } catch (err) {
          throw new CliError(`line ${lineNo}: ${err.message} (the ${count} documents before the batch holding it were imported)`)
        }
        if (batch.length >= BATCH_DOCUMENTS) await write()
      }
      if (batch.length > 0) await write()
    })
  } finally {
    bar.stop()
  }
  report(opts.json, { store, documents: count }, () => [`imported ${count} documents into ${store}`])
}

// --- the program -------------------------------------------------------------

// The commander program with every command, its options and help.
function buildProgram () {
  const program = new Command('flowdb')
    .description('Inspect, check, copy and query a FlowDB data directory that no process has open.')
    .version(require('../package.json').version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText('after', `
Exit codes: 0 success, 1 failure (message on stderr, with the FLOWDB_ code of
an engine error), 2 bad usage. Progress bars go to stderr on a terminal only.`)

  const command = (name, description) => program.command(name).description(description).option('--json', 'print the result as JSON, for scripts')

  command('info', 'files by kind and size, last sequence number, stored options and format version')
    .argument('<dir>', 'data directory')
    .action(infoCommand)
  command('stats', 'the engine statistics (as engine.stats())')
    .argument('<dir>', 'data directory')
    .action(statsCommand)
  command('verify', 'read every SSTable and WAL record and check every checksum; exit code 1 if anything is damaged')
    .argument('<dir>', 'data directory')
    .action(verifyCommand)
  command('repair', 'salvage a damaged database (Engine.repair): keep what reads, move the rest to lost/ inside DIR')
    .argument('<dir>', 'data directory')
    .action(repairCommand)
  command('dump', 'write every live record as NDJSON (to stdout, or --out FILE)')
    .argument('<dir>', 'data directory')
    .option('--out <file>', 'write to FILE instead of stdout')
    .addHelpText('after', RECORD_FORMAT)
    .action(dumpCommand)
  command('load', 'write NDJSON records (from stdin, or --in FILE) in batches; creates the database if needed')
    .argument('<dir>', 'data directory (created if missing)')
    .option('--in <file>', 'read FILE instead of stdin')
    .addHelpText('after', RECORD_FORMAT + '\nA record without expireAt never expires (the stored defaultTtl does not apply).')
    .action(loadCommand)
  command('get', 'print the value of the newest live version of KEY (or of KEY at --ts); exit code 1 if there is none')
    .argument('<dir>', 'data directory')
    .argument('<key>', 'the key (UTF-8, or base64 with --base64)')
    .option('--ts <n>', 'the record at this timestamp (int64)', int64Arg('--ts'))
    .option('--base64', 'KEY is base64')
    .addHelpText('after', '\nWithout --json the value is written as is (raw bytes); with --json, the record as one NDJSON line:' + RECORD_FORMAT)
    .action(getCommand)
  command('scan', 'print the live records in key then ts order as NDJSON')
    .argument('<dir>', 'data directory')
    .option('--prefix <p>', 'keys starting with P')
    .option('--start <k>', 'keys >= K')
    .option('--end <k>', 'keys < K')
    .option('--ts-min <n>', 'ts >= N', int64Arg('--ts-min'))
    .option('--ts-max <n>', 'ts <= N', int64Arg('--ts-max'))
    .option('--limit <n>', 'at most N records', countArg)
    .option('--reverse', 'from the largest (key, ts) down')
    .option('--base64', 'key arguments are base64')
    .addHelpText('after', RECORD_FORMAT)
    .action(scanCommand)
  command('compact', 'merge every SSTable into one, dropping overwritten, deleted and expired records')
    .argument('<dir>', 'data directory')
    .action(compactCommand)
  command('checkpoint', 'write a consistent copy of the database to TARGET (missing or empty) that opens on its own')
    .argument('<dir>', 'data directory')
    .argument('<target>', 'directory for the copy (created, with its parents)')
    .action(checkpointCommand)
  command('stores', 'the object stores of a JsonDB directory: key paths, indexes, document counts')
    .argument('<dir>', 'JsonDB data directory')
    .action(storesCommand)
  command('export', 'write the documents of STORE as NDJSON (to stdout, or --out FILE)')
    .argument('<dir>', 'JsonDB data directory')
    .argument('<store>', 'object store name')
    .option('--out <file>', 'write to FILE instead of stdout')
    .addHelpText('after', DOCUMENT_FORMAT)
    .action(exportCommand)
  command('import', 'put NDJSON documents (from stdin, or --in FILE) into STORE in batches')
    .argument('<dir>', 'JsonDB data directory (created if missing)')
    .argument('<store>', 'object store name')
    .option('--in <file>', 'read FILE instead of stdin')
    .option('--key-path <path>', 'create STORE, if missing, with this key path (dotted)')
    .option('--auto-increment', 'create STORE, if missing, with a key generator')
    .option('--schema <file>', 'create STORE, if missing, as FILE declares it (the output of `stores --json`)')
    .addHelpText('after', DOCUMENT_FORMAT + '\nDocuments with a key already in STORE replace it.')
    .action(importCommand)
  for (const c of program.commands) c.exitOverride().showHelpAfterError('(run with --help for usage)')
  program.hook('preAction', loadLibrary)
  return program
}

// What stderr says about a failure: a FlowDBError leads with its code.
function errorMessage (err) {
  if (FlowDBError !== undefined && err instanceof FlowDBError) return `${err.code}: ${err.message}`
  return err.message
}

// Set once the command has run to its end (or chose to stop).
let finished = false

// Runs the command line and sets the exit code (see the file comment).
async function main () {
  process.stdout.on('error', (err) => {
    // A reader that went away (`flowdb scan db | head`) ends the command.
    if (err.code === 'EPIPE') {
      finished = true
      process.exit(0)
    }
    throw err
  })
  // Every command settles its work before it returns; an event loop that
  // empties first (a bug) must not pass for success.
  process.on('exit', () => {
    if (!finished) {
      process.stderr.write('flowdb: internal error: the command stopped before it finished\n')
      process.exitCode = 1
    }
  })
  try {
    await buildProgram().parseAsync(process.argv)
  } catch (err) {
    if (err?.code?.startsWith?.('commander.')) {
      // Commander printed the message (or the help) already.
      process.exitCode = err.exitCode === 0 ? 0 : 2
      return
    }
    process.stderr.write(`flowdb: ${errorMessage(err)}\n`)
    process.exitCode = err instanceof UsageError || err instanceof TypeError || err instanceof RangeError ? 2 : 1
  } finally {
    finished = true
  }
}

await main()
