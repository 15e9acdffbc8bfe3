// The install script's prebuild check (scripts/check-prebuild.cjs), run as
// npm runs it, in a copy of the package layout: it must accept a prebuild
// that loads, and send everything else to the source build.

import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { arch, platform } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import { tempPath } from './helpers/tmp.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const bindingOptions = require('../binding-options.cjs')

function packageCopy () {
  const dir = tempPath()
  mkdirSync(join(dir, 'scripts'), { recursive: true })
  copyFileSync(join(root, 'scripts', 'check-prebuild.cjs'), join(dir, 'scripts', 'check-prebuild.cjs'))
  copyFileSync(join(root, 'binding-options.cjs'), join(dir, 'binding-options.cjs'))
  copyFileSync(join(root, 'package.json'), join(dir, 'package.json'))
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  return dir
}

function prebuildFile (dir) {
  const napi = Math.max(...bindingOptions.napi_versions)
  const file = join(dir, 'prebuilds', `${bindingOptions.name}-${platform()}-${arch()}`, `node-napi-v${napi}.node`)
  mkdirSync(dirname(file), { recursive: true })
  return file
}

function check (dir, env = {}) {
  const result = spawnSync(process.execPath, ['scripts/check-prebuild.cjs'], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, npm_config_build_from_source: '', ...env }
  })
  return { status: result.status, stderr: result.stderr }
}

describe('the install script\'s prebuild check', () => {
  it('builds from source when there is no prebuild', () => {
    expect(check(packageCopy()).status).toBe(1)
  })

  it('uses a prebuild that loads, unless told to build from source', () => {
    const dir = packageCopy()
    copyFileSync(join(root, 'build', 'Release', 'flowdb.node'), prebuildFile(dir))
    expect(check(dir).status).toBe(0)
    expect(check(dir, { npm_config_build_from_source: 'true' }).status).toBe(1)
  })

  it('builds from source, saying why, when the prebuild fits the platform but does not load', () => {
    const dir = packageCopy()
    writeFileSync(prebuildFile(dir), 'not an ELF file')
    const result = check(dir)
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/does not load here.*building from source/)
  })
})
