// Builds the floor addon (bench/floor/build/Release/floor.node) with cmake-js,
// as `npm run build` builds flowdb.node. Run directly, or through
// ensureFloorAddon() from the benchmarks, which builds only when the addon is
// missing or older than its sources.

import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
export const floorAddonPath = path.join(here, 'build', 'Release', 'floor.node')
const sources = ['floor.cc', 'CMakeLists.txt', 'package.json'].map((f) => path.join(here, f))

function upToDate () {
  if (!existsSync(floorAddonPath)) return false
  const built = statSync(floorAddonPath).mtimeMs
  return sources.every((f) => statSync(f).mtimeMs <= built)
}

export function buildFloorAddon ({ quiet = false } = {}) {
  const require = createRequire(import.meta.url)
  const cli = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js')
  const args = [cli, 'compile', '--release', '--log-level', 'warn', '--directory', here]
  const result = spawnSync(process.execPath, args, { cwd: here, stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8' })
  if (result.status !== 0) {
    const output = quiet ? `\n${result.stdout}${result.stderr}` : ''
    throw new Error(`building the floor addon failed (cmake-js exit ${result.status})${output}`)
  }
  return floorAddonPath
}

export function ensureFloorAddon (options) {
  return upToDate() ? floorAddonPath : buildFloorAddon(options)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(buildFloorAddon())
}
