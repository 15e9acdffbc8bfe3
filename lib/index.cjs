'use strict'

const binding = require('./binding.cjs')
const { FlowDBError } = require('./errors.cjs')
const { Engine } = require('./engine.cjs')
const { KeyRange } = require('./jsondb/key-range.cjs')
const { JsonDB } = require('./jsondb/jsondb.cjs')

module.exports = {
  Engine,
  JsonDB,
  KeyRange,
  FlowDBError,
  errorCodes: binding.constants.errorCodes,
  versions: binding.constants.versions
}
