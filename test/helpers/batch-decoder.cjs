'use strict'

// An independent reader of the WriteBatch byte format (see lib/encoding.cjs
// for the grammar), used to check the encoder byte for byte.

function readVarint32 (buf, off) {
  let value = 0
  for (let shift = 0; shift <= 28; shift += 7) {
    const byte = buf[off++]
    if (byte === undefined) throw new Error('truncated varint')
    value += (byte & 0x7f) * 2 ** shift
    if (byte < 0x80) return [value, off]
  }
  throw new Error('varint32 longer than 5 bytes')
}

// Returns { sequence, entries: [{ type, key: Buffer, ts: bigint, expireAt?: bigint, value?: Buffer }] }
function decodeBatch (bytes) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (buf.length < 12) throw new Error('batch shorter than its header')
  const sequence = buf.readBigUInt64LE(0)
  const count = buf.readUInt32LE(8)
  let off = 12
  const entries = []
  for (let i = 0; i < count; i++) {
    const type = buf[off++]
    if (type > 2) throw new Error(`entry ${i}: unknown type ${type}`)
    let keyLen
    ;[keyLen, off] = readVarint32(buf, off)
    const key = Buffer.from(buf.subarray(off, off + keyLen))
    off += keyLen
    const ts = buf.readBigInt64LE(off)
    off += 8
    const entry = { type, key, ts }
    if (type !== 0) {
      if (type === 2) {
        entry.expireAt = buf.readBigInt64LE(off)
        off += 8
      }
      let valueLen
      ;[valueLen, off] = readVarint32(buf, off)
      entry.value = Buffer.from(buf.subarray(off, off + valueLen))
      off += valueLen
      if (off > buf.length) throw new Error(`entry ${i}: value runs past the end`)
    }
    entries.push(entry)
  }
  if (off !== buf.length) throw new Error(`${buf.length - off} trailing bytes after ${count} entries`)
  return { sequence, entries }
}

module.exports = { decodeBatch, readVarint32 }
