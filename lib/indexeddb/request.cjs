'use strict'

// IDBRequest and IDBOpenDBRequest (spec §4.1, §4.2): the result or error of
// one asynchronous operation, fired as a `success` or `error` event.

const { IDBEventTarget, defineHandlers, newEventTarget, kParent } = require('./events.cjs')
const { domError } = require('./errors.cjs')

const kState = Symbol('flowdb.idb.requestState')
const kConstruct = Symbol('flowdb.idb.request')

/** IDBRequest: readyState 'pending' until its event fires, then 'done'. */
class IDBRequest extends IDBEventTarget {
  constructor (token, source, transaction) {
    if (token !== kConstruct) throw new TypeError('Illegal constructor')
    const self = newEventTarget(new.target)
    self[kState] = { done: false, result: undefined, error: null, source, transaction }
    self[kParent] = transaction
    return self
  }

  /** The result once done; InvalidStateError while pending. */
  get result () {
    const s = this[kState]
    if (!s.done) throw domError('InvalidStateError', 'The request has not finished.')
    return s.result
  }

  /** The error (a DOMException) or null once done; InvalidStateError while pending. */
  get error () {
    const s = this[kState]
    if (!s.done) throw domError('InvalidStateError', 'The request has not finished.')
    return s.error
  }

  /** The object store, index or cursor the request was made on (null for open requests). */
  get source () { return this[kState].source }
  /** The transaction the request runs in, or null. */
  get transaction () { return this[kState].transaction }
  /** 'pending' or 'done'. */
  get readyState () { return this[kState].done ? 'done' : 'pending' }
  get [Symbol.toStringTag] () { return 'IDBRequest' }
}
defineHandlers(IDBRequest.prototype, ['success', 'error'])

/** IDBOpenDBRequest: an open or deleteDatabase request, with blocked and upgradeneeded. */
class IDBOpenDBRequest extends IDBRequest {
  get [Symbol.toStringTag] () { return 'IDBOpenDBRequest' }
}
defineHandlers(IDBOpenDBRequest.prototype, ['blocked', 'upgradeneeded'])

function newRequest (source, transaction) {
  return new IDBRequest(kConstruct, source, transaction)
}

function newOpenRequest () {
  return new IDBOpenDBRequest(kConstruct, null, null)
}

/** Sets the transaction an open request reports (the upgrade's, then null). */
function setRequestTransaction (request, transaction) {
  request[kState].transaction = transaction
  request[kParent] = transaction
}

/** Marks `request` done with a result (error null). */
function settleSuccess (request, result) {
  const s = request[kState]
  s.done = true
  s.result = result
  s.error = null
}

/** Marks `request` done with an error (result undefined). */
function settleError (request, error) {
  const s = request[kState]
  s.done = true
  s.result = undefined
  s.error = error
}

/** Makes a cursor's request pending again for its next iteration. */
function resetRequest (request) {
  const s = request[kState]
  s.done = false
  s.result = undefined
  s.error = null
}

module.exports = {
  IDBRequest, IDBOpenDBRequest, newRequest, newOpenRequest, setRequestTransaction, settleSuccess, settleError, resetRequest
}
