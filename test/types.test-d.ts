// Type tests for index.d.ts, checked by `tsc -p test/tsconfig.json` (npm run test:types).
// Each `expectType<Exact<…>>` fails to compile if the inferred type differs;
// each @ts-expect-error fails to compile if the line is accepted.

import { Engine, FlowDBError, errorCodes, versions } from 'flowdb'
import type { FlowRecord, Scan, ErrorCode, EngineOptions, Int64, Snapshot, EngineStats, VerifyReport, RepairReport, FileProblem, ChangeBatch } from 'flowdb'

type Exact<A, B> = (<G>() => G extends A ? 1 : 2) extends (<G>() => G extends B ? 1 : 2) ? true : false
function expectType<T extends true> (): void {}

async function defaults (): Promise<void> {
  const db = await Engine.open({ path: 'data' })
  expectType<Exact<typeof db, Engine<Buffer, string, number | bigint, string | Uint8Array>>>()

  const value = await db.get('k', 1)
  expectType<Exact<typeof value, Buffer | undefined>>()
  const text = db.getSync('k', 1n, { valueEncoding: 'utf8' })
  expectType<Exact<typeof text, string | undefined>>()
  const json = await db.get('k', 1, { valueEncoding: 'json' })
  expectType<Exact<typeof json, any>>()

  const latest = await db.getLatest(Buffer.from('k'))
  expectType<Exact<typeof latest, FlowRecord<string, Buffer, number | bigint> | undefined>>()
  if (latest !== undefined) {
    expectType<Exact<typeof latest.expireAt, number | bigint | null>>()
  }
  const latestBuf = db.getLatestSync('k', { keyEncoding: 'buffer', valueEncoding: 'utf8' })
  expectType<Exact<typeof latestBuf, FlowRecord<Buffer, string, number | bigint> | undefined>>()

  await db.put('k', 1, 'v')
  await db.put(new Uint8Array([0]), 2n, Buffer.from('v'), { ttl: 1000 })
  await db.put('k', 3, { any: 'thing' }, { valueEncoding: 'json' })
  // @ts-expect-error values are strings or bytes unless valueEncoding is 'json'
  await db.put('k', 1, 42)
  // @ts-expect-error ts is a number or a bigint
  await db.put('k', '1', 'v')
  // @ts-expect-error keys are strings or bytes
  await db.get(42, 1)

  await db.writeBatch([
    { key: 'a', ts: 1, value: 'x', expireAt: 1_700_000_000_000_000 },
    { type: 'del', key: 'b', ts: 2 }
  ])
  await db.deleteBatch([['a', 1], [Buffer.from('b'), 2n]])
  await db.del('a', 1)

  const scan = db.scan({ prefix: 'sensor-', ts: { gte: 0, lt: 10n }, reverse: true, limit: 10 })
  expectType<Exact<typeof scan, Scan<FlowRecord<string, Buffer, number | bigint>>>>()
  for await (const record of scan) {
    expectType<Exact<typeof record.key, string>>()
    expectType<Exact<typeof record.value, Buffer>>()
  }
  const all = await db.scan({ valueEncoding: 'json', keyEncoding: 'buffer' }).all()
  expectType<Exact<typeof all, Array<FlowRecord<Buffer, any, number | bigint>>>>()
  // @ts-expect-error unknown range option
  db.scan({ prefx: 'a' })

  await db.flush()
  await db.resume()
  const stats = db.stats()
  expectType<Exact<typeof stats.sstables, number>>()
  expectType<Exact<typeof db.status, 'open' | 'closing' | 'closed'>>()
  await db.close()
}

async function typedOptions (): Promise<void> {
  const db = await Engine.open({ inMemory: true, valueEncoding: 'json', keyEncoding: 'buffer', timestampType: 'bigint' })
  await db.put('k', 1, { nested: [1, 2] })
  const r = await db.getLatest('k')
  if (r !== undefined) {
    expectType<Exact<typeof r.key, Buffer>>()
    expectType<Exact<typeof r.ts, bigint>>()
    expectType<Exact<typeof r.expireAt, bigint | null>>()
    expectType<Exact<typeof r.value, any>>()
  }
  await using utf8 = await Engine.open({ inMemory: true, valueEncoding: 'utf8' })
  const v = await utf8.get('k', 1)
  expectType<Exact<typeof v, string | undefined>>()
  await using scan = utf8.scan()
  expectType<Exact<typeof scan, Scan<FlowRecord<string, string, number | bigint>>>>()
}

function options (): void {
  const o: EngineOptions = {
    path: 'x',
    syncMode: 'interval',
    syncIntervalMs: 50,
    compression: 'none',
    defaultTtl: 60_000,
    memtableSize: 1 << 20
  }
  // @ts-expect-error misspelt option
  const bad: EngineOptions = { path: 'x', syncmode: 'none' }
  // @ts-expect-error not a sync mode
  const bad2: EngineOptions = { path: 'x', syncMode: 'sometimes' }
  void o; void bad; void bad2
  const ts: Int64 = 2n ** 60n
  void ts
}

function errors (err: unknown): void {
  if (err instanceof FlowDBError) {
    expectType<Exact<typeof err.code, ErrorCode>>()
    if (err.code === errorCodes.LOCKED) console.log('locked')
  }
  const e = new FlowDBError('x', 'FLOWDB_CLOSED')
  expectType<Exact<typeof e.name, 'FlowDBError'>>()
  // @ts-expect-error not a FlowDB error code
  void new FlowDBError('x', 'LEVEL_LOCKED')
  expectType<Exact<typeof versions.lz4, string>>()
  // @ts-expect-error the constructor is private: use Engine.open
  void new Engine()
}

void defaults; void typedOptions; void options; void errors

async function maintenance (): Promise<void> {
  const db = await Engine.open({ path: 'data', ttlBasis: 'ts', compactionTrigger: 0 })
  await db.deleteRange('a', 'b')
  const snap: Snapshot = db.snapshot()
  const old = await db.get('k', 1, { snapshot: snap })
  expectType<Exact<typeof old, Buffer | undefined>>()
  db.scan({ prefix: 'k', snapshot: snap })
  snap.release()
  const patched = await db.patchRecord('k', 1, { value: 'v', ttl: 1000 })
  expectType<Exact<typeof patched.value, Buffer>>()
  await db.compact()
  const dropped = await db.gc()
  expectType<Exact<typeof dropped, { files: number, records: number }>>()
  const st: EngineStats = db.stats()
  expectType<Exact<typeof st.readLatency.p99, number>>()
  expectType<Exact<ReturnType<typeof db.metrics>, string>>()
  // @ts-expect-error ttlBasis is 'write' or 'ts'
  await Engine.open({ path: 'data', ttlBasis: 'record' })
  const verified = await db.verify()
  expectType<Exact<typeof verified, VerifyReport>>()
  expectType<Exact<typeof verified.problems, FileProblem[]>>()
  const repaired = await Engine.repair({ path: 'data', compression: 'none' })
  expectType<Exact<typeof repaired, RepairReport>>()
  expectType<Exact<typeof repaired.movedToLost, string[]>>()
  // @ts-expect-error repair takes no open options such as syncMode
  await Engine.repair({ path: 'data', syncMode: 'always' })
}

async function backupsAndChanges (): Promise<void> {
  const db = await Engine.open({ path: 'data', walRetentionBytes: 1 << 20 })
  const { sequence } = await db.checkpoint('backup')
  expectType<Exact<typeof sequence, number>>()
  // @ts-expect-error checkpoint needs a directory
  await db.checkpoint()
  for await (const batch of db.changes({ since: sequence })) {
    expectType<Exact<typeof batch, ChangeBatch<string, Buffer, number | bigint>>>()
    expectType<Exact<typeof batch.records[0], FlowRecord<string, Buffer, number | bigint> & { seq: number }>>()
    expectType<Exact<typeof batch.rangeDeletes[0]['end'], string>>()
    break
  }
  const typed = await Engine.open({ path: 'data', valueEncoding: 'utf8', timestampType: 'number' })
  const feed = typed.changes({ since: 0, keyEncoding: 'buffer' })
  const step = await feed.next()
  if (step.done !== true) expectType<Exact<typeof step.value, ChangeBatch<Buffer, string, number | bigint>>>()
  await feed.return()
  // @ts-expect-error since is required
  db.changes({})
  expectType<Exact<typeof errorCodes.SEQUENCE_GONE, 'FLOWDB_SEQUENCE_GONE'>>()
}
void maintenance; void backupsAndChanges
