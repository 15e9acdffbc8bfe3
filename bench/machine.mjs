// What the numbers were measured on: CPU, cores, memory, kernel, the file
// system under the data directories, Node, and the versions of FlowDB and of
// each peer package (and of the engine inside it, where it says).

import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')

function attempt (fn, fallback = null) {
  try {
    return fn()
  } catch {
    return fallback
  }
}

function cpuModel () {
  const m = attempt(() => /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8')))
  return m ? m[1].trim() : (os.cpus()[0]?.model ?? 'unknown')
}

// The type of the file system mounted at the longest prefix of dir.
function fileSystemOf (dir) {
  const mounts = attempt(() => readFileSync('/proc/mounts', 'utf8'), '')
  let best = { point: '', type: 'unknown', device: '' }
  for (const line of mounts.split('\n')) {
    const [device, point, type] = line.split(' ')
    if (point && (dir === point || dir.startsWith(point.endsWith('/') ? point : point + '/')) && point.length >= best.point.length) {
      best = { point, type, device }
    }
  }
  return `${best.type} (${best.device} on ${best.point})`
}

// Read from the installed package.json itself: some packages' "exports"
// maps do not expose it to require().
function packageVersion (name) {
  return attempt(() => {
    let dir = path.dirname(require.resolve(name))
    for (;;) {
      const file = path.join(dir, 'package.json')
      const pkg = attempt(() => JSON.parse(readFileSync(file, 'utf8')))
      if (pkg?.name === name) return pkg.version
      const up = path.dirname(dir)
      if (up === dir) return 'unknown'
      dir = up
    }
  }, 'not installed')
}

function flowdbVersion () {
  const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version
  const commit = attempt(() => execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
  const dirty = attempt(() => execFileSync('git', ['status', '--porcelain', '--', 'src', 'binding', 'lib'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '')
  return commit ? `${version} (${commit}${dirty ? ', uncommitted changes' : ''})` : version
}

function engineVersions () {
  return {
    lmdb: attempt(() => require('lmdb').version.versionString),
    sqlite: attempt(() => {
      const Database = require('better-sqlite3')
      const db = new Database(':memory:')
      const v = db.prepare('select sqlite_version()').pluck().get()
      db.close()
      return `SQLite ${v}`
    }),
    leveldb: attempt(() => {
      const deps = path.join(path.dirname(require.resolve('classic-level/package.json')), 'deps', 'leveldb')
      const m = /leveldb-([\d.]+)/.exec(execFileSync('ls', [deps], { encoding: 'utf8' }))
      return m ? `LevelDB ${m[1]}` : null
    })
  }
}

export function machineInfo (dataDir) {
  return {
    cpu: cpuModel(),
    cores: os.cpus().length,
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()}`,
    fileSystem: fileSystemOf(dataDir),
    node: process.version,
    packages: {
      flowdb: flowdbVersion(),
      'rocksdb-native': packageVersion('rocksdb-native'),
      'classic-level': packageVersion('classic-level'),
      lmdb: packageVersion('lmdb'),
      'better-sqlite3': packageVersion('better-sqlite3')
    },
    engines: engineVersions()
  }
}

export function loadAverage () {
  return os.loadavg()
}
