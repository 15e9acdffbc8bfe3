'use strict'

// Query: the builder behind store.query(). Each method checks its arguments
// and returns a new Query (a Query is immutable, so a partly built one can be
// reused); the terminal methods hand the finished description to the store,
// which runs it in native code (the planner picks an index there).
//
// A description is plain data:
//   { where: [{ path, op: 'eq', value }
//           | { path, op: 'range', gt?, gte?, lt?, lte? }
//           | { path, op: 'in', values }],
//     orderBy: { path, direction: 'asc' | 'desc' } | null,
//     offset: number, limit: number (Infinity = no limit) }
// with every value a valid key (see key.cjs).

const validate = require('../validate.cjs')
const { toKey } = require('./key.cjs')
const { fieldPath } = require('./schema.cjs')

const RANGE_BOUNDS = new Set(['gt', 'gte', 'lt', 'lte'])
const DIRECTIONS = ['asc', 'desc']

const kConstruct = Symbol('flowdb.query.construct')

class Query {
  #runner
  #description

  // runner: { toArray(d), count(d), explain(d), iterate(d) } of the store.
  constructor (token, runner, description) {
    if (token !== kConstruct) throw new TypeError('Use store.query() to build a query')
    this.#runner = runner
    this.#description = Object.freeze(description)
  }

  static create (runner) {
    return new Query(kConstruct, runner, { where: Object.freeze([]), orderBy: null, offset: 0, limit: Infinity })
  }

  #with (changes) {
    return new Query(kConstruct, this.#runner, { ...this.#description, ...changes })
  }

  #where (predicate) {
    return this.#with({ where: Object.freeze([...this.#description.where, Object.freeze(predicate)]) })
  }

  /** Documents whose value at `path` equals the key `value`. */
  whereEq (path, value) {
    const p = fieldPath(path, 'whereEq() path')
    return this.#where({ path: p, op: 'eq', value: toKey(value, 'whereEq() value', true) })
  }

  /**
   * Documents whose value at `path` lies in the range: at least one of
   * gt/gte (lower) and lt/lte (upper), not both of a pair.
   */
  whereRange (path, bounds) {
    const p = fieldPath(path, 'whereRange() path')
    if (!validate.isPlainObject(bounds)) {
      throw new TypeError(`whereRange() bounds must be an object with gt, gte, lt or lte, got ${validate.describe(bounds)}`)
    }
    validate.checkKnownKeys(bounds, RANGE_BOUNDS, 'whereRange() bounds')
    const predicate = { path: p, op: 'range' }
    let any = false
    for (const name of RANGE_BOUNDS) {
      if (bounds[name] === undefined) continue
      predicate[name] = toKey(bounds[name], `whereRange() bounds.${name}`, true)
      any = true
    }
    if (!any) throw new TypeError('whereRange() bounds must give at least one of gt, gte, lt, lte')
    for (const [ex, inc] of [['gt', 'gte'], ['lt', 'lte']]) {
      if (predicate[ex] !== undefined && predicate[inc] !== undefined) {
        throw new TypeError(`whereRange() bounds.${ex} and bounds.${inc} cannot both be given`)
      }
    }
    return this.#where(predicate)
  }

  /** Documents whose value at `path` equals one of `values` (an array of keys). */
  whereIn (path, values) {
    const p = fieldPath(path, 'whereIn() path')
    if (!Array.isArray(values)) throw new TypeError(`whereIn() values must be an array, got ${validate.describe(values)}`)
    const keys = values.map((v, i) => toKey(v, `whereIn() values[${i}]`, true))
    return this.#where({ path: p, op: 'in', values: Object.freeze(keys) })
  }

  /** Results ordered by the value at `path` ('asc' by default). Once per query. */
  orderBy (path, direction = 'asc') {
    const p = fieldPath(path, 'orderBy() path')
    validate.oneOf(direction, 'orderBy() direction', DIRECTIONS)
    if (this.#description.orderBy !== null) throw new TypeError('orderBy() was already given for this query')
    return this.#with({ orderBy: Object.freeze({ path: p, direction }) })
  }

  /** Skips the first `n` matching documents (after filtering and ordering). */
  offset (n) {
    return this.#with({ offset: validate.integer(n, 'offset()', 0, Number.MAX_SAFE_INTEGER) })
  }

  /** Returns at most `n` documents (after the offset). */
  limit (n) {
    return this.#with({ limit: validate.integer(n, 'limit()', 0, Number.MAX_SAFE_INTEGER) })
  }

  /** The description the store runs (frozen plain data). */
  get description () {
    return this.#description
  }

  /** Resolves to the matching documents, in order. */
  toArray () {
    return this.#runner.toArray(this.#description)
  }

  /** Resolves to the number of matching documents (offset and limit applied). */
  count () {
    return this.#runner.count(this.#description)
  }

  /** Resolves to the first matching document, or undefined. */
  async first () {
    const docs = await this.#runner.toArray({ ...this.#description, limit: Math.min(this.#description.limit, 1) })
    return docs[0]
  }

  /** Resolves to the plan: the index and bounds chosen, the residual filters, whether it sorts. */
  explain () {
    return this.#runner.explain(this.#description)
  }

  /** The matching documents one at a time, fetched in chunks. */
  [Symbol.asyncIterator] () {
    return this.#runner.iterate(this.#description)[Symbol.asyncIterator]()
  }
}

module.exports = { Query }
