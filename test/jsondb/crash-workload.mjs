// The workload of the JsonDB crash test (crash.test.js), shared by the
// writer child (crash-writer.mjs) and the parent's self-check.
//
// A bank: ACCOUNTS accounts, each starting with INITIAL. Every transaction
// writes one ledger entry (auto-increment key) saying what it did, together
// with the documents it changed, in one commit:
//   transfer   moves an amount between two open accounts
//   swap       swaps the emails of two open accounts (through a temporary
//              email, so the unique index sees three writes)
//   rename     gives an account a fresh email
//   close      moves an account from `accounts` to `archive`
//   reopen     moves it back
//   prune      deletes notes: one key, a key range, or the whole store
// and half of them also add a note (out-of-line auto-increment key, now and
// then an explicit key above the generator, which raises it).
//
// The ledger is never deleted, so replaying it from the initial state must
// give exactly the documents in every store: a transaction that is partly
// there breaks that replay, the sum of balances, or an index.

import { KeyRange } from '../../lib/index.mjs'

export const ACCOUNTS = 24
export const INITIAL = 1000
export const BRANCHES = 3
/** Transactions a writer child keeps in flight. */
export const IN_FLIGHT = 3

/** The schema: a unique, a compound (one path dotted) and a multiEntry index at least per store. */
export const SCHEMA = [
  {
    name: 'accounts',
    keyPath: 'id',
    indexes: [
      { name: 'email', keyPath: 'email', unique: true },
      { name: 'branchBalance', keyPath: ['profile.branch', 'balance'] },
      { name: 'tags', keyPath: 'tags', multiEntry: true }
    ]
  },
  {
    name: 'archive',
    keyPath: 'id',
    indexes: [
      { name: 'email', keyPath: 'email', unique: true },
      { name: 'closedBy', keyPath: 'closedBy', unique: true },
      { name: 'tags', keyPath: 'tags', multiEntry: true }
    ]
  },
  {
    name: 'ledger',
    keyPath: 'seq',
    autoIncrement: true,
    indexes: [
      { name: 'txid', keyPath: 'txid', unique: true },
      { name: 'parties', keyPath: 'parties', multiEntry: true },
      { name: 'route', keyPath: ['from', 'to'] }
    ]
  },
  {
    name: 'notes',
    keyPath: null,
    autoIncrement: true,
    indexes: [
      { name: 'account', keyPath: 'account' },
      { name: 'words', keyPath: 'words', multiEntry: true },
      { name: 'txidN', keyPath: ['txid', 'n'], unique: true }
    ]
  }
]

export const STORES = SCHEMA.map((s) => s.name)

/** An account's email before any swap or rename. */
export const initialEmail = (id) => `a${id}@bank.test`

/**
 * The tags of an account document: a function of its fields, with a
 * duplicate and an invalid element (a multiEntry index keeps one entry of
 * the first and none of the second).
 */
export function tagsOf (id, balance, ops) {
  return [`b${Math.floor(balance / 250)}`, `o${ops % 4}`, `b${Math.floor(balance / 250)}`, { invalid: true }, id % 2 === 0 ? 'even' : 'odd']
}

/** The account document for these fields. */
export function accountDoc (id, balance, email, ops) {
  return { id, email, profile: { branch: id % BRANCHES, name: `holder ${id}` }, balance, ops, tags: tagsOf(id, balance, ops) }
}

/** The n-th note of transaction `txid` (of `kind`, by `account`). */
export function noteDoc (txid, n, account, kind) {
  return { txid, n, account, words: [kind, `k${txid % 5}`, kind] }
}

/** Creates the schema and the accounts, in one transaction each. */
export async function seed (db) {
  await db.applySchema(SCHEMA)
  await db.transaction(['accounts'], 'readwrite', async (tx) => {
    const accounts = tx.store('accounts')
    if (await accounts.count() > 0) return
    for (let id = 0; id < ACCOUNTS; id++) await accounts.add(accountDoc(id, INITIAL, initialEmail(id), 0))
  })
}

/**
 * A random plan for one transaction, drawn before it runs so that reruns
 * after a conflict do the same thing against the new state.
 */
export function plan (random, txid) {
  const r = random()
  const kind = r < 0.5 ? 'transfer' : r < 0.6 ? 'swap' : r < 0.68 ? 'rename' : r < 0.78 ? 'close' : r < 0.88 ? 'reopen' : 'prune'
  const a = Math.floor(random() * ACCOUNTS)
  let b = Math.floor(random() * (ACCOUNTS - 1))
  if (b >= a) b++
  const p = random()
  return {
    txid,
    kind,
    a,
    b,
    amount: 1 + Math.floor(random() * 300),
    note: random() < 0.5 ? (random() < 0.1 ? 'explicit' : 'auto') : null,
    gap: 1 + Math.floor(random() * 50),
    prune: p < 0.1 ? 'clear' : p < 0.55 ? 'range' : 'key',
    at: random(),
    width: 1 + Math.floor(random() * 6)
  }
}

/**
 * Runs plan `p` in transaction `tx` (scope STORES, readwrite) and returns
 * the ledger entry it wrote (with its `seq`). A plan that does not fit the
 * state (an account closed, say) becomes one that does.
 */
export async function apply (tx, p) {
  const accounts = tx.store('accounts')
  const archive = tx.store('archive')
  const ledger = tx.store('ledger')
  const notes = tx.store('notes')
  const A = await accounts.get(p.a)
  const B = await accounts.get(p.b)
  let kind = p.kind
  if (A === undefined) kind = 'reopen'
  else if (kind === 'reopen') kind = 'close'
  else if ((kind === 'transfer' || kind === 'swap') && B === undefined) kind = 'rename'

  const entry = { txid: p.txid, kind, from: p.a, to: p.a, amount: 0, parties: [p.a, p.a] }
  if (kind === 'transfer') {
    const amount = Math.min(p.amount, A.balance)
    await accounts.put(accountDoc(A.id, A.balance - amount, A.email, A.ops + 1))
    await accounts.put(accountDoc(B.id, B.balance + amount, B.email, B.ops + 1))
    Object.assign(entry, { to: p.b, amount, parties: [p.a, p.b, p.a] })
  } else if (kind === 'swap') {
    await accounts.put(accountDoc(A.id, A.balance, `swap.${p.txid}@bank.test`, A.ops))
    await accounts.put(accountDoc(B.id, B.balance, A.email, B.ops + 1))
    await accounts.put(accountDoc(A.id, A.balance, B.email, A.ops + 1))
    Object.assign(entry, { to: p.b, parties: [p.a, p.b], emails: { [A.id]: B.email, [B.id]: A.email } })
  } else if (kind === 'rename') {
    const email = `a${A.id}.t${p.txid}@bank.test`
    await accounts.put(accountDoc(A.id, A.balance, email, A.ops + 1))
    entry.emails = { [A.id]: email }
  } else if (kind === 'close') {
    await accounts.delete(p.a)
    await archive.add({ ...A, closedBy: p.txid })
  } else if (kind === 'reopen') {
    const C = await archive.get(p.a)
    await archive.delete(p.a)
    await accounts.add(accountDoc(C.id, C.balance, C.email, C.ops + 1))
  } else if (kind === 'prune') {
    const keys = await notes.getAllKeys()
    if (p.prune === 'clear') {
      await notes.clear()
      entry.deleted = { all: true }
    } else if (keys.length > 0) {
      const lo = keys[Math.floor(p.at * keys.length)]
      if (p.prune === 'key') {
        await notes.delete(lo)
        entry.deleted = { keys: [lo] }
      } else {
        const hi = lo + p.width
        await notes.delete(KeyRange.bound(lo, hi))
        entry.deleted = { lo, hi }
      }
    }
  }
  if (p.note !== null) {
    // An explicit key above the generator raises it; taking the generator's
    // number first keeps every note key above all earlier ones.
    entry.notes = [await notes.add(noteDoc(p.txid, 0, p.a, kind))]
    if (p.note === 'explicit') entry.notes.push(await notes.add(noteDoc(p.txid, 1, p.a, kind), entry.notes[0] + p.gap))
  }
  entry.seq = await ledger.add(entry)
  return entry
}
