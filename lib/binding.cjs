'use strict'

// Loads the native addon and hands it the error class. Everything else in
// lib/ reaches native code through this module. A local build (cmake-js,
// `npm run build`) wins; otherwise the package's prebuilt addon for this
// platform (prebuilds/, found by pkg-prebuilds) is used.

const path = require('node:path')
const loadPrebuild = require('pkg-prebuilds')
const bindingOptions = require('../binding-options.cjs')
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
  const prebuild = loadPrebuild.resolve(root, bindingOptions, false, false)
  if (prebuild !== null) {
    try {
      return require(prebuild)
    } catch (err) {
      throw new Error(
        'FlowDB\'s prebuilt addon ' + prebuild + ' does not load on this machine (' + err.message + '). ' +
        'Build it from source: `npm rebuild flowdb --build-from-source` (needs CMake, a C++20 compiler and lz4: liblz4-dev).',
        { cause: err })
    }
  }
  throw new Error(
    'FlowDB native addon not found (looked for ' + candidates.join(' and ') +
    ' and a prebuilt addon for ' + process.platform + '-' + process.arch + ' in ' + path.join(root, 'prebuilds') + '). ' +
    'Build it from source: allow the package\'s install script if your package manager blocks it, then run ' +
    '`npm rebuild flowdb` (needs CMake, a C++20 compiler and lz4: liblz4-dev), or `npm run build` in a checkout.'
  )
}

const binding = load()
binding.setErrorClass(FlowDBError)

module.exports = binding
