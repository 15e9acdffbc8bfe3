// Type tests for the JsonDB part of index.d.ts (see types.test-d.ts).

import { JsonDB, KeyRange, errorCodes } from 'flowdb'
import type { StoreType, DocStore, DocPath, DocKeyResult, Transaction, QueryPlan, CursorRecord, SchemaChanges } from 'flowdb'

type Exact<A, B> = (<G>() => G extends A ? 1 : 2) extends (<G>() => G extends B ? 1 : 2) ? true : false
function expectType<T extends true> (): void {}

interface User { id: number, email: string, name: { first: string, last: string }, tags: string[], born?: Date }
interface Movie { title: string, year: number }
type Schema = { users: StoreType<User, number, 'byEmail' | 'byName'>, movies: Movie }

async function typed (): Promise<void> {
  const db = await JsonDB.open<Schema>({ path: 'data', syncMode: 'none' })
  expectType<Exact<typeof db, JsonDB<Schema>>>()

  const users = db.store('users')
  expectType<Exact<typeof users, DocStore<User, number, 'byEmail' | 'byName'>>>()
  const u = await users.get(1)
  expectType<Exact<typeof u, User | undefined>>()
  const key = await users.put({ id: 1, email: 'a@x', name: { first: 'A', last: 'L' }, tags: [] })
  expectType<Exact<typeof key, number>>()
  const keys = await users.getAllKeys(KeyRange.bound(1, 10), { limit: 5, direction: 'prev' })
  expectType<Exact<typeof keys, number[]>>()
  expectType<Exact<ReturnType<typeof users.getSync>, User | undefined>>()
  // @ts-expect-error primary keys of users are numbers
  await users.get('one')
  // @ts-expect-error the document must be a User
  await users.put({ id: 1 })
  // @ts-expect-error index names are typed
  users.index('byAge')
  const byEmail = await users.index('byEmail').get('a@x')
  expectType<Exact<typeof byEmail, User | undefined>>()

  const q = users.query().whereEq('name.first', 'Ada').whereRange('id', { gte: 1 }).orderBy('email', 'desc').limit(10)
  const found = await q.toArray()
  expectType<Exact<typeof found, User[]>>()
  const plan = await q.explain()
  expectType<Exact<typeof plan, QueryPlan>>()
  // @ts-expect-error query paths are typed
  users.query().whereEq('name.middle', 'x')
  // @ts-expect-error orderBy directions are 'asc' | 'desc'
  users.query().orderBy('id', 'up')
  for await (const doc of users.query().whereIn('tags', ['a', 'b'])) {
    expectType<Exact<typeof doc, User>>()
  }
  for await (const r of users.iterate({ range: KeyRange.lowerBound(5), direction: 'nextunique' })) {
    expectType<Exact<typeof r, CursorRecord<User, number>>>()
    expectType<Exact<typeof r.primaryKey, number>>()
  }

  // A plain document type: any key, any index name.
  const movie = await db.store('movies').index('anything').getAll('x')
  expectType<Exact<typeof movie, Movie[]>>()
  // @ts-expect-error unknown store names are refused
  db.store('nope')

  const tx = db.transaction(['users', 'movies'], 'readwrite')
  expectType<Exact<typeof tx, Transaction<Pick<Schema, 'users' | 'movies'>>>>()
  await tx.store('movies').add({ title: 't', year: 2000 })
  await tx.commit()
  tx.abort()
  // @ts-expect-error modes are 'readonly' | 'readwrite'
  db.transaction('users', 'write')

  const moved = await db.transaction(['users'], 'readwrite', async (t) => {
    await t.store('users').delete(KeyRange.only(1))
    return 'done' as const
  }, { retries: 3 })
  expectType<Exact<typeof moved, 'done'>>()

  await db.createObjectStore('users', { keyPath: 'id' })
  await db.createIndex('users', 'byEmail', 'email', { unique: true })
  // @ts-expect-error index names of typed stores are checked
  await db.createIndex('users', 'byWhat', 'x')
  const changes = await db.applySchema([{ name: 'movies', keyPath: ['title', 'year'], indexes: [{ name: 'y', keyPath: 'year' }] }])
  expectType<Exact<typeof changes, SchemaChanges>>()
  expectType<Exact<typeof db.objectStoreNames, string[]>>()
  expectType<Exact<typeof errorCodes.CONFLICT, 'FLOWDB_CONFLICT'>>()
  await db.close()
  await db[Symbol.asyncDispose]()
}

function keys (): void {
  expectType<Exact<DocKeyResult<Uint8Array>, ArrayBuffer>>()
  const tuple: Array<number | ArrayBuffer> = [] as DocKeyResult<[number, Uint8Array]>
  void tuple
  expectType<Exact<DocPath<{ a: { b: number }, c: string[] }>, 'a' | 'a.b' | 'c'>>()
  const from: string = 'a'
  const r = KeyRange.bound(from, 'z', true)
  expectType<Exact<typeof r.lower, string | undefined>>()
  const bytes = KeyRange.only(new Uint8Array([1]))
  expectType<Exact<typeof bytes.upper, ArrayBuffer | undefined>>()
  // @ts-expect-error objects are not keys
  KeyRange.only({})
  // @ts-expect-error booleans are not keys
  KeyRange.lowerBound(true)
}

void typed
void keys
