'use strict'

// Events of the IndexedDB API: real `Event` objects dispatched on objects
// that are real `EventTarget`s, with the DOM's capture / target / bubble
// phases along the IndexedDB propagation path (request → transaction →
// database; spec §5.2 "fire a success event" / "fire an error event").
// Node's EventTarget has no parent chain, so IDBEventTarget keeps its own
// listener lists and walks the path itself.

const kParent = Symbol('flowdb.idb.parent')
const kDispatch = Symbol('flowdb.idb.dispatchState')
const kListeners = Symbol('flowdb.idb.listeners')
const kHandlers = Symbol('flowdb.idb.handlers')

const NONE = 0
const CAPTURING_PHASE = 1
const AT_TARGET = 2
const BUBBLING_PHASE = 3

function flattenCapture (options) {
  return typeof options === 'boolean' ? options : Boolean(options && options.capture)
}

// Reports an exception thrown by a listener the way Node's EventTarget does
// (an uncaught exception on the next tick), after the dispatch goes on.
function reportException (err) {
  process.nextTick(() => { throw err })
}

/**
 * An EventTarget whose events propagate to a parent (DOM "get the parent"):
 * an IDBRequest's parent is its transaction, a transaction's its database.
 * addEventListener supports `capture`, `once` and `signal`.
 */
class IDBEventTarget extends EventTarget {
  constructor () {
    super()
    // [{ type, callback, capture, once, removed }] in the order added, or
    // null: one short list per target (most have one or two listeners).
    this[kListeners] = null
    this[kParent] = null
  }

  /** DOM addEventListener(type, callback, options). */
  addEventListener (type, callback, options) {
    if (callback === null || callback === undefined) return
    if (typeof callback !== 'function' && typeof callback !== 'object') {
      throw new TypeError('The "listener" argument must be a function or an object with handleEvent')
    }
    type = String(type)
    const capture = flattenCapture(options)
    const once = Boolean(options && typeof options === 'object' && options.once)
    const signal = options && typeof options === 'object' ? options.signal : undefined
    if (signal && signal.aborted) return
    let list = this[kListeners]
    if (list === null || list === undefined) list = this[kListeners] = []
    for (let i = 0; i < list.length; i++) {
      const l = list[i]
      if (l.type === type && l.callback === callback && l.capture === capture) return
    }
    list.push({ type, callback, capture, once, removed: false })
    if (signal) signal.addEventListener('abort', () => this.removeEventListener(type, callback, { capture }), { once: true })
  }

  /** DOM removeEventListener(type, callback, options). */
  removeEventListener (type, callback, options) {
    const list = this[kListeners]
    if (!list) return
    type = String(type)
    const capture = flattenCapture(options)
    for (let i = 0; i < list.length; i++) {
      const l = list[i]
      if (l.type === type && l.callback === callback && l.capture === capture) {
        l.removed = true
        list.splice(i, 1)
        return
      }
    }
  }

  /**
   * DOM dispatchEvent(event) along this object's propagation path. Returns
   * false when a listener called preventDefault() on a cancelable event.
   */
  dispatchEvent (event) {
    if (!(event instanceof Event)) throw new TypeError('The "event" argument must be an instance of Event')
    return dispatch(this, event).notCanceled
  }
}

/**
 * A new object for the constructor of an IDBEventTarget subclass
 * (`newTarget`: its new.target), made without running Node's EventTarget
 * constructor: the two listener Maps that one allocates are never used
 * here (these objects keep their own listener lists and override
 * addEventListener, removeEventListener and dispatchEvent), and a bulk
 * insert makes one request per value. The constructor returns it.
 */
function newEventTarget (newTarget) {
  const target = Object.create(newTarget.prototype)
  target[kListeners] = null
  target[kParent] = null
  return target
}

// True when `target` has a listener for `type` that the event would reach
// (used to skip dispatching events nobody can observe).
function hasListeners (target, type, bubbles) {
  for (let t = target, first = true; t !== null && t !== undefined; t = t[kParent], first = false) {
    const list = t[kListeners]
    if (!list) continue
    for (let i = 0; i < list.length; i++) {
      const l = list[i]
      if (l.type === type && (first || bubbles || l.capture)) return true
    }
  }
  return false
}

/**
 * Dispatches `event` at `target` through the parent chain. Returns
 * { notCanceled, threw }: whether no listener canceled it, and whether a
 * listener threw (the spec aborts a transaction then).
 */
function dispatch (target, event) {
  const path = []
  for (let t = target; t !== null && t !== undefined; t = t[kParent]) path.push(t)
  const state = { phase: NONE, current: null, stop: false, stopImmediate: false, threw: false, target, path }
  if (kDispatch in event) {
    event[kDispatch] = state
  } else {
    defineState(event, state)
  }
  for (let i = path.length - 1; i > 0 && !state.stop; i--) invoke(path[i], event, CAPTURING_PHASE, state)
  if (!state.stop) invoke(path[0], event, AT_TARGET, state)
  if (event.bubbles) {
    for (let i = 1; i < path.length && !state.stop; i++) invoke(path[i], event, BUBBLING_PHASE, state)
  }
  state.phase = NONE
  state.current = null
  return { notCanceled: !event.defaultPrevented, threw: state.threw }
}

// The dispatch state of an Event that is not an IDBEvent (one a caller
// made), as own properties over Node's.
function defineState (event, state) {
  const target = state.target
  const path = state.path
  const own = {
    target: { get: () => target, configurable: true },
    srcElement: { get: () => target, configurable: true },
    currentTarget: { get: () => state.current, configurable: true },
    eventPhase: { get: () => state.phase, configurable: true },
    composedPath: { value: () => (state.phase === NONE ? [] : path.slice()), configurable: true },
    stopPropagation: { value: () => { state.stop = true }, configurable: true },
    stopImmediatePropagation: { value: () => { state.stop = state.stopImmediate = true }, configurable: true },
    cancelBubble: { get: () => state.stop, set: (v) => { if (v) state.stop = true }, configurable: true }
  }
  Object.defineProperties(event, own)
}

/**
 * The Event class of the events IndexedDB fires: target, currentTarget,
 * eventPhase and propagation follow the IndexedDB path (see dispatch()).
 */
class IDBEvent extends Event {
  constructor (type, init) {
    super(type, init)
    this[kDispatch] = null
  }

  get target () { const s = this[kDispatch]; return s === null ? null : s.target }
  get srcElement () { return this.target }
  get currentTarget () { const s = this[kDispatch]; return s === null ? null : s.current }
  get eventPhase () { const s = this[kDispatch]; return s === null ? NONE : s.phase }
  composedPath () { const s = this[kDispatch]; return s === null || s.phase === NONE ? [] : s.path.slice() }
  stopPropagation () { const s = this[kDispatch]; if (s !== null) s.stop = true }
  stopImmediatePropagation () { const s = this[kDispatch]; if (s !== null) s.stop = s.stopImmediate = true }
  get cancelBubble () { const s = this[kDispatch]; return s !== null && s.stop }
  set cancelBubble (v) { if (v) this.stopPropagation() }
}

function invoke (node, event, phase, state) {
  const list = node[kListeners]
  if (!list) return
  const type = event.type
  let any = false
  for (let i = 0; i < list.length && !any; i++) any = list[i].type === type
  if (!any) return
  state.current = node
  state.phase = phase
  // The listeners as of now: one added while dispatching does not run.
  const snapshot = list.slice()
  // At the target, capture listeners run first (DOM "inner invoke" order).
  const passes = phase === AT_TARGET ? [true, false] : [phase === CAPTURING_PHASE]
  for (const capture of passes) {
    for (const l of snapshot) {
      if (l.removed || l.type !== type || l.capture !== capture) continue
      if (l.once) node.removeEventListener(event.type, l.callback, { capture: l.capture })
      try {
        if (typeof l.callback === 'function') l.callback.call(node, event)
        else if (typeof l.callback.handleEvent === 'function') l.callback.handleEvent(event)
        else throw new TypeError('The listener has no callable handleEvent')
      } catch (err) {
        state.threw = true
        reportException(err)
      }
      if (state.stopImmediate) return
    }
  }
}

/**
 * Defines `on<type>` event handler attributes on `proto` for each type: a
 * function set there is a listener in the order it was first set; null
 * removes it.
 */
function defineHandlers (proto, types) {
  for (const type of types) {
    // One listener function per type, shared by every object: it calls the
    // handler the object holds.
    const listener = function (event) {
      const h = this[kHandlers] && this[kHandlers][type]
      if (typeof h === 'function') return h.call(this, event)
    }
    const name = 'on' + type
    const accessors = {
      get [name] () {
        if (this === null || typeof this !== 'object' || !Object.hasOwn(this, kParent)) throw new TypeError('Illegal invocation')
        return (this[kHandlers] && this[kHandlers][type]) || null
      },
      set [name] (fn) {
        if (this === null || typeof this !== 'object' || !Object.hasOwn(this, kParent)) throw new TypeError('Illegal invocation')
        if (!this[kHandlers]) this[kHandlers] = {}
        const handlers = this[kHandlers]
        const value = typeof fn === 'function' || (fn !== null && typeof fn === 'object') ? fn : null
        const had = handlers[type] !== undefined && handlers[type] !== null
        if (value === null && had) this.removeEventListener(type, listener)
        else if (value !== null && !had) this.addEventListener(type, listener)
        handlers[type] = value
      }
    }
    // Defined through an object literal so the accessors are named 'get onx' / 'set onx'.
    Object.defineProperty(proto, name, { ...Object.getOwnPropertyDescriptor(accessors, name), enumerable: true })
  }
}

/**
 * IDBVersionChangeEvent (spec §4.3): the `versionchange`, `blocked`,
 * `upgradeneeded` and deleteDatabase `success` events.
 */
class IDBVersionChangeEvent extends IDBEvent {
  #oldVersion
  #newVersion
  constructor (type, init = {}) {
    super(type, init)
    this[kDispatch] = null // (its base becomes Event itself: see webidl.cjs)
    this.#oldVersion = init.oldVersion === undefined ? 0 : Number(init.oldVersion)
    this.#newVersion = init.newVersion === undefined || init.newVersion === null ? null : Number(init.newVersion)
  }

  /** The database version before the change. */
  get oldVersion () { return this.#oldVersion }
  /** The version asked for; null when the database is being deleted. */
  get newVersion () { return this.#newVersion }
  get [Symbol.toStringTag] () { return 'IDBVersionChangeEvent' }
}

module.exports = {
  IDBEventTarget, IDBEvent, IDBVersionChangeEvent, dispatch, hasListeners, defineHandlers, newEventTarget, kParent
}
