// The flowdb command (bin/flowdb.mjs), run as a child process against
// temporary data directories: every subcommand's happy path and --json
// output, dump → load and export → import round trips into fresh
// directories, verify on clean and damaged data, exit codes for failures and
// bad usage.

import { describe, it, expect, beforeAll } from 'vitest'
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Engine, JsonDB, errorCodes } from '../lib/index.mjs'
import { tempPath } from './helpers/tmp.js'
import records from '../lib/cli/records.cjs'

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'flowdb.mjs')
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const FUTURE = BigInt(Date.now() + 3_600_000) * 1000n // µs, an hour from now

// Runs `flowdb ...args`; stdin gets `input` (or nothing) through a pipe.
// Resolves to { code, stdout: Buffer, out: string, err: string }.
function flowdb (args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    const out = []
    const err = []
    child.stdout.on('data', (d) => out.push(d))
    child.stderr.on('data', (d) => err.push(d))
    child.on('error', reject)
    child.on('close', (code) => {
      const stdout = Buffer.concat(out)
      resolve({ code, stdout, out: stdout.toString('utf8'), err: Buffer.concat(err).toString('utf8') })
    })
    child.stdin.end(input)
  })
}

const lines = (text) => text.split('\n').filter((l) => l !== '')

// Every live record of the database at `path`, keys and values as Buffers,
// ts and expireAt as bigints.
async function allRecords (path) {
  const e = await Engine.open({ path, createIfMissing: false, keyEncoding: 'buffer', timestampType: 'bigint' })
  try {
    return await e.scan().all()
  } finally {
    await e.close()
  }
}

// A database with what a dump must carry exactly: UTF-8 and binary keys
// (invalid UTF-8, NUL, newline, quotes), binary and empty values, several
// versions of a key, int64 extremes, an expiry; plus records that must not
// appear (deleted, expired). One flush puts part of it in an SSTable.
async function buildEngineDb (path, options = {}) {
  const e = await Engine.open({ path, compactionTrigger: 0, ...options })
  const special = [
    { key: 'plain', ts: 1, value: 'text' },
    { key: 'plain', ts: 2, value: 'newer' },
    { key: 'ünïcödé/🙂', ts: 3, value: 'emoji 🙂 and "quotes"\nnewline' },
    { key: Buffer.from([0x00, 0xff, 0xfe, 0x0a]), ts: 4, value: Buffer.from([0xc3, 0x28, 0x00, 0xff]) },
    { key: Buffer.from([0x80]), ts: INT64_MIN, value: '' },
    { key: 'max', ts: INT64_MAX, value: Buffer.alloc(0) },
    { key: 'expiring', ts: 5, value: 'soon', expireAt: FUTURE },
    { key: 'gone', ts: 6, value: 'deleted' },
    { key: 'expired', ts: 7, value: 'past', expireAt: 1 }
  ]
  await e.writeBatch(special)
  await e.del('gone', 6)
  const series = []
  for (let i = 0; i < 2500; i++) series.push({ key: `series/${String(i % 50).padStart(2, '0')}`, ts: 1_000_000 + i, value: `v${i}` })
  await e.writeBatch(series.slice(0, 1200))
  await e.flush()
  await e.writeBatch(series.slice(1200))
  await e.close()
}

// Flips a byte in the middle of the first SSTable.
function damageSSTable (path) {
  const dir = join(path, 'sst')
  const name = readdirSync(dir).filter((n) => n.endsWith('.sst')).sort()[0]
  const file = join(dir, name)
  const data = readFileSync(file)
  for (let i = 0; i < 8; i++) data[Math.floor(data.length / 3) + i] ^= 0x5a
  writeFileSync(file, data)
  return `sst/${name}`
}

describe('the NDJSON record format (lib/cli/records.cjs)', () => {
  it('round-trips bytes and int64s, and rejects malformed lines naming the field', () => {
    const r = { key: Buffer.from([0xff, 0x00]), ts: INT64_MIN, value: Buffer.from('ü'), expireAt: 5 }
    const line = records.recordToLine(r)
    expect(line).toBe(`{"keyBase64":"/wA=","ts":"${INT64_MIN}","value":"ü","expireAt":5}`)
    expect(records.lineToRecord(line)).toEqual({ key: r.key, ts: INT64_MIN, value: r.value, expireAt: 5 })
    expect(records.lineToRecord('{"key":"k","ts":1,"value":""}').expireAt).toBe(Infinity)
    const bad = [
      ['not json', SyntaxError],
      ['[1]', /must be a JSON object/],
      ['{"key":"a","keyBase64":"YQ==","ts":1,"value":""}', /exactly one of "key" and "keyBase64"/],
      ['{"ts":1,"value":""}', /exactly one of "key"/],
      ['{"key":"a","value":""}', /"ts" is missing/],
      ['{"key":"a","ts":1,"valueBase64":"YQ"}', /valueBase64 must be a base64 string/],
      ['{"key":"a","ts":1,"value":"","extra":1}', /unknown field "extra"/],
      ['{"key":"a","ts":1.5,"value":""}', /ts must be an integer/],
      [`{"key":"a","ts":"${2n ** 63n}","value":""}`, /outside the signed 64-bit range/],
      ['{"key":"a","ts":1,"value":"","expireAt":"soon"}', /expireAt must be an integer/],
      ['{"key":7,"ts":1,"value":""}', /"key" must be a string/]
    ]
    for (const [text, want] of bad) expect(() => records.lineToRecord(text), text).toThrow(want)
  })

  it('document keys survive JSON: Dates, binary, infinities, nested arrays', () => {
    const keys = [1.5, 'a', new Date(7), new Uint8Array([1, 2]).buffer, -Infinity, [Infinity, [new Date(0), 'x']]]
    for (const k of keys) {
      const back = records.jsonToDocKey(JSON.parse(JSON.stringify(records.docKeyToJson(k))))
      expect(back instanceof Uint8Array ? back.buffer : back).toEqual(k)
    }
    for (const v of [null, true, { date: 'x' }, { a: 1, b: 2 }]) expect(() => records.jsonToDocKey(v)).toThrow(/not a key/)
    expect(() => records.jsonToDocKey({ binary: 'a' })).toThrow(/key.binary must be a base64 string/)
  })
})

describe('flowdb on an engine directory', () => {
  const db = tempPath('engine')
  beforeAll(() => buildEngineDb(db, { memtableSize: 1 << 20, blockSize: 4096 }))

  it('info lists files by kind with sizes, the sequence number, stored options and format', async () => {
    // Text first: its open must leave the stored options as they were.
    const text = await flowdb(['info', db])
    expect(text.code).toBe(0)
    expect(text.out).toMatch(/kind\s+engine/)
    expect(text.out).toMatch(/sstable\s+1 file/)
    expect(text.out).toContain('memtableSize = 1048576')
    const r = await flowdb(['info', db, '--json'])
    expect(r.code).toBe(0)
    const info = JSON.parse(r.out)
    expect(info.kind).toBe('engine')
    expect(info.formatVersion).toBe(info.buildFormatVersion)
    expect(info.lastSequence).toBeGreaterThanOrEqual(2500 + 10)
    expect(info.byKind.sstable.files).toBe(1)
    expect(info.byKind.sstable.bytes).toBeGreaterThan(0)
    for (const kind of ['current', 'manifest', 'options', 'wal']) expect(info.byKind[kind].files).toBeGreaterThan(0)
    expect(info.totalBytes).toBe(info.files.reduce((n, f) => n + f.size, 0))
    const sst = info.files.find((f) => f.kind === 'sstable')
    expect(sst.name).toMatch(/^sst\/\d+\.sst$/)
    // The tuning the last real open stored, not the command's defaults:
    // the command opens with them, so the earlier run left OPTIONS so.
    expect(info.options.memtableSize).toBe(String(1 << 20))
    expect(info.options.blockSize).toBe('4096')
    expect(info.options.compactionTrigger).toBe('0')
  })

  it('stats prints the engine statistics', async () => {
    const r = await flowdb(['stats', db, '--json'])
    expect(r.code).toBe(0)
    const stats = JSON.parse(r.out)
    expect(stats.sstables).toBe(1)
    expect(stats.lastSequence).toBeGreaterThan(2500)
    expect(stats.readLatency).toHaveProperty('p99')
    expect((await flowdb(['stats', db])).out).toMatch(/^sstables\s+1$/m)
  })

  it('get prints the newest live version, or the one at --ts; exit 1 when there is none', async () => {
    const latest = await flowdb(['get', db, 'plain'])
    expect([latest.code, latest.out]).toEqual([0, 'newer'])
    const atTs = await flowdb(['get', db, 'plain', '--ts', '1', '--json'])
    expect(JSON.parse(atTs.out)).toEqual({ key: 'plain', ts: 1, value: 'text', expireAt: null })
    const binary = await flowdb(['get', db, Buffer.from([0x00, 0xff, 0xfe, 0x0a]).toString('base64'), '--base64'])
    expect(binary.stdout).toEqual(Buffer.from([0xc3, 0x28, 0x00, 0xff]))
    const max = await flowdb(['get', db, 'max', '--ts', String(INT64_MAX), '--json'])
    expect(JSON.parse(max.out)).toEqual({ key: 'max', ts: String(INT64_MAX), value: '', expireAt: null })
    // One at a time: each run takes the directory's lock.
    const m = await flowdb(['get', db, 'plain', '--ts', '3'])
    expect(m.code).toBe(1)
    expect(m.err).toBe('flowdb: no live record for key "plain" at ts 3\n')
  })

  it('scan applies prefix, key and ts bounds, limit and reverse as engine.scan does', async () => {
    const e = await Engine.open({ path: db, keyEncoding: 'buffer' })
    const cases = [
      [['--prefix', 'series/0', '--ts-min', '1001000', '--ts-max', '1001100'], { prefix: 'series/0', ts: { gte: 1001000, lte: 1001100 } }],
      [['--start', 'series/10', '--end', 'series/12'], { gte: 'series/10', lt: 'series/12' }],
      [['--end', 'gAA=', '--base64', '--limit', '3', '--reverse'], { lt: Buffer.from([0x80, 0x00]), limit: 3, reverse: true }]
    ]
    const want = []
    for (const [, range] of cases) want.push(await e.scan(range).all())
    await e.close()
    for (let i = 0; i < cases.length; i++) {
      const r = await flowdb(['scan', db, ...cases[i][0]])
      expect(r.code).toBe(0)
      const got = lines(r.out).map((l) => JSON.parse(l))
      expect(got.length).toBe(want[i].length)
      expect(got.length).toBeGreaterThan(0)
      got.forEach((g, j) => {
        const w = want[i][j]
        expect(g.key === undefined ? Buffer.from(g.keyBase64, 'base64') : Buffer.from(g.key)).toEqual(w.key)
        expect(BigInt(g.ts)).toBe(BigInt(w.ts))
      })
    }
  })

  it('dump → load into a fresh directory round-trips every record exactly', async () => {
    const file = join(dirname(db), 'dump.ndjson')
    const dump = await flowdb(['dump', db, '--out', file, '--json'])
    expect(dump.code).toBe(0)
    const want = await allRecords(db)
    expect(JSON.parse(dump.out)).toEqual({ records: want.length, out: file })
    expect(want.length).toBe(2500 + 7)
    // stdout carries the same lines; the count then goes to stderr, and no
    // progress bar is drawn on a pipe.
    const piped = await flowdb(['dump', db])
    expect(piped.out).toBe(readFileSync(file, 'utf8'))
    expect(piped.err).toBe(`dumped ${want.length} records\n`)
    const text = readFileSync(file, 'utf8')
    expect(text).toContain('"keyBase64":"AP/+Cg=="')
    expect(text).toContain(`"ts":"${INT64_MIN}"`)

    const fresh = join(tempPath('fresh'), 'nested', 'db') // parents are created
    const load = await flowdb(['load', fresh, '--in', file, '--json'])
    expect(load.code).toBe(0)
    expect(JSON.parse(load.out)).toEqual({ records: want.length })
    const got = await allRecords(fresh)
    expect(got.length).toBe(want.length)
    for (let i = 0; i < want.length; i++) {
      expect(Buffer.compare(got[i].key, want[i].key)).toBe(0)
      expect(got[i].ts).toBe(want[i].ts)
      expect(Buffer.compare(got[i].value, want[i].value)).toBe(0)
      expect(got[i].expireAt).toBe(want[i].expireAt)
    }

    // From stdin, into a database whose defaultTtl must not apply to
    // records without expiry.
    const viaStdin = tempPath('stdin')
    const e = await Engine.open({ path: viaStdin, defaultTtl: 1000 })
    await e.close()
    const load2 = await flowdb(['load', viaStdin], text)
    expect(load2.code).toBe(0)
    expect(load2.out).toMatch(/loaded 2507 records/)
    const got2 = await allRecords(viaStdin)
    expect(got2.length).toBe(want.length)
    expect(got2.filter((r) => r.expireAt !== null).length).toBe(1)
  })

})

describe('flowdb on a JsonDB directory', () => {
  const src = tempPath('docs')
  const schema = [
    { name: 'movies', keyPath: 'id', indexes: [{ name: 'bySlug', keyPath: 'slug', unique: true }, { name: 'byWord', keyPath: 'words', multiEntry: true }] },
    { name: 'log', autoIncrement: true },
    { name: 'raw' }
  ]
  const movies = Array.from({ length: 1200 }, (_, i) => ({ id: i, slug: `m${i}`, words: [`w${i % 7}`, 'all'], nested: { x: [i, null, true], s: 'ü "q"\n' } }))
  const rawKeys = [new Uint8Array([0, 255]), new Date(86_400_000), 'str', -0.5, Infinity, [1, 'a', [new Date(5)], new Uint8Array([7])]]

  beforeAll(async () => {
    const db = await JsonDB.open({ path: src })
    await db.applySchema(schema)
    await db.store('movies').putMany(movies)
    for (let i = 0; i < 3; i++) await db.store('log').put({ line: i })
    for (let i = 0; i < rawKeys.length; i++) await db.store('raw').put({ n: i }, rawKeys[i])
    await db.close()
  })

  it('stores lists stores, key paths, indexes and counts', async () => {
    const r = await flowdb(['stores', src, '--json'])
    expect(r.code).toBe(0)
    const stores = JSON.parse(r.out)
    expect(stores.map((s) => [s.name, s.count, s.keyPath, s.autoIncrement])).toEqual([
      ['log', 3, null, true], ['movies', 1200, 'id', false], ['raw', rawKeys.length, null, false]
    ])
    expect(stores[1].indexes.map((i) => [i.name, i.unique, i.multiEntry])).toEqual([['bySlug', true, false], ['byWord', false, true]])
    const text = (await flowdb(['stores', src])).out
    expect(text).toContain('movies: 1200 documents, key path "id"')
    expect(text).toContain('index bySlug: key path "slug", unique')
    // The command's engine opens (info) keep the directory a JsonDB.
    expect(JSON.parse((await flowdb(['info', src, '--json'])).out)).toMatchObject({ kind: 'jsondb', jsondbFormat: '1' })
    expect(JSON.parse((await flowdb(['info', src, '--json'])).out).kind).toBe('jsondb')
  })

  it('export → import into a fresh directory gives the same stores, keys and documents', async () => {
    const dir = dirname(src)
    const schemaFile = join(dir, 'schema.json')
    writeFileSync(schemaFile, (await flowdb(['stores', src, '--json'])).out)
    const dst = tempPath('docs-copy')
    for (const store of ['movies', 'log', 'raw']) {
      const file = join(dir, `${store}.ndjson`)
      const ex = await flowdb(['export', src, store, '--out', file, '--json'])
      expect(ex.code).toBe(0)
      expect(JSON.parse(ex.out).documents).toBe(store === 'movies' ? 1200 : store === 'log' ? 3 : rawKeys.length)
      const im = await flowdb(['import', dst, store, '--in', file, '--schema', schemaFile, '--json'])
      expect(im.code).toBe(0)
      expect(JSON.parse(im.out)).toEqual({ store, documents: JSON.parse(ex.out).documents })
    }
    expect(readFileSync(join(dir, 'movies.ndjson'), 'utf8').split('\n')[0]).toBe(JSON.stringify(movies[0]))

    const a = await JsonDB.open({ path: src })
    const b = await JsonDB.open({ path: dst })
    try {
      expect(b.schema()).toEqual(a.schema())
      for (const store of ['movies', 'log', 'raw']) {
        expect(await b.store(store).getAllKeys()).toEqual(await a.store(store).getAllKeys())
        expect(await b.store(store).getAll()).toEqual(await a.store(store).getAll())
      }
      expect(await b.store('movies').index('byWord').count('w3')).toBe(await a.store('movies').index('byWord').count('w3'))
      // The key generator went on past the imported keys.
      expect(await b.store('log').put({ line: 3 })).toBe(4)
    } finally {
      await a.close()
      await b.close()
    }

    // From stdin into a store created with --key-path; a document without
    // the key path is a clear error naming its line.
    const r = await flowdb(['import', dst, 'more', '--key-path', 'id'], '{"id":1}\n{"id":2}\n')
    expect([r.code, r.out]).toEqual([0, 'imported 2 documents into more\n'])
    const bad = await flowdb(['import', dst, 'more'], '{"id":3}\n{"noid":4}\n')
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/^flowdb: lines 1-2: FLOWDB_INVALID_KEY/)
  })

  it('refuses stores/export/import on what is not a JsonDB, and a missing store', async () => {
    const engineDb = tempPath('plain')
    await (await Engine.open({ path: engineDb })).close()
    const refused = await Promise.all([['stores', engineDb], ['export', engineDb, 'x'], ['import', engineDb, 'x', '--key-path', 'id']].map((args) => flowdb(args, '')))
    for (const r of refused) {
      expect(r.code).toBe(1)
      expect(r.err).toMatch(/is not a JsonDB database/)
    }
    const r = await flowdb(['export', src, 'nope'])
    expect(r.code).toBe(1)
    expect(r.err).toContain("no object store 'nope'")
    expect(r.err).toContain('stores: log, movies, raw')
    const r2 = await flowdb(['import', src, 'nope'], '{"a":1}\n')
    expect(r2.code).toBe(1)
    expect(r2.err).toMatch(/create it with --key-path/)
  })
})

// Each on directories of its own, so they run at once.
describe.concurrent('flowdb on directories of their own', () => {
  it('load names the line of a bad record and keeps the batches before it', async ({ expect }) => {
    const target = tempPath('bad-load')
    const good = Array.from({ length: 10_500 }, (_, i) => JSON.stringify({ key: `k${i}`, ts: i, value: 'v', expireAt: null }))
    const input = [...good, '{"key":"x","ts":1.5,"value":"v"}', '{"key":"y","ts":1,"value":"v"}'].join('\n')
    const r = await flowdb(['load', target], input)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/^flowdb: line 10501: ts must be an integer/)
    expect((await allRecords(target)).length).toBe(10_000)
    const b = await flowdb(['load', target], '\n{"key":"a","ts":1,"valueBase64":"*"}')
    expect(b.code).toBe(1)
    expect(b.err).toMatch(/^flowdb: line 2: valueBase64 must be a base64 string/)
  })

  it('compact merges the SSTables and memtable into one', async ({ expect }) => {
    const path = tempPath('compact')
    await buildEngineDb(path)
    const r = await flowdb(['compact', path, '--json'])
    expect(r.code).toBe(0)
    const data = JSON.parse(r.out)
    expect(data.before.sstables).toBe(1)
    expect(data.after.sstables).toBe(1)
    expect(data.after.bytes).toBeGreaterThan(data.before.bytes) // the WAL's records joined it
    expect((await allRecords(path)).length).toBe(2507)
  })

  it('checkpoint writes a copy that opens with every record; a non-empty target is refused', async ({ expect }) => {
    const path = tempPath('checkpoint')
    await buildEngineDb(path)
    const target = join(tempPath('backups'), 'nested', 'copy')
    const r = await flowdb(['checkpoint', path, target, '--json'])
    expect(r.code, r.err).toBe(0)
    const data = JSON.parse(r.out)
    expect(data.target).toBe(target)
    expect(data.sequence).toBeGreaterThan(2507)
    expect(data.files).toBeGreaterThanOrEqual(5) // CURRENT, MANIFEST, OPTIONS, a WAL segment, an SSTable
    const copied = await allRecords(target)
    expect(copied.length).toBe(2507)
    expect(copied).toEqual(await allRecords(path))
    const again = await flowdb(['checkpoint', path, target])
    expect(again.code).toBe(1)
    expect(again.err).toMatch(/^flowdb: FLOWDB_INVALID_ARGUMENT: .*not empty/)
    const text = await flowdb(['checkpoint', path, tempPath('plain')])
    expect(text.out).toMatch(/^wrote a checkpoint at sequence \d+ to .*plain: \d+ files, /)
  })

  it('verify exits 0 on a clean database and 1 naming the damaged SSTable', async ({ expect }) => {
    const path = tempPath('verify')
    await buildEngineDb(path, { blockSize: 512 })
    let r = await flowdb(['verify', path, '--json'])
    expect(r.code).toBe(0)
    const clean = JSON.parse(r.out)
    expect(clean).toMatchObject({ ok: true, sstables: 1, problems: [] })
    expect(clean.entries).toBeGreaterThan(1000)
    expect((await flowdb(['verify', path])).out).toMatch(/^clean: 1 SSTables/)

    const file = damageSSTable(path)
    r = await flowdb(['verify', path, '--json'])
    expect(r.code).toBe(1)
    const report = JSON.parse(r.out)
    expect(report.ok).toBe(false)
    expect(report.problems.length).toBeGreaterThan(0)
    expect(report.problems[0].file).toBe(file)
    r = await flowdb(['verify', path])
    expect(r.code).toBe(1)
    expect(r.out).toContain(`damaged: `)
    expect(r.out).toContain(file)

    // Damage that stops the open is a verify result too; info still lists
    // the files and says why the options cannot be read.
    const options = join(path, 'OPTIONS')
    writeFileSync(options, readFileSync(options, 'utf8').replace('block_size=512', 'block_size=513'))
    r = await flowdb(['verify', path, '--json'])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.out).openError.code).toBe('FLOWDB_CORRUPTION')
    r = await flowdb(['info', path, '--json'])
    expect(r.code).toBe(1)
    const info = JSON.parse(r.out)
    expect(info.optionsError.code).toBe('FLOWDB_CORRUPTION')
    expect(info.optionsError.message).toContain('OPTIONS')
    expect(info.byKind.sstable.files).toBe(1)
  })

  it('repair salvages a damaged SSTable, after which verify is clean', async ({ expect }) => {
    const path = tempPath('repair')
    await buildEngineDb(path, { blockSize: 512 })
    const before = await allRecords(path)
    const file = damageSSTable(path)
    let r = await flowdb(['verify', path])
    expect(r.code).toBe(1)
    expect(r.out).toContain(`flowdb repair ${path}`)
    r = await flowdb(['repair', path, '--json'])
    expect(r.code).toBe(0)
    const report = JSON.parse(r.out)
    expect(report.sstablesSalvaged + report.sstablesDropped).toBe(1)
    expect(report.dropped.map((p) => p.file)).toContain(file)
    expect(report.movedToLost.length).toBeGreaterThan(0)
    r = await flowdb(['verify', path, '--json'])
    expect(r.code).toBe(0)
    // What survives is a part of what was written, never anything else.
    const after = await allRecords(path)
    expect(after.length).toBeGreaterThan(0)
    expect(after.length).toBeLessThan(before.length)
    const text64 = (x) => JSON.stringify(x, (k, v) => typeof v === 'bigint' ? `${v}n` : v)
    const written = new Set(before.map(text64))
    for (const x of after) expect(written.has(text64(x))).toBe(true)
    const text = await flowdb(['repair', path])
    expect(text.code).toBe(0)
    expect(text.out).toMatch(/^repaired at sequence \d+: SSTables /)
  })

  it('exits 2 on bad usage', async ({ expect }) => {
    const db = tempPath('usage')
    const cases = [[], ['bogus'], ['info'], ['get', db], ['scan', db, '--limit', 'x'], ['get', db, 'k', '--ts', '1.5'],
      ['scan', db, '--ts-min', `${2n ** 63n}`], ['dump', db, '--nope'], ['get', db, 'k', '--base64']]
    const results = await Promise.all([...cases.map((args) => flowdb(args)), flowdb(['--help']), flowdb(['help', 'load'])])
    cases.forEach((args, i) => {
      expect(results[i].code, args.join(' ')).toBe(2)
      expect(results[i].err, args.join(' ')).not.toBe('')
    })
    expect(existsSync(db)).toBe(false)
    const [help, loadHelp] = results.slice(cases.length)
    expect(help.code).toBe(0)
    expect(help.out).toMatch(/dump \[options\] <dir>/)
    expect(loadHelp.out).toContain('valueBase64')
  })

  it('a missing or non-database directory is a clear error that creates nothing', async ({ expect }) => {
    const missing = join(tempPath('missing'), 'nothing-here')
    const cmds = ['info', 'verify', 'dump', 'stores']
    const results = await Promise.all(cmds.map((cmd) => flowdb([cmd, missing])))
    cmds.forEach((cmd, i) => {
      expect(results[i].code, cmd).toBe(1)
      expect(results[i].err, cmd).toBe(`flowdb: no such directory: ${missing}\n`)
    })
    expect(existsSync(missing)).toBe(false)
    const other = tempPath('other')
    mkdirSync(other)
    writeFileSync(join(other, 'notes.txt'), 'hello')
    for (const r of await Promise.all([flowdb(['info', other]), flowdb(['load', other], '')])) {
      expect(r.code).toBe(1)
      expect(r.err).toMatch(/is not a FlowDB database \(it has no CURRENT file\)/)
    }
    expect(readdirSync(other)).toEqual(['notes.txt'])
    const r = await flowdb(['load', tempPath('x'), '--in', join(other, 'no-file')])
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/--in .*no such file/)
  })

  it('an engine error shows its code: a database open elsewhere is FLOWDB_LOCKED', async ({ expect }) => {
    const path = tempPath('locked')
    const e = await Engine.open({ path })
    try {
      const r = await flowdb(['stats', path])
      expect(r.code).toBe(1)
      expect(r.err.startsWith(`flowdb: ${errorCodes.LOCKED}: `)).toBe(true)
    } finally {
      await e.close()
    }
  })
})
