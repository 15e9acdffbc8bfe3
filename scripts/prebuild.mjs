#!/usr/bin/env node
// Builds the prebuilt addon that `npm pack` puts in the package (run as the
// `prepack` script): a self-contained build (CMake option FLOWDB_PORTABLE:
// lz4 compiled in, the C++ runtime linked statically) in build-prebuild/,
// stripped and copied by pkg-prebuilds-copy to
// prebuilds/flowdb-<platform>-<arch>/node-napi-v<N>.node, then checked: it
// loads in a fresh Node process and needs no shared library beyond libc,
// libm and the dynamic loader. Prints the newest glibc symbol version it
// needs, which is the oldest glibc the prebuild runs on.
//
//   node scripts/prebuild.mjs
//
// Exits non-zero when the build or a check fails. On a platform other than
// Linux the checks that read ELF files are skipped.

import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const bindingOptions = require('../binding-options.cjs')
const napiVersion = Math.max(...bindingOptions.napi_versions)
const outDir = 'build-prebuild'

function run (command, argv, { capture = false } = {}) {
  const result = spawnSync(command, argv, {
    cwd: root,
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8'
  })
  if (result.error) throw result.error
  if (result.status !== 0) {
    console.error(`prebuild: ${command} ${argv.join(' ')} exited with ${result.status}`)
    process.exit(1)
  }
  return result.stdout
}

const bin = (name) => join(root, 'node_modules', '.bin', name)

run(bin('cmake-js'), ['compile', '--release', '--log-level', 'warn', '--out', outDir, '--CDFLOWDB_PORTABLE=ON'])
run(bin('pkg-prebuilds-copy'), ['--baseDir', join(outDir, 'Release'), '--source', 'flowdb.node',
  '--name', bindingOptions.name, '--napi_version', String(napiVersion), '--strip'])

const prebuild = require('pkg-prebuilds').resolve(root, bindingOptions, true, true)
console.log(`prebuild: ${prebuild}`)

// It loads on its own, without the local build next to it.
run(process.execPath, ['-e', `const b = require(${JSON.stringify(prebuild)}); if (typeof b.setErrorClass !== 'function') process.exit(1)`])

if (process.platform === 'linux') {
  const allowed = /^(linux-vdso|libc|libm|libdl|libpthread|librt|ld-linux[^ ]*)\.so/
  const needed = run('readelf', ['-d', prebuild], { capture: true })
    .split('\n').map((line) => /\(NEEDED\).*\[(.+)\]/.exec(line)?.[1]).filter(Boolean)
  const extra = needed.filter((lib) => !allowed.test(lib))
  if (extra.length > 0) {
    console.error(`prebuild: needs shared libraries a user may not have: ${extra.join(', ')}`)
    process.exit(1)
  }
  const versions = run('objdump', ['-T', prebuild], { capture: true }).match(/GLIBC_[0-9.]+/g) ?? []
  const newest = versions.map((v) => v.slice(6).split('.').map(Number))
    .sort((a, b) => a[0] - b[0] || (a[1] ?? 0) - (b[1] ?? 0) || (a[2] ?? 0) - (b[2] ?? 0)).pop()
  console.log(`prebuild: needs ${needed.join(', ')}; glibc >= ${newest ? newest.join('.') : '?'}`)
}
