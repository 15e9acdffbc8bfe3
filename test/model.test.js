// Randomized model-based test of the JS API: puts and deletes (with expiries
// far in the past or the future, so liveness never depends on timing),
// range deletes, patchRecord, snapshots, flushes, compactions, gc() and
// reopens, checked after every read against a plain-JS model.
// FLOWDB_JS_MODEL_SEEDS / FLOWDB_JS_MODEL_OPS raise the size. (Expiry under
// a controlled clock is covered by the C++ model test, db_model_test.cc.)

import { describe, it, expect } from 'vitest'
import { Engine } from '../lib/index.mjs'
import { tempPath } from './helpers/tmp.js'
import { rng } from './helpers/random.js'

const SEEDS = Number(process.env.FLOWDB_JS_MODEL_SEEDS ?? 4)
const OPS = Number(process.env.FLOWDB_JS_MODEL_OPS ?? 400)

// model: Map "key\u0000ts" → { key, ts, value, live }
const id = (key, ts) => `${key}\u0000${ts}`
const sorted = (model) => [...model.values()].filter((r) => r.live)
  .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.ts - b.ts))

async function run (seed, ops) {
  const rand = rng(seed)
  const pick = (n) => Math.floor(rand() * n)
  const key = () => 'k' + 'abc'.slice(0, pick(3)) + String.fromCharCode(97 + pick(4))
  const ts = () => pick(12) - 2
  const path = tempPath()
  const options = { path, memtableSize: 64 * 1024, compactionTrigger: [0, 2, 4][pick(3)], valueEncoding: 'utf8' }
  let engine = await Engine.open(options)
  let model = new Map()
  let snaps = [] // [{ snapshot, model }]
  const now = Date.now() * 1000
  let reads = 0

  const view = () => {
    if (snaps.length > 0 && pick(3) === 0) {
      const s = snaps[pick(snaps.length)]
      return [{ snapshot: s.snapshot }, s.model]
    }
    return [{}, model]
  }

  for (let op = 0; op < ops; op++) {
    const where = `seed ${seed} op ${op}`
    const r = pick(100)
    if (r < 35) {
      const records = []
      const next = new Map(model)
      for (let i = 0, n = 1 + pick(6); i < n; i++) {
        const k = key()
        const t = ts()
        if (pick(5) === 0) {
          records.push({ type: 'del', key: k, ts: t })
          next.delete(id(k, t))
        } else {
          const expired = pick(6) === 0
          const value = `v${op}.${i}`
          records.push({ key: k, ts: t, value, expireAt: expired ? now - 1 : pick(2) ? now + 3.6e9 : undefined })
          next.set(id(k, t), { key: k, ts: t, value, live: !expired })
        }
      }
      await engine.writeBatch(records)
      model = next
    } else if (r < 40) {
      let [a, b] = [key(), key()].sort()
      if (a === b) b += '\u0000'
      await engine.deleteRange(a, b)
      for (const [k, rec] of model) if (rec.key >= a && rec.key < b) model.delete(k)
    } else if (r < 45) {
      const k = key()
      const t = ts()
      const rec = model.get(id(k, t))
      const value = `p${op}`
      if (rec === undefined || !rec.live) {
        await expect(engine.patchRecord(k, t, { value }), where).rejects.toMatchObject({ code: 'FLOWDB_NOT_FOUND' })
      } else {
        expect((await engine.patchRecord(k, t, { value })).value, where).toBe(value)
        model.set(id(k, t), { ...rec, value })
      }
    } else if (r < 50) {
      snaps.push({ snapshot: engine.snapshot(), model: new Map(model) })
    } else if (r < 53 && snaps.length > 0) {
      snaps.splice(pick(snaps.length), 1)[0].snapshot.release()
    } else if (r < 68) {
      const [opts, m] = view()
      const k = key()
      const t = ts()
      const rec = m.get(id(k, t))
      const want = rec !== undefined && rec.live ? rec.value : undefined
      const got = pick(2) ? await engine.get(k, t, opts) : engine.getSync(k, t, opts)
      expect(got, `${where} get ${k}@${t}`).toBe(want)
      reads++
    } else if (r < 78) {
      const [opts, m] = view()
      const k = key()
      const live = sorted(m).filter((x) => x.key === k)
      const got = await engine.getLatest(k, opts)
      const want = live.length === 0 ? undefined : live[live.length - 1]
      expect(got === undefined ? undefined : `${got.ts}=${got.value}`, `${where} latest ${k}`)
        .toBe(want === undefined ? undefined : `${want.ts}=${want.value}`)
      reads++
    } else if (r < 90) {
      const [opts, m] = view()
      const range = { ...opts }
      if (pick(2)) range.gte = key()
      if (pick(2)) range.lt = key()
      if (pick(3) === 0) range.ts = { gte: ts(), lte: ts() + 4 }
      range.reverse = pick(2) === 1
      let want = sorted(m).filter((x) => (range.gte === undefined || x.key >= range.gte) &&
        (range.lt === undefined || x.key < range.lt) &&
        (range.ts === undefined || (x.ts >= range.ts.gte && x.ts <= range.ts.lte)))
      if (range.reverse) want = want.reverse()
      const got = await engine.scan(range).all()
      expect(got.map((x) => `${x.key}@${x.ts}=${x.value}`), `${where} scan`).toEqual(want.map((x) => `${x.key}@${x.ts}=${x.value}`))
      reads++
    } else if (r < 94) {
      await engine.flush()
    } else if (r < 97) {
      await engine.compact()
    } else if (r < 98) {
      await engine.gc()
    } else {
      for (const s of snaps) s.snapshot.release()
      snaps = []
      await engine.close()
      engine = await Engine.open(options)
    }
  }
  await engine.close()
  return reads
}

describe('randomized model test', () => {
  it(`matches the model over ${SEEDS} seeds × ${OPS} operations`, async () => {
    let reads = 0
    for (let seed = 1; seed <= SEEDS; seed++) reads += await run(seed, OPS)
    expect(reads).toBeGreaterThan(SEEDS * OPS * 0.3)
  }, 120_000)
})
