// What a call settled with, for assertions on errors: a FlowDBError's
// `code`, another error's class name ('TypeError', 'RangeError', ...), or
// 'resolved'. Takes a promise or a function (called, so that a synchronous
// throw counts too).

import { FlowDBError } from '../../lib/index.mjs'

export async function codeOf (promiseOrFn) {
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn)
  } catch (err) {
    return err instanceof FlowDBError ? err.code : err.constructor.name
  }
  return 'resolved'
}
