// Child process of crash.test.js: runs transfer transactions on a persistent
// IDBFactory until it is killed. Each transaction moves an amount between
// two accounts of store 'accounts', appends a ledger entry (generated key,
// unique index on `txid`, multiEntry index on `accounts`) and updates the
// 'meta' record holding the last txid, all in one readwrite transaction.
// After a transaction's complete event it prints "ack <txid>"; it prints
// "ready" once the database is open.
//
//   node crash-writer.mjs <dir> <first txid> <seed> <sync mode>

import { IDBFactory } from '../../lib/indexeddb/index.mjs'
import { rng } from '../helpers/random.js'
import { ACCOUNTS, INITIAL } from '../jsondb/crash-workload.mjs'

const [dir, firstTxid, seed, syncMode] = process.argv.slice(2)
const random = rng(Number(seed))
const factory = new IDBFactory({ path: dir, syncMode })

function request (r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
}

const open = factory.open('bank', 1)
open.onupgradeneeded = () => {
  const db = open.result
  const accounts = db.createObjectStore('accounts', { keyPath: 'id' })
  for (let id = 0; id < ACCOUNTS; id++) accounts.put({ id, balance: INITIAL })
  const ledger = db.createObjectStore('ledger', { autoIncrement: true })
  ledger.createIndex('txid', 'txid', { unique: true })
  ledger.createIndex('accounts', 'accounts', { multiEntry: true })
  db.createObjectStore('meta').put(-1, 'lastTxid')
}
const db = await request(open)
process.stdout.write('ready\n')

// Several transactions in flight at once, as an application's requests
// would be; overlapping scopes make IndexedDB run them one after another.
let txid = Number(firstTxid)
function transfer () {
  const id = txid++
  const from = Math.floor(random() * ACCOUNTS)
  const to = (from + 1 + Math.floor(random() * (ACCOUNTS - 1))) % ACCOUNTS
  const amount = 1 + Math.floor(random() * 50)
  const tx = db.transaction(['accounts', 'ledger', 'meta'], 'readwrite')
  const accounts = tx.objectStore('accounts')
  const a = accounts.get(from)
  a.onsuccess = () => {
    accounts.put({ ...a.result, balance: a.result.balance - amount })
    const b = accounts.get(to)
    b.onsuccess = () => {
      accounts.put({ ...b.result, balance: b.result.balance + amount })
      tx.objectStore('ledger').add({ txid: id, accounts: [from, to], from, to, amount, pad: 'x'.repeat(Math.floor(random() * 200)) })
      tx.objectStore('meta').put(id, 'lastTxid')
    }
  }
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => { process.stdout.write(`ack ${id}\n`); resolve() }
    tx.onabort = () => reject(tx.error)
  })
}

for (;;) await Promise.all(Array.from({ length: 4 }, transfer))
