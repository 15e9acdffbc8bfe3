'use strict'

// DOMExceptions with the names the IndexedDB spec gives its errors, and the
// mapping from the native store's FlowDBError codes to them.

const { errorCodes } = require('../binding.cjs').constants

/** A DOMException named `name` (e.g. 'DataError') with `message`. */
function domError (name, message) {
  return new DOMException(message, name)
}

// Native error code → the IndexedDB error name of the request that met it.
const NAME_OF_CODE = new Map([
  [errorCodes.CONSTRAINT, 'ConstraintError'],
  [errorCodes.INVALID_KEY, 'DataError'],
  [errorCodes.NOT_FOUND, 'NotFoundError'],
  [errorCodes.TRANSACTION_INACTIVE, 'TransactionInactiveError'],
  [errorCodes.READ_ONLY, 'ReadOnlyError'],
  [errorCodes.NO_SPACE, 'QuotaExceededError'],
  [errorCodes.CLOSED, 'InvalidStateError']
].filter(([code]) => code !== undefined))

/**
 * The DOMException a request reports for an error `err` thrown or rejected
 * by the native store: ConstraintError, DataError, ... as mapped above;
 * anything else (I/O errors, corruption, conflicts) is an 'UnknownError'
 * carrying the original message.
 */
function fromNative (err) {
  if (err instanceof DOMException) return err
  const name = (err && NAME_OF_CODE.get(err.code)) || 'UnknownError'
  return domError(name, err && err.message ? err.message : String(err))
}

module.exports = { domError, fromNative }
