// SIGKILL crash test of the persistent IndexedDB factory. A child
// (crash-writer.mjs) runs bank transfers as readwrite transactions on
// `new IDBFactory({ path })` with syncMode 'always' and reports every
// transaction whose complete event fired; the parent kills it with SIGKILL
// at a random time (after it is ready, or now and then while it is still
// opening and recovering), opens the directory with a new factory and checks:
//   - every acknowledged transaction is there (its ledger entry, by the
//     unique txid index);
//   - no transaction is partial: replaying the ledger from the opening
//     balances gives exactly the stored balances, which sum to the total;
//     the 'meta' record names the newest ledger entry's txid;
//   - the indexes agree with the records: one txid entry per ledger entry,
//     the multiEntry index holds each entry under both of its accounts;
//   - generated keys follow commit order (ledger keys and txids increase
//     together) and never go back across restarts;
//   - the schema and version survive (no second upgrade).
// The same directory carries on across rounds.
//
// FLOWDB_IDB_CRASH_ROUNDS (default 6) sets the number of kills,
// FLOWDB_IDB_CRASH_SEED the seed (printed, to replay a run).

import { describe, it, expect } from 'vitest'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { IDBFactory } from '../../lib/indexeddb/index.mjs'
import { tempPath } from '../helpers/tmp.js'
import { rng } from '../helpers/random.js'
import { ACCOUNTS, INITIAL } from '../jsondb/crash-workload.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const ROUNDS = Number(process.env.FLOWDB_IDB_CRASH_ROUNDS ?? 6)
const SEED = Number(process.env.FLOWDB_IDB_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31))

function request (r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
}

// Runs the writer from `firstTxid` and kills it `delayMs` after it is ready
// (or after spawn when `early`). Resolves with the acknowledged txids.
function crashRun (path, firstTxid, seed, delayMs, early) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'crash-writer.mjs'), path, String(firstTxid), String(seed), 'always'],
      { stdio: ['ignore', 'pipe', 'pipe'] })
    const acked = []
    let out = ''
    let err = ''
    let killed = false
    const kill = () => setTimeout(() => { killed = true; child.kill('SIGKILL') }, delayMs)
    if (early) kill()
    child.stdout.on('data', (chunk) => {
      out += chunk
      let nl
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl)
        out = out.slice(nl + 1)
        if (line === 'ready' && !early) kill()
        else if (line.startsWith('ack ')) acked.push(Number(line.slice(4)))
      }
    })
    child.stderr.on('data', (chunk) => { err += chunk })
    child.on('exit', (code, signal) => {
      if (killed && signal === 'SIGKILL') resolve(acked)
      else reject(new Error(`writer exited with ${code ?? signal} before the kill: ${err}`))
    })
  })
}

// Opens the directory with a fresh factory and returns everything it holds.
async function readBack (path) {
  const factory = new IDBFactory({ path, syncMode: 'always' })
  let upgraded = false
  const open = factory.open('bank', 1)
  open.onupgradeneeded = () => { upgraded = true }
  const db = await request(open)
  const out = { upgraded, version: db.version, stores: [...db.objectStoreNames] }
  if (!upgraded) {
    const tx = db.transaction(['accounts', 'ledger', 'meta'], 'readonly')
    const ledger = tx.objectStore('ledger')
    out.accounts = await request(tx.objectStore('accounts').getAll())
    out.ledgerKeys = await request(ledger.getAllKeys())
    out.ledger = await request(ledger.getAll())
    out.byTxid = await request(ledger.index('txid').getAllKeys())
    out.byAccount = []
    for (let a = 0; a < ACCOUNTS; a++) out.byAccount.push(await request(ledger.index('accounts').getAllKeys(a)))
    out.lastTxid = await request(tx.objectStore('meta').get('lastTxid'))
  }
  db.close()
  await factory.close()
  return out
}

describe('IndexedDB crash safety (SIGKILL during transactions, persistent factory)', () => {
  it(`acknowledged transactions are whole, none is partial, indexes agree (${ROUNDS} kills)`, async () => {
    const path = tempPath()
    const random = rng(SEED)
    const allAcked = new Set()
    let nextTxid = 0
    let lastKey = 0
    let early = 0
    for (let round = 0; round < ROUNDS; round++) {
      const isEarly = round > 0 && random() < 0.25
      if (isEarly) early++
      const delay = isEarly ? 80 + Math.floor(random() * 400) : 30 + Math.floor(random() * 400)
      const context = `round ${round} (seed ${SEED}, ${isEarly ? 'from spawn' : 'from ready'} + ${delay} ms)`
      const acked = await crashRun(path, nextTxid, Math.floor(random() * 2 ** 31), delay, isEarly)
      for (const t of acked) allAcked.add(t)

      const got = await readBack(path)
      if (got.upgraded) {
        // Killed before the first upgrade committed: nothing may be there.
        expect(allAcked.size, context).toBe(0)
        continue
      }
      expect([got.version, got.stores], context).toEqual([1, ['accounts', 'ledger', 'meta']])
      const txids = got.ledger.map((e) => e.txid)
      for (const t of allAcked) expect(txids.includes(t), `${context}: acknowledged txid ${t}`).toBe(true)
      // Ledger keys and txids increase together; keys never go back.
      for (let i = 1; i < txids.length; i++) expect(txids[i] > txids[i - 1], context).toBe(true)
      expect(got.ledgerKeys.every((k, i) => i === 0 || k > got.ledgerKeys[i - 1]), context).toBe(true)
      if (got.ledgerKeys.length > 0) {
        expect(got.ledgerKeys.at(-1) >= lastKey, context).toBe(true)
        lastKey = got.ledgerKeys.at(-1)
      }
      // No partial transaction: the balances are the ledger's replay.
      const balances = Array(ACCOUNTS).fill(INITIAL)
      for (const e of got.ledger) {
        balances[e.from] -= e.amount
        balances[e.to] += e.amount
      }
      expect(got.accounts.map((a) => a.balance), context).toEqual(balances)
      expect(balances.reduce((a, b) => a + b, 0)).toBe(ACCOUNTS * INITIAL)
      expect(got.lastTxid, context).toBe(txids.length > 0 ? txids.at(-1) : -1)
      // Indexes agree with the records.
      expect(got.byTxid, context).toEqual(got.ledgerKeys)
      for (let a = 0; a < ACCOUNTS; a++) {
        const want = got.ledgerKeys.filter((k, i) => got.ledger[i].accounts.includes(a))
        expect(got.byAccount[a], `${context}: account ${a}`).toEqual(want)
      }
      nextTxid = (txids.length > 0 ? txids.at(-1) : -1) + 1
      // A killed round's unacknowledged transactions may have committed;
      // never reuse their ids.
      nextTxid = Math.max(nextTxid, ...[...allAcked].map((t) => t + 1))
    }
    console.log(`IndexedDB crash test: ${ROUNDS} kills (${early} from spawn), seed ${SEED}: ${allAcked.size} acknowledged transactions, all whole`)
  }, 30_000 + ROUNDS * 6_000)
})
