// The types through `import` (ES module consumers): package.json's exports
// give `import` its own declaration files (index.d.mts, indexeddb.d.mts,
// auto.d.mts), which must expose the same classes as the CommonJS ones.

import flowdb, { Engine, JsonDB, errorCodes } from 'flowdb'
import type { FlowRecord } from 'flowdb'
import idb, { indexedDB, IDBFactory } from 'flowdb/indexeddb'
import type { FlowDBFactory } from 'flowdb/indexeddb'
import 'flowdb/auto'

type Exact<A, B> = (<G>() => G extends A ? 1 : 2) extends (<G>() => G extends B ? 1 : 2) ? true : false
function expectType<T extends true> (): void {}

async function main (): Promise<void> {
  // The default export is the module object, as lib/index.mjs exports it.
  expectType<Exact<typeof flowdb.Engine, typeof Engine>>()
  expectType<Exact<typeof flowdb.JsonDB, typeof JsonDB>>()
  const db = await Engine.open({ path: 'data', valueEncoding: 'utf8' })
  const r = await db.getLatest('k')
  expectType<Exact<typeof r, FlowRecord<string, string, number | bigint> | undefined>>()
  expectType<Exact<typeof errorCodes.CLOSED, 'FLOWDB_CLOSED'>>()
  await db.close()
  expectType<Exact<typeof idb.indexedDB, typeof indexedDB>>()
  const factory = new IDBFactory({ path: 'data' })
  expectType<Exact<typeof factory, FlowDBFactory>>()
  // @ts-expect-error flowdb has no export of this name
  void flowdb.NoSuchExport
}

void main
