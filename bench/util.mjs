// Small helpers shared by the benchmark scripts: argument parsing, timing,
// statistics, number formatting, directory sizes and memory readings.

import { readdirSync, lstatSync, readFileSync } from 'node:fs'
import path from 'node:path'

// Parses `--name value`, `--name=value` and boolean `--flag` arguments.
// spec: { name: { type: 'number' | 'string' | 'boolean' | 'list', default } }.
export function parseArgs (argv, spec, usage) {
  const out = {}
  for (const [name, s] of Object.entries(spec)) out[name] = s.default
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--help' || arg === '-h') {
      console.log(usage)
      process.exit(0)
    }
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}\n${usage}`)
    let [name, value] = arg.slice(2).split(/=(.*)/s, 2)
    const key = name.replace(/-([a-z])/g, (_, c) => c.toUpperCase())
    const s = spec[key]
    if (s === undefined) throw new Error(`unknown option --${name}\n${usage}`)
    if (s.type === 'boolean') {
      out[key] = value === undefined ? true : value !== 'false'
      continue
    }
    if (value === undefined) {
      value = argv[++i]
      if (value === undefined) throw new Error(`--${name} needs a value`)
    }
    if (s.type === 'number') {
      const n = Number(value)
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${value}`)
      out[key] = n
    } else if (s.type === 'list') {
      out[key] = value.split(',').map((v) => v.trim()).filter(Boolean)
    } else {
      out[key] = value
    }
  }
  return out
}

export function now () {
  return process.hrtime.bigint()
}

// Seconds since `start` (a now() value).
export function secondsSince (start) {
  return Number(process.hrtime.bigint() - start) / 1e9
}

export function median (values) {
  const v = values.filter((x) => x !== null && x !== undefined && Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return null
  const mid = v.length >> 1
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2
}

// Spread of a set of runs: (max - min) / median, as a fraction.
export function spread (values) {
  const v = values.filter((x) => Number.isFinite(x))
  if (v.length < 2) return 0
  const m = median(v)
  return m === 0 ? 0 : (Math.max(...v) - Math.min(...v)) / m
}

// 1234567 → "1.23M", 1234 → "1.23K".
export function formatRate (x) {
  if (x === null || x === undefined) return '—'
  if (x >= 1e9) return (x / 1e9).toFixed(2) + 'G'
  if (x >= 1e6) return (x / 1e6).toFixed(2) + 'M'
  if (x >= 1e3) return (x / 1e3).toFixed(1) + 'K'
  if (x >= 100) return x.toFixed(0)
  return x.toFixed(1)
}

export function formatBytes (x) {
  if (x === null || x === undefined) return '—'
  const units = ['B', 'KiB', 'MiB', 'GiB']
  let i = 0
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024
    i++
  }
  return (i === 0 ? x.toFixed(0) : x.toFixed(1)) + ' ' + units[i]
}

export function formatRatio (x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—'
  return x >= 10 ? x.toFixed(0) + '×' : x.toFixed(2) + '×'
}

// Bytes a directory tree occupies on disk (allocated blocks, as `du` counts)
// and its apparent size (sum of file lengths).
export function directorySize (dir) {
  let allocated = 0
  let apparent = 0
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name)
      const st = lstatSync(p)
      if (st.isDirectory()) {
        walk(p)
      } else {
        allocated += st.blocks * 512
        apparent += st.size
      }
    }
  }
  walk(dir)
  return { allocated, apparent }
}

// Peak resident set size of this process in bytes (VmHWM).
export function peakRss () {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
    if (m) return Number(m[1]) * 1024
  } catch {}
  return process.resourceUsage().maxRSS * 1024
}

// Runs fn() with at most `concurrency` calls in flight until `count` calls
// have been started; fn(i) gets the call's index.
export async function inFlight (count, concurrency, fn) {
  let next = 0
  const loop = async () => {
    while (next < count) await fn(next++)
  }
  const loops = []
  for (let i = 0; i < Math.min(concurrency, count); i++) loops.push(loop())
  await Promise.all(loops)
}

export function collectGarbage () {
  if (typeof globalThis.gc === 'function') globalThis.gc()
}
