'use strict'

// How the prebuilt addons in prebuilds/ are named, for pkg-prebuilds: the
// loader (lib/binding.cjs), the install script's check (pkg-prebuilds-verify)
// and scripts/prebuild.mjs all read it. The Node-API versions are the ones
// cmake-js builds for (package.json "binary").

const { binary } = require('./package.json')

module.exports = { name: 'flowdb', napi_versions: binary.napi_versions }
