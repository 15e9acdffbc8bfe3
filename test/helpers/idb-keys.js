// IndexedDB key semantics for the JsonDB tests' plain-JS models, taken from
// an independent implementation (fake-indexeddb's cmp()) so that the models
// do not share the engine's key codec.

import { indexedDB } from 'fake-indexeddb'

/** IndexedDB "compare two keys": -1, 0 or 1; throws for a non-key. */
export const cmp = (a, b) => indexedDB.cmp(a, b)

/** Whether `v` is a valid IndexedDB key. */
export function isKey (v) {
  try {
    cmp(v, 0)
    return true
  } catch {
    return false
  }
}

/** The value at a dotted key path in `doc` (own properties only), or undefined. */
export function at (doc, path) {
  let v = doc
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, part)) return undefined
    v = v[part]
  }
  return v
}

/**
 * The index keys IndexedDB derives from `doc` for an index declaration
 * `{ keyPath, multiEntry }`: none when the path yields no valid key; one per
 * distinct valid element for a multiEntry array; one array key for a
 * compound key path whose parts are all keys.
 */
export function indexKeys (spec, doc) {
  if (Array.isArray(spec.keyPath)) {
    const parts = spec.keyPath.map((p) => at(doc, p))
    return parts.every(isKey) ? [parts] : []
  }
  const v = at(doc, spec.keyPath)
  if (v === undefined) return []
  if (spec.multiEntry && Array.isArray(v)) {
    const out = []
    for (const e of v) if (isKey(e) && !out.some((o) => cmp(o, e) === 0)) out.push(e)
    return out
  }
  return isKey(v) ? [v] : []
}
