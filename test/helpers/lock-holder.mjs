// Child process for the cross-process lock test: opens the database at
// argv[2], prints "ready", and keeps it open until killed or stdin closes.

import { Engine } from '../../lib/index.mjs'

const engine = await Engine.open({ path: process.argv[2] })
process.stdout.write('ready\n')
process.stdin.resume()
process.stdin.on('end', async () => {
  await engine.close()
  process.exit(0)
})
