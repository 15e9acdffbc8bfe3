// Terminating a worker thread while it writes and scans must end the worker,
// never the process: while a worker terminates, Node-API calls that need
// JavaScript fail, and every native method must then return nothing rather
// than an uninitialized handle, and must not abort while building an error.
//
// The stress runs in a child process, so a crash shows as that process's
// exit status instead of killing the test runner. FLOWDB_TERMINATE_RUNS sets
// the number of terminations (default 200: in memory and on disk, writing,
// scanning and both, and using a JsonDB).

import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const script = fileURLToPath(new URL('./helpers/terminate-stress.mjs', import.meta.url))
const RUNS = Number(process.env.FLOWDB_TERMINATE_RUNS ?? 200)

describe('worker termination', () => {
  it(`survives ${RUNS} terminations of workers that write and scan`, () => {
    const child = spawnSync(process.execPath, [script, String(RUNS), '4'], {
      encoding: 'utf8',
      timeout: 600_000
    })
    const report = `status ${child.status}, signal ${child.signal}\n${child.stdout}\n${child.stderr.slice(-4000)}`
    expect(child.signal, report).toBeNull()
    expect(child.status, report).toBe(0)
    const result = JSON.parse(child.stdout.trim().split('\n').pop())
    expect(result.failures).toEqual([])
    expect(result.terminations).toBe(RUNS)
    // Every kind of worker, in memory and on disk, was terminated.
    expect(Object.keys(result.byKind).sort()).toEqual([
      'docs/disk', 'docs/memory', 'mixed/disk', 'mixed/memory', 'scan/disk', 'scan/memory', 'write/disk', 'write/memory'])
    // Most workers got to work before they were terminated.
    expect(result.opened).toBeGreaterThan(RUNS / 4)
  }, 900_000)
})
