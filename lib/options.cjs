'use strict'

// The options of Engine.open: each one's default and check, with the integer
// ranges taken from the engine's own limits (constants.optionLimits), and
// the mapping to the object binding.open() expects.

const path = require('node:path')
const validate = require('./validate.cjs')
const encoding = require('./encoding.cjs')
const { syncModes, walRecoveryModes, compression, optionLimits } = require('./binding.cjs').constants

const KiB = 1024
const MiB = 1024 * KiB

// [min, max] of an integer option, as the engine's own check has it.
function limit (name) {
  const l = optionLimits[name]
  return [l.min, l.max]
}

// Every option of Engine.open: its default and its check. Integer options
// give [min, max] (from constants.optionLimits); sizes are bytes.
const OPEN_OPTIONS = {
  path: { default: undefined },
  inMemory: { default: false, check: validate.boolean },
  createIfMissing: { default: true, check: validate.boolean },
  errorIfExists: { default: false, check: validate.boolean },
  syncMode: { default: 'always', choices: Object.keys(syncModes) },
  walRecovery: { default: 'strict', choices: Object.keys(walRecoveryModes) },
  syncIntervalMs: { default: 100, range: limit('syncIntervalMs') },
  memtableSize: { default: 64 * MiB, range: limit('memtableSize') },
  maxFrozenMemtables: { default: 2, range: limit('maxFrozenMemtables') },
  blockSize: { default: 16 * KiB, range: limit('blockSize') },
  blockRestartInterval: { default: 16, range: limit('blockRestartInterval') },
  bloomBitsPerKey: { default: 10, range: limit('bloomBitsPerKey') },
  compression: { default: 'lz4', choices: Object.keys(compression) },
  blockCacheSize: { default: 64 * MiB, range: limit('blockCacheSize') },
  maxOpenFiles: { default: 1000, range: limit('maxOpenFiles') },
  defaultTtl: { default: 0 },
  ttlBasis: { default: 'write', choices: ['write', 'ts'] },
  flushIntervalMs: { default: 0, range: limit('flushIntervalMs') },
  compactionTrigger: { default: 4, check: compactionTrigger },
  compactionSizeRatio: { default: 1, range: limit('compactionSizeRatio') },
  maxSpaceAmplification: { default: 200, range: limit('maxSpaceAmplification') },
  walRetentionBytes: { default: 0, range: limit('walRetentionBytes') },
  timestampType: { default: 'number', choices: ['number', 'bigint'] },
  keyEncoding: { default: 'utf8', choices: encoding.KEY_ENCODINGS },
  valueEncoding: { default: 'buffer', choices: encoding.VALUE_ENCODINGS }
}
const OPEN_OPTION_NAMES = new Set(Object.keys(OPEN_OPTIONS))

// compactionTrigger: 0 (automatic compaction off), or a number of SSTables
// in its range except the engine's excluded value (1).
function compactionTrigger (value, label) {
  const { min, max, excluded } = optionLimits.compactionTrigger
  validate.integer(value, label, min, max)
  if (value === excluded) {
    throw new RangeError(`${label} must be 0 (automatic compaction off) or at least ${excluded + 1}, got ${value}`)
  }
}

// Returns the complete, checked option set, in the shape the engine keeps;
// `where` names the caller in error messages.
function resolveOpenOptions (options, where = 'Engine.open()') {
  if (options === undefined) throw new TypeError(`${where} needs an options object with a path (or inMemory: true)`)
  const given = validate.optionsObject(options, 'options')
  validate.checkKnownKeys(given, OPEN_OPTION_NAMES, `${where} options`)
  const resolved = {}
  for (const [name, spec] of Object.entries(OPEN_OPTIONS)) {
    const value = given[name]
    if (value === undefined) {
      resolved[name] = spec.default
      continue
    }
    const label = `options.${name}`
    if (spec.check) spec.check(value, label)
    else if (spec.choices) validate.oneOf(value, label, spec.choices)
    else if (spec.range) validate.integer(value, label, spec.range[0], spec.range[1])
    resolved[name] = value
  }
  if (given.defaultTtl !== undefined) {
    validate.duration(given.defaultTtl, 'options.defaultTtl', true, encoding.MAX_TTL_MS)
  }
  if (resolved.inMemory) {
    if (given.path !== undefined) throw new TypeError('options.path cannot be combined with inMemory: true')
    resolved.path = ''
  } else {
    if (given.path === undefined) throw new TypeError('options.path is required (or set inMemory: true)')
    validate.string(given.path, 'options.path')
    if (given.path === '') throw new TypeError('options.path must be a non-empty string')
    resolved.path = path.resolve(given.path)
  }
  return resolved
}

// The options object binding.open() expects: every field present, in
// native units.
function nativeOpenOptions (o) {
  return {
    inMemory: o.inMemory,
    createIfMissing: o.createIfMissing,
    errorIfExists: o.errorIfExists,
    syncMode: syncModes[o.syncMode],
    walRecovery: walRecoveryModes[o.walRecovery],
    syncIntervalMs: o.syncIntervalMs,
    memtableSize: o.memtableSize,
    maxFrozenMemtables: o.maxFrozenMemtables,
    blockSize: o.blockSize,
    blockRestartInterval: o.blockRestartInterval,
    bloomBitsPerKey: o.bloomBitsPerKey,
    compression: compression[o.compression],
    blockCacheSize: o.blockCacheSize,
    maxOpenFiles: o.maxOpenFiles,
    defaultTtlUs: Math.round(o.defaultTtl * 1000),
    ttlBasis: o.ttlBasis === 'ts' ? 1 : 0,
    flushIntervalMs: o.flushIntervalMs,
    compactionTrigger: o.compactionTrigger,
    compactionSizeRatio: o.compactionSizeRatio,
    maxSpaceAmplification: o.maxSpaceAmplification,
    walRetentionBytes: o.walRetentionBytes
  }
}

module.exports = { OPEN_OPTIONS, resolveOpenOptions, nativeOpenOptions }
