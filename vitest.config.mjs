import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.js'],
    // Child processes (forks) rather than worker threads: the addon holds
    // file locks per process, and --expose-gc lets the GC tests force a
    // collection.
    pool: 'forks',
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
