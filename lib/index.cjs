'use strict'

const binding = require('./binding.cjs')
const { FlowDBError } = require('./errors.cjs')
const { Engine } = require('./engine.cjs')

module.exports = {
  Engine,
  FlowDBError,
  errorCodes: binding.constants.errorCodes,
  versions: binding.constants.versions
}
