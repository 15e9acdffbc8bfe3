'use strict'

// The install script's first step: exits 0 when the package holds a prebuilt
// addon for this platform that loads here, so nothing needs compiling, and 1
// otherwise, after which the install script builds from source (cmake-js).
// A prebuild can fit the platform and still not load, for example on a glibc
// older than the one it was built against: that is reported and built from
// source too. `npm install --build-from-source` (npm_config_build_from_source)
// always builds. When npm_config_arch / npm_config_platform name another
// machine (a cross install), the prebuild for that machine is only looked
// for, not loaded.

const os = require('node:os')
const path = require('node:path')
const prebuilds = require('pkg-prebuilds')
const bindingOptions = require('../binding-options.cjs')

const root = path.join(__dirname, '..')

function check () {
  const fromSource = process.env.npm_config_build_from_source
  if (fromSource && fromSource !== 'false') return 1
  const file = prebuilds.resolve(root, bindingOptions, true, false)
  if (file === null) return 1
  const cross = (process.env.npm_config_arch && process.env.npm_config_arch !== os.arch()) ||
    (process.env.npm_config_platform && process.env.npm_config_platform !== os.platform())
  if (cross) return 0
  try {
    require(file)
    return 0
  } catch (err) {
    console.error(`flowdb: the prebuilt addon ${file} does not load here (${String(err.message).split('\n')[0]}); building from source`)
    return 1
  }
}

process.exitCode = check()
