'use strict'

// The one error class of FlowDB. Native code creates its errors with this
// constructor too (binding.setErrorClass), so every engine failure is a
// FlowDBError whose `code` is one of binding.constants.errorCodes. Argument
// mistakes are plain TypeError / RangeError and carry no code.
class FlowDBError extends Error {
  constructor (message, code, cause) {
    super(message, cause === undefined ? undefined : { cause })
    this.code = code
  }
}

Object.defineProperty(FlowDBError.prototype, 'name', {
  value: 'FlowDBError',
  writable: true,
  configurable: true,
  enumerable: false
})

module.exports = { FlowDBError }
