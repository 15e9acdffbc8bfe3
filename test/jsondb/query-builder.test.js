// The query builder's argument checks and the description it produces
// (running queries is tested in jsondb.test.js).

import { describe, it, expect } from 'vitest'
import { FlowDBError, errorCodes } from '../../lib/index.mjs'
import qb from '../../lib/jsondb/query-builder.cjs'
import jsonModule from '../../lib/jsondb/json.cjs'
import schema from '../../lib/jsondb/schema.cjs'

const { Query } = qb
const runner = {
  toArray: (d) => Promise.resolve([d]),
  count: (d) => Promise.resolve(d),
  explain: (d) => Promise.resolve(d),
  iterate: (d) => [d]
}

describe('Query builder', () => {
  it('builds an immutable description', async () => {
    const base = Query.create(runner)
    const q = base.whereEq('a.b', 1).whereRange('year', { gte: 1990, lt: 2000 })
      .whereIn('genre', ['x', 'y']).orderBy('year', 'desc').offset(5).limit(10)
    expect(base.description.where).toEqual([])
    expect(q.description).toEqual({
      where: [
        { path: 'a.b', op: 'eq', value: 1 },
        { path: 'year', op: 'range', gte: 1990, lt: 2000 },
        { path: 'genre', op: 'in', values: ['x', 'y'] }
      ],
      orderBy: { path: 'year', direction: 'desc' },
      offset: 5,
      limit: 10
    })
    expect(Object.isFrozen(q.description)).toBe(true)
    expect((await q.first())).toMatchObject({ limit: 1, offset: 5 })
    expect(await Query.create(runner).limit(0).first()).toMatchObject({ limit: 0 })
  })

  it('refuses bad arguments with TypeError/RangeError and bad values with FLOWDB_INVALID_KEY', () => {
    const q = Query.create(runner)
    expect(() => q.whereEq(1, 1)).toThrow(TypeError)
    expect(() => q.whereEq('a..b', 1)).toThrow(TypeError)
    expect(() => q.whereEq('1a', 1)).toThrow(TypeError)
    expect(() => q.whereRange('a', {})).toThrow(TypeError)
    expect(() => q.whereRange('a', 5)).toThrow(TypeError)
    expect(() => q.whereRange('a', { gt: 1, gte: 2 })).toThrow(TypeError)
    expect(() => q.whereRange('a', { gtt: 1 })).toThrow(/did you mean 'gt'/)
    expect(() => q.whereIn('a', 'x')).toThrow(TypeError)
    expect(() => q.orderBy('a', 'up')).toThrow(RangeError)
    expect(() => q.orderBy('a').orderBy('b')).toThrow(TypeError)
    expect(() => q.offset(-1)).toThrow(RangeError)
    expect(() => q.limit(1.5)).toThrow(TypeError)
    for (const bad of [() => q.whereEq('a', {}), () => q.whereEq('a', undefined),
      () => q.whereRange('a', { lt: NaN }), () => q.whereIn('a', [1, null])]) {
      let err
      try { bad() } catch (e) { err = e }
      expect(err).toBeInstanceOf(FlowDBError)
      expect(err.code).toBe(errorCodes.INVALID_KEY)
    }
  })
})

describe('JSON safety', () => {
  const { toJson } = jsonModule
  it('stringifies what JSON carries', () => {
    expect(toJson({ a: 1, b: undefined, d: new Date(0) }, 'doc')).toBe('{"a":1,"d":"1970-01-01T00:00:00.000Z"}')
    expect(toJson([1, 'x', null], 'doc')).toBe('[1,"x",null]')
  })
  it('refuses undefined at the top, functions, symbols, BigInts and cycles', () => {
    const cyclic = { a: 1 }
    cyclic.self = cyclic
    for (const bad of [undefined, () => 1, Symbol('x'), 1n, { f () {} }, { n: 1n }, [Symbol('s')], cyclic,
      { toJSON () { return undefined } }]) {
      expect(() => toJson(bad, 'doc')).toThrow(TypeError)
    }
    expect(() => toJson({ deep: { n: 2n } }, 'document')).toThrow(/document cannot be stored as JSON/)
    expect(() => toJson({ n: 2n }, 'docs', 7)).toThrow(/^docs\[7\] cannot be stored as JSON/)
    expect(() => toJson(Symbol('s'), 'docs', 0)).toThrow(/^docs\[0\] cannot be stored as JSON/)
    expect(toJson([1, 'a'], 'docs', 3)).toBe('[1,"a"]')
  })
})

describe('schema arguments', () => {
  it('validates key paths per IndexedDB', () => {
    for (const ok of ['', 'a', 'a.b', '$x._y', 'é', ['a', 'b.c'], [''], ['', 'a.b']]) {
      expect(schema.keyPath(ok, 'kp')).toEqual(ok)
    }
    for (const bad of ['a.', '.a', 'a b', '1a', 'a-b', [], ['a', 1], ['a', 'a.'], 5, null]) {
      expect(() => schema.keyPath(bad, 'kp')).toThrow(TypeError)
    }
  })
  it('applies IndexedDB option rules', () => {
    expect(() => schema.storeOptions({ keyPath: ['a', 'b'], autoIncrement: true }, 's')).toThrow(TypeError)
    expect(() => schema.storeOptions({ keyPath: '', autoIncrement: true }, 's')).toThrow(TypeError)
    expect(schema.storeOptions({ autoIncrement: true }, 's')).toEqual({ keyPath: null, autoIncrement: true })
    expect(() => schema.indexOptions({ multiEntry: true }, ['a', 'b'], 'i')).toThrow(TypeError)
    expect(() => schema.storeOptions({ keypath: 'a' }, 's')).toThrow(/did you mean 'keyPath'/)
  })
  it('normalizes applySchema declarations', () => {
    expect(schema.schemaDeclaration([{ name: 's', keyPath: 'id', indexes: [{ name: 'i', keyPath: 'x' }] }])).toEqual([
      { name: 's', keyPath: 'id', autoIncrement: false, indexes: [{ name: 'i', keyPath: 'x', unique: false, multiEntry: false }] }
    ])
    expect(() => schema.schemaDeclaration([{ name: 's' }, { name: 's' }])).toThrow(TypeError)
    expect(() => schema.schemaDeclaration({})).toThrow(TypeError)
  })
})
