'use strict'

// Loads the native addon built by cmake-js and hands it the error class.
// Everything else in lib/ reaches native code through this module.

const path = require('node:path')
const { FlowDBError } = require('./errors.cjs')

const root = path.join(__dirname, '..')
const candidates = [
  path.join(root, 'build', 'Release', 'flowdb.node'),
  path.join(root, 'build', 'Debug', 'flowdb.node')
]

function load () {
  for (const file of candidates) {
    try {
      return require(file)
    } catch (err) {
      // A missing file means "try the next build"; anything else (a bad
      // symbol, a wrong ABI) is the real problem and must surface as is.
      if (err.code !== 'MODULE_NOT_FOUND' || !String(err.message).includes(file)) throw err
    }
  }
  throw new Error(
    'FlowDB native addon not found (looked for ' + candidates.join(' and ') + '). ' +
    'It is built from source: run `npm install` in the flowdb package, or `npm run build`.'
  )
}

const binding = load()
binding.setErrorClass(FlowDBError)

module.exports = binding
