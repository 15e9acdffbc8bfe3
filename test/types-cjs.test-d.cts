// The same types through `require` (CommonJS consumers).

import flowdb = require('flowdb')
import type { FlowRecord } from 'flowdb'

type Exact<A, B> = (<G>() => G extends A ? 1 : 2) extends (<G>() => G extends B ? 1 : 2) ? true : false
function expectType<T extends true> (): void {}

async function main (): Promise<void> {
  const db = await flowdb.Engine.open({ path: 'data', valueEncoding: 'utf8' })
  const r = await db.getLatest('k')
  expectType<Exact<typeof r, FlowRecord<string, string, number | bigint> | undefined>>()
  expectType<Exact<typeof flowdb.errorCodes.CLOSED, 'FLOWDB_CLOSED'>>()
  await db.close()
}

void main
