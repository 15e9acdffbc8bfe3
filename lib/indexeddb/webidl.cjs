'use strict'

// The shape WebIDL gives interface objects, applied to the JS classes:
// attributes and operations are enumerable, the interface object's length
// is its constructor's argument count, and an interface inheriting from
// EventTarget or Event has that one as its direct prototype (the shared
// listener code of IDBEventTarget / IDBEvent is copied in instead).

const ENUMERABLE_SKIP = new Set(['constructor'])

function makeEnumerable (obj) {
  for (const key of Object.getOwnPropertyNames(obj)) {
    if (ENUMERABLE_SKIP.has(key)) continue
    const d = Object.getOwnPropertyDescriptor(obj, key)
    if (d.configurable && !d.enumerable) Object.defineProperty(obj, key, { ...d, enumerable: true })
  }
}

/**
 * Gives `Class` its WebIDL shape. `length`: the constructor's argument
 * count (0 when not constructible). `base` / `shared`: the platform parent
 * (EventTarget or Event) and the class whose members are copied onto
 * Class.prototype before the parent becomes its prototype.
 */
function exposeInterface (Class, { length = 0, base = null, shared = null, lengths = {} } = {}) {
  if (base !== null) {
    for (const key of Reflect.ownKeys(shared.prototype)) {
      if (key === 'constructor' || Object.prototype.hasOwnProperty.call(Class.prototype, key)) continue
      Object.defineProperty(Class.prototype, key, Object.getOwnPropertyDescriptor(shared.prototype, key))
    }
    Object.setPrototypeOf(Class.prototype, base.prototype)
    Object.setPrototypeOf(Class, base)
  }
  makeEnumerable(Class.prototype)
  for (const key of Object.getOwnPropertyNames(Class)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue
    const d = Object.getOwnPropertyDescriptor(Class, key)
    if (typeof d.value === 'function' && !d.enumerable) Object.defineProperty(Class, key, { ...d, enumerable: true })
  }
  Object.defineProperty(Class, 'length', { value: length, configurable: true })
  // Operation lengths count the required arguments only.
  for (const [key, n] of Object.entries(lengths)) {
    const owner = Object.prototype.hasOwnProperty.call(Class.prototype, key) ? Class.prototype : Class
    Object.defineProperty(owner[key], 'length', { value: n, configurable: true })
  }
}

module.exports = { exposeInterface }
