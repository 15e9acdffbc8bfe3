// The change feed into a real PostgreSQL server: examples/change-feed.mjs
// tails a database as NDJSON, piped into `COPY ... FROM STDIN` of a server
// this test starts (initdb, pg_ctl; Unix socket only) in a temporary
// directory. Skipped where the PostgreSQL server tools are not installed
// (Debian: apt-get install postgresql), or, when running as root, where
// there is no `postgres` user to run the server as.

import { describe, it, expect } from 'vitest'
import { execFileSync, spawn } from 'node:child_process'
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// The directory holding initdb and pg_ctl, or null.
function serverBin () {
  const dirs = [...(process.env.PATH ?? '').split(':')]
  try {
    for (const v of readdirSync('/usr/lib/postgresql')) dirs.push(`/usr/lib/postgresql/${v}/bin`)
  } catch {}
  for (const dir of dirs) {
    try {
      execFileSync(join(dir, 'initdb'), ['--version'], { stdio: 'ignore' })
      execFileSync(join(dir, 'pg_ctl'), ['--version'], { stdio: 'ignore' })
      return dir
    } catch {}
  }
  return null
}

function has (cmd, args) {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const bin = serverBin()
const root = process.getuid?.() === 0
let serverUser = null
if (root) {
  try {
    serverUser = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()
  } catch {}
}
const available = bin !== null && has('psql', ['--version']) && (!root || (serverUser !== null && has('runuser', ['--help'])))

// Runs a server tool, as the postgres user when this process is root.
function asServer (tool, args) {
  const cmd = join(bin, tool)
  return root
    ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' })
    : execFileSync(cmd, args, { encoding: 'utf8' })
}

describe.skipIf(!available)('change feed into PostgreSQL', () => {
  it('ships every batch into a table with COPY, and a query over it sees the records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowdb-pg-'))
    if (root) chownSync(dir, Number(serverUser), -1)
    const port = String(40000 + Math.floor(Math.random() * 10000))
    const psql = (sql, input) => execFileSync('psql', ['-h', dir, '-p', port, '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-Atc', sql],
      { encoding: 'utf8', input })
    try {
      asServer('initdb', ['-D', join(dir, 'pg'), '-A', 'trust', '-U', 'postgres'])
      asServer('pg_ctl', ['-D', join(dir, 'pg'), '-o', `-k ${dir} -c listen_addresses='' -p ${port}`, '-l', join(dir, 'log'), '-w', 'start'])
      try {
        psql('CREATE TABLE changes (batch jsonb NOT NULL)')
        // Each NDJSON line is one value: CSV with quote and delimiter bytes
        // that JSON text never holds, so COPY takes the line as it is.
        const example = fileURLToPath(new URL('../examples/change-feed.mjs', import.meta.url))
        const feed = spawn(process.execPath, [example, '--path', join(tmpdir(), `flowdb-pg-db-${process.pid}-${port}`), '--demo', '60'],
          { stdio: ['ignore', 'pipe', 'pipe'] })
        const copy = spawn('psql', ['-h', dir, '-p', port, '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-Atc',
          "COPY changes (batch) FROM STDIN WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')"], { stdio: ['pipe', 'pipe', 'pipe'] })
        feed.stdout.pipe(copy.stdin)
        let copyOut = ''
        copy.stdout.on('data', (d) => { copyOut += d })
        const [feedStatus, copyStatus] = await Promise.all([
          new Promise((resolve) => feed.on('close', resolve)),
          new Promise((resolve) => copy.on('close', resolve))
        ])
        expect(feedStatus).toBe(0)
        expect(copyStatus).toBe(0)
        expect(copyOut.trim()).toBe('COPY 60')
        expect(psql("SELECT count(*), min((batch->>'seq')::int), max((batch->>'seq')::int) FROM changes").trim()).toBe('60|1|60')
        // Readings (every 10th write was a delete) by sensor, from the records.
        const bySensor = psql("SELECT r->>'key', count(*) FROM changes, jsonb_array_elements(batch->'records') r GROUP BY 1 ORDER BY 1")
        expect(bySensor.trim().split('\n')).toEqual(['sensor/0|15', 'sensor/1|12', 'sensor/2|15', 'sensor/3|12'])
        expect(psql("SELECT count(*) FROM changes, jsonb_array_elements(batch->'deletes')").trim()).toBe('6')
      } finally {
        asServer('pg_ctl', ['-D', join(dir, 'pg'), '-m', 'fast', '-w', 'stop'])
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
      rmSync(join(tmpdir(), `flowdb-pg-db-${process.pid}-${port}`), { recursive: true, force: true })
    }
  }, 120_000)
})
