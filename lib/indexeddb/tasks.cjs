'use strict'

// The event loop as IndexedDB needs it. A transaction is active during the
// task that created it and while its request events are dispatched,
// including the microtasks those run (promise callbacks, as the `idb`
// library awaits requests); it turns inactive when control returns to the
// event loop. setImmediate callbacks run after the current task and its
// microtasks, so "end of task" work runs there, batched in one callback.

// setImmediate callbacks queued from inside a setImmediate callback run in
// the next loop turn, after that turn's timers: a timer of 0 ms armed at
// the same time runs first then. Both are armed and the first one runs
// the work, so a timeout the page sets in its handler sees the end.
let batch = null
let immediate = null
let timer = null

function runBatch () {
  clearImmediate(immediate)
  clearTimeout(timer)
  immediate = timer = null
  const b = batch
  batch = null
  for (const fn of b) fn()
}

/** Runs `fn` after the current task and the microtasks it queued. */
function endOfTask (fn) {
  if (batch === null) {
    batch = []
    immediate = setImmediate(runBatch)
    timer = setTimeout(runBatch, 0)
  }
  batch.push(fn)
}

/** Runs `fn` as a task of its own (spec "queue a task"). */
function queueTask (fn) {
  setImmediate(fn)
}

module.exports = { endOfTask, queueTask }
