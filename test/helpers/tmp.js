// Temporary data directories for tests, removed when the test file ends.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

const roots = []

// A fresh, empty directory path for one database (the directory itself is
// not created, so createIfMissing is exercised).
export function tempPath (name = 'db') {
  const root = mkdtempSync(join(tmpdir(), 'flowdb-test-'))
  roots.push(root)
  return join(root, name)
}

afterAll(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
})
