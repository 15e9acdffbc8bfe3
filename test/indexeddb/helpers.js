// Promise helpers for the IndexedDB tests (the API itself is event based).

import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
export const idb = require('../../lib/indexeddb/index.cjs')

/** Resolves with the request's result, rejects with its error (prevented). */
export function done (request) {
  return new Promise((resolve, reject) => {
    request.addEventListener('success', () => resolve(request.result))
    request.addEventListener('error', (e) => {
      e.preventDefault()
      reject(request.error)
    })
  })
}

/** Resolves on complete, rejects with the transaction's error (or 'aborted') on abort. */
export function finished (tx) {
  return new Promise((resolve, reject) => {
    tx.addEventListener('complete', () => resolve())
    tx.addEventListener('abort', () => reject(tx.error ?? new Error('aborted')))
  })
}

/** Opens `name` at `version` in `factory`, running `upgrade(db, tx, event)` on upgradeneeded. */
export function open (factory, name, version, upgrade) {
  const request = factory.open(name, version)
  if (upgrade) request.onupgradeneeded = (e) => upgrade(request.result, request.transaction, e)
  return done(request)
}

/** A fresh in-memory factory. */
export function memoryFactory () {
  return new idb.IDBFactory()
}

/** The name of an error (DOMException or other) a promise rejects with, or a function throws. */
export async function errorName (fnOrPromise) {
  try {
    await (typeof fnOrPromise === 'function' ? fnOrPromise() : fnOrPromise)
  } catch (err) {
    return err.name
  }
  return 'no error'
}

/** Waits one macrotask. */
export function tick () {
  return new Promise((resolve) => setImmediate(resolve))
}
