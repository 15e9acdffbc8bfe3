#!/usr/bin/env node
// `npm test`: the C++ tests (GoogleTest through ctest), the JS tests (vitest)
// and the type tests (tsc), then one summary line "N passed, N failed" over
// all of them. Exits non-zero if anything failed.
//
//   node scripts/test.mjs [--cpp-only | --js-only]
//
// The C++ suite is skipped, with a message, when GoogleTest is not installed.
// CI (.ci/run) also sets FLOWDB_TEST_SANITIZE=1, which adds the C++ tests
// built with ASan and UBSan (scripts/sanitize.sh asan), and FLOWDB_TEST_FUZZ=1,
// which adds the fuzz smoke run (scripts/fuzz.sh --smoke), and
// FLOWDB_TEST_PACKAGE=1, which packs the package and installs the tarball into
// fresh projects (scripts/package-test.mjs); their results count in the
// totals like the other suites.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = new Set(process.argv.slice(2))
for (const arg of args) {
  if (arg !== '--cpp-only' && arg !== '--js-only') {
    console.error(`unknown argument ${arg} (use --cpp-only or --js-only)`)
    process.exit(2)
  }
}
const runCpp = !args.has('--js-only')
const runJs = !args.has('--cpp-only')
const jobs = String(Math.max(2, availableParallelism()))

const totals = { passed: 0, failed: 0 }
const lines = [] // per-suite summaries, printed before the final line

function run (command, argv, { capture = false } = {}) {
  const result = spawnSync(command, argv, {
    cwd: root,
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024
  })
  if (result.error) throw result.error
  if (capture) {
    process.stdout.write(result.stdout)
    process.stderr.write(result.stderr)
  }
  return result
}

function record (suite, passed, failed, note = '') {
  totals.passed += passed
  totals.failed += failed
  lines.push(`${suite}: ${passed} passed, ${failed} failed${note ? ` (${note})` : ''}`)
}

function cppTests () {
  console.log('\n== C++ tests (GoogleTest) ==')
  const configure = run('cmake', ['-S', '.', '-B', 'build-tests', '-DFLOWDB_BUILD_TESTS=ON', '-DCMAKE_BUILD_TYPE=RelWithDebInfo'], { capture: true })
  if (configure.status !== 0) return record('C++', 0, 1, 'cmake configure failed')
  if (/GoogleTest not found/.test(configure.stdout + configure.stderr)) {
    lines.push('C++: skipped (GoogleTest not found; apt-get install libgtest-dev)')
    return
  }
  const build = run('cmake', ['--build', 'build-tests', '--target', 'flowdb_tests', '-j', jobs])
  if (build.status !== 0) return record('C++', 0, 1, 'build failed')
  // A hung test fails after the timeout instead of stalling the run.
  const ctest = run('ctest', ['--test-dir', 'build-tests', '--output-on-failure', '-j', jobs, '--timeout', '300'], { capture: true })
  const output = ctest.stdout + ctest.stderr
  const summary = /(\d+)% tests passed, (\d+) tests? failed out of (\d+)/.exec(output)
  if (summary !== null) {
    const failed = Number(summary[2])
    const total = Number(summary[3])
    return record('C++', total - failed, failed)
  }
  if (/No tests were found/.test(output) && ctest.status === 0) return record('C++', 0, 0, 'no tests defined')
  record('C++', 0, 1, `ctest exited with ${ctest.status} and no summary`)
}

// Reads ctest's summary into the totals as suite `suite`.
function recordCtest (suite, result) {
  const output = result.stdout + result.stderr
  const summary = /(\d+)% tests passed, (\d+) tests? failed out of (\d+)/.exec(output)
  if (summary !== null) {
    const failed = Number(summary[2])
    return record(suite, Number(summary[3]) - failed, failed)
  }
  record(suite, 0, 1, `exited with ${result.status} and no ctest summary`)
}

function sanitizedCppTests () {
  console.log('\n== C++ tests with ASan + UBSan (scripts/sanitize.sh asan) ==')
  const started = Date.now()
  const result = run('bash', [join(root, 'scripts', 'sanitize.sh'), 'asan'], { capture: true })
  recordCtest('C++ ASan+UBSan', result)
  lines[lines.length - 1] += ` in ${Math.round((Date.now() - started) / 1000)} s`
}

function fuzzSmoke () {
  console.log('\n== Fuzz smoke run (scripts/fuzz.sh --smoke) ==')
  const started = Date.now()
  const result = run('bash', [join(root, 'scripts', 'fuzz.sh'), '--smoke'], { capture: true })
  const ok = (result.stdout.match(/^fuzz \S+: ok/gm) || []).length
  let failed = (result.stdout.match(/^fuzz \S+: FAILED/gm) || []).length
  if (result.status !== 0 && failed === 0) failed = 1 // the build failed
  record('Fuzz smoke', ok, failed, `${Math.round((Date.now() - started) / 1000)} s`)
}

function packageTest () {
  console.log('\n== Package: pack, install the tarball three ways, smoke test (scripts/package-test.mjs) ==')
  const started = Date.now()
  const result = run(process.execPath, [join(root, 'scripts', 'package-test.mjs')], { capture: true })
  const ok = (result.stdout.match(/^package \S+: ok/gm) || []).length
  let failed = (result.stdout.match(/^package \S+: FAILED/gm) || []).length
  if (result.status !== 0 && failed === 0) failed = 1
  record('Package', ok, failed, `${Math.round((Date.now() - started) / 1000)} s`)
}

function ensureAddon () {
  if (existsSync(join(root, 'build', 'Release', 'flowdb.node'))) return true
  console.log('\nThe native addon is not built yet: running `npm run build`.')
  return run('npm', ['run', 'build']).status === 0
}

function jsTests () {
  console.log('\n== JS tests (vitest) ==')
  if (!ensureAddon()) return record('JS', 0, 1, 'addon build failed')
  const dir = mkdtempSync(join(tmpdir(), 'flowdb-vitest-'))
  const report = join(dir, 'report.json')
  try {
    const vitest = run(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run',
      '--reporter=default', '--reporter=json', `--outputFile.json=${report}`])
    if (!existsSync(report)) return record('JS', 0, 1, `vitest exited with ${vitest.status} and wrote no report`)
    const result = JSON.parse(readFileSync(report, 'utf8'))
    // A test file that fails to load counts as a failure even with no test run.
    const brokenFiles = result.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length
    let failed = result.numFailedTests + brokenFiles
    // Errors outside any test (an unhandled rejection, a crashed worker)
    // fail the run too.
    const note = vitest.status !== 0 && failed === 0 ? 'vitest reported errors outside the tests' : ''
    if (note) failed = 1
    record('JS', result.numPassedTests, failed, note)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function typeTests () {
  console.log('\n== Type tests (tsc -p test/tsconfig.json) ==')
  const tsc = run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'test/tsconfig.json'])
  if (tsc.status === 0) console.log('index.d.ts type tests passed')
  record('Types', tsc.status === 0 ? 1 : 0, tsc.status === 0 ? 0 : 1)
}

if (runCpp) {
  cppTests()
  if (process.env.FLOWDB_TEST_SANITIZE === '1') sanitizedCppTests()
  if (process.env.FLOWDB_TEST_FUZZ === '1') fuzzSmoke()
}
if (runJs) {
  jsTests()
  typeTests()
  if (process.env.FLOWDB_TEST_PACKAGE === '1') packageTest()
}

console.log('\n' + lines.join('\n'))
console.log(`${totals.passed} passed, ${totals.failed} failed`)
process.exitCode = totals.failed > 0 ? 1 : 0
