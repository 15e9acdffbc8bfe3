// JsonDB lifecycle hazards in child processes (a crash fails only its test):
// process exit with a database, a transaction and a cursor left open, and
// worker termination while a worker writes documents.

import { it, expect } from 'vitest'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { JsonDB } from '../../lib/index.mjs'
import { tempPath } from '../helpers/tmp.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

it('a process that exits with a database, a transaction and a cursor open exits cleanly', async () => {
  const path = tempPath()
  const script = `
    const { JsonDB } = require('./lib/index.cjs')
    ;(async () => {
      const db = await JsonDB.open({ path: ${JSON.stringify(path)} })
      await db.createObjectStore('s', { keyPath: 'id' })
      await db.store('s').putMany(Array.from({ length: 1000 }, (_, i) => ({ id: i })))
      const tx = db.transaction('s', 'readwrite')
      await tx.store('s').put({ id: 'uncommitted' })
      const cursor = db.store('s').iterate()
      await cursor.next()
      db.store('s').put({ id: 'late' }) // in flight at exit
      process.exit(0)
    })()`
  execFileSync(process.execPath, ['-e', script], { cwd: root, stdio: 'pipe', timeout: 20000 })
  const db = await JsonDB.open({ path })
  expect(await db.store('s').count()).toBeGreaterThanOrEqual(1000)
  expect(await db.store('s').get('uncommitted')).toBe(undefined)
  await db.close()
})

it('terminating a worker while it writes documents releases its database (5 times)', async () => {
  const paths = Array.from({ length: 5 }, () => tempPath())
  const script = `
    const { Worker } = require('node:worker_threads')
    const source = \`
      const { parentPort, workerData } = require('node:worker_threads')
      const { JsonDB } = require('./lib/index.cjs')
      ;(async () => {
        const db = await JsonDB.open({ path: workerData.path, syncMode: 'none' })
        await db.createObjectStore('s', { keyPath: 'id' })
        await db.store('s').put({ id: 'from-worker' })
        parentPort.postMessage('ready')
        for (let i = 0; ; i++) {
          const tx = db.transaction('s', 'readwrite')
          await tx.store('s').put({ id: i })
          await tx.commit()
        }
      })()\`
    ;(async () => {
      for (const path of ${JSON.stringify(paths)}) {
        const worker = new Worker(source, { eval: true, workerData: { path } })
        worker.once('error', (err) => { console.error(err); process.exit(1) })
        await new Promise((resolve) => worker.once('message', resolve))
        await new Promise((resolve) => setTimeout(resolve, 20))
        await worker.terminate()
      }
      console.log('terminated')
    })()`
  const out = execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout: 30000 })
  expect(out.trim()).toBe('terminated')
  for (const path of paths) {
    const db = await JsonDB.open({ path })
    expect(await db.store('s').get('from-worker')).toEqual({ id: 'from-worker' })
    await db.close()
  }
})
