#!/usr/bin/env node
// Builds the prebuilt addons that `npm pack` puts in the package (run as the
// `prepack` script): self-contained builds (CMake option FLOWDB_PORTABLE:
// the system's static lz4 and the C++ runtime linked in) in build-prebuild*/,
// stripped and copied by pkg-prebuilds-copy to
// prebuilds/flowdb-<platform>-<arch>/node-napi-v<N>.node, then checked: each
// needs no shared library beyond libc, libm and the dynamic loader, and the
// one for this machine loads in a fresh Node process. Prints the newest glibc
// symbol version each needs, which is the oldest glibc it runs on.
//
//   node scripts/prebuild.mjs [--arch x64,arm64]
//
// Needs the static lz4 of each target (Debian: liblz4-dev, and for arm64
// liblz4-dev:arm64 after `dpkg --add-architecture arm64`; .ci/run installs
// both). Without --arch it builds for this machine and, on Linux x64 with
// Debian's cross compiler (`apt-get install g++-aarch64-linux-gnu`), also for
// Linux arm64; without that compiler the arm64 build is skipped with a message.
// An arm64 prebuild is tested under qemu-user by scripts/package-test.mjs.
// Exits non-zero when a build or a check fails.

import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const bindingOptions = require('../binding-options.cjs')
const napiVersion = Math.max(...bindingOptions.napi_versions)
// Cross toolchains this script knows, by Node's arch name (Linux x64 hosts).
const CROSS = { arm64: { triple: 'aarch64-linux-gnu', processor: 'aarch64' } }

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

const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
const bin = (name) => join(root, 'node_modules', '.bin', name)

function targets () {
  const i = process.argv.indexOf('--arch')
  if (i >= 0) return process.argv[i + 1].split(',')
  const out = [process.arch]
  if (process.platform === 'linux' && process.arch === 'x64') {
    if (onPath(`${CROSS.arm64.triple}-g++`)) out.push('arm64')
    else console.log(`prebuild: skipping linux-arm64: no ${CROSS.arm64.triple}-g++ (apt-get install g++-${CROSS.arm64.triple})`)
  }
  return out
}

function build (arch) {
  const cross = arch === process.arch ? null : CROSS[arch]
  if (arch !== process.arch && (process.platform !== 'linux' || cross === undefined)) {
    console.error(`prebuild: cannot build for ${process.platform}-${arch} on this machine`)
    process.exit(1)
  }
  const outDir = cross ? `build-prebuild-${arch}` : 'build-prebuild'
  const defines = ['--CDFLOWDB_PORTABLE=ON']
  if (cross) {
    defines.push('--CDCMAKE_SYSTEM_NAME=Linux', `--CDCMAKE_SYSTEM_PROCESSOR=${cross.processor}`,
      `--CDCMAKE_C_COMPILER=${cross.triple}-gcc`, `--CDCMAKE_CXX_COMPILER=${cross.triple}-g++`)
  }
  run(bin('cmake-js'), ['compile', '--release', '--log-level', 'warn', '--arch', arch, '--out', outDir, ...defines])
  // pkg-prebuilds-copy strips with the host's strip, which cannot read
  // another architecture's ELF files: those are stripped here.
  run(bin('pkg-prebuilds-copy'), ['--baseDir', join(outDir, 'Release'), '--source', 'flowdb.node',
    '--name', bindingOptions.name, '--napi_version', String(napiVersion), '--arch', arch, ...(cross ? [] : ['--strip'])])
  const prebuild = join(root, 'prebuilds', `${bindingOptions.name}-${process.platform}-${arch}`, `node-napi-v${napiVersion}.node`)
  if (cross) run(`${cross.triple}-strip`, ['--strip-all', prebuild])
  console.log(`prebuild: ${prebuild}`)
  if (!cross) {
    // It loads on its own, without the local build next to it.
    run(process.execPath, ['-e', `const b = require(${JSON.stringify(prebuild)}); if (typeof b.setErrorClass !== 'function') process.exit(1)`])
  }
  if (process.platform === 'linux') checkElf(prebuild)
}

// A prebuild may need only what every glibc system has; says which glibc.
function checkElf (prebuild) {
  const allowed = /^(libc|libm|libdl|libpthread|librt|ld-linux[^ ]*)\.so/
  const needed = run('readelf', ['-d', prebuild], { capture: true })
    .split('\n').map((line) => /\(NEEDED\).*\[(.+)\]/.exec(line)?.[1]).filter(Boolean)
  const extra = needed.filter((lib) => !allowed.test(lib))
  if (extra.length > 0) {
    console.error(`prebuild: ${prebuild} needs shared libraries a user may not have: ${extra.join(', ')}`)
    process.exit(1)
  }
  const versions = run('readelf', ['--dyn-syms', '-W', prebuild], { capture: true }).match(/GLIBC_[0-9.]+/g) ?? []
  const newest = versions.map((v) => v.slice(6).split('.').map(Number))
    .sort((a, b) => a[0] - b[0] || (a[1] ?? 0) - (b[1] ?? 0) || (a[2] ?? 0) - (b[2] ?? 0)).pop()
  console.log(`prebuild: needs ${needed.join(', ')}; glibc >= ${newest ? newest.join('.') : '?'}`)
}

rmSync(join(root, 'prebuilds'), { recursive: true, force: true })
for (const arch of targets()) build(arch)
