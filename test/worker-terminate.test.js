// Terminating a worker thread while it writes and scans must end the worker,
// never the process: while a worker terminates, Node-API calls that need
// JavaScript fail, and every native method must then return nothing rather
// than an uninitialized handle, and must not abort while building an error.
//
// The stress runs in child processes, so a crash shows as a child's exit
// status instead of killing the test runner. Three run at once: the crash
// needs the termination to land inside a narrow window, which contention
// for the CPU widens (one process alone crashed far less often).
// FLOWDB_TERMINATE_RUNS sets the total number of terminations (default 210:
// in memory and on disk, writing, scanning and both, and using a JsonDB).

import { describe, it, expect } from 'vitest'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const script = fileURLToPath(new URL('./helpers/terminate-stress.mjs', import.meta.url))
const RUNS = Number(process.env.FLOWDB_TERMINATE_RUNS ?? 210)
const PROCESSES = 3

function stress (runs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, String(runs), '4'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('error', reject)
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }))
  })
}

describe('worker termination', () => {
  it(`survives ${RUNS} terminations of workers that write and scan`, async () => {
    const per = Math.ceil(RUNS / PROCESSES)
    const children = await Promise.all(Array.from({ length: PROCESSES }, () => stress(per)))
    for (const child of children) {
      const report = `status ${child.status}, signal ${child.signal}\n${child.stdout}\n${child.stderr.slice(-4000)}`
      expect(child.signal, report).toBeNull()
      expect(child.status, report).toBe(0)
      const result = JSON.parse(child.stdout.trim().split('\n').pop())
      expect(result.failures).toEqual([])
      expect(result.terminations).toBe(per)
      // Every kind of worker, in memory and on disk, was terminated.
      expect(Object.keys(result.byKind).sort()).toEqual([
        'docs/disk', 'docs/memory', 'mixed/disk', 'mixed/memory', 'scan/disk', 'scan/memory',
        'write/disk', 'write/memory'])
      // Many workers got to work before they were terminated.
      expect(result.opened).toBeGreaterThan(per / 4)
    }
  }, 900_000)
})
