// SIGKILL crash test of JsonDB transactions. A child (crash-writer.mjs)
// runs the bank workload of crash-workload.mjs on a persistent JsonDB with
// syncMode 'always' and reports every transaction whose commit resolved; the
// parent kills it with SIGKILL at a random time (after it is ready, or now
// and then while it is still opening and recovering), reopens the database
// and checks:
//   - every acknowledged transaction is there, exactly as acknowledged;
//     transactions that failed with FLOWDB_CONFLICT are not;
//   - no transaction is partial: replaying the ledger from the initial state
//     gives exactly the documents of every store (balances, emails, which
//     store an account is in, notes added and deleted by key, range or
//     clear), and the balances sum to what the bank started with;
//   - at most one unacknowledged transaction per writer slot is present;
//   - every index agrees with its documents: for every store and index, a
//     scan of the index gives exactly the entries recomputed from the
//     documents (IndexedDB's rules, keys compared with fake-indexeddb's
//     cmp()), with the document itself; unique indexes hold;
//   - auto-increment keys never go backwards: keys handed out after a
//     restart are above every key committed before it, and note keys
//     (generated, or explicit keys that raise the generator) increase in
//     commit order over the whole history.
// The same directory carries on across rounds, so recovery also runs over
// what earlier crashes and recoveries left.
//
// FLOWDB_JSONDB_CRASH_ROUNDS (default 12) sets the number of kills,
// FLOWDB_JSONDB_CRASH_SEED the seed (printed, to replay a run).

import { describe, it, expect } from 'vitest'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { cmp, isKey, at, indexKeys } from '../helpers/idb-keys.js'
import { JsonDB, Engine } from '../../lib/index.mjs'
import { tempPath } from '../helpers/tmp.js'
import { rng } from '../helpers/random.js'
import { ACCOUNTS, INITIAL, IN_FLIGHT, SCHEMA, STORES, seed, plan, apply, accountDoc, initialEmail, noteDoc } from './crash-workload.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const ROUNDS = Number(process.env.FLOWDB_JSONDB_CRASH_ROUNDS ?? 12)
const SEED = Number(process.env.FLOWDB_JSONDB_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31))
// Transaction ids of round r are r * TXIDS_PER_ROUND + 0, 1, 2, ...
const TXIDS_PER_ROUND = 1_000_000


// JSON with object keys sorted, to compare documents whatever their key order.
function canon (v) {
  return JSON.stringify(v, (_, x) => (x !== null && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]]))
    : x))
}

// [in `want` but not in `got`, in `got` but not in `want`], as multisets.
function difference (want, got) {
  const counts = new Map()
  for (const x of want) counts.set(x, (counts.get(x) ?? 0) + 1)
  const extra = []
  for (const x of got) {
    const n = counts.get(x) ?? 0
    if (n === 0) extra.push(x)
    else counts.set(x, n - 1)
  }
  const missing = []
  for (const [x, n] of counts) for (let i = 0; i < n; i++) missing.push(x)
  return [missing, extra]
}

// Every store and index agrees with itself; returns the documents of each
// store as [{ key, value }] in key order.
async function checkStoresAndIndexes (db, problems) {
  const contents = {}
  for (const spec of SCHEMA) {
    const store = db.store(spec.name)
    const docs = []
    for await (const { primaryKey, value } of store.iterate()) docs.push({ key: primaryKey, value })
    contents[spec.name] = docs
    for (let i = 1; i < docs.length; i++) {
      if (cmp(docs[i - 1].key, docs[i].key) >= 0) problems.push(`${spec.name}: keys ${canon(docs[i - 1].key)}, ${canon(docs[i].key)} out of order`)
    }
    if (spec.keyPath !== null) {
      for (const { key, value } of docs) {
        if (!isKey(at(value, spec.keyPath)) || cmp(at(value, spec.keyPath), key) !== 0) problems.push(`${spec.name}: document under key ${canon(key)} has key path value ${canon(at(value, spec.keyPath))}`)
      }
    }
    const count = await store.count()
    if (count !== docs.length) problems.push(`${spec.name}: count() ${count}, iterate() ${docs.length}`)

    const byKey = new Map(docs.map((d) => [canon(d.key), d.value]))
    for (const index of spec.indexes) {
      const label = `${spec.name}.${index.name}`
      const want = []
      for (const { key, value } of docs) for (const k of indexKeys(index, value)) want.push({ key: k, primaryKey: key })
      want.sort((a, b) => cmp(a.key, b.key) || cmp(a.primaryKey, b.primaryKey))
      const got = []
      try {
        for await (const r of store.index(index.name).iterate()) {
          got.push({ key: r.key, primaryKey: r.primaryKey })
          if (canon(r.value) !== canon(byKey.get(canon(r.primaryKey)))) problems.push(`${label}: entry ${canon(r.key)} → ${canon(r.primaryKey)} returns another document`)
        }
      } catch (err) {
        problems.push(`${label}: scanning the index failed: ${err.message}`)
      }
      const wantText = want.map(canon)
      const gotText = got.map(canon)
      const [missing, stray] = difference(wantText, gotText)
      if (missing.length > 0) problems.push(`${label}: ${missing.length} entries missing, e.g. ${missing[0]}`)
      if (stray.length > 0) problems.push(`${label}: ${stray.length} entries without a matching document, e.g. ${stray[0]}`)
      if (missing.length === 0 && stray.length === 0 && wantText.join('\n') !== gotText.join('\n')) problems.push(`${label}: entries out of order`)
      const indexCount = await store.index(index.name).count()
      if (indexCount !== got.length) problems.push(`${label}: count() ${indexCount}, iterate() ${got.length}`)
      if (index.unique) {
        for (let i = 1; i < want.length; i++) {
          if (cmp(want[i - 1].key, want[i].key) === 0) problems.push(`${label}: unique key ${canon(want[i].key)} held by ${canon(want[i - 1].primaryKey)} and ${canon(want[i].primaryKey)}`)
        }
      }
    }
  }
  return contents
}

// Replays the ledger from the initial state; the stores must hold exactly
// the result. Returns the highest ledger seq and note key.
function checkLedgerReplay (contents, round, problems) {
  const accounts = new Map()
  for (let id = 0; id < ACCOUNTS; id++) accounts.set(id, { balance: INITIAL, email: initialEmail(id), ops: 0, where: 'accounts', closedBy: undefined })
  const notes = new Map() // key → document
  const txids = new Set()
  let maxSeq = 0
  let lastNote = 0
  const bad = (entry, what) => problems.push(`ledger ${entry.seq} (tx ${entry.txid}, ${entry.kind}): ${what}`)
  for (const { key, value: e } of contents.ledger) {
    if (e.seq !== key) bad(e, `stored under seq ${key}`)
    maxSeq = key
    if (txids.has(e.txid)) bad(e, 'txid seen twice')
    txids.add(e.txid)
    if (!Number.isInteger(e.txid) || e.txid < 0 || Math.floor(e.txid / TXIDS_PER_ROUND) > round) bad(e, 'a txid no writer used yet')
    const A = accounts.get(e.from)
    const B = accounts.get(e.to)
    if (A === undefined || B === undefined) {
      bad(e, 'unknown account')
      continue
    }
    const open = (x) => x.where === 'accounts'
    switch (e.kind) {
      case 'transfer':
        if (!open(A) || !open(B) || e.from === e.to) bad(e, 'between accounts that were not both open')
        if (!(e.amount >= 0 && e.amount <= A.balance)) bad(e, `amount ${e.amount} with a balance of ${A.balance}`)
        A.balance -= e.amount
        B.balance += e.amount
        A.ops++
        B.ops++
        break
      case 'swap':
        if (!open(A) || !open(B) || e.from === e.to) bad(e, 'between accounts that were not both open')
        if (e.emails?.[e.from] !== B.email || e.emails?.[e.to] !== A.email) bad(e, `emails ${canon(e.emails)} are not a swap of ${A.email}, ${B.email}`)
        ;[A.email, B.email] = [B.email, A.email]
        A.ops++
        B.ops++
        break
      case 'rename':
        if (!open(A)) bad(e, 'of a closed account')
        A.email = e.emails?.[e.from]
        A.ops++
        break
      case 'close':
        if (!open(A)) bad(e, 'of a closed account')
        A.where = 'archive'
        A.closedBy = e.txid
        break
      case 'reopen':
        if (open(A)) bad(e, 'of an open account')
        A.where = 'accounts'
        A.closedBy = undefined
        A.ops++
        break
      case 'prune':
        if (e.deleted?.all) {
          notes.clear()
        } else if (e.deleted?.keys) {
          for (const k of e.deleted.keys) if (!notes.delete(k)) bad(e, `deleted note ${k}, which was not there`)
        } else if (e.deleted) {
          for (const k of [...notes.keys()]) if (k >= e.deleted.lo && k <= e.deleted.hi) notes.delete(k)
        }
        break
      default:
        bad(e, 'unknown kind')
    }
    for (const [n, k] of (e.notes ?? []).entries()) {
      if (!(k > lastNote)) bad(e, `note key ${k} is not above the earlier note key ${lastNote}`)
      lastNote = Math.max(lastNote, k)
      notes.set(k, noteDoc(e.txid, n, e.from, e.kind))
    }
  }

  const expectStore = (name, want) => {
    const got = contents[name]
    const wantText = want.map(([k, v]) => canon([k, v]))
    const gotText = got.map(({ key, value }) => canon([key, value]))
    const [missing, extra] = difference(wantText, gotText)
    if (missing.length > 0 || extra.length > 0) {
      problems.push(`${name} differs from the ledger replay: ${missing.length} documents missing or changed (e.g. ${missing[0]}), ${extra.length} unexpected (e.g. ${extra[0]})`)
    }
  }
  const ids = [...accounts.keys()]
  expectStore('accounts', ids.filter((id) => accounts.get(id).where === 'accounts')
    .map((id) => { const a = accounts.get(id); return [id, accountDoc(id, a.balance, a.email, a.ops)] }))
  expectStore('archive', ids.filter((id) => accounts.get(id).where === 'archive')
    .map((id) => { const a = accounts.get(id); return [id, { ...accountDoc(id, a.balance, a.email, a.ops), closedBy: a.closedBy }] }))
  expectStore('notes', [...notes].sort((x, y) => x[0] - y[0]))

  let sum = 0
  const emails = new Set()
  for (const { value } of [...contents.accounts, ...contents.archive]) {
    sum += value.balance
    if (emails.has(value.email)) problems.push(`email ${value.email} is held by two accounts`)
    emails.add(value.email)
  }
  if (sum !== ACCOUNTS * INITIAL) problems.push(`the balances sum to ${sum}, not ${ACCOUNTS * INITIAL}`)
  return { maxSeq, maxNote: lastNote, ledgerSize: contents.ledger.length, txids }
}

/**
 * Opens the database at `path` and checks it (see the top of this file).
 * `acked`: ledger entries the writers acknowledged (all rounds so far);
 * `conflicts`: txids that failed with FLOWDB_CONFLICT; `fresh`: entries
 * acknowledged in the last round, whose keys must be above `before`
 * ({ maxSeq, maxNote } of the check before that round). Returns
 * { problems, maxSeq, maxNote, ledgerSize, unacked }.
 */
async function check (path, { acked, conflicts, fresh, before, round }) {
  const problems = []
  const db = await JsonDB.open({ path })
  let result
  try {
    const contents = await checkStoresAndIndexes(db, problems)
    result = checkLedgerReplay(contents, round, problems)
    const txidIndex = db.store('ledger').index('txid')
    for (const entry of acked) {
      const stored = await txidIndex.get(entry.txid)
      if (stored === undefined) problems.push(`acknowledged transaction ${entry.txid} (${entry.kind}) is missing`)
      else if (canon(stored) !== canon(entry)) problems.push(`acknowledged transaction ${entry.txid} is stored as ${canon(stored)}, acknowledged as ${canon(entry)}`)
    }
    for (const txid of conflicts) {
      if (await txidIndex.get(txid) !== undefined) problems.push(`transaction ${txid} failed with FLOWDB_CONFLICT but is there`)
    }
    for (const entry of fresh) {
      if (!(entry.seq > before.maxSeq)) problems.push(`ledger key ${entry.seq} handed out after a restart is not above ${before.maxSeq}`)
      for (const k of entry.notes ?? []) {
        if (!(k > before.maxNote)) problems.push(`note key ${k} handed out after a restart is not above ${before.maxNote}`)
      }
    }
    const ackedIds = new Set(acked.map((e) => e.txid))
    result.unacked = [...result.txids].filter((t) => Math.floor(t / TXIDS_PER_ROUND) === round && !ackedIds.has(t)).length
    if (result.unacked > IN_FLIGHT) problems.push(`${result.unacked} unacknowledged transactions of the last round are there, more than the ${IN_FLIGHT} in flight`)
  } finally {
    await db.close()
  }
  return { problems, ...result }
}

// Runs a writer child until `delayMs` after it is ready (or after it was
// spawned, when `early`), then SIGKILLs it. Resolves with what it reported.
function crashRound (path, firstTxid, seed, delayMs, early) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'crash-writer.mjs'), path, String(firstTxid), String(seed)],
      { stdio: ['ignore', 'pipe', 'pipe'] })
    const acked = []
    const conflicts = []
    let stderr = ''
    let pending = ''
    let killed = false
    let ready = false
    const kill = () => setTimeout(() => { killed = true; child.kill('SIGKILL') }, delayMs)
    if (early) kill()
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk) => {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop()
      for (const line of lines) {
        if (line === 'ready') {
          ready = true
          if (!early) kill()
        } else if (line.startsWith('ack ')) {
          acked.push(JSON.parse(line.slice(4)))
        } else if (line.startsWith('conflict ')) {
          conflicts.push(Number(line.slice(9)))
        }
      }
    })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (killed && signal === 'SIGKILL') resolve({ acked, conflicts, ready })
      else reject(new Error(`crash writer ended by itself (code ${code}, signal ${signal}):\n${stderr}`))
    })
  })
}

describe('JsonDB crash safety (SIGKILL during transactions, syncMode always)', () => {
  it(`acknowledged transactions are whole, none is partial, indexes agree, keys never go back (${ROUNDS} kills)`, async () => {
    const path = tempPath()
    const random = rng(SEED)
    const db = await JsonDB.open({ path })
    await seed(db)
    await db.close()

    const acked = []
    const conflicts = []
    let before = { maxSeq: 0, maxNote: 0 }
    let unacked = 0
    let early = 0
    let last
    for (let round = 0; round < ROUNDS; round++) {
      const isEarly = random() < 0.2
      const delay = Math.floor(random() * (isEarly ? 150 : 250))
      const context = `round ${round} (seed ${SEED}, ${isEarly ? 'from spawn' : 'from ready'} + ${delay} ms)`
      const r = await crashRound(path, round * TXIDS_PER_ROUND, Math.floor(random() * 2 ** 31), delay, isEarly)
        .catch((err) => { throw new Error(`${context}: ${err.message}`) })
      if (isEarly) early++
      acked.push(...r.acked)
      conflicts.push(...r.conflicts)
      last = await check(path, { acked, conflicts, fresh: r.acked, before, round })
      expect(last.problems, context).toEqual([])
      unacked += last.unacked
      before = { maxSeq: last.maxSeq, maxNote: last.maxNote }
    }
    console.log(`JsonDB crash test: ${ROUNDS} kills (${early} from spawn), seed ${SEED}: ${acked.length} acknowledged transactions, ` +
      `${unacked} committed but unacknowledged at a kill, ${conflicts.length} failed with a conflict; ledger holds ${last.ledgerSize}`)
    expect(acked.length).toBeGreaterThan(0)
  }, 30_000 + ROUNDS * 5_000)

  it('the check finds damaged indexes, partial transactions, lost acknowledgements and keys going back', async () => {
    const path = tempPath()
    const db = await JsonDB.open({ path })
    await seed(db)
    const random = rng(12)
    const acked = []
    for (let txid = 0; acked.length < 60; txid++) {
      const p = plan(random, txid)
      acked.push(await db.transaction(STORES, 'readwrite', (tx) => apply(tx, p)))
    }
    await db.close()
    const args = { acked, conflicts: [], fresh: acked, before: { maxSeq: 0, maxNote: 0 }, round: 0 }
    expect((await check(path, args)).problems).toEqual([])

    // Raw engine records (docs/jsondb-format.md): 0x03 store-id primary-key
    // → document, 0x04 index-id index-key primary-key → empty.
    const raw = async (fn) => {
      const engine = await Engine.open({ path, keyEncoding: 'buffer', valueEncoding: 'buffer' })
      try {
        const records = []
        for await (const r of engine.scan()) records.push(r)
        return await fn(engine, records)
      } finally {
        await engine.close()
      }
    }
    const expectCaught = async (what, pattern) => {
      const { problems } = await check(path, args)
      expect(problems.some((p) => pattern.test(p)), `${what}: ${problems.join('\n')}`).toBe(true)
    }
    const indexEntries = (records) => records.filter((r) => r.key[0] === 0x04)

    // An index entry lost.
    const entry = await raw(async (engine, records) => {
      const e = indexEntries(records)[5]
      await engine.del(e.key, 0)
      return e
    })
    await expectCaught('a lost index entry', /entries missing/)
    await raw((engine) => engine.put(entry.key, 0, Buffer.alloc(0)))
    expect((await check(path, args)).problems).toEqual([])

    // A stray entry: an entry of one document copied under another
    // document's primary key (both numbers: 0x10 and 8 bytes).
    const stray = await raw(async (engine, records) => {
      const entries = indexEntries(records)
      const a = entries.find((e) => e.key.at(-9) === 0x10)
      const b = entries.find((e) => e.key.at(-9) === 0x10 && e.key.subarray(1, 5).equals(a.key.subarray(1, 5)) && !e.key.subarray(-9).equals(a.key.subarray(-9)))
      const key = Buffer.concat([a.key.subarray(0, -9), b.key.subarray(-9)])
      await engine.put(key, 0, Buffer.alloc(0))
      return key
    })
    await expectCaught('a stray index entry', /without a matching document/)
    await raw((engine) => engine.del(stray, 0))
    expect((await check(path, args)).problems).toEqual([])

    // A document without its index entries (an index entry without its
    // document makes the index scan fail, which the check reports too).
    await raw(async (engine, records) => {
      const doc = records.find((r) => r.key[0] === 0x03)
      await engine.del(doc.key, 0)
    })
    await expectCaught('a document deleted alone', /entries without a matching document|scanning the index failed/)

    // Half a transaction: the last transfer's ledger entry gone (through
    // the API, so the indexes stay right), its balance changes kept.
    const path2 = tempPath()
    const db2 = await JsonDB.open({ path: path2 })
    await seed(db2)
    const acked2 = []
    const random2 = rng(7)
    for (let txid = 0; acked2.length < 40; txid++) {
      const p = plan(random2, txid)
      acked2.push(await db2.transaction(STORES, 'readwrite', (tx) => apply(tx, p)))
    }
    const transfer = acked2.findLast((e) => e.kind === 'transfer' && e.amount > 0)
    await db2.store('ledger').delete(transfer.seq)
    await db2.close()
    const args2 = { acked: acked2, conflicts: [], fresh: [], before: { maxSeq: 0, maxNote: 0 }, round: 0 }
    const { problems } = await check(path2, args2)
    expect(problems.some((p) => /accounts differs from the ledger replay/.test(p)), problems.join('\n')).toBe(true)
    expect(problems.some((p) => p.startsWith(`acknowledged transaction ${transfer.txid} (transfer) is missing`)), problems.join('\n')).toBe(true)

    // A failed transaction that is there, and keys that went back.
    const later = { ...args2, acked: [], conflicts: [acked2[0].txid], fresh: [acked2[0]], before: { maxSeq: acked2[0].seq, maxNote: 0 } }
    const back = (await check(path2, later)).problems
    expect(back).toContain(`transaction ${acked2[0].txid} failed with FLOWDB_CONFLICT but is there`)
    expect(back).toContain(`ledger key ${acked2[0].seq} handed out after a restart is not above ${acked2[0].seq}`)
  })
})
